// The `sla-timers` queue: a warning or breach job fires; the SLA service decides in Postgres
// whether it still applies (version check) and queues the escalation mails.
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { SLA_TIMERS_QUEUE, type Queues, type SlaTimerJobData } from '../src/adapters/queue/queues.ts';
import type { Clock } from '../src/shared/clock.ts';
import type { Logger } from '../src/shared/logger.ts';
import type { SlaService } from '../src/sla/sla.usecases.ts';

const JobData = z.object({
  ticketId: z.number().int().positive(),
  target: z.enum(['response', 'intervention', 'resolution']),
  stage: z.enum(['warn', 'breach']),
  version: z.number().int().positive(),
});

export function createSlaTimersWorker(deps: { connection: Redis; prefix: string; sla: SlaService; queues: Queues; clock: Clock; logger: Logger }) {
  const worker = new Worker<SlaTimerJobData>(
    SLA_TIMERS_QUEUE,
    async (job: Job<SlaTimerJobData>) => {
      const timer = JobData.parse(job.data);
      const result = await deps.sla.fire(timer, deps.clock.now());
      await deps.queues.enqueueOutbound(result.outboundIds);
      // Fired a little before its instant (clock skew between Redis and us): retry shortly.
      if (result.outcome === 'early') throw new Error('timer fired before its instant');
      if (result.outcome === 'warned' || result.outcome === 'breached') deps.logger.info({ ...timer, outcome: result.outcome }, 'sla timer fired');
      return result.outcome;
    },
    { connection: deps.connection, prefix: deps.prefix, concurrency: 8 },
  );
  worker.on('error', (err) => deps.logger.error({ err: err.message }, 'sla-timers worker error'));
  return worker;
}
