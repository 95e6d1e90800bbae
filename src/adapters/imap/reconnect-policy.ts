// When to try again and when to give up, for loops that must survive a flaky server but must
// not run forever while doing nothing (a process that looks alive and ingests nothing is worse
// than one that exits and is restarted by its supervisor). Pure: the caller supplies the times.

export interface ReconnectPolicy {
  /** first delay; doubled after each further consecutive failure. @defaultValue 1000 */
  initialDelayMs: number;
  /** @defaultValue 30000 */
  maxDelayMs: number;
  /** consecutive failures (no success in between) within `windowMs` that mean "cannot recover". @defaultValue 10 */
  maxFailures: number;
  /** @defaultValue 15 minutes */
  windowMs: number;
}

export const DEFAULT_RECONNECT_POLICY: ReconnectPolicy = { initialDelayMs: 1000, maxDelayMs: 30_000, maxFailures: 10, windowMs: 15 * 60_000 };

export type ReconnectDecision = { giveUp: false; delayMs: number; failures: number } | { giveUp: true; failures: number };

/**
 * Decides after a failure at `now`, given the instants (ms) of the earlier failures since the
 * last success. Returns the failures to keep (the window's) with the decision.
 */
export function afterFailure(policy: ReconnectPolicy, earlierFailures: readonly number[], now: number): { decision: ReconnectDecision; failures: number[] } {
  const failures = [...earlierFailures.filter((at) => now - at < policy.windowMs), now];
  if (failures.length >= policy.maxFailures) return { decision: { giveUp: true, failures: failures.length }, failures };
  const delayMs = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (failures.length - 1));
  return { decision: { giveUp: false, delayMs, failures: failures.length }, failures };
}
