// Outbound mail is rendered and stored as a row inside the caller's transaction, keyed by an
// idempotency key, and only then handed to BullMQ (after commit) by its row id. A retry, a
// second scheduling or a crash between commit and enqueue therefore never sends twice: the
// reconciler re-enqueues rows still `queued`, and the sender skips rows already `sent`.
import { randomUUID } from 'node:crypto';
import { and, eq, gt, sql } from 'drizzle-orm';
import type { ContractsConfig, Locale } from '../contracts/contracts.types.ts';
import type { DbOrTx } from '../db/client.ts';
import { messagesTable, outboundMailsTable } from './mail.tables.ts';
import { domainOf } from './address.models.ts';
import { createReplyAddress } from './reply-token.models.ts';
import { composeOutbound } from './compose.models.ts';
import { HelpdeskError } from '../shared/errors.ts';
import type { MailKind, TemplateRenderer } from './templates.ts';


export interface OutboundRequest {
  idempotencyKey: string;
  kind: MailKind;
  locale: Locale;
  vars: Record<string, unknown>;
  to: string[];
  cc?: string[];
  ticket: { id: number; number: number; subject: string; serviceAddress: string };
  /** acks, notifications and escalations are automatic (RFC 3834); relayed human text is not */
  automatic: boolean;
  inReplyTo?: string | null;
  references?: string[];
  /** overrides the provider name in From */
  fromName?: string;
  /** the address the mail is sent from; defaults to the ticket's service address */
  fromAddress?: string;
  at: Date;
}

export interface Outbox {
  /** inserts the outbound row (no-op when the key exists); returns the new row id or null */
  queue(tx: DbOrTx, request: OutboundRequest): Promise<string | null>;
}

export function createOutbox(deps: { config: ContractsConfig; renderer: TemplateRenderer; secret: string }): Outbox {
  const { config, renderer, secret } = deps;
  return {
    async queue(tx, request) {
      const serviceAddress = request.fromAddress ?? request.ticket.serviceAddress;
      const rendered = renderer.render(request.kind, request.locale, {
        providerName: config.provider.name,
        ...request.vars,
      });
      const id = randomUUID();
      const ticket = request.ticket;
      if (!ticket) throw new HelpdeskError('usage.invalid', `outbound ${request.kind} mail needs a ticket`);
      const fromName = request.fromName ?? config.provider.name;
      const mail = composeOutbound({
        outboundId: id,
        kind: request.kind,
        serviceAddress,
        fromName,
        to: request.to,
        cc: request.cc,
        replyTo: createReplyAddress({ serviceAddress, ticketNumber: ticket.number, secret }),
        ticketNumber: ticket.number,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        inReplyTo: request.inReplyTo ?? null,
        references: request.references,
        automatic: request.automatic,
        messageDomain: domainOf(serviceAddress) ?? 'localhost',
      });
      // One statement (hot path of intake: three outbound mails per new ticket): the outbound
      // row, and — only if its idempotency key was new — the ticket's history row for it (which
      // also makes replies to this Message-ID thread into the ticket).
      const p = sql.param;
      const rows = await tx.execute<{ id: string }>(sql`
        with outbound as (
          insert into ${outboundMailsTable} (id, idempotency_key, ticket_id, kind, from_address, from_name, "to", cc, reply_to,
            subject, text, html, message_id, in_reply_to, "references", automatic, headers, created_at)
          values (${p(id)}, ${p(request.idempotencyKey)}, ${p(ticket.id)}, ${p(request.kind)}, ${p(serviceAddress)}, ${p(fromName)},
            ${p(mail.to)}::text[], ${p(mail.cc ?? [])}::text[], ${p(mail.replyTo)}, ${p(mail.subject)}, ${p(mail.text)}, ${p(mail.html)},
            ${p(mail.messageId)}, ${p(mail.inReplyTo ?? null)}, ${p(mail.references ?? [])}::text[], ${p(request.automatic)},
            ${p(JSON.stringify(mail.headers))}::jsonb, ${p(request.at.toISOString())}::timestamptz)
          on conflict (idempotency_key) do nothing
          returning id, ticket_id, message_id, in_reply_to, "references", from_address, from_name, "to", cc, subject, created_at, text, html, automatic
        )
        insert into ${messagesTable} (ticket_id, direction, message_id, in_reply_to, "references", from_address, from_name, "to", cc,
          subject, at, text, html, author, internal, outbound_id)
        select ticket_id, 'out', message_id, in_reply_to, "references", from_address, from_name, "to", cc,
          subject, created_at, text, html, case when automatic then 'system' else 'technician' end, false, id
        from outbound
        returning outbound_id as id`);
      if (rows.length === 0) return null;
      return id;
    },
  };
}

/**
 * Every ack created after `since`, for counting many senders' recent acks with one query (intake
 * reads this once per batch instead of a query per sender).
 */
export async function listAcksSince(tx: DbOrTx, since: Date): Promise<{ to: string[]; createdAt: Date }[]> {
  return tx
    .select({ to: outboundMailsTable.to, createdAt: outboundMailsTable.createdAt })
    .from(outboundMailsTable)
    .where(and(eq(outboundMailsTable.kind, 'ack'), gt(outboundMailsTable.createdAt, since)));
}
