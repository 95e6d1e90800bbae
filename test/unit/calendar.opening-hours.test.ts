import { describe, expect, it } from 'vitest';
import { compileWeeklyHours, parseDayKey, parseTimeRange } from '../../src/calendar/opening-hours.models.ts';

describe('parseDayKey', () => {
  it('turns a day or a forward day range into ISO weekdays', () => {
    expect(parseDayKey('mon')).toEqual([1]);
    expect(parseDayKey('Mon - Wed')).toEqual([1, 2, 3]);
    expect(parseDayKey('sat-sun')).toEqual([6, 7]);
  });

  it('says what is wrong with a key that is no day or runs backwards', () => {
    expect(parseDayKey('xyz')).toBe('"xyz" is not a day or day range (use mon, tue, wed, thu, fri, sat, sun or a range such as mon-fri)');
    expect(parseDayKey('fri-mon')).toBe('"fri-mon" runs backwards (a range goes from mon towards sun; list the days separately)');
  });
});

describe('parseTimeRange', () => {
  it('reads minutes after midnight, with 24:00 as an end', () => {
    expect(parseTimeRange('08:00-17:00')).toEqual({ startMinute: 480, endMinute: 1020 });
    expect(parseTimeRange(' 18:30 - 24:00 ')).toEqual({ startMinute: 1110, endMinute: 1440 });
  });

  it('refuses empty, backwards and out-of-day ranges', () => {
    expect(parseTimeRange('08:00-08:00')).toBe('"08:00-08:00" is empty');
    expect(parseTimeRange('17:00-08:00')).toMatch(/ends before it starts/);
    expect(parseTimeRange('08:00-24:30')).toBe('"08:00-24:30" has a time outside 00:00-24:00');
    expect(parseTimeRange('8-12')).toBe('"8-12" is not a time range (write e.g. "08:00-17:00")');
  });
});

describe('compileWeeklyHours', () => {
  it('sorts ranges per weekday and merges ranges that touch', () => {
    const { weekly, problems } = compileWeeklyHours([
      { days: 'mon-tue', keyPath: ['mon-tue'], ranges: ['13:00-17:00', '08:00-13:00'], paths: [['mon-tue', 0], ['mon-tue', 1]] },
      { days: 'sat', keyPath: ['sat'], ranges: ['10:00-12:00'], paths: [['sat']] },
    ]);
    expect(problems).toEqual([]);
    expect(weekly).toEqual({
      1: [{ startMinute: 480, endMinute: 1020 }],
      2: [{ startMinute: 480, endMinute: 1020 }],
      6: [{ startMinute: 600, endMinute: 720 }],
    });
  });

  it('reports an overlap once, at the path of the later range, and keeps the ranges that were fine', () => {
    const { weekly, problems } = compileWeeklyHours([
      { days: 'mon-fri', keyPath: ['mon-fri'], ranges: ['08:00-12:00'], paths: [['mon-fri']] },
      { days: 'mon-tue', keyPath: ['mon-tue'], ranges: ['11:00-13:00', 'x'], paths: [['mon-tue', 0], ['mon-tue', 1]] },
    ]);
    expect(problems).toEqual([
      { message: '"11:00-13:00" overlaps "08:00-12:00" of mon-fri on mon', path: ['mon-tue', 0] },
      { message: '"x" is not a time range (write e.g. "08:00-17:00")', path: ['mon-tue', 1] },
    ]);
    expect(weekly[1]).toEqual([{ startMinute: 480, endMinute: 720 }]);
  });
});
