import { describe, expect, it } from 'vitest';
import { afterFailure, type ReconnectPolicy } from '../../src/adapters/imap/reconnect-policy.ts';

const policy: ReconnectPolicy = { initialDelayMs: 1000, maxDelayMs: 8000, maxFailures: 5, windowMs: 60_000 };

describe('afterFailure', () => {
  it('waits 1 s after a first failure, then doubles up to the ceiling', () => {
    let failures: number[] = [];
    const delays: number[] = [];
    for (const at of [0, 1000, 3000, 7000]) {
      const step = afterFailure(policy, failures, at);
      failures = step.failures;
      if (!step.decision.giveUp) delays.push(step.decision.delayMs);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000]);
    const capped = afterFailure({ ...policy, maxFailures: 10 }, [0, 1, 2, 3, 4], 5);
    expect(capped.decision).toEqual({ giveUp: false, delayMs: 8000, failures: 6 });
  });

  it('gives up at the fifth consecutive failure within the window', () => {
    const step = afterFailure(policy, [0, 1000, 3000, 7000], 15_000);
    expect(step.decision).toEqual({ giveUp: true, failures: 5 });
  });

  it('forgets failures older than the window, so rare failures never add up to giving up', () => {
    const step = afterFailure(policy, [0, 1000, 3000, 7000], 65_000);
    expect(step.failures).toEqual([7000, 65_000]);
    expect(step.decision).toEqual({ giveUp: false, delayMs: 2000, failures: 2 });
  });
});
