import { describe, expect, it } from 'vitest';
import { delayedUntil } from '../../workers/sla-timers.ts';

describe('delayedUntil', () => {
  it('is the time left on our clock, counted from BullMQ’s now', () => {
    // Our clock says 10:00:00.000 and the warning is due 10:00:15.000; BullMQ's Date.now() is 1_000_000.
    expect(delayedUntil(new Date('2026-03-09T10:00:15.000Z'), new Date('2026-03-09T10:00:00.000Z'), 1_000_000)).toBe(1_015_000);
  });

  it('is at least a millisecond ahead, so an early job never spins', () => {
    expect(delayedUntil(new Date('2026-03-09T10:00:00.000Z'), new Date('2026-03-09T10:00:00.000Z'), 1_000_000)).toBe(1_000_001);
  });
});
