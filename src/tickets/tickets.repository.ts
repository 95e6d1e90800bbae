// Write side of the tickets module: one named function per statement, used by the use cases
// inside their transaction (`createTicketsRepository({ db: tx })`). The CLI's read side is in
// tickets.queries.ts.
import { eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { eventRow, type TicketEventRecord } from './ticket-events.models.ts';
import { ticketsTable } from './tickets.tables.ts';

export type TicketRow = typeof ticketsTable.$inferSelect;
export type NewTicketRow = typeof ticketsTable.$inferInsert;
export type TicketPatch = Partial<Omit<NewTicketRow, 'id' | 'number'>>;

export function createTicketsRepository({ db }: { db: DbOrTx }) {
  return {
    /**
     * The one way events are written: one statement for the list, nothing when it is empty. The
     * rows go as one jsonb parameter (a batch of new tickets writes two events each: drizzle's
     * multi-row VALUES cost 0.4 s of intake's main thread per 10,000 mails in bench:ingest), and
     * ids follow the list's order.
     */
    async recordEvents(records: readonly TicketEventRecord[]): Promise<void> {
      if (records.length === 0) return;
      await db.execute(sql`
        insert into ticket_events (ticket_id, type, data, at)
        select "ticketId", type, data, at
        from rows from (jsonb_to_recordset(${sql.param(JSON.stringify(records.map(eventRow)))}::jsonb)
          as ("ticketId" bigint, type text, data jsonb, at timestamptz)) with ordinality as r("ticketId", type, data, at, n)
        order by n`);
    },

    async findById(id: number): Promise<TicketRow | null> {
      const rows = await db.select().from(ticketsTable).where(eq(ticketsTable.id, id));
      return rows[0] ?? null;
    },

    async findByIds(ids: readonly number[]): Promise<TicketRow[]> {
      if (ids.length === 0) return [];
      return db.select().from(ticketsTable).where(inArray(ticketsTable.id, [...ids]));
    },

    async findByNumbers(numbers: readonly number[]): Promise<TicketRow[]> {
      if (numbers.length === 0) return [];
      return db.select().from(ticketsTable).where(inArray(ticketsTable.number, [...numbers]));
    },

    async update(id: number, patch: TicketPatch): Promise<void> {
      await db.update(ticketsTable).set(patch).where(eq(ticketsTable.id, id));
    },
  };
}

export type TicketsRepository = ReturnType<typeof createTicketsRepository>;
