// An injectable clock so the pure core never calls Date.now() and workers can be run at a
// chosen instant.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
