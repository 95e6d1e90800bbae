// A technician's answer from their own mail client: tag lines change the ticket and log time
// (priced, drawn from the time bank, receipted: time-entries.usecases.ts), `#estimate` may mail the
// customer a notice or an approval request (estimates.usecases.ts), the rest is relayed to
// the customer (unless #internal). Only called for mails that carry a
// valid reply token AND come from a known technician address (see intake).
import { eq } from 'drizzle-orm';
import { customersTable } from '../contracts/contracts.tables.ts';
import type { ContractsConfig, Technician } from '../contracts/contracts.types.ts';
import type { DbOrTx } from '../db/client.ts';
import type { ParsedInbound } from '../mail/inbound-parse.ts';
import { messagesTable } from '../mail/mail.tables.ts';
import type { Outbox } from '../mail/outbox.usecases.ts';
import type { ReplySecrets } from '../mail/reply-token.models.ts';
import type { SlaClocks } from '../sla/sla-clocks.usecases.ts';
import type { SlaFact, SlaTicket } from '../sla/sla.models.ts';
import { createSlaRepository } from '../sla/sla.repository.ts';
import { workBeforeApproval, type EstimateEventRecord } from './estimates.models.ts';
import { createEstimatesRepository } from './estimates.repository.ts';
import { estimateTag } from './estimates.usecases.ts';
import { parseTechnicianReply } from './tags.models.ts';
import { nextOwner } from './ticket-people.models.ts';
import type { TicketEvent, TicketEventRecord } from './ticket-events.models.ts';
import { ticketReference } from './tickets.models.ts';
import { createTicketsRepository, type TicketPatch, type TicketRow } from './tickets.repository.ts';
import { createTimeEntriesRepository } from './time-entries.repository.ts';
import { applyTimeTag, receiptVars, timeTagLines } from './time-entries.usecases.ts';

export type { TicketRow };

export interface TechnicianReplyInput {
  ticket: TicketRow;
  technician: Technician;
  parsed: ParsedInbound;
  at: Date;
  /** the reply's message row; null when that content was stored before (the mail was handled then) */
  messageRowId: number | null;
}

export interface TechnicianReplyResult {
  outboundIds: string[];
  /** the ticket's clocks changed: its SLA timers must be scheduled again after commit */
  slaChanged: boolean;
}

export function createTechnicianReplyHandler(deps: { config: ContractsConfig; outbox: Outbox; sla: SlaClocks; secret: ReplySecrets }) {
  const { config, outbox, sla, secret } = deps;

  return {
    async handle(tx: DbOrTx, input: TechnicianReplyInput): Promise<TechnicianReplyResult> {
      const { ticket, technician, parsed, at } = input;
      // The same content again (a redelivery) was applied the first time: log no time twice.
      if (input.messageRowId === null) return { outboundIds: [], slaChanged: false };
      const messageRowId = input.messageRowId;
      const reply = parseTechnicianReply(parsed.text, { technicians: config.provider.technicians.map((t) => t.email) });
      const outboundIds: string[] = [];
      let slaChanged = false;
      const ticketRef = ticketReference(ticket);
      const technicianLocale = technician.locale ?? config.provider.locale;
      const tickets = createTicketsRepository({ db: tx });
      const clocks = createSlaRepository({ db: tx });
      const by = technician.email;
      // Events are recorded together at the end, in the order they happened.
      const events: TicketEventRecord[] = [];
      const event = (e: TicketEvent | SlaFact) => events.push({ ticketId: ticket.id, at, event: e });
      // What the SLA clocks see of the ticket, as the tags change it.
      const current: SlaTicket = { id: ticket.id, planKey: ticket.planKey, priority: ticket.priority, kind: ticket.kind };
      const patch: TicketPatch = {};
      // The ticket's estimate events, read once when a tag needs them; this mail's are added as they happen.
      let estimateRecords: EstimateEventRecord[] | null = null;
      const estimateEvents = async () => (estimateRecords ??= await createEstimatesRepository({ db: tx }).eventsOf(ticket.id));
      const customerName = async () =>
        ticket.customerId === null ? null : ((await tx.select({ name: customersTable.name }).from(customersTable).where(eq(customersTable.id, ticket.customerId)))[0]?.name ?? null);
      /** queues a mail to send after the commit; its row id, null when it was queued before */
      const queue = async (request: Parameters<Outbox['queue']>[1]) => {
        const id = await outbox.queue(tx, request);
        if (id) outboundIds.push(id);
        return id;
      };

      // A malformed tag is never silently dropped, nor a time tag billing refuses: the technician
      // hears which line and why, in one mail after all tags were tried.
      const tagErrors: { line: string; lineNumber: number; reason: string; code?: string; roles?: string }[] = reply.errors.map(({ line, lineNumber, reason, code }) => ({ line, lineNumber, reason, code }));
      const timeLines = timeTagLines(parsed.text);
      let timeTagIndex = 0;
      // When the mail was written (its Date header), unless that claims to be after it arrived.
      const sent = parsed.sentAt ? new Date(parsed.sentAt) : null;
      const mailDate = sent && !Number.isNaN(sent.getTime()) && sent.getTime() <= at.getTime() ? sent : at;

      const tags = reply.tags;
      const internal = tags.some((t) => t.type === 'internal');
      await tx.update(messagesTable).set({ internal, text: reply.body }).where(eq(messagesTable.id, messageRowId));

      for (const tag of tags) {
        if (tag.type === 'priority' && tag.priority !== current.priority) {
          event({ type: 'priority', from: current.priority, to: tag.priority, by });
          current.priority = patch.priority = tag.priority;
          for (const fact of await sla.recomputeDeadlines(clocks, current)) event(fact);
          slaChanged = true;
        } else if (tag.type === 'kind' && tag.kind !== current.kind) {
          event({ type: 'kind', from: current.kind, to: tag.kind, by });
          current.kind = patch.kind = tag.kind;
          for (const fact of await sla.recomputeDeadlines(clocks, current)) event(fact);
          slaChanged = true;
        } else if (tag.type === 'time' || tag.type === 'correction' || tag.type === 'undo') {
          const place = timeLines[timeTagIndex] ?? { line: `#${tag.type}`, lineNumber: 0 };
          timeTagIndex += 1;
          const outcome = await applyTimeTag(tx, config, {
            ticket,
            kind: current.kind,
            technician,
            tag,
            mailDate,
            at,
            messageRowId,
            idempotencyKey: `${ticket.id}:${parsed.messageId ?? `message-row:${messageRowId}`}:${place.lineNumber}`,
            answers: [...(parsed.inReplyTo ? [parsed.inReplyTo] : []), ...parsed.references],
          });
          if (!outcome.ok) {
            tagErrors.push({ line: place.line, lineNumber: place.lineNumber, reason: outcome.reason, code: outcome.code, roles: outcome.roles });
            continue;
          }
          const receipt = outcome.receipt;
          if (receipt === null) continue; // this line of this mail was logged before
          // The bank's 80 %/100 % notices and a prepaid account's end: keyed, so once each.
          outboundIds.push(...(await outbox.queueMany(tx, outcome.notices)));
          const entry = receipt.entry;
          event({ type: 'time', minutes: entry.minutes, role: entry.role, onsite: entry.onsite, by });
          const receiptId = await queue({
            idempotencyKey: `time-receipt:${entry.id}`,
            kind: 'technician-time-receipt',
            locale: technicianLocale,
            to: [technician.email],
            ticket: ticketRef,
            automatic: true,
            inReplyTo: parsed.messageId,
            at,
            vars: {
              ticketNumber: ticket.number,
              subject: ticket.subject,
              ...receiptVars(receipt, config.provider.timezone),
              beforeApproval: receipt.action === 'time' && workBeforeApproval(await estimateEvents(), entry),
            },
          });
          if (receiptId) await createTimeEntriesRepository({ db: tx }).setReceipt(entry.id, receiptId);
          // Logged work means work has started: it meets the intervention target. A correction
          // or an undo is bookkeeping, not work: it meets nothing.
          if (tag.type !== 'time') continue;
          const facts = await sla.meetTarget(clocks, current, 'intervention', at);
          for (const fact of facts) event(fact);
          if (facts.length > 0) slaChanged = true;
        } else if (tag.type === 'estimate') {
          const records = await estimateEvents();
          const outcome = estimateTag(config, secret, {
            ticket,
            planKey: current.planKey,
            kind: current.kind,
            technician,
            customerName: await customerName(),
            estimateMs: tag.ms,
            at,
            messageRowId,
            inReplyTo: parsed.messageId,
            records,
          });
          event(outcome.event);
          records.push({ at, event: outcome.event });
          for (const request of outcome.requests) await queue(request);
        }
      }

      if (tagErrors.length > 0) {
        await queue({
          idempotencyKey: `tag-errors:${messageRowId}`,
          kind: 'tag-errors',
          locale: technicianLocale,
          to: [technician.email],
          ticket: ticketRef,
          automatic: true,
          inReplyTo: parsed.messageId,
          at,
          vars: { ticketNumber: ticket.number, subject: ticket.subject, errors: tagErrors },
        });
      }

      let status = ticket.status;
      if (!internal && reply.body.trim().length > 0) {
        await queue({
          idempotencyKey: `technician-reply:${messageRowId}`,
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
        // The first human reply that reaches the customer meets the response target.
        if (!ticket.firstResponseAt) patch.firstResponseAt = at;
        const facts = await sla.meetTarget(clocks, current, 'response', at);
        for (const fact of facts) event(fact);
        if (facts.length > 0) slaChanged = true;
        if (status === 'new') {
          status = patch.status = 'open';
          event({ type: 'status', from: 'new', to: 'open', by });
        }
      }

      for (const tag of tags) {
        if (tag.type !== 'status' || tag.status === status) continue;
        const from = status;
        status = patch.status = tag.status;
        if (status === 'resolved') patch.resolvedAt = at;
        if (status === 'closed') patch.closedAt = at;
        event({ type: 'status', from, to: status, by });
        if (from === 'waiting') await sla.resumeClocks(clocks, current, at);
        if (status === 'open') for (const fact of await sla.meetTarget(clocks, current, 'intervention', at)) event(fact);
        if (status === 'waiting') await sla.pauseClocks(clocks, current, at);
        if (status === 'resolved' || status === 'closed') await sla.meetAllTargets(clocks, current, at);
        slaChanged = true;
        if (status === 'resolved') {
          await queue({
            idempotencyKey: `resolved:${ticket.id}:${messageRowId}`,
            kind: 'resolved',
            locale: ticket.locale,
            to: [ticket.requester],
            ticket: ticketRef,
            automatic: true,
            at,
            vars: { ticketNumber: ticket.number, subject: ticket.subject, reopenDays: Math.round(config.provider.reopenWindowMs / 86_400_000) },
          });
        }
      }

      const owner = nextOwner(config, ticket.owner, technician, tags);
      if (owner) {
        patch.owner = owner.to;
        event({ type: 'owner', from: ticket.owner, to: owner.to, by, via: owner.via });
        // A colleague given the ticket learns it from us, not from the next escalation.
        const assignee = owner.via === 'assign' && owner.to !== technician.email ? config.provider.technicians.find((t) => t.email === owner.to) : undefined;
        if (assignee) {
          await queue({
            idempotencyKey: `technician-assigned:${ticket.id}:${messageRowId}:${assignee.email}`,
            kind: 'technician-assigned',
            locale: assignee.locale ?? config.provider.locale,
            to: [assignee.email],
            ticket: ticketRef,
            automatic: true,
            at,
            vars: { ticketNumber: ticket.number, subject: ticket.subject, customerName: await customerName(), assignedBy: technician.name ?? technician.email },
          });
        }
      }

      if (Object.keys(patch).length > 0) await tickets.update(ticket.id, { ...patch, updatedAt: at });
      await tickets.recordEvents(events);
      return { outboundIds, slaChanged };
    },
  };
}
