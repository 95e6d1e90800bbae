import { describe, expect, it } from 'vitest';
import { formatOrdinal, isoWeekdayOfOrdinal, parseLocalDate } from '../../src/calendar/local-date.models.ts';

describe('local dates as ordinals', () => {
  it('counts days from 1970-01-01 and formats them back', () => {
    expect(parseLocalDate('1970-01-01')).toBe(0);
    expect(parseLocalDate('1969-12-31')).toBe(-1);
    expect(formatOrdinal(parseLocalDate('2026-03-04') ?? Number.NaN)).toBe('2026-03-04');
  });

  it('refuses text that is no real date', () => {
    expect(parseLocalDate('2026-02-30')).toBeNull();
    expect(parseLocalDate('2026-2-3')).toBeNull();
  });

  it('knows the ISO weekday, also before 1970', () => {
    expect(isoWeekdayOfOrdinal(0)).toBe(4); // Thursday
    expect(isoWeekdayOfOrdinal(parseLocalDate('2026-03-08') ?? Number.NaN)).toBe(7); // Sunday
    expect(isoWeekdayOfOrdinal(-1)).toBe(3);
  });
});
