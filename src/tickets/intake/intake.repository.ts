// Set-based statements of one intake batch: each takes the whole batch and costs one round trip
// (postgres.js pipelines statements issued together on the transaction's connection). Rows go
// in as ONE jsonb parameter (`jsonb_to_recordset`), so each statement's text is constant and
// prepared once per connection, whatever the batch size; raw bytes go by one binary COPY.
// Measured with bench/ingest.ts: per-mail statements cost ~7 round trips per new ticket and
// drizzle's query building ~15 % of the main thread; this path costs ~5 round trips per batch.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.ts';
import { copyRowsBinary, type CopyValue } from '../../db/copy-binary.ts';
import { mailboxesTable, quarantineTable, rawMailsTable } from '../../mail/mail.tables.ts';
import type { TicketRow } from '../tickets.repository.ts';

export interface MailboxLock {
  id: number;
  uidValidity: number | null;
  lastUid: number;
}

/** One inbound mail as the dedup check needs it. */
export interface DedupKey {
  index: number;
  sha256: string;
  messageId: string | null;
  size: number;
  from: string;
}

export interface InboundMessageRow {
  ticketId: number | null;
  mailboxId: number;
  uid: number;
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  fromAddress: string;
  fromName: string | null;
  to: string[];
  cc: string[];
  subject: string;
  sentAt: string | null;
  at: Date;
  text: string;
  html: string | null;
  rawMailId: number;
  contentHash: string;
  author: 'customer' | 'technician' | 'automatic' | 'bounce' | 'unverified';
  automationReasons: string[];
  internal: boolean;
}

const INBOUND_MESSAGE_COLUMNS = [
  'ticket_id', 'direction', 'mailbox_id', 'uid', 'message_id', 'in_reply_to', 'references', 'from_address', 'from_name', 'to', 'cc',
  'subject', 'sent_at', 'at', 'text', 'html', 'raw_mail_id', 'content_hash', 'author', 'automation_reasons', 'internal',
] as const;

/** One inbound message as the COPY columns above, in their order. */
function inboundMessageValues(row: InboundMessageRow): CopyValue[] {
  return [
    { type: 'int8', value: row.ticketId },
    { type: 'text', value: 'in' },
    { type: 'int4', value: row.mailboxId },
    { type: 'int8', value: row.uid },
    { type: 'text', value: row.messageId },
    { type: 'text', value: row.inReplyTo },
    { type: 'text[]', value: row.references },
    { type: 'text', value: row.fromAddress },
    { type: 'text', value: row.fromName },
    { type: 'text[]', value: row.to },
    { type: 'text[]', value: row.cc },
    { type: 'text', value: row.subject },
    { type: 'timestamptz', value: row.sentAt === null ? null : new Date(row.sentAt) },
    { type: 'timestamptz', value: row.at },
    { type: 'text', value: row.text },
    { type: 'text', value: row.html },
    { type: 'int8', value: row.rawMailId },
    { type: 'text', value: row.contentHash },
    { type: 'text', value: row.author },
    { type: 'text[]', value: row.automationReasons },
    { type: 'bool', value: row.internal },
  ];
}

export interface QuarantineRow {
  mailboxId: number;
  uid: number;
  uidValidity: number;
  reasonCode: string;
  reason: string;
  rawMailId: number;
  receivedAt: Date;
}

/** postgres.js returns int8 as text: ids and numbers are read back as numbers here. */
const TICKET_COLUMNS = sql.raw(`t.id::float8 as "id", t.number, t.subject, t.status, t.priority, t.kind, t.customer_id as "customerId",
  t.contract_id as "contractId", t.plan_key as "planKey", t.requester, t.requester_name as "requesterName", t.locale, t.timezone,
  t.service_address as "serviceAddress", t.created_at as "createdAt", t.updated_at as "updatedAt",
  t.first_response_at as "firstResponseAt", t.resolved_at as "resolvedAt", t.closed_at as "closedAt", t.queue_priority as "queuePriority", t.owner`);

export function createIntakeRepository({ db }: { db: DbOrTx }) {
  const json = (rows: unknown) => sql.param(JSON.stringify(rows));

  return {
    /** The mailbox row, created on first use. */
    async mailboxId(address: string): Promise<number> {
      const existing = await db.select({ id: mailboxesTable.id }).from(mailboxesTable).where(eq(mailboxesTable.address, address));
      if (existing[0]) return existing[0].id;
      const inserted = await db
        .insert(mailboxesTable)
        .values({ address })
        .onConflictDoUpdate({ target: mailboxesTable.address, set: { address } })
        .returning({ id: mailboxesTable.id });
      return inserted[0]!.id;
    },

    /** Locks the mailbox's row for the transaction: two processes never commit the same UIDs. */
    async lockMailbox(id: number): Promise<MailboxLock> {
      const rows = await db.select().from(mailboxesTable).where(eq(mailboxesTable.id, id)).for('update');
      const row = rows[0]!;
      return { id: row.id, uidValidity: row.uidValidity, lastUid: row.lastUid };
    },

    async setMailboxState(id: number, state: { uidValidity: number; lastUid: number }, at: Date): Promise<void> {
      await db.update(mailboxesTable).set({ ...state, updatedAt: at }).where(eq(mailboxesTable.id, id));
    },

    /** Raises lastUid to at least `uid` (a mail quarantined on its own after its batch failed). */
    async raiseLastUid(id: number, uidValidity: number, uid: number): Promise<void> {
      await db
        .update(mailboxesTable)
        .set({ lastUid: sql`greatest(${mailboxesTable.lastUid}, ${uid})`, uidValidity })
        .where(eq(mailboxesTable.id, id));
    },

    /**
     * Which of these mails were handled before (a UIDVALIDITY reset, a redelivery): the same bytes,
     * or the same Message-ID from the same sender at the same size. Returns their indexes.
     */
    async alreadyHandled(keys: readonly DedupKey[]): Promise<Set<number>> {
      if (keys.length === 0) return new Set();
      const rows = await db.execute<{ index: number }>(sql`
        select k.index from jsonb_to_recordset(${json(keys)}::jsonb) as k(index int, sha256 text, "messageId" text, size int, "from" text)
        where exists (select 1 from messages m where m.content_hash = k.sha256 and m.direction = 'in')
           or (k."messageId" is not null and exists (
                select 1 from messages m join raw_mails r on r.id = m.raw_mail_id
                where m.direction = 'in' and m.message_id = k."messageId" and r.size = k.size and m.from_address = k."from"))`);
      return new Set(rows.map((r) => Number(r.index)));
    },

    /** Ids of raw mails already stored with these hashes (e.g. quarantined once before). */
    async storedRawIds(hashes: readonly string[]): Promise<Map<string, number>> {
      if (hashes.length === 0) return new Map();
      const rows = await db.select({ id: rawMailsTable.id, sha256: rawMailsTable.sha256 }).from(rawMailsTable).where(inArray(rawMailsTable.sha256, [...hashes]));
      return new Map(rows.map((r) => [r.sha256, r.id]));
    },

    /**
     * Stores the raw mails not stored yet, outside any batch: raw mails are kept by content (one
     * row per sha256), so a row that no message uses yet is harmless, and the batch that commits
     * the mail finds it (storedRawIds) instead of writing it. Intake runs this as soon as a batch
     * is parsed, on a connection of its own, while the previous batch commits: Postgres compresses
     * and logs the bytes beside that commit instead of inside it. Returns how many it wrote. A
     * concurrent writer of the same bytes makes the COPY fail as a whole; the batch then writes
     * what is still missing itself.
     */
    async storeMissingRawMails(rows: readonly { sha256: string; size: number; raw: Buffer }[]): Promise<number> {
      const unique = [...new Map(rows.map((row) => [row.sha256, row])).values()];
      if (unique.length === 0) return 0;
      // In a transaction of its own: a COPY needs a connection nobody else sends to meanwhile.
      return db.transaction(async (tx) => {
        const repository = createIntakeRepository({ db: tx });
        const stored = await repository.storedRawIds(unique.map((row) => row.sha256));
        const missing = unique.filter((row) => !stored.has(row.sha256));
        if (missing.length === 0) return 0;
        const { rawMailIds } = await repository.allocateIds({ rawMails: missing.length, tickets: 0 });
        await repository.insertRawMails(missing.map((row, i) => ({ ...row, id: rawMailIds[i]! })));
        return missing.length;
      });
    },

    /** `n` fresh raw-mail ids, ticket ids and ticket numbers, so one batch can insert everything at once. */
    async allocateIds(counts: { rawMails: number; tickets: number }): Promise<{ rawMailIds: number[]; ticketIds: number[]; ticketNumbers: number[] }> {
      const rows = await db.execute<{ kind: string; value: string }>(sql`
        select 'raw' as kind, nextval('raw_mails_id_seq')::text as value from generate_series(1, ${counts.rawMails}::int)
        union all
        select 'ticket', nextval('tickets_id_seq')::text || ':' || nextval('ticket_number_seq')::text from generate_series(1, ${counts.tickets}::int)`);
      const rawMailIds: number[] = [];
      const ticketIds: number[] = [];
      const ticketNumbers: number[] = [];
      for (const row of rows) {
        if (row.kind === 'raw') rawMailIds.push(Number(row.value));
        else {
          const [id, number] = row.value.split(':');
          ticketIds.push(Number(id));
          ticketNumbers.push(Number(number));
        }
      }
      // Numbers are shown to customers: hand them out in arrival order.
      ticketNumbers.sort((a, b) => a - b);
      return { rawMailIds, ticketIds, ticketNumbers };
    },

    /**
     * The batch's raw mails with one binary COPY (src/db/copy-binary.ts: the bytes go as they are,
     * not as hex text, and no statement per mail). created_at takes its default. COPY holds the
     * transaction's connection until it ends: callers await it before the batch's other writes.
     */
    async insertRawMails(rows: readonly { id: number; sha256: string; size: number; raw: Buffer }[]): Promise<void> {
      await copyRowsBinary(
        db,
        'raw_mails',
        ['id', 'sha256', 'size', 'raw'],
        rows.map((row) => [
          { type: 'int8', value: row.id },
          { type: 'text', value: row.sha256 },
          { type: 'int4', value: row.size },
          { type: 'bytea', value: row.raw },
        ]),
      );
    },

    async insertTickets(rows: readonly (TicketRow & { status: 'new' })[]): Promise<void> {
      if (rows.length === 0) return;
      await db.execute(sql`
        insert into tickets (id, number, subject, status, priority, kind, customer_id, contract_id, plan_key, requester, requester_name,
          locale, timezone, service_address, created_at, updated_at, queue_priority)
        select id, number, subject, status, priority, kind, "customerId", "contractId", "planKey", requester, "requesterName",
          locale, timezone, "serviceAddress", "createdAt", "updatedAt", "queuePriority"
        from jsonb_to_recordset(${json(rows)}::jsonb) as r(id bigint, number int, subject text, status text, priority text, kind text,
          "customerId" int, "contractId" int, "planKey" text, requester text, "requesterName" text, locale text, timezone text,
          "serviceAddress" text, "createdAt" timestamptz, "updatedAt" timestamptz, "queuePriority" int)`);
    },

    /**
     * The batch's inbound messages with one binary COPY (src/db/copy-binary.ts): their text is
     * most of what a batch writes (~18 KB a mail in bench:ingest), and as one jsonb parameter it
     * was stringified, measured and copied on the main thread, then parsed again by Postgres.
     * COPY has no ON CONFLICT: a mail twice in one batch (the same bytes under two UIDs) is written
     * once here, and one written by another process meanwhile fails the batch, whose mail-by-mail
     * retry finds it handled. COPY holds the connection: callers await it alone, after the tickets
     * its rows refer to.
     */
    async insertInboundMessages(rows: readonly InboundMessageRow[]): Promise<void> {
      const seen = new Set<string>();
      const unique = rows.filter((row) => !seen.has(row.contentHash) && seen.add(row.contentHash));
      await copyRowsBinary(db, 'messages', INBOUND_MESSAGE_COLUMNS, unique.map(inboundMessageValues));
    },

    /** A customer's mail on an open ticket: the ticket was updated then (never moved back in time). */
    async touchTickets(rows: readonly { id: number; at: Date }[]): Promise<void> {
      if (rows.length === 0) return;
      await db.execute(sql`
        update tickets t set updated_at = greatest(t.updated_at, r.at)
        from (select id, max(at) as at from jsonb_to_recordset(${json(rows)}::jsonb) as x(id bigint, at timestamptz) group by id) r
        where t.id = r.id`);
    },

    /**
     * One row per raw mail. A mail already held stays held as it was (the same bytes delivered
     * twice), except one an operator released (`quarantine release`) that failed again: it is held
     * again, with the new reason and UID. Rows are deduplicated first: one statement may not
     * update the same row twice.
     */
    async insertQuarantine(rows: readonly QuarantineRow[]): Promise<void> {
      const unique = [...new Map(rows.map((row) => [row.rawMailId, row])).values()];
      if (unique.length === 0) return;
      await db
        .insert(quarantineTable)
        .values(unique)
        .onConflictDoUpdate({
          target: quarantineTable.rawMailId,
          set: {
            reasonCode: sql`excluded.reason_code`,
            reason: sql`excluded.reason`,
            mailboxId: sql`excluded.mailbox_id`,
            uid: sql`excluded.uid`,
            uidValidity: sql`excluded.uid_validity`,
            receivedAt: sql`excluded.received_at`,
            releasedAt: null,
          },
          where: sql`${quarantineTable.releasedAt} is not null`,
        });
    },

    /** Tickets by id, number, or by the Message-ID of one of their mails: the batch's one threading lookup. */
    async ticketsForThreading(query: { numbers: number[]; messageIds: string[] }): Promise<{ tickets: TicketRow[]; byMessageId: Map<string, number> }> {
      if (query.numbers.length === 0 && query.messageIds.length === 0) return { tickets: [], byMessageId: new Map() };
      const rows = await db.execute<TicketRow & { viaMessageId: string | null }>(sql`
        select ${TICKET_COLUMNS}, null as "viaMessageId" from tickets t where t.number = any(${sql.param(query.numbers)}::int[])
        union all
        select ${TICKET_COLUMNS}, r.message_id as "viaMessageId" from tickets t
          join (select distinct message_id, ticket_id from messages where message_id = any(${sql.param(query.messageIds)}::text[]) and ticket_id is not null) r
          on r.ticket_id = t.id`);
      const byMessageId = new Map<string, number>();
      const tickets = new Map<number, TicketRow>();
      for (const { viaMessageId, ...ticket } of rows) {
        const row = { ...ticket, id: Number(ticket.id) };
        tickets.set(row.id, row);
        if (viaMessageId) byMessageId.set(viaMessageId, row.id);
      }
      return { tickets: [...tickets.values()], byMessageId };
    },

    /** Which (ticket number, sender) pairs are real participations: the sender wrote or was written to on that ticket. */
    async participations(pairs: readonly { number: number; sender: string }[]): Promise<Set<string>> {
      if (pairs.length === 0) return new Set();
      const rows = await db.execute<{ number: number; sender: string }>(sql`
        select p.number, p.sender from jsonb_to_recordset(${json(pairs)}::jsonb) as p(number int, sender text)
        join tickets t on t.number = p.number
        where lower(t.requester) = p.sender or exists (
          select 1 from messages m where m.ticket_id = t.id and (lower(m.from_address) = p.sender or p.sender = any(m."to") or p.sender = any(m.cc)))`);
      return new Set(rows.map((r) => participationKey(r.number, r.sender)));
    },

    /** Row ids of these customers and of each one's current contract. */
    async customerRowIds(names: readonly string[]): Promise<Map<string, { customerId: number; contractId: number | null }>> {
      if (names.length === 0) return new Map();
      const rows = await db.execute<{ name: string; customerId: number; contractId: number | null }>(sql`
        select c.name, c.id as "customerId",
          (select k.id from contracts k where k.customer_id = c.id and k.superseded_at is null order by k.start desc limit 1) as "contractId"
        from customers c where c.name = any(${sql.param([...names])}::text[])`);
      return new Map(rows.map((r) => [r.name, { customerId: Number(r.customerId), contractId: r.contractId === null ? null : Number(r.contractId) }]));
    },

    async quarantinedUids(mailboxId: number, uidValidity: number, uids: readonly number[]): Promise<Set<number>> {
      if (uids.length === 0) return new Set();
      const rows = await db
        .select({ uid: quarantineTable.uid })
        .from(quarantineTable)
        .where(and(eq(quarantineTable.mailboxId, mailboxId), eq(quarantineTable.uidValidity, uidValidity), inArray(quarantineTable.uid, [...uids])));
      return new Set(rows.map((r) => r.uid).filter((u): u is number => u !== null));
    },
  };
}

export function participationKey(number: number, sender: string): string {
  return `${number}\u0000${sender}`;
}

export type IntakeRepository = ReturnType<typeof createIntakeRepository>;
