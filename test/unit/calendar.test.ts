import { describe, it, expect } from 'vitest';
import { createBusinessCalendar } from '../../src/calendar/calendar.models.ts';
import type { CalendarDefinition, HolidayType, OpeningRange } from '../../src/calendar/calendar.types.ts';
import { isHelpdeskError } from '../../src/shared/errors.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;

function range(from: string, to: string): OpeningRange {
  const minutes = (text: string) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5));
  return { startMinute: minutes(from), endMinute: minutes(to) };
}

function weekdays(...ranges: OpeningRange[]): CalendarDefinition['weekly'] {
  return { 1: ranges, 2: ranges, 3: ranges, 4: ranges, 5: ranges };
}

function everyDay(...ranges: OpeningRange[]): CalendarDefinition['weekly'] {
  return { 1: ranges, 2: ranges, 3: ranges, 4: ranges, 5: ranges, 6: ranges, 7: ranges };
}

function calendar(overrides: Partial<CalendarDefinition>) {
  return createBusinessCalendar({
    name: 'test',
    timezone: 'Europe/Stockholm',
    holidays: null,
    closedDates: [],
    weekly: weekdays(range('08:00', '17:00')),
    ...overrides,
  });
}

const officeSe = (closeTypes: HolidayType[] = ['public']) =>
  calendar({ holidays: { region: 'SE', closeTypes } });
const officeNo = calendar({
  timezone: 'Europe/Oslo',
  holidays: { region: 'NO', closeTypes: ['public'] },
  weekly: weekdays(range('08:00', '16:00')),
});
const mixvoipLu = calendar({
  timezone: 'Europe/Luxembourg',
  holidays: { region: 'LU', closeTypes: ['public'] },
  weekly: everyDay(range('07:00', '19:00')),
});
const allWeek = calendar({ weekly: everyDay(range('00:00', '24:00')) });
const lunchBreak = calendar({ weekly: weekdays(range('08:00', '12:00'), range('13:00', '17:00')) });

const t = (iso: string) => new Date(iso);

function expectErrorCode(run: () => unknown, code: string): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(isHelpdeskError(caught) ? caught.code : caught).toBe(code);
}

describe('isOpen and nextOpening', () => {
  const office = officeSe();

  it('treats opening time as open and closing time as closed', () => {
    expect(office.isOpen(t('2026-03-09T08:00:00+01:00'))).toBe(true);
    expect(office.isOpen(t('2026-03-09T16:59:59.999+01:00'))).toBe(true);
    expect(office.isOpen(t('2026-03-09T17:00:00+01:00'))).toBe(false);
    expect(office.isOpen(t('2026-03-09T07:59:59.999+01:00'))).toBe(false);
  });

  it('returns the instant itself as the next opening when the calendar is open', () => {
    expect(office.nextOpening(t('2026-03-09T10:17:00+01:00'))).toEqual(t('2026-03-09T10:17:00+01:00'));
  });

  it('moves from a Friday evening to Monday morning', () => {
    expect(office.nextOpening(t('2026-03-13T17:00:00+01:00'))).toEqual(t('2026-03-16T08:00:00+01:00'));
  });

  it('accepts epoch milliseconds as well as dates', () => {
    expect(office.isOpen(Date.parse('2026-03-09T10:00:00+01:00'))).toBe(true);
  });

  it('closes for the lunch break and reopens after it', () => {
    expect(lunchBreak.isOpen(t('2026-03-09T12:00:00+01:00'))).toBe(false);
    expect(lunchBreak.isOpen(t('2026-03-09T12:30:00+01:00'))).toBe(false);
    expect(lunchBreak.nextOpening(t('2026-03-09T12:30:00+01:00'))).toEqual(t('2026-03-09T13:00:00+01:00'));
  });
});

describe('addBusinessTime', () => {
  const office = officeSe();

  it('carries an after-hours Friday ticket over the weekend', () => {
    expect(office.addBusinessTime(t('2026-03-13T18:00:00+01:00'), HOUR)).toEqual(t('2026-03-16T09:00:00+01:00'));
  });

  it('splits a target between Friday afternoon and Monday morning', () => {
    expect(office.addBusinessTime(t('2026-03-13T16:30:00+01:00'), HOUR)).toEqual(t('2026-03-16T08:30:00+01:00'));
  });

  it('keeps a deadline that lands exactly at closing time at closing time', () => {
    expect(office.addBusinessTime(t('2026-03-09T16:00:00+01:00'), HOUR)).toEqual(t('2026-03-09T17:00:00+01:00'));
  });

  it('ends at Monday’s close when a weekend ticket needs exactly one day of open time', () => {
    expect(office.addBusinessTime(t('2026-03-14T10:00:00+01:00'), 9 * HOUR)).toEqual(t('2026-03-16T17:00:00+01:00'));
  });

  it('starts counting at the next morning for a mail that arrives exactly at closing time', () => {
    expect(office.addBusinessTime(t('2026-03-09T17:00:00+01:00'), HOUR)).toEqual(t('2026-03-10T09:00:00+01:00'));
  });

  it('returns the start itself when adding nothing, even outside opening hours', () => {
    expect(office.addBusinessTime(t('2026-03-14T03:00:00+01:00'), 0)).toEqual(t('2026-03-14T03:00:00+01:00'));
  });

  it('refuses a negative amount', () => {
    expectErrorCode(() => office.addBusinessTime(t('2026-03-09T10:00:00+01:00'), -1), 'usage.invalid');
  });

  it('adds several whole days of open time', () => {
    // 45 h = five 9-hour days: Monday 10:00 → Monday 10:00 a week later
    expect(office.addBusinessTime(t('2026-03-09T10:00:00+01:00'), 45 * HOUR)).toEqual(t('2026-03-16T10:00:00+01:00'));
  });

  it('skips Swedish Good Friday and Easter Monday', () => {
    // 30 min on Thursday 2 April, then 7.5 h on Tuesday 7 April
    expect(office.addBusinessTime(t('2026-04-02T16:30:00+02:00'), 8 * HOUR)).toEqual(t('2026-04-07T15:30:00+02:00'));
  });

  it('keeps Swedish Maundy Thursday open, since it is no public holiday there', () => {
    expect(office.isOpen(t('2026-04-02T10:00:00+02:00'))).toBe(true);
    expect(office.openIntervalsOfDay('2026-04-03')).toEqual([]);
    expect(office.openIntervalsOfDay('2026-04-06')).toEqual([]);
  });

  it('skips Norwegian Maundy Thursday, Good Friday and Easter Monday', () => {
    expect(officeNo.isOpen(t('2026-04-02T10:00:00+02:00'))).toBe(false);
    // 1 h on Wednesday 1 April (closes 16:00), then 1 h on Tuesday 7 April
    expect(officeNo.addBusinessTime(t('2026-04-01T15:00:00+02:00'), 2 * HOUR)).toEqual(t('2026-04-07T09:00:00+02:00'));
  });

  it('skips Ascension Day', () => {
    expect(office.addBusinessTime(t('2026-05-13T16:00:00+02:00'), 2 * HOUR)).toEqual(t('2026-05-15T09:00:00+02:00'));
  });

  it('skips Luxembourg National Day in a seven-day calendar', () => {
    // Mixvoip Business: Mon–Sun 07–19; 23 June 2026 is a Tuesday
    expect(mixvoipLu.isOpen(t('2026-06-23T10:00:00+02:00'))).toBe(false);
    expect(mixvoipLu.addBusinessTime(t('2026-06-22T18:00:00+02:00'), 3 * HOUR)).toEqual(t('2026-06-24T09:00:00+02:00'));
  });

  it('opens a seven-day calendar at weekends', () => {
    expect(mixvoipLu.addBusinessTime(t('2026-03-13T18:30:00+01:00'), HOUR)).toEqual(t('2026-03-14T07:30:00+01:00'));
  });

  it('stops at the start of the lunch break when the morning is used up exactly', () => {
    expect(lunchBreak.addBusinessTime(t('2026-03-09T11:00:00+01:00'), HOUR)).toEqual(t('2026-03-09T12:00:00+01:00'));
  });

  it('continues after the lunch break', () => {
    expect(lunchBreak.addBusinessTime(t('2026-03-09T11:30:00+01:00'), HOUR)).toEqual(t('2026-03-09T13:30:00+01:00'));
  });

  it('closes extra closed dates', () => {
    const withClosedDay = calendar({ closedDates: ['2026-03-10'] });
    expect(withClosedDay.addBusinessTime(t('2026-03-09T16:00:00+01:00'), 2 * HOUR)).toEqual(t('2026-03-11T09:00:00+01:00'));
  });

  it('uses state holidays of a country region such as Bavaria', () => {
    // Corpus Christi (Thursday 4 June 2026) is a public holiday in Bayern
    const bavaria = calendar({ timezone: 'Europe/Berlin', holidays: { region: 'DE-BY', closeTypes: ['public'] } });
    expect(bavaria.openIntervalsOfDay('2026-06-04')).toEqual([]);
    expect(bavaria.isOpen(t('2026-06-05T10:00:00+02:00'))).toBe(true);
  });
});

describe('holiday types', () => {
  // date-holidays 3.x types Swedish Midsummer Eve and Christmas Eve as `bank`, not `public`
  it('keeps Midsummer Eve open when only public holidays close', () => {
    expect(officeSe(['public']).isOpen(t('2026-06-19T10:00:00+02:00'))).toBe(true);
  });

  it('closes Midsummer Eve when bank holidays close too', () => {
    expect(officeSe(['public', 'bank']).isOpen(t('2026-06-19T10:00:00+02:00'))).toBe(false);
  });

  it('moves a Thursday-afternoon deadline past Midsummer only when bank holidays close', () => {
    const from = t('2026-06-18T16:00:00+02:00');
    expect(officeSe(['public']).addBusinessTime(from, 2 * HOUR)).toEqual(t('2026-06-19T09:00:00+02:00'));
    expect(officeSe(['public', 'bank']).addBusinessTime(from, 2 * HOUR)).toEqual(t('2026-06-22T09:00:00+02:00'));
  });

  it('closes Christmas Eve only when bank holidays close', () => {
    expect(officeSe(['public']).isOpen(t('2026-12-24T10:00:00+01:00'))).toBe(true);
    expect(officeSe(['public', 'bank']).isOpen(t('2026-12-24T10:00:00+01:00'))).toBe(false);
  });

  it('closes the whole date for a holiday that date-holidays starts at 14:00', () => {
    // Norwegian New Year's Eve is a `bank` holiday from 14:00 in date-holidays
    const oslo = calendar({ timezone: 'Europe/Oslo', holidays: { region: 'NO', closeTypes: ['public', 'bank'] } });
    expect(oslo.isOpen(t('2026-12-31T09:00:00+01:00'))).toBe(false);
  });
});

describe('daylight saving time', () => {
  it('adds 24 real hours across spring-forward in a 24/7 calendar', () => {
    expect(allWeek.addBusinessTime(t('2026-03-28T12:00:00+01:00'), 24 * HOUR)).toEqual(t('2026-03-29T13:00:00+02:00'));
  });

  it('adds 24 real hours across fall-back in a 24/7 calendar', () => {
    expect(allWeek.addBusinessTime(t('2026-10-24T12:00:00+02:00'), 24 * HOUR)).toEqual(t('2026-10-25T11:00:00+01:00'));
  });

  it('gives the spring-forward day 23 open hours and the fall-back day 25', () => {
    expect(allWeek.openIntervalsOfDay('2026-03-29')).toEqual([
      [Date.parse('2026-03-29T00:00:00+01:00'), Date.parse('2026-03-30T00:00:00+02:00')],
    ]);
    expect(allWeek.businessTimeBetween(t('2026-03-29T00:00:00+01:00'), t('2026-03-30T00:00:00+02:00'))).toBe(23 * HOUR);
    expect(allWeek.businessTimeBetween(t('2026-10-25T00:00:00+02:00'), t('2026-10-26T00:00:00+01:00'))).toBe(25 * HOUR);
  });

  it('maps opening hours that span the change to their real length', () => {
    const nightShift = calendar({ weekly: { 7: [range('00:00', '06:00')] } });
    expect(nightShift.openIntervalsOfDay('2026-03-29')).toEqual([
      [Date.parse('2026-03-29T00:00:00+01:00'), Date.parse('2026-03-29T06:00:00+02:00')],
    ]);
    expect(nightShift.businessTimeBetween(t('2026-10-25T00:00:00+02:00'), t('2026-10-25T06:00:00+01:00'))).toBe(7 * HOUR);
  });

  it('keeps office hours at their local times over the spring-forward weekend', () => {
    expect(officeSe().addBusinessTime(t('2026-03-27T16:00:00+01:00'), 2 * HOUR)).toEqual(t('2026-03-30T09:00:00+02:00'));
  });

  it('keeps office hours at their local times over the fall-back weekend', () => {
    expect(officeSe().addBusinessTime(t('2026-10-23T16:00:00+02:00'), 2 * HOUR)).toEqual(t('2026-10-26T09:00:00+01:00'));
  });
});

describe('businessTimeBetween', () => {
  const office = officeSe();

  it('counts only open time over a weekend', () => {
    expect(office.businessTimeBetween(t('2026-03-13T16:00:00+01:00'), t('2026-03-16T10:00:00+01:00'))).toBe(3 * HOUR);
  });

  it('leaves out the lunch break', () => {
    expect(lunchBreak.businessTimeBetween(t('2026-03-09T11:00:00+01:00'), t('2026-03-09T14:00:00+01:00'))).toBe(2 * HOUR);
  });

  it('is zero when the end is not after the start', () => {
    expect(office.businessTimeBetween(t('2026-03-09T11:00:00+01:00'), t('2026-03-09T10:00:00+01:00'))).toBe(0);
    expect(office.businessTimeBetween(t('2026-03-09T11:00:00+01:00'), t('2026-03-09T11:00:00+01:00'))).toBe(0);
  });

  it('counts a whole working week', () => {
    expect(office.businessTimeBetween(t('2026-03-09T00:00:00+01:00'), t('2026-03-16T00:00:00+01:00'))).toBe(45 * HOUR);
  });
});

describe('endOfBusinessDay', () => {
  const office = officeSe();

  it('is today’s close for an instant inside opening hours', () => {
    expect(office.endOfBusinessDay(t('2026-03-09T10:00:00+01:00'))).toEqual(t('2026-03-09T17:00:00+01:00'));
  });

  it('is the next business day’s close after hours', () => {
    expect(office.endOfBusinessDay(t('2026-03-09T18:00:00+01:00'))).toEqual(t('2026-03-10T17:00:00+01:00'));
  });

  it('is the next business day’s close at closing time itself', () => {
    expect(office.endOfBusinessDay(t('2026-03-09T17:00:00+01:00'))).toEqual(t('2026-03-10T17:00:00+01:00'));
  });

  it('is Monday’s close on a Saturday', () => {
    expect(office.endOfBusinessDay(t('2026-03-14T11:00:00+01:00'))).toEqual(t('2026-03-16T17:00:00+01:00'));
  });

  it('is the same day’s close during a lunch break', () => {
    expect(lunchBreak.endOfBusinessDay(t('2026-03-09T12:30:00+01:00'))).toEqual(t('2026-03-09T17:00:00+01:00'));
  });

  it('counts business days after with daysAfter', () => {
    expect(office.endOfBusinessDay(t('2026-04-02T10:00:00+02:00'), 1)).toEqual(t('2026-04-07T17:00:00+02:00'));
  });

  it('names the business day an instant belongs to', () => {
    expect(office.businessDayOf(t('2026-03-13T19:00:00+01:00'))).toBe('2026-03-16');
    expect(office.businessDayOf(t('2026-03-13T10:00:00+01:00'))).toBe('2026-03-13');
  });
});

describe('addBusinessDays', () => {
  const office = officeSe();

  it('keeps the time of day for an instant inside opening hours', () => {
    expect(office.addBusinessDays(t('2026-03-09T10:15:00+01:00'), 2)).toEqual(t('2026-03-11T10:15:00+01:00'));
  });

  it('ends at Monday’s close for a ticket that arrives on Saturday', () => {
    expect(office.addBusinessDays(t('2026-03-14T11:00:00+01:00'), 1)).toEqual(t('2026-03-16T17:00:00+01:00'));
  });

  it('ends at the same day’s close for one day from opening time', () => {
    expect(office.addBusinessDays(t('2026-03-09T08:00:00+01:00'), 1)).toEqual(t('2026-03-09T17:00:00+01:00'));
  });

  it('counts five business days over a weekend', () => {
    expect(office.addBusinessDays(t('2026-03-11T14:00:00+01:00'), 5)).toEqual(t('2026-03-18T14:00:00+01:00'));
  });

  it('counts five business days over Easter', () => {
    // business days after Thu 2 April: 7, 8, 9, 10 and 13 April
    expect(office.addBusinessDays(t('2026-04-02T10:00:00+02:00'), 5)).toEqual(t('2026-04-13T10:00:00+02:00'));
  });

  it('clamps to the close of a shorter day', () => {
    const shortFriday = calendar({ weekly: { ...weekdays(range('08:00', '17:00')), 5: [range('08:00', '12:00')] } });
    expect(shortFriday.addBusinessDays(t('2026-03-12T15:00:00+01:00'), 1)).toEqual(t('2026-03-13T12:00:00+01:00'));
  });

  it('places an afternoon offset with a lunch break by open time, not by wall clock', () => {
    // 13:00 has 4 h of open time behind it; 4 h into Tuesday is the start of its lunch break
    expect(lunchBreak.addBusinessDays(t('2026-03-09T13:00:00+01:00'), 1)).toEqual(t('2026-03-10T12:00:00+01:00'));
    expect(lunchBreak.addBusinessDays(t('2026-03-09T14:30:00+01:00'), 1)).toEqual(t('2026-03-10T14:30:00+01:00'));
  });

  it('returns the start itself for zero days', () => {
    expect(office.addBusinessDays(t('2026-03-14T11:00:00+01:00'), 0)).toEqual(t('2026-03-14T11:00:00+01:00'));
  });
});

describe('calendars that are wrong or never open', () => {
  it('throws never_open for a calendar without weekly hours', () => {
    const closed = calendar({ weekly: {} });
    expect(closed.isOpen(t('2026-03-09T10:00:00+01:00'))).toBe(false);
    expect(closed.businessTimeBetween(t('2026-03-09T00:00:00+01:00'), t('2026-03-16T00:00:00+01:00'))).toBe(0);
    expectErrorCode(() => closed.nextOpening(t('2026-03-09T10:00:00+01:00')), 'calendar.never_open');
    expectErrorCode(() => closed.addBusinessTime(t('2026-03-09T10:00:00+01:00'), MINUTE), 'calendar.never_open');
  });

  it('throws never_open when every opening day for years is a closed date', () => {
    // every date of 2026–2029 closed: more than the three years the calendar scans
    const closedDates: string[] = [];
    for (let day = 0; day < 4 * 366; day++) closedDates.push(new Date(Date.UTC(2026, 0, 1 + day)).toISOString().slice(0, 10));
    const neverOpen = calendar({ weekly: everyDay(range('08:00', '17:00')), closedDates });
    expectErrorCode(() => neverOpen.addBusinessTime(t('2026-01-01T10:00:00+01:00'), HOUR), 'calendar.never_open');
  });

  it('refuses an unknown time zone', () => {
    expectErrorCode(() => calendar({ timezone: 'Europe/Atlantis' }), 'calendar.invalid');
  });

  it('refuses an unknown holiday region', () => {
    expectErrorCode(() => calendar({ holidays: { region: 'XX', closeTypes: ['public'] } }), 'calendar.invalid');
    expectErrorCode(() => calendar({ holidays: { region: 'DE-ZZ', closeTypes: ['public'] } }), 'calendar.invalid');
  });

  it('refuses overlapping ranges and a closed date that is no date', () => {
    expectErrorCode(() => calendar({ weekly: { 1: [range('08:00', '12:00'), range('11:00', '17:00')] } }), 'calendar.invalid');
    expectErrorCode(() => calendar({ closedDates: ['2026-02-30'] }), 'calendar.invalid');
  });
});
