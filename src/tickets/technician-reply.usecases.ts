// A technician's answer from their own mail client: tag lines change the ticket and log time,
// the rest is relayed to the customer (unless #internal). Only called for mails that carry a
// valid reply token AND come from a known technician address (see intake).
import { eq } from 'drizzle-orm';
import type { ContractsConfig, Technician } from '../contracts/contracts.types.ts';
import type { ParsedInbound } from '../mail/inbound-parse.ts';
import { messagesTable } from '../mail/mail.tables.ts';
import type { Tx } from '../db/client.ts';
import type { Outbox } from '../mail/outbox.usecases.ts';
import type { SlaService } from '../sla/sla.usecases.ts';
import { parseTechnicianReply, type Tag } from './tags.models.ts';
import type { TicketEvent } from './ticket-events.models.ts';
import { createTicketsRepository, type TicketRow } from './tickets.repository.ts';
import { ticketsTable, timeEntriesTable } from './tickets.tables.ts';

export type { TicketRow };

export interface TechnicianReplyInput {
  ticket: TicketRow;
  technician: Technician;
  parsed: ParsedInbound;
  at: Date;
  messageRowId: number | null;
}

export function createTechnicianReplyHandler(deps: { config: ContractsConfig; outbox: Outbox; sla: SlaService }) {
  const { config, outbox, sla } = deps;

  return {
    async handle(tx: Tx, input: TechnicianReplyInput): Promise<{ outboundIds: string[]; slaChanged: boolean }> {
      const { ticket, technician, parsed, at } = input;
      const reply = parseTechnicianReply(parsed.text);
      const outboundIds: string[] = [];
      let slaChanged = false;
      const ticketRef = { id: ticket.id, number: ticket.number, subject: ticket.subject, serviceAddress: ticket.serviceAddress };
      const technicianLocale = technician.locale ?? config.provider.locale;
      const tickets = createTicketsRepository({ db: tx });
      const by = technician.email;
      const event = (e: TicketEvent) => tickets.recordEvents([{ ticketId: ticket.id, at, event: e }]);

      if (reply.errors.length > 0) {
        // A malformed tag is never silently dropped: the technician hears which line and why.
        const id = await outbox.queue(tx, {
          idempotencyKey: `tag-errors:${input.messageRowId ?? parsed.sha256}`,
          kind: 'tag-errors',
          locale: technicianLocale,
          to: [technician.email],
          ticket: ticketRef,
          automatic: true,
          inReplyTo: parsed.messageId,
          at,
          vars: { ticketNumber: ticket.number, subject: ticket.subject, errors: reply.errors },
        });
        if (id) outboundIds.push(id);
      }

      const tags: Tag[] = reply.tags;
      const internal = tags.some((t) => t.type === 'internal');
      if (input.messageRowId !== null) {
        await tx.update(messagesTable).set({ internal, text: reply.body }).where(eq(messagesTable.id, input.messageRowId));
      }

      let status = ticket.status;
      for (const tag of tags) {
        if (tag.type === 'priority' && tag.priority !== ticket.priority) {
          await tx.update(ticketsTable).set({ priority: tag.priority, updatedAt: at }).where(eq(ticketsTable.id, ticket.id));
          await event({ type: 'priority', from: ticket.priority, to: tag.priority, by });
          await sla.recompute(tx, ticket.id, at);
          slaChanged = true;
        } else if (tag.type === 'kind' && tag.kind !== ticket.kind) {
          await tx.update(ticketsTable).set({ kind: tag.kind, updatedAt: at }).where(eq(ticketsTable.id, ticket.id));
          await event({ type: 'kind', from: ticket.kind, to: tag.kind, by });
          await sla.recompute(tx, ticket.id, at);
          slaChanged = true;
        } else if (tag.type === 'time') {
          const minutes = Math.ceil(tag.ms / 60_000);
          const plan = config.plans[ticket.planKey];
          await tx.insert(timeEntriesTable).values({
            ticketId: ticket.id,
            messageId: input.messageRowId,
            technician: technician.email,
            role: tag.role ?? technician.role,
            onsite: tag.onsite,
            minutes,
            // Billing rules (increments, bank draw, rates) are applied by the billing issue;
            // until then the entry records the raw minutes only.
            billableMinutes: minutes,
            currency: plan?.billing.currency ?? 'EUR',
            at,
          });
          await event({ type: 'time', minutes, role: tag.role ?? technician.role, onsite: tag.onsite, by });
          // Logged work means work has started: it meets the intervention target.
          if (await sla.meet(tx, ticket.id, 'intervention', at)) slaChanged = true;
        } else if (tag.type === 'estimate') {
          await event({ type: 'estimate', minutes: Math.ceil(tag.ms / 60_000), by });
        }
      }

      if (!internal && reply.body.trim().length > 0) {
        const id = await outbox.queue(tx, {
          idempotencyKey: `technician-reply:${input.messageRowId ?? parsed.sha256}`,
          kind: 'technician-reply',
          locale: ticket.locale,
          to: [ticket.requester],
          ticket: ticketRef,
          automatic: false,
          fromName: technician.name ? `${technician.name} (${config.provider.name})` : config.provider.name,
          inReplyTo: parsed.messageId,
          at,
          vars: { ticketNumber: ticket.number, subject: ticket.subject, body: reply.body.trim(), technicianName: technician.name ?? technician.email },
        });
        if (id) outboundIds.push(id);
        // The first human reply that reaches the customer meets the response target.
        if (!ticket.firstResponseAt) {
          await tx.update(ticketsTable).set({ firstResponseAt: at }).where(eq(ticketsTable.id, ticket.id));
        }
        if (await sla.meet(tx, ticket.id, 'response', at)) slaChanged = true;
        if (status === 'new') {
          status = 'open';
          await tx.update(ticketsTable).set({ status, updatedAt: at }).where(eq(ticketsTable.id, ticket.id));
          await event({ type: 'status', from: 'new', to: 'open', by });
        }
      }

      for (const tag of tags) {
        if (tag.type !== 'status' || tag.status === status) continue;
        const from = status;
        status = tag.status;
        const patch: Partial<TicketRow> = { status, updatedAt: at };
        if (status === 'resolved') patch.resolvedAt = at;
        if (status === 'closed') patch.closedAt = at;
        await tx.update(ticketsTable).set(patch).where(eq(ticketsTable.id, ticket.id));
        await event({ type: 'status', from, to: status, by });
        if (from === 'waiting') await sla.resume(tx, ticket.id, at);
        if (status === 'open' && (await sla.meet(tx, ticket.id, 'intervention', at))) slaChanged = true;
        if (status === 'waiting') await sla.pause(tx, ticket.id, at);
        if (status === 'resolved' || status === 'closed') await sla.meetAll(tx, ticket.id, at);
        slaChanged = true;
        if (status === 'resolved') {
          const id = await outbox.queue(tx, {
            idempotencyKey: `resolved:${ticket.id}:${input.messageRowId ?? parsed.sha256}`,
            kind: 'resolved',
            locale: ticket.locale,
            to: [ticket.requester],
            ticket: ticketRef,
            automatic: true,
            at,
            vars: { ticketNumber: ticket.number, subject: ticket.subject, reopenDays: Math.round(config.provider.reopenWindowMs / 86_400_000) },
          });
          if (id) outboundIds.push(id);
        }
      }
      return { outboundIds, slaChanged };
    },
  };
}
