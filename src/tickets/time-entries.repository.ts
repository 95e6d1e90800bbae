// Write side of time entries: the work a technician logged with `#time`. Billing rules
// (increments, bank draw, rates) are not applied yet; an entry records the raw minutes.
import type { DbOrTx } from '../db/client.ts';
import { timeEntriesTable } from './tickets.tables.ts';

export type NewTimeEntryRow = typeof timeEntriesTable.$inferInsert;

export function createTimeEntriesRepository({ db }: { db: DbOrTx }) {
  return {
    async insertTimeEntry(entry: NewTimeEntryRow): Promise<void> {
      await db.insert(timeEntriesTable).values(entry);
    },
  };
}
