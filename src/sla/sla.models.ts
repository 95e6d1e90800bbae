// SLA deadlines and the pure clock state machine behind them. Postgres stores an `SlaClock` per
// ticket and target; every change here returns a new clock with `version + 1`, and the BullMQ
// warning/breach jobs carry the version they were scheduled for, so a job that fires for an
// older version (the clock was paused, resumed or recomputed since) is recognised as stale and
// dropped instead of escalating on a deadline that no longer holds.
import type { BusinessCalendar } from '../calendar/calendar.types.ts';
import type { PlanConfig, Priority, SlaTargetName, TicketKind } from '../contracts/contracts.types.ts';
import type { SlaDuration } from '../shared/duration.ts';
import { HelpdeskError } from '../shared/errors.ts';

export interface ResolvedTarget {
  duration: SlaDuration;
  /** key into `ContractsConfig.calendars` */
  calendarKey: string;
}

/**
 * The promise a plan makes for one target at one priority, or null when it makes none.
 * A `byPriority[priority]` entry overrides the plan-wide value of each target it names (an
 * explicit `null` there removes the promise), and its `calendar`, when set, replaces the
 * calendar for every target of that priority. Without such a calendar, incidents use
 * `plan.faultCalendar` and requests `plan.calendar`. For requests, `plan.sla.requests` then
 * overrides both the targets it names and (with its own `calendar`) the calendar.
 */
export function resolveTarget(
  plan: PlanConfig,
  target: SlaTargetName,
  priority: Priority,
  kind: TicketKind,
): ResolvedTarget | null {
  const override = plan.sla.byPriority[priority];
  const overridden = override?.[target];
  let duration = overridden !== undefined ? overridden : plan.sla[target];
  let calendarKey = override?.calendar ?? (kind === 'incident' ? plan.faultCalendar : plan.calendar);
  // `sla.requests` (Telekompetanse: daily-operations requests answered in 5 business days)
  // applies to requests after byPriority: a request keeps these targets whatever its priority.
  const requests = kind === 'request' ? plan.sla.requests : null;
  if (requests) {
    const forRequests = requests[target];
    if (forRequests !== undefined) duration = forRequests;
    if (requests.calendar) calendarKey = requests.calendar;
  }
  if (duration === null) return null;
  return { duration, calendarKey };
}

/**
 * The deadline of a target for something that arrived at `from`:
 * - elapsed (`1h`): `from` plus that much open time (a result exactly at a close stays there);
 * - business days (`2d`): `calendar.addBusinessDays(from, n)`;
 * - SBD: the close of the business day `from` belongs to; arriving outside opening hours
 *   (evening, weekend, holiday, exactly at closing time) means the close of the next business day;
 * - NBD: the close of the business day after the one `from` belongs to, where a closed instant
 *   belongs to the next business day: Friday 10:00 → Monday's close; Saturday → Monday is the
 *   ticket's own business day, so Tuesday's close.
 */
export function computeDeadline(calendar: BusinessCalendar, duration: SlaDuration, from: Date): Date {
  switch (duration.kind) {
    case 'elapsed':
      return calendar.addBusinessTime(from, duration.ms);
    case 'businessDays':
      return calendar.addBusinessDays(from, duration.days);
    case 'sameBusinessDay':
      return calendar.endOfBusinessDay(from);
    case 'nextBusinessDay':
      return calendar.endOfBusinessDay(from, 1);
  }
}

/**
 * The instant the warning of a clock goes out: when `warnAt` (0..1, e.g. 0.75) of its running
 * business time has elapsed. The running time is the business time from `startedAt` to the
 * deadline less the business time spent paused (`pausedBusinessMs`, which resumes added to
 * the deadline); the pauses are counted before the warning point, so a paused-and-resumed clock
 * warns that much later. Rounded down to the millisecond so the warning never comes late.
 */
export function warnAtInstant(
  calendar: BusinessCalendar,
  clock: Pick<SlaClock, 'startedAt' | 'deadline' | 'pausedBusinessMs'>,
  warnAt: number,
): Date {
  if (!(warnAt >= 0 && warnAt <= 1)) {
    throw new HelpdeskError('usage.invalid', `warnAt must be a share between 0 and 1, got ${warnAt}`);
  }
  const running = calendar.businessTimeBetween(clock.startedAt, clock.deadline) - clock.pausedBusinessMs;
  return calendar.addBusinessTime(clock.startedAt, Math.max(0, Math.floor(running * warnAt)) + clock.pausedBusinessMs);
}

// ---------------------------------------------------------------------------------------------
// The clock

/**
 * One SLA target of one ticket. Met and breached clocks are final: pausing, resuming or
 * recomputing them returns them unchanged, so history is never rewritten.
 */
export interface SlaClock {
  target: SlaTargetName;
  calendarKey: string;
  startedAt: Date;
  deadline: Date;
  /** set while the ticket waits on the customer */
  pausedAt: Date | null;
  /** business time spent paused in finished pauses (the current pause is not in it yet) */
  pausedBusinessMs: number;
  metAt: Date | null;
  /** the deadline that was broken (not the instant a job noticed it) */
  breachedAt: Date | null;
  /** +1 on every change; scheduled jobs carry it to recognise themselves as stale */
  version: number;
}

export type SlaClockStatus = 'running' | 'paused' | 'met' | 'breached';

/** A clock met late is reported as breached: the promise was broken, whatever came after. */
export function clockStatus(clock: SlaClock): SlaClockStatus {
  if (clock.breachedAt) return 'breached';
  if (clock.metAt) return 'met';
  return clock.pausedAt ? 'paused' : 'running';
}

function isFinal(clock: SlaClock): boolean {
  return clock.metAt !== null || clock.breachedAt !== null;
}

export function startClock(input: {
  target: SlaTargetName;
  calendarKey: string;
  calendar: BusinessCalendar;
  duration: SlaDuration;
  at: Date;
}): SlaClock {
  return {
    target: input.target,
    calendarKey: input.calendarKey,
    startedAt: input.at,
    deadline: computeDeadline(input.calendar, input.duration, input.at),
    pausedAt: null,
    pausedBusinessMs: 0,
    metAt: null,
    breachedAt: null,
    version: 1,
  };
}

/**
 * Stops the clock while the ticket waits on the customer. Pausing a clock that is already
 * overdue (its breach job has not run yet) records the breach instead: waiting cannot undo it.
 * Unchanged when final or already paused.
 */
export function pauseClock(clock: SlaClock, at: Date): SlaClock {
  if (isFinal(clock) || clock.pausedAt) return clock;
  if (at.getTime() > clock.deadline.getTime()) {
    return { ...clock, breachedAt: clock.deadline, version: clock.version + 1 };
  }
  return { ...clock, pausedAt: at, version: clock.version + 1 };
}

/**
 * Restarts a paused clock: the deadline moves on by the business time the pause covered
 * (`addBusinessTime(deadline, businessTimeBetween(pausedAt, at))`), for day, SBD and NBD targets
 * the same way, so a pause over a night costs nothing. Unchanged when final or not paused.
 */
export function resumeClock(clock: SlaClock, calendar: BusinessCalendar, at: Date): SlaClock {
  if (isFinal(clock) || !clock.pausedAt) return clock;
  const paused = calendar.businessTimeBetween(clock.pausedAt, at);
  return {
    ...clock,
    pausedAt: null,
    pausedBusinessMs: clock.pausedBusinessMs + paused,
    deadline: paused > 0 ? calendar.addBusinessTime(clock.deadline, paused) : clock.deadline,
    version: clock.version + 1,
  };
}

/**
 * Records the event the target waits for (first reply, work started, resolved). Met after the
 * deadline also records the breach, at the deadline, when no breach job did so yet; met while
 * paused is on time (a pause never starts after the deadline, see pauseClock).
 * Meeting at the deadline instant itself is on time. Unchanged when already met.
 */
export function meetClock(clock: SlaClock, at: Date): SlaClock {
  if (clock.metAt) return clock;
  const late = !clock.pausedAt && at.getTime() > clock.deadline.getTime();
  return {
    ...clock,
    metAt: at,
    breachedAt: clock.breachedAt ?? (late ? clock.deadline : null),
    version: clock.version + 1,
  };
}

/**
 * What the breach job calls at (or after) the deadline. Records the breach (at the deadline)
 * only when the clock is running and `at` has reached the deadline; a paused, met or breached
 * clock, or a job that fired early, leaves it unchanged. A timer firing exactly at the deadline
 * counts, since a job cannot fire before it; a reply in that same millisecond is then late.
 */
export function breachClock(clock: SlaClock, at: Date): SlaClock {
  if (isFinal(clock) || clock.pausedAt || at.getTime() < clock.deadline.getTime()) return clock;
  return { ...clock, breachedAt: clock.deadline, version: clock.version + 1 };
}

/**
 * A new deadline after the priority or calendar changed: the new target counted from
 * `startedAt`, pushed by the business time of finished pauses (`pausedBusinessMs`, measured on
 * the old calendar: the pauses themselves are not stored). A running pause keeps running and is
 * added on resume. A deadline now in the past is not marked here: the breach job for the new
 * version fires at once and records it. Unchanged when final or when nothing moved.
 */
export function recomputeClock(
  clock: SlaClock,
  change: { calendar: BusinessCalendar; calendarKey: string; duration: SlaDuration },
): SlaClock {
  if (isFinal(clock)) return clock;
  const base = computeDeadline(change.calendar, change.duration, clock.startedAt);
  const deadline = clock.pausedBusinessMs > 0 ? change.calendar.addBusinessTime(base, clock.pausedBusinessMs) : base;
  if (deadline.getTime() === clock.deadline.getTime() && change.calendarKey === clock.calendarKey) return clock;
  return { ...clock, calendarKey: change.calendarKey, deadline, version: clock.version + 1 };
}

// ---------------------------------------------------------------------------------------------
// What the SLA module takes of a ticket, and what it hands back

/** What the SLA clocks need to know of a ticket: its plan picks the targets, priority and kind resolve them. */
export interface SlaTicket {
  id: number;
  planKey: string;
  priority: Priority;
  kind: TicketKind;
}

/** One clock a new ticket starts with, as `insertClocks` stores it. */
export interface PlannedClock {
  ticketId: number;
  target: SlaTargetName;
  calendarKey: string;
  /** the target as written in the contracts file (1h, SBD, …) */
  targetText: string;
  startedAt: Date;
  deadline: Date;
  warnAt: Date;
  version: number;
  /** set when the warning instant had passed before the ticket was opened (a backlog) */
  warnedAt?: Date | null;
  /** set when the deadline had passed before the ticket was opened (a backlog) */
  breachedAt?: Date | null;
}

/**
 * What happened to a ticket's clocks that its history records. The fields are those of the
 * ticket events of the same type, so the tickets module stores a fact as it is.
 */
export type SlaFact =
  | { type: 'sla_met'; target: SlaTargetName; late: boolean }
  | { type: 'sla_recomputed'; target: SlaTargetName; deadline: string }
  | { type: 'sla_warning'; target: SlaTargetName; deadline: string }
  | { type: 'sla_breach'; target: SlaTargetName; deadline: string };

export type TimerStage = 'warn' | 'breach';

/** One job of the `sla-timers` queue: which clock, which stage, scheduled for which version. */
export interface SlaTimer {
  ticketId: number;
  target: SlaTargetName;
  stage: TimerStage;
  version: number;
}

/** A timer to schedule: due `at`, served in the ticket's queue priority (lower first). */
export interface TimerRequest extends SlaTimer {
  at: Date;
  queuePriority: number;
}

/**
 * The timers a running clock needs: its warning (unless it went out already) and its breach.
 * A paused, met or breached clock needs none; the caller selects running clocks only.
 */
export function timersOfRunningClock(
  clock: { ticketId: number; target: SlaTargetName; version: number; warnAt: Date; warnedAt: Date | null; deadline: Date },
  queuePriority: number,
): TimerRequest[] {
  const base = { ticketId: clock.ticketId, target: clock.target, version: clock.version, queuePriority };
  const breach: TimerRequest = { ...base, stage: 'breach', at: clock.deadline };
  return clock.warnedAt ? [breach] : [{ ...base, stage: 'warn', at: clock.warnAt }, breach];
}

/**
 * A ticket opened from backlog mail (already old when the bot first saw it) starts with clocks
 * whose warning instant or deadline may have passed while nobody watched. Those moments are
 * recorded as they happened (warned at the warning instant, breached at the deadline) and need
 * no timer, so a backlog brings no flood of warnings and escalations. Each breach is returned
 * as a fact for the ticket's history; a clock still running keeps its timers.
 */
export function settleElapsedClocks(planned: readonly PlannedClock[], now: Date): { clocks: PlannedClock[]; breaches: { ticketId: number; at: Date; fact: SlaFact }[] } {
  const breaches: { ticketId: number; at: Date; fact: SlaFact }[] = [];
  const clocks = planned.map((clock) => {
    const warned = clock.warnAt.getTime() <= now.getTime() ? clock.warnAt : null;
    if (clock.deadline.getTime() > now.getTime()) return warned ? { ...clock, warnedAt: warned } : clock;
    breaches.push({ ticketId: clock.ticketId, at: clock.deadline, fact: { type: 'sla_breach', target: clock.target, deadline: clock.deadline.toISOString() } });
    return { ...clock, warnedAt: warned, breachedAt: clock.deadline };
  });
  return { clocks, breaches };
}
