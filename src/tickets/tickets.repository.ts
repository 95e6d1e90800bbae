// Write side of the tickets module: one named function per statement, used by the use cases
// inside their transaction (`createTicketsRepository({ db: tx })`). The CLI's read side is in
// tickets.queries.ts.
import { eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { eventRow, type TicketEventRecord } from './ticket-events.models.ts';
import { ticketEventsTable, ticketsTable } from './tickets.tables.ts';

export type TicketRow = typeof ticketsTable.$inferSelect;
export type NewTicketRow = typeof ticketsTable.$inferInsert;
export type TicketPatch = Partial<Omit<NewTicketRow, 'id' | 'number'>>;

export function createTicketsRepository({ db }: { db: DbOrTx }) {
  return {
    /** The one way events are written: a multi-row insert, nothing when the list is empty. */
    async recordEvents(records: readonly TicketEventRecord[]): Promise<void> {
      if (records.length === 0) return;
      await db.insert(ticketEventsTable).values(records.map(eventRow));
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
