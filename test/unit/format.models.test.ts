import { describe, expect, it } from 'vitest';
import { formatDeadline, formatRemaining } from '../../src/mail/format.models.ts';

describe('formatDeadline', () => {
  const deadline = new Date('2026-03-04T09:00:00Z');

  it('writes the deadline in the zone and language given, naming the zone', () => {
    expect(formatDeadline(deadline, 'Europe/Stockholm', 'en')).toBe('Wednesday, 4 March 2026 at 10:00 (Europe/Stockholm)');
    expect(formatDeadline(deadline, 'Europe/Stockholm', 'sv')).toBe('onsdag 4 mars 2026 kl. 10:00 (Europe/Stockholm)');
    expect(formatDeadline(deadline, 'Europe/Oslo', 'nb')).toBe('onsdag 4. mars 2026 kl. 10:00 (Europe/Oslo)');
    expect(formatDeadline(deadline, 'Europe/Amsterdam', 'nl')).toBe('woensdag 4 maart 2026 om 10:00 (Europe/Amsterdam)');
  });

  it('follows summer time', () => {
    expect(formatDeadline(new Date('2026-07-01T06:30:00Z'), 'Europe/Oslo', 'nb')).toBe('onsdag 1. juli 2026 kl. 08:30 (Europe/Oslo)');
  });

  it('uses the reader’s zone, not the calendar’s', () => {
    expect(formatDeadline(deadline, 'America/New_York', 'en')).toBe('Wednesday, 4 March 2026 at 04:00 (America/New_York)');
  });
});

describe('formatRemaining', () => {
  it('abbreviates hours per language', () => {
    expect(formatRemaining(75 * 60_000, 'en')).toBe('1 h 15 min');
    expect(formatRemaining(75 * 60_000, 'sv')).toBe('1 tim 15 min');
    expect(formatRemaining(75 * 60_000, 'nb')).toBe('1 t 15 min');
    expect(formatRemaining(75 * 60_000, 'nl')).toBe('1 u 15 min');
  });

  it('leaves out a zero part and keeps long spans in hours', () => {
    expect(formatRemaining(2 * 3_600_000, 'en')).toBe('2 h');
    expect(formatRemaining(45 * 60_000, 'nb')).toBe('45 min');
    expect(formatRemaining(27 * 3_600_000 + 10 * 60_000, 'en')).toBe('27 h 10 min');
  });

  it('rounds down to whole minutes and ignores the sign', () => {
    expect(formatRemaining(59_999, 'en')).toBe('0 min');
    expect(formatRemaining(-(90 * 60_000 + 30_000), 'sv')).toBe('1 tim 30 min');
  });
});
