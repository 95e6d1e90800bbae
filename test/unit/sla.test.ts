import { describe, it, expect } from 'vitest';
import { createBusinessCalendar } from '../../src/calendar/calendar.models.ts';
import type { CalendarDefinition, OpeningRange } from '../../src/calendar/calendar.types.ts';
import type { PlanConfig } from '../../src/contracts/contracts.types.ts';
import type { SlaDuration } from '../../src/shared/duration.ts';
import {
  settleElapsedClocks,
  breachClock,
  clockStatus,
  computeDeadline,
  meetClock,
  pauseClock,
  recomputeClock,
  resolveTarget,
  resumeClock,
  startClock,
  timersOfRunningClock,
  warnAtInstant,
  type SlaClock,
} from '../../src/sla/sla.models.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const t = (iso: string) => new Date(iso);

const officeHours: OpeningRange = { startMinute: 8 * 60, endMinute: 17 * 60 };
const wholeDay: OpeningRange = { startMinute: 0, endMinute: 1440 };

const officeDefinition: CalendarDefinition = {
  name: 'office',
  timezone: 'Europe/Stockholm',
  holidays: { region: 'SE', closeTypes: ['public'] },
  closedDates: [],
  weekly: { 1: [officeHours], 2: [officeHours], 3: [officeHours], 4: [officeHours], 5: [officeHours] },
};
const office = createBusinessCalendar(officeDefinition);
const allWeek = createBusinessCalendar({
  name: 'fault-7d',
  timezone: 'Europe/Stockholm',
  holidays: null,
  closedDates: [],
  weekly: { 1: [wholeDay], 2: [wholeDay], 3: [wholeDay], 4: [wholeDay], 5: [wholeDay], 6: [wholeDay], 7: [wholeDay] },
});

const elapsed = (ms: number): SlaDuration => ({ kind: 'elapsed', ms });
const SBD: SlaDuration = { kind: 'sameBusinessDay' };
const NBD: SlaDuration = { kind: 'nextBusinessDay' };

const alert: PlanConfig = {
  key: 'alert',
  title: 'Alert!',
  fee: { amountMinor: 800_000, currency: 'SEK', per: 'month' },
  term: { kind: 'months', months: 12 },
  calendar: 'office',
  faultCalendar: 'fault',
  queuePriority: 1,
  defaultPriority: 'P3',
  sla: {
    response: elapsed(HOUR),
    intervention: elapsed(8 * HOUR),
    resolution: null,
    warnAt: 0.75,
    byPriority: {
      P1: { response: elapsed(30 * MINUTE), calendar: 'fault-7d' },
      P4: { intervention: null },
    },
  },
  timeBank: { amountMs: 15 * HOUR, per: 'quarter', rollover: false },
  billing: {
    currency: 'SEK',
    incrementMs: 15 * MINUTE,
    minimumMs: 15 * MINUTE,
    onsiteMinimumMs: HOUR,
    freePerTicketMs: 0,
    ratesMinor: { default: 135_000 },
    outOfHours: null,
    quoteAboveMs: null,
  },
  reports: { every: 'month' },
  inspections: null,
};

describe('resolveTarget', () => {
  it('uses the support calendar for a request', () => {
    expect(resolveTarget(alert, 'response', 'P3', 'request')).toEqual({ duration: elapsed(HOUR), calendarKey: 'office' });
  });

  it('uses the fault calendar for an incident', () => {
    expect(resolveTarget(alert, 'response', 'P3', 'incident')).toEqual({ duration: elapsed(HOUR), calendarKey: 'fault' });
  });

  it('applies a priority override with its own calendar', () => {
    expect(resolveTarget(alert, 'response', 'P1', 'request')).toEqual({
      duration: elapsed(30 * MINUTE),
      calendarKey: 'fault-7d',
    });
  });

  it('moves targets the override does not name to the override calendar too', () => {
    expect(resolveTarget(alert, 'intervention', 'P1', 'incident')).toEqual({
      duration: elapsed(8 * HOUR),
      calendarKey: 'fault-7d',
    });
  });

  it('returns null for a target the plan does not promise', () => {
    expect(resolveTarget(alert, 'resolution', 'P2', 'incident')).toBeNull();
  });

  it('returns null when a priority override removes a promise', () => {
    expect(resolveTarget(alert, 'intervention', 'P4', 'request')).toBeNull();
  });

  describe('with sla.requests (Telekompetanse: daily-operations requests answered in 5 business days)', () => {
    const level2: PlanConfig = {
      ...alert,
      sla: { ...alert.sla, requests: { response: { kind: 'businessDays', days: 5 }, intervention: null, calendar: 'office-requests' } },
    };

    it('gives a request the request target and calendar whatever its priority', () => {
      expect(resolveTarget(level2, 'response', 'P1', 'request')).toEqual({ duration: { kind: 'businessDays', days: 5 }, calendarKey: 'office-requests' });
    });

    it('removes a promise the request block sets to null', () => {
      expect(resolveTarget(level2, 'intervention', 'P3', 'request')).toBeNull();
    });

    it('leaves incidents on the plan and priority targets', () => {
      expect(resolveTarget(level2, 'response', 'P1', 'incident')).toEqual({ duration: elapsed(30 * MINUTE), calendarKey: 'fault-7d' });
    });
  });
});

describe('computeDeadline', () => {
  it('adds an elapsed target in business time', () => {
    expect(computeDeadline(office, elapsed(HOUR), t('2026-03-13T16:30:00+01:00'))).toEqual(t('2026-03-16T08:30:00+01:00'));
  });

  it('gives a priority-override calendar its own deadline', () => {
    const target = resolveTarget(alert, 'response', 'P1', 'request');
    expect(target?.calendarKey).toBe('fault-7d');
    // Friday 18:30: the 24/7 calendar answers the same evening, the office one on Monday
    expect(computeDeadline(allWeek, target!.duration, t('2026-03-13T18:30:00+01:00'))).toEqual(t('2026-03-13T19:00:00+01:00'));
    expect(computeDeadline(office, target!.duration, t('2026-03-13T18:30:00+01:00'))).toEqual(t('2026-03-16T08:30:00+01:00'));
  });

  it('ends SBD at today’s close for a mail inside opening hours', () => {
    expect(computeDeadline(office, SBD, t('2026-03-09T10:00:00+01:00'))).toEqual(t('2026-03-09T17:00:00+01:00'));
  });

  it('ends SBD at the next business day’s close for a mail after hours', () => {
    expect(computeDeadline(office, SBD, t('2026-03-09T18:00:00+01:00'))).toEqual(t('2026-03-10T17:00:00+01:00'));
  });

  it('ends SBD at the next business day’s close for a mail before opening', () => {
    expect(computeDeadline(office, SBD, t('2026-03-10T07:00:00+01:00'))).toEqual(t('2026-03-10T17:00:00+01:00'));
  });

  it('ends NBD at Monday’s close for a mail on Friday morning', () => {
    expect(computeDeadline(office, NBD, t('2026-03-13T10:00:00+01:00'))).toEqual(t('2026-03-16T17:00:00+01:00'));
  });

  it('ends NBD at Tuesday’s close for a mail on Saturday', () => {
    expect(computeDeadline(office, NBD, t('2026-03-14T10:00:00+01:00'))).toEqual(t('2026-03-17T17:00:00+01:00'));
  });

  it('ends NBD after the Easter weekend for a mail on Maundy Thursday', () => {
    expect(computeDeadline(office, NBD, t('2026-04-02T10:00:00+02:00'))).toEqual(t('2026-04-07T17:00:00+02:00'));
  });

  it('ends NBD on Wednesday for a mail on Maundy Thursday evening', () => {
    // the evening belongs to Tuesday 7 April, the next business day; NBD is the one after that
    expect(computeDeadline(office, NBD, t('2026-04-02T18:00:00+02:00'))).toEqual(t('2026-04-08T17:00:00+02:00'));
  });

  it('counts 5d in business days', () => {
    expect(
      computeDeadline(office, { kind: 'businessDays', days: 5 }, t('2026-04-02T10:00:00+02:00')),
    ).toEqual(t('2026-04-13T10:00:00+02:00'));
  });
});

describe('warnAtInstant', () => {
  /** A running clock as Postgres stores it: only these fields decide the warning. */
  const clock = (startedAt: string, deadline: string, pausedBusinessMs = 0) => ({ startedAt: t(startedAt), deadline: t(deadline), pausedBusinessMs });

  it('warns at three quarters of a same-day target', () => {
    expect(warnAtInstant(office, clock('2026-03-09T08:00:00+01:00', '2026-03-09T16:00:00+01:00'), 0.75)).toEqual(t('2026-03-09T14:00:00+01:00'));
  });

  it('counts only business time for a target over a night', () => {
    // 4 business hours: Monday 16–17 and Tuesday 08–11; 3 h in is Tuesday 10:00
    expect(warnAtInstant(office, clock('2026-03-09T16:00:00+01:00', '2026-03-10T11:00:00+01:00'), 0.75)).toEqual(t('2026-03-10T10:00:00+01:00'));
  });

  it('leaves the paused time out of the share and adds it back', () => {
    // A 4 h target from Monday 08:00 (deadline 12:00), paused 09:00–11:00: the deadline moved
    // on to 14:00. Three quarters of the 4 running hours is 3 h; with the 2 paused hours the
    // warning is at 08:00 + 5 h = 13:00 (three quarters of 08:00–14:00 would be 12:30).
    expect(warnAtInstant(office, clock('2026-03-09T08:00:00+01:00', '2026-03-09T14:00:00+01:00', 2 * HOUR), 0.75)).toEqual(
      t('2026-03-09T13:00:00+01:00'),
    );
  });

  it('counts a pause over a night by its business time only', () => {
    // A 4 h target from Monday 15:00 (deadline Tuesday 10:00), paused Monday 16:00 – Tuesday
    // 09:00: 2 business hours (16–17, 08–09), so the deadline is Tuesday 12:00. Half of the 4
    // running hours is 2 h; plus the 2 paused hours, 4 business hours after Monday 15:00 is
    // Tuesday 10:00.
    expect(warnAtInstant(office, clock('2026-03-09T15:00:00+01:00', '2026-03-10T12:00:00+01:00', 2 * HOUR), 0.5)).toEqual(
      t('2026-03-10T10:00:00+01:00'),
    );
  });

  it('warns at the resume instant when the whole budget but the paused time is used up', () => {
    // 1 h target from 08:00, paused 08:00–10:00 at once: deadline 11:00, nothing ran yet, so
    // even a 100 % share lands at 08:00 + 1 h + 2 h = 11:00 and a 0 % share at 10:00.
    const pausedAtOnce = clock('2026-03-09T08:00:00+01:00', '2026-03-09T11:00:00+01:00', 2 * HOUR);
    expect(warnAtInstant(office, pausedAtOnce, 1)).toEqual(t('2026-03-09T11:00:00+01:00'));
    expect(warnAtInstant(office, pausedAtOnce, 0)).toEqual(t('2026-03-09T10:00:00+01:00'));
  });

  it('rounds down to the millisecond so the warning never comes late', () => {
    expect(warnAtInstant(allWeek, clock('2026-03-09T00:00:00.000Z', '2026-03-09T00:00:01.001Z'), 0.5)).toEqual(t('2026-03-09T00:00:00.500Z'));
  });

  it('refuses a share outside 0..1', () => {
    expect(() => warnAtInstant(office, clock('2026-03-09T08:00:00+01:00', '2026-03-09T16:00:00+01:00'), 1.5)).toThrow(/warnAt must be a share/);
  });
});

describe('the SLA clock', () => {
  const fourHours = (at: string) =>
    startClock({ target: 'response', calendarKey: 'office', calendar: office, duration: elapsed(4 * HOUR), at: t(at) });

  it('starts running with a deadline and version 1', () => {
    const clock = fourHours('2026-03-09T10:00:00+01:00');
    expect(clock).toEqual({
      target: 'response',
      calendarKey: 'office',
      startedAt: t('2026-03-09T10:00:00+01:00'),
      deadline: t('2026-03-09T14:00:00+01:00'),
      pausedAt: null,
      pausedBusinessMs: 0,
      metAt: null,
      breachedAt: null,
      version: 1,
    });
    expect(clockStatus(clock)).toBe('running');
  });

  it('pushes the deadline by the business time spent paused', () => {
    const paused = pauseClock(fourHours('2026-03-09T10:00:00+01:00'), t('2026-03-09T11:00:00+01:00'));
    expect(clockStatus(paused)).toBe('paused');
    const resumed = resumeClock(paused, office, t('2026-03-09T13:00:00+01:00'));
    expect(resumed.deadline).toEqual(t('2026-03-09T16:00:00+01:00'));
    expect(resumed.pausedBusinessMs).toBe(2 * HOUR);
    expect(resumed.pausedAt).toBeNull();
    expect(resumed.version).toBe(3);
  });

  it('does not charge a pause for the night', () => {
    // deadline Tuesday 10:00; paused Monday 16:00 → Tuesday 09:00 is 2 business hours
    const clock = fourHours('2026-03-09T15:00:00+01:00');
    expect(clock.deadline).toEqual(t('2026-03-10T10:00:00+01:00'));
    const resumed = resumeClock(pauseClock(clock, t('2026-03-09T16:00:00+01:00')), office, t('2026-03-10T09:00:00+01:00'));
    expect(resumed.deadline).toEqual(t('2026-03-10T12:00:00+01:00'));
  });

  it('pushes an SBD deadline the same way, into the next day', () => {
    const clock = startClock({ target: 'resolution', calendarKey: 'office', calendar: office, duration: SBD, at: t('2026-03-09T10:00:00+01:00') });
    const resumed = resumeClock(pauseClock(clock, t('2026-03-09T11:00:00+01:00')), office, t('2026-03-09T12:00:00+01:00'));
    expect(resumed.deadline).toEqual(t('2026-03-10T09:00:00+01:00'));
  });

  it('leaves a clock that is not paused unchanged on resume', () => {
    const clock = fourHours('2026-03-09T10:00:00+01:00');
    expect(resumeClock(clock, office, t('2026-03-09T11:00:00+01:00'))).toBe(clock);
  });

  it('records a reply before the deadline as met', () => {
    const met = meetClock(fourHours('2026-03-09T10:00:00+01:00'), t('2026-03-09T13:00:00+01:00'));
    expect(met.metAt).toEqual(t('2026-03-09T13:00:00+01:00'));
    expect(met.breachedAt).toBeNull();
    expect(met.version).toBe(2);
    expect(clockStatus(met)).toBe('met');
  });

  it('counts a reply exactly at the deadline as on time', () => {
    const met = meetClock(fourHours('2026-03-09T10:00:00+01:00'), t('2026-03-09T14:00:00+01:00'));
    expect(met.breachedAt).toBeNull();
  });

  it('records a late reply as met and breached at the deadline', () => {
    const met = meetClock(fourHours('2026-03-09T10:00:00+01:00'), t('2026-03-09T15:00:00+01:00'));
    expect(met.metAt).toEqual(t('2026-03-09T15:00:00+01:00'));
    expect(met.breachedAt).toEqual(t('2026-03-09T14:00:00+01:00'));
    expect(clockStatus(met)).toBe('breached');
  });

  it('counts a reply while waiting on the customer as on time', () => {
    const paused = pauseClock(fourHours('2026-03-09T10:00:00+01:00'), t('2026-03-09T11:00:00+01:00'));
    expect(meetClock(paused, t('2026-03-10T15:00:00+01:00')).breachedAt).toBeNull();
  });

  it('ignores a breach job that fires before the deadline', () => {
    const clock = fourHours('2026-03-09T10:00:00+01:00');
    expect(breachClock(clock, t('2026-03-09T13:59:00+01:00'))).toBe(clock);
  });

  it('records a breach when the job fires at the deadline', () => {
    const breached = breachClock(fourHours('2026-03-09T10:00:00+01:00'), t('2026-03-09T14:00:00+01:00'));
    expect(breached.breachedAt).toEqual(t('2026-03-09T14:00:00+01:00'));
    expect(breached.version).toBe(2);
  });

  it('ignores a breach job while the clock is paused', () => {
    const paused = pauseClock(fourHours('2026-03-09T10:00:00+01:00'), t('2026-03-09T11:00:00+01:00'));
    expect(breachClock(paused, t('2026-03-09T14:00:00+01:00'))).toBe(paused);
  });

  it('records the breach instead of pausing an overdue clock', () => {
    const clock = pauseClock(fourHours('2026-03-09T10:00:00+01:00'), t('2026-03-09T14:30:00+01:00'));
    expect(clock.pausedAt).toBeNull();
    expect(clock.breachedAt).toEqual(t('2026-03-09T14:00:00+01:00'));
  });

  it('never changes a met clock again', () => {
    const met = meetClock(fourHours('2026-03-09T10:00:00+01:00'), t('2026-03-09T11:00:00+01:00'));
    expect(pauseClock(met, t('2026-03-09T12:00:00+01:00'))).toBe(met);
    expect(breachClock(met, t('2026-03-09T15:00:00+01:00'))).toBe(met);
    expect(meetClock(met, t('2026-03-09T12:00:00+01:00'))).toBe(met);
    expect(recomputeClock(met, { calendar: office, calendarKey: 'office', duration: elapsed(HOUR) })).toBe(met);
  });

  it('recomputes the deadline from the start plus finished pauses after a priority change', () => {
    const start = fourHours('2026-03-09T10:00:00+01:00');
    const afterPause = resumeClock(pauseClock(start, t('2026-03-09T10:15:00+01:00')), office, t('2026-03-09T10:45:00+01:00'));
    const recomputed = recomputeClock(afterPause, { calendar: office, calendarKey: 'office', duration: elapsed(HOUR) });
    expect(recomputed.deadline).toEqual(t('2026-03-09T11:30:00+01:00'));
    expect(recomputed.version).toBe(4);
  });

  it('moves the clock to the calendar of a priority override', () => {
    // Friday 18:30, upgraded to P1 (30m on the 24/7 fault calendar)
    const clock = fourHours('2026-03-13T18:30:00+01:00');
    expect(clock.deadline).toEqual(t('2026-03-16T12:00:00+01:00'));
    const recomputed = recomputeClock(clock, { calendar: allWeek, calendarKey: 'fault-7d', duration: elapsed(30 * MINUTE) });
    expect(recomputed.calendarKey).toBe('fault-7d');
    expect(recomputed.deadline).toEqual(t('2026-03-13T19:00:00+01:00'));
  });

  it('keeps the version when a recompute changes nothing', () => {
    const clock: SlaClock = fourHours('2026-03-09T10:00:00+01:00');
    expect(recomputeClock(clock, { calendar: office, calendarKey: 'office', duration: elapsed(4 * HOUR) })).toBe(clock);
  });
});

describe('timersOfRunningClock', () => {
  const running = {
    ticketId: 7,
    target: 'response' as const,
    version: 3,
    warnAt: t('2026-03-09T14:00:00+01:00'),
    warnedAt: null,
    deadline: t('2026-03-09T16:00:00+01:00'),
  };

  it('asks for the warning and the breach of a clock not warned yet', () => {
    expect(timersOfRunningClock(running, 20)).toEqual([
      { ticketId: 7, target: 'response', version: 3, queuePriority: 20, stage: 'warn', at: t('2026-03-09T14:00:00+01:00') },
      { ticketId: 7, target: 'response', version: 3, queuePriority: 20, stage: 'breach', at: t('2026-03-09T16:00:00+01:00') },
    ]);
  });

  it('asks for the breach only once the warning went out', () => {
    expect(timersOfRunningClock({ ...running, warnedAt: t('2026-03-09T14:00:01+01:00') }, 20)).toEqual([
      { ticketId: 7, target: 'response', version: 3, queuePriority: 20, stage: 'breach', at: t('2026-03-09T16:00:00+01:00') },
    ]);
  });
});

describe('settleElapsedClocks (a backlog ticket)', () => {
  const clock = (target: 'response' | 'resolution', warnAt: string, deadline: string) => ({
    ticketId: 5, target, calendarKey: 'office', targetText: '1h', startedAt: new Date('2026-11-20T08:00:00Z'),
    warnAt: new Date(warnAt), deadline: new Date(deadline), version: 1,
  });
  const now = new Date('2026-11-30T10:00:00Z');

  it('records a deadline that passed before the ticket opened as breached then, with its fact, and a passed warning as given', () => {
    const { clocks, breaches } = settleElapsedClocks([clock('response', '2026-11-20T08:45:00Z', '2026-11-20T09:00:00Z')], now);
    expect(clocks[0]).toMatchObject({ warnedAt: new Date('2026-11-20T08:45:00Z'), breachedAt: new Date('2026-11-20T09:00:00Z') });
    expect(breaches).toEqual([{ ticketId: 5, at: new Date('2026-11-20T09:00:00Z'), fact: { type: 'sla_breach', target: 'response', deadline: '2026-11-20T09:00:00.000Z' } }]);
  });

  it('leaves a clock still running, marking only a warning instant that has passed', () => {
    const { clocks, breaches } = settleElapsedClocks(
      [clock('resolution', '2026-11-30T09:00:00Z', '2026-12-01T16:00:00Z'), clock('response', '2026-11-30T11:00:00Z', '2026-11-30T12:00:00Z')],
      now,
    );
    expect(clocks[0]).toMatchObject({ warnedAt: new Date('2026-11-30T09:00:00Z') });
    expect(clocks[0]).not.toHaveProperty('breachedAt');
    expect(clocks[1]).not.toHaveProperty('warnedAt');
    expect(breaches).toEqual([]);
  });

  it('counts a deadline exactly at the opening instant as passed', () => {
    expect(settleElapsedClocks([clock('response', '2026-11-30T09:45:00Z', '2026-11-30T10:00:00Z')], now).breaches).toHaveLength(1);
  });
});
