import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createBusinessCalendar } from '../../src/calendar/calendar.models.ts';
import type { BusinessCalendar, CalendarDefinition, OpeningRange } from '../../src/calendar/calendar.types.ts';

const HOUR = 3_600_000;
const RUNS = { numRuns: 200 };

const r = (startHour: number, endHour: number): OpeningRange => ({ startMinute: startHour * 60, endMinute: endHour * 60 });
const weekdays = (...ranges: OpeningRange[]): CalendarDefinition['weekly'] => ({ 1: ranges, 2: ranges, 3: ranges, 4: ranges, 5: ranges });
const everyDay = (...ranges: OpeningRange[]): CalendarDefinition['weekly'] => ({ ...weekdays(...ranges), 6: ranges, 7: ranges });

const calendars: BusinessCalendar[] = [
  createBusinessCalendar({ name: 'office-se', timezone: 'Europe/Stockholm', holidays: { region: 'SE', closeTypes: ['public', 'bank'] }, closedDates: ['2026-12-23'], weekly: weekdays(r(8, 17)) }),
  createBusinessCalendar({ name: 'lunch-no', timezone: 'Europe/Oslo', holidays: { region: 'NO', closeTypes: ['public'] }, closedDates: [], weekly: weekdays(r(8, 12), r(13, 16)) }),
  createBusinessCalendar({ name: '24-7', timezone: 'Europe/Stockholm', holidays: null, closedDates: [], weekly: everyDay(r(0, 24)) }),
  createBusinessCalendar({ name: 'mixvoip-lu', timezone: 'Europe/Luxembourg', holidays: { region: 'LU', closeTypes: ['public'] }, closedDates: [], weekly: everyDay(r(7, 19)) }),
  // a night shift that the DST changes cut and stretch
  createBusinessCalendar({ name: 'night', timezone: 'Europe/Amsterdam', holidays: { region: 'NL', closeTypes: ['public'] }, closedDates: [], weekly: { 6: [r(1, 4)], 7: [r(0, 6), r(22, 24)] } }),
];

const calendarArb = fc.constantFrom(...calendars);
// any millisecond of 2026–2027, so DST changes and holidays of both years are covered
const instantArb = fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2028-01-01T00:00:00Z') });
const amountArb = fc.integer({ min: 0, max: 5 * 24 * HOUR });

/** open, or the closing instant of an open interval (the millisecond before it is open) */
function isOpenOrClosingInstant(calendar: BusinessCalendar, ms: number): boolean {
  return calendar.isOpen(ms) || (calendar.isOpen(ms - 1) && !calendar.isOpen(ms));
}

describe('business-time arithmetic properties', () => {
  it('adding A then B equals adding A + B', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, amountArb, amountArb, (calendar, from, a, b) => {
        const stepwise = calendar.addBusinessTime(calendar.addBusinessTime(from, a), b).getTime();
        expect(stepwise).toBe(calendar.addBusinessTime(from, a + b).getTime());
      }),
      RUNS,
    );
  });

  it('never puts a deadline in closed time', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, fc.integer({ min: 1, max: 5 * 24 * HOUR }), (calendar, from, amount) => {
        expect(isOpenOrClosingInstant(calendar, calendar.addBusinessTime(from, amount).getTime())).toBe(true);
      }),
      RUNS,
    );
  });

  it('measures back exactly the business time that was added', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, amountArb, (calendar, from, amount) => {
        expect(calendar.businessTimeBetween(from, calendar.addBusinessTime(from, amount))).toBe(amount);
      }),
      RUNS,
    );
  });

  it('gives the earliest instant with that much open time behind it', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, fc.integer({ min: 1, max: 5 * 24 * HOUR }), (calendar, from, amount) => {
        const deadline = calendar.addBusinessTime(from, amount).getTime();
        expect(calendar.businessTimeBetween(from, deadline - 1)).toBe(amount - 1);
      }),
      RUNS,
    );
  });

  it('never moves a deadline backwards', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, amountArb, (calendar, from, amount) => {
        expect(calendar.addBusinessTime(from, amount).getTime()).toBeGreaterThanOrEqual(from);
      }),
      RUNS,
    );
  });

  it('gives a later start a later or equal business-day deadline, in open time or at a close', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, fc.integer({ min: 0, max: 3 * 24 * HOUR }), fc.integer({ min: 1, max: 5 }), (calendar, from, gap, days) => {
        const early = calendar.addBusinessDays(from, days).getTime();
        const late = calendar.addBusinessDays(from + gap, days).getTime();
        expect(late).toBeGreaterThanOrEqual(early);
        expect(isOpenOrClosingInstant(calendar, early)).toBe(true);
      }),
      RUNS,
    );
  });

  it('puts the end of a business day at a close after the start', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, fc.integer({ min: 0, max: 2 }), (calendar, from, daysAfter) => {
        const end = calendar.endOfBusinessDay(from, daysAfter).getTime();
        expect(end).toBeGreaterThan(from);
        expect(calendar.isOpen(end - 1)).toBe(true);
      }),
      RUNS,
    );
  });
});
