import { describe, expect, it } from 'vitest';
import { describeValue, elapsed, email, holidayRegion, parseMoneyMinor, term } from '../../src/contracts/contracts.values.ts';
import { insideSpec, weeklyHours } from '../../src/contracts/opening-hours.values.ts';

/** The messages (with their sub-paths) a leaf schema reports for a value. */
function issuesOf(schema: { safeParse(value: unknown): { success: boolean; error?: { issues: { message: string; path: PropertyKey[] }[] } } }, value: unknown) {
  const result = schema.safeParse(value);
  return result.success ? [] : (result.error?.issues ?? []).map((issue) => ({ message: issue.message, path: issue.path }));
}

describe('describeValue', () => {
  it('quotes texts and names collections by kind', () => {
    expect(describeValue('1 hour')).toBe('"1 hour"');
    expect(describeValue(12)).toBe('12');
    expect(describeValue(null)).toBe('null');
    expect(describeValue([1])).toBe('a list');
    expect(describeValue({ a: 1 })).toBe('a mapping');
  });
});

describe('email', () => {
  it('keeps a bare address lower-cased and trimmed', () => {
    expect(email().parse('  Eva@Acme.SE ')).toBe('eva@acme.se');
  });

  it('asks for the bare address instead of a display-name form', () => {
    expect(issuesOf(email(), 'Eva <Eva@Acme.se>')).toEqual([{ message: 'write the bare address (eva@acme.se), not "Eva <Eva@Acme.se>"', path: [] }]);
  });

  it('reports a missing value as required', () => {
    expect(issuesOf(email(), undefined)).toEqual([{ message: 'required', path: [] }]);
  });
});

describe('elapsed', () => {
  it('reads an amount of wall-clock time in ms and refuses business days', () => {
    expect(elapsed({ allowZero: false }).parse('1h30m')).toBe(5_400_000);
    expect(issuesOf(elapsed({ allowZero: false }), '2d')).toEqual([
      { message: '"2d" is a deadline, not an amount of time (use 15m, 1h, 1h30m, 1.5h, 30s)', path: [] },
    ]);
    expect(elapsed({ allowZero: true }).parse('0m')).toBe(0);
  });
});

describe('parseMoneyMinor', () => {
  it('refuses negative amounts, separators and a third decimal', () => {
    expect(parseMoneyMinor('-5')).toEqual({ ok: false, message: '"-5" is negative' });
    expect(parseMoneyMinor('1 350')).toMatchObject({ ok: false });
    expect(parseMoneyMinor('1.005')).toEqual({ ok: false, message: '"1.005" has more than 2 decimals' });
  });
});

describe('term', () => {
  it('reads months, years and a prepaid account', () => {
    expect(term().parse('2 years')).toEqual({ kind: 'months', months: 24 });
    expect(term().parse({ months: 6 })).toEqual({ kind: 'months', months: 6 });
    expect(term().parse({ prepaid: { maxMonths: 12 } })).toEqual({ kind: 'prepaid', maxMonths: 12 });
  });

  it('reports each problem of a prepaid account at its own path', () => {
    expect(issuesOf(term(), { prepaid: { until: 'never' } })).toEqual([
      { message: '"never" is not one of exhausted', path: ['prepaid', 'until'] },
      { message: 'required', path: ['prepaid', 'maxMonths'] },
    ]);
  });
});

describe('holidayRegion', () => {
  it('upper-cases a known code and explains an unknown one', () => {
    expect(holidayRegion().parse('de-by')).toBe('DE-BY');
    expect(issuesOf(holidayRegion(), 'NO-03')).toEqual([{ message: '"NO-03": NO has no region 03', path: [] }]);
  });
});

describe('opening hours as written in the file', () => {
  it('reports a bad range at its index inside the day key', () => {
    expect(issuesOf(weeklyHours(), { 'mon-fri': ['08:00-12:00', 5] })).toEqual([
      { message: 'expected a time range such as "08:00-17:00", got 5', path: ['mon-fri', 1] },
    ]);
  });

  it('reads an out-of-hours spec as a calendar name or as hours', () => {
    expect(insideSpec().parse('office')).toEqual({ kind: 'calendar', name: 'office' });
    expect(insideSpec().parse('sat 09:00-13:00')).toEqual({ kind: 'hours', weekly: { 6: [{ startMinute: 540, endMinute: 780 }] } });
  });
});
