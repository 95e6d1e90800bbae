// Write side of the SLA module: the `sla_clocks` table and nothing else. The use cases hand it
// clocks computed by sla.models.ts; it runs inside the caller's transaction
// (`createSlaRepository({ db: tx })`).
import { and, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { SlaTargetName } from '../contracts/contracts.types.ts';
import type { DbOrTx } from '../db/client.ts';
import type { PlannedClock, SlaClock } from './sla.models.ts';
import { slaClocksTable } from './sla.tables.ts';

export type SlaClockRow = typeof slaClocksTable.$inferSelect;

/** The clock as the pure state machine sees it (the row also holds warnAt, warnedAt, targetText). */
export function clockOfRow(row: SlaClockRow): SlaClock {
  return {
    target: row.target,
    calendarKey: row.calendarKey,
    startedAt: row.startedAt,
    deadline: row.deadline,
    pausedAt: row.pausedAt,
    pausedBusinessMs: row.pausedBusinessMs,
    metAt: row.metAt,
    breachedAt: row.breachedAt,
    version: row.version,
  };
}

function ofClock(ticketId: number, target: SlaTargetName) {
  return and(eq(slaClocksTable.ticketId, ticketId), eq(slaClocksTable.target, target));
}

export function createSlaRepository({ db }: { db: DbOrTx }) {
  return {
    /**
     * The planned clocks of any number of tickets in ONE statement (intake's hot path: once per
     * batch). The rows go in as one jsonb parameter, so the statement text is the same for
     * every batch size and is prepared once per connection (see src/db/client.ts). A clock
     * that exists already is left as it is.
     */
    async insertClocks(rows: readonly PlannedClock[]): Promise<void> {
      if (rows.length === 0) return;
      await db.execute(sql`
        insert into sla_clocks (ticket_id, target, calendar_key, target_text, started_at, deadline, warn_at, version, warned_at, breached_at)
        select "ticketId", target, "calendarKey", "targetText", "startedAt", deadline, "warnAt", version, "warnedAt", "breachedAt"
        from jsonb_to_recordset(${sql.param(JSON.stringify(rows))}::jsonb) as r("ticketId" bigint, target text, "calendarKey" text,
          "targetText" text, "startedAt" timestamptz, deadline timestamptz, "warnAt" timestamptz, version int, "warnedAt" timestamptz,
          "breachedAt" timestamptz)
        on conflict (ticket_id, target) do nothing`);
    },

    /** Every clock of the ticket, row-locked until the transaction ends (the use cases read, decide, save). */
    async findClocksForUpdate(ticketId: number): Promise<SlaClockRow[]> {
      return db.select().from(slaClocksTable).where(eq(slaClocksTable.ticketId, ticketId)).for('update');
    },

    /** Saves a changed clock: its state, its version and the warning instant that goes with it. */
    async saveClock(ticketId: number, clock: SlaClock, warnAt: Date, targetText?: string): Promise<void> {
      await db
        .update(slaClocksTable)
        .set({
          calendarKey: clock.calendarKey,
          deadline: clock.deadline,
          warnAt,
          pausedAt: clock.pausedAt,
          pausedBusinessMs: clock.pausedBusinessMs,
          metAt: clock.metAt,
          breachedAt: clock.breachedAt,
          version: clock.version,
          ...(targetText === undefined ? {} : { targetText }),
          updatedAt: sql`now()`,
        })
        .where(ofClock(ticketId, clock.target));
    },

    /** A clock started over (a reopened resolution): its warning may go out again. */
    async restartClock(ticketId: number, clock: SlaClock, warnAt: Date): Promise<void> {
      await db
        .update(slaClocksTable)
        .set({
          calendarKey: clock.calendarKey,
          startedAt: clock.startedAt,
          deadline: clock.deadline,
          warnAt,
          pausedAt: null,
          pausedBusinessMs: 0,
          metAt: null,
          breachedAt: null,
          warnedAt: null,
          version: clock.version,
          updatedAt: sql`now()`,
        })
        .where(ofClock(ticketId, clock.target));
    },

    async markWarned(ticketId: number, target: SlaTargetName, at: Date): Promise<void> {
      await db.update(slaClocksTable).set({ warnedAt: at }).where(ofClock(ticketId, target));
    },
  };
}

export type SlaRepository = ReturnType<typeof createSlaRepository>;

/**
 * The condition that selects the running clocks (not met, breached or paused: the ones that
 * need timers) of these tickets, or of all. A condition rather than a query because the timers
 * also need the ticket's queue priority, which the tickets module joins in (sla_clocks does not
 * hold it).
 */
export function runningClocksOf(ticketIds: readonly number[] | 'all'): SQL {
  const running = and(isNull(slaClocksTable.metAt), isNull(slaClocksTable.breachedAt), isNull(slaClocksTable.pausedAt))!;
  return ticketIds === 'all' ? running : and(running, inArray(slaClocksTable.ticketId, [...ticketIds]))!;
}
