// The estimate-family events of tickets, read back for the estimate's state (estimates.models.ts):
// the events are the only record of an estimate, its requirement and the customer's answer.
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { isEstimateEvent, type EstimateEventRecord } from './estimates.models.ts';
import type { TicketEvent } from './ticket-events.models.ts';
import { ticketEventsTable } from './tickets.tables.ts';

const ESTIMATE_EVENT_TYPES = ['estimate', 'estimate_approved', 'estimate_declined'] as const;

/** A stored row back as its event: `type` in its column, the other fields in `data`. */
export function estimateRecordOf(row: { type: string; at: Date; data: Record<string, unknown> }): EstimateEventRecord | null {
  const event = { ...row.data, type: row.type } as TicketEvent;
  return isEstimateEvent(event) ? { at: row.at, event } : null;
}

export function createEstimatesRepository({ db }: { db: DbOrTx }) {
  return {
    /** every estimate-family event of the ticket, oldest first (in the order recorded) */
    async eventsOf(ticketId: number): Promise<EstimateEventRecord[]> {
      const rows = await db
        .select({ type: ticketEventsTable.type, at: ticketEventsTable.at, data: ticketEventsTable.data })
        .from(ticketEventsTable)
        .where(and(eq(ticketEventsTable.ticketId, ticketId), inArray(ticketEventsTable.type, [...ESTIMATE_EVENT_TYPES])))
        .orderBy(asc(ticketEventsTable.at), asc(ticketEventsTable.id));
      return rows.flatMap((row) => estimateRecordOf(row) ?? []);
    },
  };
}

export type EstimatesRepository = ReturnType<typeof createEstimatesRepository>;
