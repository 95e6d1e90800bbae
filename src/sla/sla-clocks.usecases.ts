// The SLA use cases: plan, pause, resume, meet, recompute, reopen and fire a ticket's clocks.
// They take the ticket as a value (`SlaTicket`) and the clocks repository of the caller's
// transaction, apply the pure functions of sla.models.ts, save what changed, and return the
// facts the ticket's history records. Recording those facts and mailing escalations is the
// tickets module's part (src/tickets/sla-escalation.usecases.ts): this module reads no ticket.
import { createBusinessCalendar } from '../calendar/calendar.models.ts';
import type { BusinessCalendar } from '../calendar/calendar.types.ts';
import { SLA_TARGETS, type ContractsConfig, type PlanConfig, type SlaTargetName } from '../contracts/contracts.types.ts';
import { formatSlaDuration } from '../shared/duration.ts';
import { HelpdeskError } from '../shared/errors.ts';
import {
  breachClock,
  clockStatus,
  meetClock,
  pauseClock,
  recomputeClock,
  resolveTarget,
  resumeClock,
  startClock,
  warnAtInstant,
  type PlannedClock,
  type SlaClock,
  type SlaFact,
  type SlaTicket,
  type SlaTimer,
  type TimerStage,
} from './sla.models.ts';
import { clockOfRow, type SlaClockRow, type SlaRepository } from './sla.repository.ts';

/** What a fired timer comes to. */
export type TimerDecision =
  /** the warning or breach is due and recorded: escalate, keyed by `clock.version` */
  | { action: 'escalate'; stage: TimerStage; clock: SlaClockRow; fact: SlaFact }
  /** the timer fired before its instant (clock skew between Redis and us): run it again at `dueAt` */
  | { action: 'reschedule'; dueAt: Date }
  /** nothing to do: no such clock, a job for an older version, or the clock is not running */
  | { action: 'none'; reason: 'no-clock' | 'stale' | 'already-warned' | 'paused' | 'met' | 'breached' };

export function createSlaClocks(deps: { config: ContractsConfig }) {
  const { config } = deps;
  const calendars = new Map<string, BusinessCalendar>();

  function calendar(key: string): BusinessCalendar {
    let cal = calendars.get(key);
    if (!cal) {
      const definition = config.calendars[key];
      if (!definition) throw new HelpdeskError('calendar.invalid', `unknown calendar "${key}"`);
      cal = createBusinessCalendar(definition);
      calendars.set(key, cal);
    }
    return cal;
  }

  function plan(key: string): PlanConfig {
    const found = config.plans[key];
    if (!found) throw new HelpdeskError('contract.unknown_plan', `unknown plan "${key}"`);
    return found;
  }

  function warnAtOf(clock: SlaClock, ticket: SlaTicket): Date {
    return warnAtInstant(calendar(clock.calendarKey), clock, plan(ticket.planKey).sla.warnAt);
  }

  /** Saves the clock when the change moved its version; true when it did. */
  async function saveIfChanged(clocks: SlaRepository, ticket: SlaTicket, before: SlaClockRow, after: SlaClock, targetText?: string): Promise<boolean> {
    if (after.version === before.version) return false;
    await clocks.saveClock(ticket.id, after, warnAtOf(after, ticket), targetText);
    return true;
  }

  async function changeEvery(clocks: SlaRepository, ticket: SlaTicket, change: (clock: SlaClock) => SlaClock): Promise<void> {
    for (const row of await clocks.findClocksForUpdate(ticket.id)) {
      await saveIfChanged(clocks, ticket, row, change(clockOfRow(row)));
    }
  }

  return {
    calendar,

    /** The clocks a new ticket starts with. Pure: no I/O; the deadlines also go into the ack. */
    planClocks(ticket: SlaTicket & { createdAt: Date }): PlannedClock[] {
      const ticketPlan = plan(ticket.planKey);
      const planned: PlannedClock[] = [];
      for (const target of SLA_TARGETS) {
        const resolved = resolveTarget(ticketPlan, target, ticket.priority, ticket.kind);
        if (!resolved) continue;
        const clock = startClock({ target, calendarKey: resolved.calendarKey, calendar: calendar(resolved.calendarKey), duration: resolved.duration, at: ticket.createdAt });
        planned.push({
          ticketId: ticket.id,
          target,
          calendarKey: clock.calendarKey,
          targetText: formatSlaDuration(resolved.duration),
          startedAt: clock.startedAt,
          deadline: clock.deadline,
          warnAt: warnAtOf(clock, ticket),
          version: clock.version,
        });
      }
      return planned;
    },

    /** The ticket waits on the customer: every running clock stops (an overdue one records its breach). */
    async pauseClocks(clocks: SlaRepository, ticket: SlaTicket, at: Date): Promise<void> {
      await changeEvery(clocks, ticket, (c) => pauseClock(c, at));
    },

    /** The customer answered: every paused clock runs again, its deadline moved on by the pause. */
    async resumeClocks(clocks: SlaRepository, ticket: SlaTicket, at: Date): Promise<void> {
      await changeEvery(clocks, ticket, (c) => resumeClock(c, calendar(c.calendarKey), at));
    },

    /** The event one target waits for happened; returns the `sla_met` fact when the clock changed. */
    async meetTarget(clocks: SlaRepository, ticket: SlaTicket, target: SlaTargetName, at: Date): Promise<SlaFact[]> {
      const row = (await clocks.findClocksForUpdate(ticket.id)).find((r) => r.target === target);
      if (!row) return [];
      const after = meetClock(clockOfRow(row), at);
      if (!(await saveIfChanged(clocks, ticket, row, after))) return [];
      return [{ type: 'sla_met', target, late: after.breachedAt !== null }];
    },

    /** Resolved or closed: every clock still open is met (no history facts, as before). */
    async meetAllTargets(clocks: SlaRepository, ticket: SlaTicket, at: Date): Promise<void> {
      await changeEvery(clocks, ticket, (c) => meetClock(c, at));
    },

    /**
     * A resolved ticket reopened by the customer: the resolution promise was kept (or broken)
     * once and stays on record through the version; the clock starts afresh from `at`.
     */
    async reopenResolutionClock(clocks: SlaRepository, ticket: SlaTicket, at: Date): Promise<void> {
      const resolved = resolveTarget(plan(ticket.planKey), 'resolution', ticket.priority, ticket.kind);
      const row = (await clocks.findClocksForUpdate(ticket.id)).find((r) => r.target === 'resolution');
      if (!resolved || !row) return;
      const fresh = startClock({ target: 'resolution', calendarKey: resolved.calendarKey, calendar: calendar(resolved.calendarKey), duration: resolved.duration, at });
      const next: SlaClock = { ...fresh, version: row.version + 1 };
      await clocks.restartClock(ticket.id, next, warnAtOf(next, ticket));
    },

    /** Priority or kind changed: every open clock gets its new target; returns an `sla_recomputed` fact per moved clock. */
    async recomputeDeadlines(clocks: SlaRepository, ticket: SlaTicket): Promise<SlaFact[]> {
      const ticketPlan = plan(ticket.planKey);
      const facts: SlaFact[] = [];
      for (const row of await clocks.findClocksForUpdate(ticket.id)) {
        const resolved = resolveTarget(ticketPlan, row.target, ticket.priority, ticket.kind);
        if (!resolved) continue;
        const after = recomputeClock(clockOfRow(row), { calendar: calendar(resolved.calendarKey), calendarKey: resolved.calendarKey, duration: resolved.duration });
        if (await saveIfChanged(clocks, ticket, row, after, formatSlaDuration(resolved.duration))) {
          facts.push({ type: 'sla_recomputed', target: row.target, deadline: after.deadline.toISOString() });
        }
      }
      return facts;
    },

    /**
     * What a warning or breach timer does at `now`. Postgres is the truth: a job for an older
     * version of the clock does nothing. `breachAnnounced` tells whether the ticket's history
     * already holds this target's breach; it is asked only for a clock whose breach was recorded
     * elsewhere (a pause or a late reply in the moments before the job ran, bumping the
     * version): such a breach still deserves its escalation, once.
     */
    async fireTimer(clocks: SlaRepository, ticket: SlaTicket, timer: SlaTimer, now: Date, breachAnnounced: () => Promise<boolean>): Promise<TimerDecision> {
      const row = (await clocks.findClocksForUpdate(timer.ticketId)).find((r) => r.target === timer.target);
      if (!row) return { action: 'none', reason: 'no-clock' };
      const breachFact: SlaFact = { type: 'sla_breach', target: timer.target, deadline: row.deadline.toISOString() };
      if (timer.stage === 'breach' && row.breachedAt && !(await breachAnnounced())) {
        return { action: 'escalate', stage: 'breach', clock: row, fact: breachFact };
      }
      if (row.version !== timer.version) return { action: 'none', reason: 'stale' };
      const clock = clockOfRow(row);
      const status = clockStatus(clock);
      if (status !== 'running') return { action: 'none', reason: status };
      if (timer.stage === 'warn') {
        if (row.warnedAt) return { action: 'none', reason: 'already-warned' };
        if (now.getTime() < row.warnAt.getTime()) return { action: 'reschedule', dueAt: row.warnAt };
        await clocks.markWarned(timer.ticketId, timer.target, now);
        return { action: 'escalate', stage: 'warn', clock: row, fact: { type: 'sla_warning', target: timer.target, deadline: row.deadline.toISOString() } };
      }
      const after = breachClock(clock, now);
      if (after.version === clock.version) return { action: 'reschedule', dueAt: row.deadline };
      await saveIfChanged(clocks, ticket, row, after);
      return { action: 'escalate', stage: 'breach', clock: { ...row, version: after.version }, fact: breachFact };
    },
  };
}

export type SlaClocks = ReturnType<typeof createSlaClocks>;
