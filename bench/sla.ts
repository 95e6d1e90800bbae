// `npm run bench:sla`: how fast deadlines are computed, what 100,000 live SLA timers cost in
// Redis, and how late BullMQ fires them. Timers are scheduled through the real scheduleTimers
// (same job ids, data and options as the bot), under a throw-away queue prefix that is deleted
// at the end. Targets: >= 200k deadlines/s, >= 1000x the minute-stepping reference, p99
// lateness <= 1 s.
import { randomBytes } from 'node:crypto';
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { createQueues, SLA_TIMERS_QUEUE, slaTimerJobId, type SlaTimerJobData } from '../src/adapters/queue/queues.ts';
import { loadEnv } from '../src/config/env.ts';
import type { SlaTargetName } from '../src/contracts/contracts.types.ts';
import type { TimerRequest } from '../src/sla/sla.models.ts';
import { runDeadlineComputeBench } from './sla-compute.ts';
import { percentile } from './bench-support.ts';

const LIVE_TIMERS = 100_000;
const FIRING_SAMPLE = 2_000;
const FIRING_SPREAD_MS = 20_000;
/** the first firing timer is due this long after scheduling starts, so scheduling never lags it */
const FIRING_LEAD_MS = 3_000;

const env = loadEnv();
const prefix = `benchsla${randomBytes(4).toString('hex')}`;


async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  const match = /^used_memory:(\d+)/m.exec(info);
  if (!match) throw new Error('INFO memory has no used_memory');
  return Number(match[1]);
}

async function prefixKeys(redis: Redis): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

/** Sum of MEMORY USAGE over this prefix's keys: unaffected by other clients of the same Redis. */
async function prefixMemory(redis: Redis): Promise<{ keys: number; bytes: number }> {
  const keys = await prefixKeys(redis);
  let bytes = 0;
  for (let i = 0; i < keys.length; i += 1000) {
    const pipeline = redis.pipeline();
    for (const key of keys.slice(i, i + 1000)) pipeline.memory('USAGE', key, 'SAMPLES', '0');
    for (const [err, value] of (await pipeline.exec()) ?? []) {
      if (err) throw err;
      bytes += Number(value ?? 0);
    }
  }
  return { keys: keys.length, bytes };
}

async function deletePrefix(redis: Redis): Promise<number> {
  const keys = await prefixKeys(redis);
  let deleted = 0;
  for (let i = 0; i < keys.length; i += 1000) deleted += await redis.del(...keys.slice(i, i + 1000));
  return deleted;
}

/** 25,000 tickets x {response, resolution} x {warn, breach}, due between 1 h and 9 h from now. */
function liveTimers(now: number): TimerRequest[] {
  const targets: SlaTargetName[] = ['response', 'resolution'];
  const timers: TimerRequest[] = [];
  for (let ticketId = 1; timers.length < LIVE_TIMERS; ticketId++) {
    for (const target of targets) {
      const deadline = now + 3_600_000 + ((ticketId * 7_919 + (target === 'resolution' ? 4 * 3_600_000 : 0)) % (8 * 3_600_000));
      const base = { ticketId, target, version: 1 + (ticketId % 3), queuePriority: 1 + (ticketId % 9) };
      timers.push({ ...base, stage: 'warn', at: new Date(deadline - 1_800_000) });
      timers.push({ ...base, stage: 'breach', at: new Date(deadline) });
    }
  }
  return timers.slice(0, LIVE_TIMERS);
}

/** Breach timers of other tickets, evenly spread over the firing window. */
function firingTimers(start: number): TimerRequest[] {
  return Array.from({ length: FIRING_SAMPLE }, (_, i) => ({
    ticketId: 1_000_000 + i,
    target: 'response' as const,
    stage: 'breach' as const,
    version: 1,
    queuePriority: 1 + (i % 9),
    at: new Date(start + Math.floor((i * FIRING_SPREAD_MS) / FIRING_SAMPLE)),
  }));
}

async function main() {
  // (a) deadline arithmetic
  const compute = await runDeadlineComputeBench({ seconds: 2 });
  console.log('deadline computation');
  console.log(`  computeDeadline (mixed targets, 4 calendars): ${Math.round(compute.fastPerSecond).toLocaleString('en')} /s   (target >= 200,000 /s)`);
  console.log(`  minute-stepping reference (elapsed targets):  ${compute.referencePerSecond.toFixed(1)} /s`);
  console.log(`  ratio: ${Math.round(compute.ratio).toLocaleString('en')}x   (target >= 1,000x); mismatches: ${compute.mismatches} of ${compute.referenceSamples} compared`);

  const redis = new Redis(env.redisUrl);
  const queues = createQueues({ redisUrl: env.redisUrl, prefix });
  let worker: Worker<SlaTimerJobData> | null = null;
  try {
    // (b) memory of 100,000 live timers
    await queues.slaTimers.waitUntilReady();
    const memoryBefore = await usedMemory(redis);
    const scheduleStart = performance.now();
    await queues.scheduleTimers(liveTimers(Date.now()), new Date());
    const scheduleMs = performance.now() - scheduleStart;
    const memoryAfter = await usedMemory(redis);
    const delayedCount = await queues.slaTimers.getDelayedCount();
    const byKeys = await prefixMemory(redis);
    const bytesPerTimer = (memoryAfter - memoryBefore) / LIVE_TIMERS;
    const bytesPerTimerByKeys = byKeys.bytes / LIVE_TIMERS;
    console.log(`live timers in BullMQ (prefix ${prefix})`);
    console.log(`  scheduled ${LIVE_TIMERS.toLocaleString('en')} timers in ${(scheduleMs / 1000).toFixed(1)} s (${Math.round((LIVE_TIMERS / scheduleMs) * 1000).toLocaleString('en')} /s); delayed set holds ${delayedCount.toLocaleString('en')}`);
    console.log(`  INFO used_memory: +${((memoryAfter - memoryBefore) / 1_048_576).toFixed(1)} MiB = ${Math.round(bytesPerTimer)} bytes per timer`);
    console.log(`  MEMORY USAGE over ${byKeys.keys.toLocaleString('en')} prefix keys: ${(byKeys.bytes / 1_048_576).toFixed(1)} MiB = ${Math.round(bytesPerTimerByKeys)} bytes per timer`);

    // (c) lateness of firing, with the 100,000 live timers still waiting in the same queue
    const dueAt = new Map<string, number>();
    const lateness: number[] = [];
    const latenessVsQueued: number[] = [];
    let resolveAll!: () => void;
    const allFired = new Promise<void>((resolve) => (resolveAll = resolve));
    worker = new Worker<SlaTimerJobData>(
      SLA_TIMERS_QUEUE,
      async (job: Job<SlaTimerJobData>) => {
        const now = Date.now();
        const intended = dueAt.get(job.id!);
        if (intended === undefined) throw new Error(`unexpected job ${job.id}`);
        lateness.push(now - intended);
        latenessVsQueued.push(now - job.timestamp - (job.opts.delay ?? 0));
        if (lateness.length === FIRING_SAMPLE) resolveAll();
      },
      // as workers/sla-timers.ts
      { connection: queues.connection, prefix, concurrency: 8 },
    );
    worker.on('error', (err) => console.error(`worker error: ${err.message}`));
    await worker.waitUntilReady();
    const firing = firingTimers(Date.now() + FIRING_LEAD_MS);
    for (const t of firing) dueAt.set(slaTimerJobId(t), t.at.getTime());
    await queues.scheduleTimers(firing, new Date());
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), FIRING_LEAD_MS + FIRING_SPREAD_MS + 15_000).unref());
    const finished = await Promise.race([allFired.then(() => 'done' as const), timeout]);
    await worker.close();
    worker = null;

    const sorted = [...lateness].sort((a, b) => a - b);
    const sortedVsQueued = [...latenessVsQueued].sort((a, b) => a - b);
    const p50 = percentile(sorted, 0.5);
    const p99 = percentile(sorted, 0.99);
    const max = sorted[sorted.length - 1] ?? Number.NaN;
    console.log(`firing lateness (${lateness.length.toLocaleString('en')} of ${FIRING_SAMPLE.toLocaleString('en')} timers over ${FIRING_SPREAD_MS / 1000} s${finished === 'timeout' ? ', TIMED OUT' : ''})`);
    console.log(`  after the intended instant:  p50 ${p50} ms, p99 ${p99} ms, max ${max} ms   (target p99 <= 1000 ms)`);
    console.log(`  after BullMQ's due time:     p50 ${percentile(sortedVsQueued, 0.5)} ms, p99 ${percentile(sortedVsQueued, 0.99)} ms`);

    const result = {
      deadlinesPerSecond: Math.round(compute.fastPerSecond),
      referencePerSecond: Number(compute.referencePerSecond.toFixed(1)),
      ratio: Math.round(compute.ratio),
      mismatches: compute.mismatches,
      liveTimers: LIVE_TIMERS,
      scheduledPerSecond: Math.round((LIVE_TIMERS / scheduleMs) * 1000),
      bytesPerTimer: Math.round(bytesPerTimer),
      bytesPerTimerByKeys: Math.round(bytesPerTimerByKeys),
      firingSamples: lateness.length,
      latenessP50Ms: p50,
      latenessP99Ms: p99,
      latenessMaxMs: max,
      targetsMet: {
        deadlinesPerSecond: compute.fastPerSecond >= 200_000,
        ratio: compute.ratio >= 1_000,
        latenessP99: lateness.length === FIRING_SAMPLE && p99 <= 1_000,
      },
    };
    console.log(JSON.stringify(result));
  } finally {
    await worker?.close();
    await queues.slaTimers.obliterate({ force: true }).catch((err: Error) => console.error(`obliterate failed: ${err.message}`));
    await queues.close();
    // whatever obliterate left (the outbound-mail queue's meta, events streams)
    await deletePrefix(redis);
    redis.disconnect();
  }
}

await main();
