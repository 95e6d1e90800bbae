// The queue adapter on real Redis: background mail (technicians' notices and digests) waits
// behind mail queued without it (acknowledgements), even when it was queued first.
import { Worker } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { createQueues, OUTBOUND_MAIL_QUEUE, type OutboundJobData } from '../../src/adapters/queue/queues.ts';
import { waitFor } from '../support/mail.ts';
import { testEnv, uniqueSuffix } from '../support/services.ts';

const env = testEnv();
const queues = createQueues({ redisUrl: env.redisUrl, prefix: `tq${uniqueSuffix()}` });
let worker: Worker<OutboundJobData> | null = null;

afterAll(async () => {
  await worker?.close();
  await queues.outbound.obliterate({ force: true });
  await queues.close();
});

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('outbound queue', () => {
  it('serves acknowledgements before background mail that was queued earlier', async () => {
    await queues.enqueueOutbound([id(1), id(2), id(3)], { background: true });
    await queues.enqueueOutbound([id(4), id(5)]);
    const served: string[] = [];
    worker = new Worker<OutboundJobData>(OUTBOUND_MAIL_QUEUE, async (job) => void served.push(job.data.outboundId), {
      connection: queues.connection,
      prefix: queues.prefix,
      concurrency: 1,
    });
    await waitFor('every job served', async () => served.length === 5, 15_000, 50);
    expect(served.slice(0, 2).sort()).toEqual([id(4), id(5)]);
    expect(served.slice(2).sort()).toEqual([id(1), id(2), id(3)]);
  });
});
