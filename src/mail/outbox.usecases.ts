// Outbound mail is rendered and stored as a row inside the caller's transaction, keyed by an
// idempotency key, and only then handed to BullMQ (after commit) by its row id. A retry, a
// second scheduling or a crash between commit and enqueue therefore never sends twice: the
// reconciler re-enqueues rows still `queued`, and the sender skips rows already `sent`.
import { randomUUID } from 'node:crypto';
import { and, eq, gt, sql } from 'drizzle-orm';
import type { ContractsConfig, Locale } from '../contracts/contracts.types.ts';
import type { DbOrTx } from '../db/client.ts';
import { domainOf } from '../shared/address.ts';
import { normalizeAddress } from '../shared/address.ts';
import { outboundMailsTable } from './mail.tables.ts';
import { createReplyAddress } from './reply-token.models.ts';
import { composeOutbound } from './compose.models.ts';
import { threadHeadersFor, type ThreadHeaders, type ThreadMessage } from './threading.models.ts';
import type { MailKind, TemplateRenderer } from './templates.ts';

export interface OutboundRequest {
  idempotencyKey: string;
  kind: MailKind;
  locale: Locale;
  vars: Record<string, unknown>;
  to: string[];
  cc?: string[];
  /** the ticket the mail is about; null for a mail about several (a digest): no reply token, no subject tag */
  ticket: { id: number; number: number; subject: string; serviceAddress: string } | null;
  /** acks, notifications and escalations are automatic (RFC 3834); relayed human text is not */
  automatic: boolean;
  /**
   * The mail this one answers, when the caller knows it. With `threading: 'recipient'` (the
   * default for a ticket's mail) it is only a preference: the headers are built from the
   * ticket's mails the recipients have seen (threadHeadersFor), and a parent they never got
   * (a technician's own answer, for the customer) is replaced by the newest one they did.
   */
  inReplyTo?: string | null;
  references?: string[];
  /**
   * `'as-given'`: In-Reply-To/References exactly as passed, no look-up (a brand-new ticket's
   * ack and notices: the thread is the one mail that opened it, or nothing).
   */
  threading?: 'recipient' | 'as-given';
  /** overrides the provider name in From */
  fromName?: string;
  /** the address the mail is sent from; defaults to the ticket's service address */
  fromAddress?: string;
  at: Date;
}

export interface Outbox {
  /** inserts the outbound row (no-op when the key exists); returns the new row id or null */
  queue(tx: DbOrTx, request: OutboundRequest): Promise<string | null>;
  /** many rows in one statement; returns the ids of the rows that were new, in request order */
  queueMany(tx: DbOrTx, requests: readonly OutboundRequest[]): Promise<string[]>;
}

export function createOutbox(deps: { config: ContractsConfig; renderer: TemplateRenderer; secret: string }): Outbox {
  const { config, renderer, secret } = deps;

  /**
   * The recipient's name for the greeting: a technician's from the contracts file, else the
   * display name of the recipient's latest own mail on the ticket.
   */
  function recipientName(request: OutboundRequest, history: readonly TicketMessage[]): string | null {
    const recipient = request.to[0];
    if (recipient === undefined) return null;
    const address = normalizeAddress(recipient);
    const technician = config.provider.technicians.find((t) => normalizeAddress(t.email) === address);
    if (technician) return technician.name;
    const own = history.filter((m) => m.direction === 'in' && m.fromName && normalizeAddress(m.fromAddress) === address).at(-1);
    return own?.fromName?.trim() || null;
  }

  /** Renders and composes one mail into the row that is stored (pure apart from the fresh id). */
  function outboundRow(request: OutboundRequest, history: readonly TicketMessage[]) {
    const ticket = request.ticket;
    const serviceAddress = request.fromAddress ?? ticket?.serviceAddress ?? config.provider.addresses[0]!;
    const thread: ThreadHeaders =
      ticket !== null && request.threading !== 'as-given'
        ? threadHeadersFor(history, request.to, request.inReplyTo ?? null)
        : { inReplyTo: request.inReplyTo ?? null, references: request.references ?? [] };
    const rendered = renderer.render(request.kind, request.locale, {
      providerName: config.provider.name,
      recipientName: recipientName(request, history),
      ...request.vars,
    });
    const id = randomUUID();
    const fromName = request.fromName ?? config.provider.name;
    const mail = composeOutbound({
      outboundId: id,
      kind: request.kind,
      serviceAddress,
      fromName,
      to: request.to,
      cc: request.cc,
      replyTo: ticket ? createReplyAddress({ serviceAddress, ticketNumber: ticket.number, secret }) : null,
      ticketNumber: ticket?.number ?? null,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      inReplyTo: thread.inReplyTo,
      references: thread.references,
      automatic: request.automatic,
      messageDomain: domainOf(serviceAddress) ?? 'localhost',
    });
    return {
      id,
      idempotencyKey: request.idempotencyKey,
      ticketId: ticket?.id ?? null,
      kind: request.kind,
      fromAddress: serviceAddress,
      fromName,
      to: mail.to,
      cc: mail.cc ?? [],
      replyTo: mail.replyTo ?? null,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
      inReplyTo: mail.inReplyTo ?? null,
      references: mail.references ?? [],
      automatic: request.automatic,
      headers: mail.headers,
      createdAt: request.at,
    };
  }

  async function queueMany(tx: DbOrTx, requests: readonly OutboundRequest[]): Promise<string[]> {
    if (requests.length === 0) return [];
    const histories = await ticketHistories(tx, requests);
    const rows = requests.map((request) => outboundRow(request, (request.ticket && histories.get(request.ticket.id)) || []));
    // One statement for the whole list (intake queues a batch's acks and notices at once): the
    // outbound rows, and for each row whose idempotency key was new and that belongs to a ticket,
    // the ticket's history row (which also makes replies to this Message-ID thread into it).
    const inserted = await tx.execute<{ id: string }>(sql`
      with input as (
        select * from jsonb_to_recordset(${sql.param(JSON.stringify(rows))}::jsonb) as r(id uuid, "idempotencyKey" text, "ticketId" bigint,
          kind text, "fromAddress" text, "fromName" text, "to" text[], cc text[], "replyTo" text, subject text, text text, html text,
          "messageId" text, "inReplyTo" text, "references" text[], automatic boolean, headers jsonb, "createdAt" timestamptz)
      ), outbound as (
        insert into ${outboundMailsTable} (id, idempotency_key, ticket_id, kind, from_address, from_name, "to", cc, reply_to,
          subject, text, html, message_id, in_reply_to, "references", automatic, headers, created_at)
        select id, "idempotencyKey", "ticketId", kind, "fromAddress", "fromName", "to", cc, "replyTo",
          subject, text, html, "messageId", "inReplyTo", "references", automatic, headers, "createdAt" from input
        on conflict (idempotency_key) do nothing
        returning id, ticket_id, message_id, in_reply_to, "references", from_address, from_name, "to", cc, subject, created_at, text, html, automatic
      ), history as (
        insert into messages (ticket_id, direction, message_id, in_reply_to, "references", from_address, from_name, "to", cc,
          subject, at, text, html, author, internal, outbound_id)
        select ticket_id, 'out', message_id, in_reply_to, "references", from_address, from_name, "to", cc,
          subject, created_at, text, html, case when automatic then 'system' else 'technician' end, false, id
        from outbound where ticket_id is not null
      )
      select id from outbound`);
    const fresh = new Set(inserted.map((r) => String(r.id)));
    return rows.filter((r) => fresh.has(r.id)).map((r) => r.id);
  }

  return {
    async queue(tx, request) {
      const [id] = await queueMany(tx, [request]);
      return id ?? null;
    },
    queueMany,
  };
}

/** A mail of a ticket's history, as threading and the greeting need it. */
type TicketMessage = ThreadMessage & { fromName: string | null };

/**
 * The history of every ticket whose mail is threaded for its recipients, in the order it
 * happened, in one query. A bounced mail of ours never reached its recipient: not part of what
 * they have seen.
 */
async function ticketHistories(tx: DbOrTx, requests: readonly OutboundRequest[]): Promise<Map<number, TicketMessage[]>> {
  const ticketIds = [...new Set(requests.filter((r) => r.ticket !== null && r.threading !== 'as-given').map((r) => r.ticket!.id))];
  const histories = new Map<number, TicketMessage[]>();
  if (ticketIds.length === 0) return histories;
  const rows = await tx.execute<{ ticketId: string | number; messageId: string | null; direction: 'in' | 'out'; fromAddress: string; fromName: string | null; to: string[]; cc: string[] }>(sql`
    select m.ticket_id as "ticketId", m.message_id as "messageId", m.direction, m.from_address as "fromAddress", m.from_name as "fromName", m."to", m.cc
    from messages m left join ${outboundMailsTable} o on o.id = m.outbound_id
    where m.ticket_id = any(${sql.param(ticketIds)}::bigint[]) and m.message_id is not null and (o.state is null or o.state <> 'bounced')
    order by m.at, m.id`);
  for (const row of rows) {
    const id = Number(row.ticketId);
    const history = histories.get(id) ?? [];
    history.push({ messageId: row.messageId, direction: row.direction, fromAddress: row.fromAddress, fromName: row.fromName, to: row.to ?? [], cc: row.cc ?? [] });
    histories.set(id, history);
  }
  return histories;
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

/** A delivery-status report came back for these Message-IDs of ours: those mails bounced. */
export async function markOutboundBounced(tx: DbOrTx, messageIds: readonly string[]): Promise<void> {
  if (messageIds.length === 0) return;
  await tx.execute(sql`update ${outboundMailsTable} set state = 'bounced' where message_id = any(${sql.param([...messageIds])}::text[])`);
}
