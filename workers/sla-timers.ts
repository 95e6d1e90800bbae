// The `sla-timers` queue: a warning or breach job fires; the escalation use case decides in
// Postgres whether it still applies (version check) and queues the escalation mails.
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from '../src/shared/vendor/zod.ts';
import { SLA_TIMERS_QUEUE, type Queues, type SlaTimerJobData } from '../src/adapters/queue/queues.ts';
import { SLA_TARGETS } from '../src/contracts/contracts.types.ts';
import type { Clock } from '../src/shared/clock.ts';
import { throttledErrorLog, type Logger } from '../src/shared/logger.ts';
import type { SlaEscalation } from '../src/tickets/sla-escalation.usecases.ts';

const JobData = z.object({
  ticketId: z.number().int().positive(),
  target: z.enum(SLA_TARGETS),
  stage: z.enum(['warn', 'breach']),
  version: z.number().int().positive(),
});

/**
 * The BullMQ timestamp (its own clock, Date.now()) at which a job due at `dueAt` on our clock
 * runs: the remaining time on our clock, from BullMQ's now. At least 1 ms, so a job can never
 * come straight back and spin.
 */
export function delayedUntil(dueAt: Date, now: Date, bullmqNow: number): number {
  return bullmqNow + Math.max(1, dueAt.getTime() - now.getTime());
}

export function createSlaTimersWorker(deps: {
  connection: Redis;
  prefix: string;
  sla: SlaEscalation;
  queues: Queues;
  clock: Clock;
  logger: Logger;
  /** metrics: each warning or breach recorded */
  onFired?: (outcome: 'warned' | 'breached') => void;
}) {
  const worker = new Worker<SlaTimerJobData>(
    SLA_TIMERS_QUEUE,
    async (job: Job<SlaTimerJobData>, token?: string) => {
      const timer = JobData.parse(job.data);
      const now = deps.clock.now();
      const result = await deps.sla.fire(timer, now);
      await deps.queues.enqueueOutbound(result.outboundIds);
      if (result.outcome === 'early') {
        // Fired a little before its instant (clock skew between Redis and us): the job moves
        // itself back to the delayed set, due at the clock's instant, without spending an
        // attempt; DelayedError tells the worker not to complete it.
        await job.moveToDelayed(delayedUntil(result.dueAt, now, Date.now()), token);
        deps.logger.info({ ...timer, dueAt: result.dueAt.toISOString() }, 'sla timer fired early; delayed to its instant');
        throw new DelayedError();
      }
      if (result.outcome === 'warned' || result.outcome === 'breached') {
        deps.logger.info({ ...timer, outcome: result.outcome }, 'sla timer fired');
        deps.onFired?.(result.outcome);
      }
      return result.outcome;
    },
    { connection: deps.connection, prefix: deps.prefix, concurrency: 8 },
  );
  worker.on('error', throttledErrorLog(deps.logger, 'sla-timers worker error'));
  return worker;
}
