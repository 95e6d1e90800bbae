import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instantOfLocalTime, localTimeOf, startOfLocalDate } from '../../src/billing/periods-local-time.models.ts';
import {
  addMonthsClamped,
  localDatePlusMonths,
  periodAt,
  periodByIndex,
  proRataAllowanceMinutes,
  type PeriodScheme,
} from '../../src/billing/periods.models.ts';
import { formatOrdinal, parseLocalDate } from '../../src/calendar/local-date.models.ts';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function scheme(overrides: Partial<PeriodScheme>): PeriodScheme {
  return { per: 'month', anchor: 'calendar', timeZone: 'Europe/Stockholm', contractStart: '2026-01-01', contractEnd: null, ...overrides };
}

function bounds(s: PeriodScheme, instant: string) {
  const period = periodAt(s, at(instant));
  return period && { index: period.index, startDate: period.startDate, endDate: period.endDate, start: iso(period.startMs), end: iso(period.endMs) };
}

describe('local times in a zone with daylight saving', () => {
  it('reads a time that does not exist (clocks jump forward) as the same time after the gap', () => {
    // Stockholm, 2026-03-29: 02:00 CET becomes 03:00 CEST; 02:30 → 03:30 CEST
    expect(iso(instantOfLocalTime({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, 'Europe/Stockholm'))).toBe('2026-03-29T01:30:00.000Z');
    expect(iso(instantOfLocalTime({ year: 2026, month: 3, day: 29, hour: 2, minute: 0 }, 'Europe/Amsterdam'))).toBe('2026-03-29T01:00:00.000Z');
  });

  it('reads a time that occurs twice (clocks set back) as its earlier occurrence, still on summer time', () => {
    expect(iso(instantOfLocalTime({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, 'Europe/Stockholm'))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(instantOfLocalTime({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, 'Europe/Amsterdam'))).toBe('2026-10-25T00:30:00.000Z');
  });

  it('starts a day whose midnight is skipped at its first instant (Chile moves 24:00 to 01:00)', () => {
    expect(iso(startOfLocalDate(parseLocalDate('2026-09-05')!, 'America/Santiago'))).toBe('2026-09-05T04:00:00.000Z');
    expect(iso(startOfLocalDate(parseLocalDate('2026-09-06')!, 'America/Santiago'))).toBe('2026-09-06T04:00:00.000Z');
  });

  it('gives the local date and time of an instant', () => {
    expect(localTimeOf(at('2026-10-25T01:30:00Z'), 'Europe/Stockholm')).toMatchObject({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 });
    expect(localTimeOf(at('2026-12-31T23:30:00Z'), 'Europe/Oslo')).toMatchObject({ year: 2027, month: 1, day: 1, hour: 0, minute: 30 });
  });

  it('refuses a zone that is not an IANA zone', () => {
    expect(() => instantOfLocalTime({ year: 2026, month: 1, day: 1, hour: 0, minute: 0 }, 'Europe/Nowhere')).toThrow(/not an IANA time zone/);
  });
});

describe('calendar-anchored periods', () => {
  it('cuts months at local midnight, across the spring DST change', () => {
    const s = scheme({});
    expect(bounds(s, '2026-03-31T21:59:59.999Z')).toEqual({
      index: 2,
      startDate: '2026-03-01',
      endDate: '2026-04-01',
      start: '2026-02-28T23:00:00.000Z',
      end: '2026-03-31T22:00:00.000Z',
    });
    expect(bounds(s, '2026-03-31T22:00:00Z')?.startDate).toBe('2026-04-01');
  });

  it('cuts months at local midnight in Amsterdam across the autumn DST change', () => {
    expect(bounds(scheme({ timeZone: 'Europe/Amsterdam' }), '2026-10-25T01:30:00Z')).toEqual({
      index: 9,
      startDate: '2026-10-01',
      endDate: '2026-11-01',
      start: '2026-09-30T22:00:00.000Z',
      end: '2026-10-31T23:00:00.000Z',
    });
  });

  it('cuts quarters at Jan, Apr, Jul and Oct, and years at Jan 1', () => {
    const quarters = scheme({ per: 'quarter' });
    expect(bounds(quarters, '2026-06-30T21:59:00Z')?.startDate).toBe('2026-04-01');
    expect(bounds(quarters, '2026-06-30T22:00:00Z')).toMatchObject({ index: 2, startDate: '2026-07-01', endDate: '2026-10-01' });
    const years = scheme({ per: 'year' });
    expect(bounds(years, '2026-12-31T22:59:59.999Z')).toMatchObject({ index: 0, startDate: '2026-01-01', endDate: '2027-01-01' });
    expect(bounds(years, '2026-12-31T23:00:00Z')).toMatchObject({ index: 1, startDate: '2027-01-01', end: '2027-12-31T23:00:00.000Z' });
  });

  it('gives a contract starting inside a quarter a short first period, with its allowance pro rata by days, rounded up', () => {
    const s = scheme({ per: 'quarter', contractStart: '2026-02-15', contractEnd: '2027-02-15' });
    const first = periodByIndex(s, 0)!;
    expect(first).toMatchObject({ index: 0, startDate: '2026-02-15', endDate: '2026-04-01', days: 45, fullDays: 90 });
    expect(proRataAllowanceMinutes(900, first)).toBe(450);
    expect(proRataAllowanceMinutes(361, first)).toBe(181); // 180.5 → 181
    const second = periodByIndex(s, 1)!;
    expect(second).toMatchObject({ startDate: '2026-04-01', endDate: '2026-07-01', days: 91, fullDays: 91 });
    expect(proRataAllowanceMinutes(900, second)).toBe(900);
    // the contract's end cuts the last quarter the same way
    const last = periodByIndex(s, 4)!;
    expect(last).toMatchObject({ startDate: '2027-01-01', endDate: '2027-02-15', days: 45, fullDays: 90 });
    expect(periodByIndex(s, 5)).toBeNull();
  });

  it('holds no instant before the contract starts or from its end on', () => {
    const s = scheme({ contractStart: '2026-02-15', contractEnd: '2026-03-10' });
    expect(bounds(s, '2026-02-14T22:59:59Z')).toBeNull();
    expect(bounds(s, '2026-02-14T23:00:00Z')).toMatchObject({ index: 0, startDate: '2026-02-15', endDate: '2026-03-01' });
    expect(bounds(s, '2026-03-09T23:00:00Z')).toBeNull();
  });
});

describe('contract-anchored periods', () => {
  it('runs monthly from the start day: 15th to 15th', () => {
    const s = scheme({ anchor: 'contract', contractStart: '2026-02-15' });
    expect(bounds(s, '2026-03-14T22:59:59Z')).toMatchObject({ index: 0, startDate: '2026-02-15', endDate: '2026-03-15', end: '2026-03-14T23:00:00.000Z' });
    expect(bounds(s, '2026-03-14T23:00:00Z')).toMatchObject({ index: 1, startDate: '2026-03-15', endDate: '2026-04-15' });
    expect(periodByIndex(s, 0)).toMatchObject({ days: 28, fullDays: 28 });
  });

  it('clamps a month-end start to each month’s last day, counting from the start (never step by step)', () => {
    const s = scheme({ anchor: 'contract', contractStart: '2026-01-31' });
    expect([0, 1, 2, 3].map((index) => periodByIndex(s, index)!.startDate)).toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30']);
    expect(periodByIndex(scheme({ anchor: 'contract', contractStart: '2028-01-31' }), 1)!.startDate).toBe('2028-02-29');
    expect(bounds(s, '2026-03-30T12:00:00Z')).toMatchObject({ index: 1, startDate: '2026-02-28', endDate: '2026-03-31' });
  });

  it('runs quarters and years from the start date, Feb 29 falling back to Feb 28', () => {
    expect(bounds(scheme({ per: 'quarter', anchor: 'contract', contractStart: '2026-02-15' }), '2026-11-20T10:00:00Z')).toMatchObject({
      index: 3,
      startDate: '2026-11-15',
      endDate: '2027-02-15',
    });
    expect(periodByIndex(scheme({ per: 'year', anchor: 'contract', contractStart: '2028-02-29' }), 1)).toMatchObject({
      startDate: '2029-02-28',
      endDate: '2030-02-28',
    });
  });
});

describe('term periods', () => {
  it('is one period from the contract’s start to its end', () => {
    const s = scheme({ per: 'term', contractStart: '2025-09-01', contractEnd: '2026-09-01', timeZone: 'Europe/Oslo' });
    expect(bounds(s, '2026-03-01T12:00:00Z')).toEqual({
      index: 0,
      startDate: '2025-09-01',
      endDate: '2026-09-01',
      start: '2025-08-31T22:00:00.000Z',
      end: '2026-08-31T22:00:00.000Z',
    });
    expect(bounds(s, '2026-08-31T22:00:00Z')).toBeNull();
    expect(periodByIndex(s, 1)).toBeNull();
  });

  it('is open-ended without an end, with the full allowance', () => {
    const period = periodByIndex(scheme({ per: 'term' }), 0)!;
    expect(period).toMatchObject({ endDate: null, endMs: null, days: null });
    expect(proRataAllowanceMinutes(600, period)).toBe(600);
  });
});

describe('dates', () => {
  it('adds months with the day clamped', () => {
    const add = (date: string, months: number) => formatOrdinal(addMonthsClamped(parseLocalDate(date)!, months));
    expect(add('2026-01-31', 1)).toBe('2026-02-28');
    expect(add('2026-08-31', -6)).toBe('2026-02-28');
    expect(add('2025-09-01', 12)).toBe('2026-09-01');
  });

  it('gives a prepaid lot bought on a day its expiry a year later at local midnight', () => {
    expect(iso(localDatePlusMonths('2026-01-10', 12, 'Europe/Oslo'))).toBe('2027-01-09T23:00:00.000Z');
  });

  it('refuses an end that is not after the start, and a date that does not exist', () => {
    expect(() => periodByIndex(scheme({ contractEnd: '2026-01-01' }), 0)).toThrow(/not after its start/);
    expect(() => periodByIndex(scheme({ contractStart: '2026-02-30' }), 0)).toThrow(/is not a date/);
  });
});

describe('periods: properties', () => {
  const zones = ['Europe/Stockholm', 'Europe/Amsterdam', 'Europe/Oslo', 'America/Santiago'];
  const arbScheme = fc.record({
    per: fc.constantFrom('month' as const, 'quarter' as const, 'year' as const),
    anchor: fc.constantFrom('calendar' as const, 'contract' as const),
    timeZone: fc.constantFrom(...zones),
    startOrdinal: fc.integer({ min: parseLocalDate('2024-01-01')!, max: parseLocalDate('2027-12-31')! }),
  });

  it('puts every instant of the contract in exactly the period whose bounds hold it', () => {
    fc.assert(
      fc.property(arbScheme, fc.integer({ min: 0, max: 4 * 365 * 86_400_000 }), ({ startOrdinal, ...rest }, offset) => {
        const s: PeriodScheme = { ...rest, contractStart: formatOrdinal(startOrdinal), contractEnd: null };
        const t = startOfLocalDate(startOrdinal, s.timeZone) + offset;
        const period = periodAt(s, t)!;
        expect(period.startMs).toBeLessThanOrEqual(t);
        expect(period.endMs!).toBeGreaterThan(t);
        expect(period.days!).toBeLessThanOrEqual(period.fullDays!);
      }),
      { numRuns: 300 },
    );
  });

  it('has consecutive periods that touch, without gaps or overlaps', () => {
    fc.assert(
      fc.property(arbScheme, fc.integer({ min: 0, max: 30 }), ({ startOrdinal, ...rest }, index) => {
        const s: PeriodScheme = { ...rest, contractStart: formatOrdinal(startOrdinal), contractEnd: null };
        const period = periodByIndex(s, index)!;
        const next = periodByIndex(s, index + 1)!;
        expect(next.startMs).toBe(period.endMs);
        expect(next.startDate).toBe(period.endDate);
      }),
      { numRuns: 300 },
    );
  });
});
