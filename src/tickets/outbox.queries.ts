// Read side of the outbox for the CLI: mail that did not go out, and each ticket's outgoing mail
// with its state and last error (`helpdesk outbox`, `helpdesk ticket N`). Lives in tickets/
// because a row is shown with its ticket's number.
import { asc, count, eq, ne, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { outboundMailsTable } from '../mail/mail.tables.ts';
import { ticketsTable } from './tickets.tables.ts';

/** One outbound row as `helpdesk outbox --json` prints it (stable: fields are only added). */
export interface OutboxEntry {
  id: string;
  kind: string;
  to: string[];
  /** the ticket's number; null for a mail about several tickets (a digest) */
  ticket: number | null;
  state: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

export function createOutboxQueries({ db }: { db: Database }) {
  const t = outboundMailsTable;
  const columns = {
    id: t.id,
    kind: t.kind,
    to: t.to,
    ticket: ticketsTable.number,
    state: t.state,
    attempts: t.attempts,
    lastError: t.lastError,
    createdAt: t.createdAt,
    sentAt: t.sentAt,
  };
  const toEntry = (row: { id: string; kind: string; to: string[]; ticket: number | null; state: string; attempts: number; lastError: string | null; createdAt: Date; sentAt: Date | null }): OutboxEntry => ({
    ...row,
    createdAt: row.createdAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
  });

  return {
    /** Rows not sent (queued, sending, failed, bounced), oldest first; with `failed`, only the failed ones. */
    async list(filter: { failed?: boolean } = {}): Promise<OutboxEntry[]> {
      const where: SQL = filter.failed ? eq(t.state, 'failed') : ne(t.state, 'sent');
      const rows = await db.select(columns).from(t).leftJoin(ticketsTable, eq(ticketsTable.id, t.ticketId)).where(where).orderBy(asc(t.createdAt), asc(t.id));
      return rows.map(toEntry);
    },

    /** One row by id (any state), or null. */
    async get(id: string): Promise<OutboxEntry | null> {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
      const rows = await db.select(columns).from(t).leftJoin(ticketsTable, eq(ticketsTable.id, t.ticketId)).where(eq(t.id, id));
      return rows[0] ? toEntry(rows[0]) : null;
    },

    /** Every outgoing mail of one ticket, in the order they were made. */
    async ofTicket(number: number): Promise<OutboxEntry[]> {
      const rows = await db
        .select(columns)
        .from(t)
        .innerJoin(ticketsTable, eq(ticketsTable.id, t.ticketId))
        .where(eq(ticketsTable.number, number))
        .orderBy(asc(t.createdAt), asc(t.id));
      return rows.map(toEntry);
    },

    /** Rows per state, sent rows left out (metrics read this at every scrape; `outbound_state` is indexed). */
    async countUnsent(): Promise<Record<string, number>> {
      const rows = await db.select({ state: t.state, n: count() }).from(t).where(ne(t.state, 'sent')).groupBy(t.state);
      return Object.fromEntries(rows.map((r) => [r.state, r.n]));
    },
  };
}

export type OutboxQueries = ReturnType<typeof createOutboxQueries>;
