// The reads that join a ticket to its SLA clocks. They live here, above the SLA module, because
// the SLA module reads no ticket table: the timers need the ticket's queue priority, and an
// escalation must know whether the ticket's history already announced a breach.
import { and, eq, sql } from 'drizzle-orm';
import type { SlaTargetName } from '../contracts/contracts.types.ts';
import type { DbOrTx } from '../db/client.ts';
import { timersOfRunningClock, type TimerRequest } from '../sla/sla.models.ts';
import { runningClocksOf } from '../sla/sla.repository.ts';
import { slaClocksTable } from '../sla/sla.tables.ts';
import { ticketEventsTable, ticketsTable } from './tickets.tables.ts';

export function createTicketSlaRepository({ db }: { db: DbOrTx }) {
  return {
    /** The timers every running clock of these tickets (or of all) needs, for scheduling after commit. */
    async listSlaTimers(ticketIds: readonly number[] | 'all'): Promise<TimerRequest[]> {
      if (ticketIds !== 'all' && ticketIds.length === 0) return [];
      const rows = await db
        .select({ clock: slaClocksTable, queuePriority: ticketsTable.queuePriority })
        .from(slaClocksTable)
        .innerJoin(ticketsTable, eq(ticketsTable.id, slaClocksTable.ticketId))
        .where(runningClocksOf(ticketIds));
      return rows.flatMap(({ clock, queuePriority }) => timersOfRunningClock(clock, queuePriority));
    },

    /** Whether the ticket's history holds the breach of this target already (it is escalated once). */
    async hasBreachEvent(ticketId: number, target: SlaTargetName): Promise<boolean> {
      const rows = await db
        .select({ id: ticketEventsTable.id })
        .from(ticketEventsTable)
        .where(and(eq(ticketEventsTable.ticketId, ticketId), eq(ticketEventsTable.type, 'sla_breach'), sql`${ticketEventsTable.data}->>'target' = ${target}`))
        .limit(1);
      return rows.length > 0;
    },
  };
}

