// A ticket's time entries as the billing tests read them back from Postgres.
import type postgres from 'postgres';
import { waitFor } from './mail.ts';

export interface TimeEntryRow {
  id: string;
  minutes: number;
  billable_minutes: number;
  from_bank_minutes: number;
  overage_minutes: number;
  amount_minor: number;
  explanation: string;
  reverses_entry_id: string | null;
  reason: string | null;
}

/**
 * The ticket's entries in the order they were logged: `arrival` breaks ties of the same second by
 * the mail's row id, `work` by the work's end and then the entry's id (adjustments carry no mail).
 */
export async function timeEntriesOf(sql: postgres.Sql, ticketId: number, order: 'arrival' | 'work'): Promise<TimeEntryRow[]> {
  const rows =
    order === 'arrival'
      ? await sql`
          select id, minutes, billable_minutes, from_bank_minutes, overage_minutes, amount_minor::int as amount_minor, explanation, reverses_entry_id, reason
          from time_entries where ticket_id = ${ticketId} order by at, message_id`
      : await sql`
          select id, minutes, billable_minutes, from_bank_minutes, overage_minutes, amount_minor::int as amount_minor, explanation, reverses_entry_id, reason
          from time_entries where ticket_id = ${ticketId} order by at, work_end, id`;
  return rows as unknown as TimeEntryRow[];
}

/** Waits until the ticket has at least `count` entries, and returns them. */
export function waitForTimeEntries(sql: postgres.Sql, ticketId: number, count: number, order: 'arrival' | 'work'): Promise<TimeEntryRow[]> {
  return waitFor(`${count} time entries`, async () => {
    const rows = await timeEntriesOf(sql, ticketId, order);
    return rows.length >= count ? rows : null;
  });
}
