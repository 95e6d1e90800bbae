// Faults around sending: Postgres going away right after the SMTP server accepted a mail (the
// mail must not go out again), and a mail job that used all its attempts (a later retry of the
// row must still send it). Postgres is this file's own, so stopping it touches no other test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from 'bullmq';
import { createQueues, type Queues } from '../../src/adapters/queue/queues.ts';
import { createSmtpSender, type MailSender } from '../../src/adapters/smtp/smtp-sender.ts';
import { connectDatabase, type DatabaseHandle } from '../../src/db/client.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { createOutboundMailWorker } from '../../workers/outbound-mail.ts';
import { readMailbox, waitFor } from '../support/mail.ts';
import { freePort, startPrivatePostgres, type PrivatePostgres } from '../support/private-services.ts';
import { testEnv, uniqueSuffix } from '../support/services.ts';

const env = testEnv();
const suffix = uniqueSuffix();
let pg: PrivatePostgres;
let db: DatabaseHandle;
let queues: Queues;
const workers: Worker[] = [];
const senders: MailSender[] = [];

beforeAll(async () => {
  pg = await startPrivatePostgres();
  db = connectDatabase(pg.url, { max: 4 });
  queues = createQueues({ redisUrl: env.redisUrl, prefix: `fo${suffix}`, outboundAttempts: 2, outboundBackoffMs: 50 });
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  senders.forEach((s) => s.close());
  await queues?.close();
  await db?.close();
  pg?.destroy();
});

async function storeRow(to: string, label: string): Promise<string> {
  const [row] = await db.sql<{ id: string }[]>`
    insert into outbound_mails (idempotency_key, kind, from_address, "to", subject, text, message_id, automatic, state)
    values (${label}, 'ack', ${'support@fault.example'}, array[${to}]::text[], ${label}, 'x', ${`<${label}-${suffix}@example.test>`}, true, 'queued')
    returning id`;
  return row!.id;
}
const rowOf = async (id: string) => (await db.sql<{ state: string; attempts: number; last_error: string | null }[]>`select state, attempts, last_error from outbound_mails where id = ${id}`)[0]!;

function startWorker(sender: MailSender): void {
  senders.push(sender);
  workers.push(createOutboundMailWorker({ connection: queues.connection, prefix: queues.prefix, db: db.db, sender, clock: systemClock, logger: silentLogger, concurrency: 4 }));
}

describe('sending through faults', () => {
  it('records a sent mail once Postgres is back, and never sends it again', async () => {
    const to = `once-${suffix}@acme.example`;
    const smtp = createSmtpSender(env.smtp);
    let stopped = false;
    // The real SMTP sender; right after the server accepted the mail, Postgres goes away for 2 s.
    startWorker({
      async send(mail) {
        const result = await smtp.send(mail);
        if (!stopped) {
          stopped = true;
          pg.stop('fast');
          setTimeout(() => pg.start(), 2_000);
        }
        return result;
      },
      close: () => smtp.close(),
    });
    const id = await storeRow(to, `sent-once-${suffix}`);
    await queues.enqueueOutbound([id]);
    await waitFor('the row recorded as sent', async () => (await rowOf(id).catch(() => null))?.state === 'sent', 30_000, 200);
    await new Promise((r) => setTimeout(r, 1_000)); // a second send, if any, would land now
    expect(await rowOf(id)).toMatchObject({ state: 'sent', attempts: 1 });
    expect(await readMailbox(env, to)).toHaveLength(1);
  });

  it('hands a job whose mailer died mid-send to another mailer within seconds', async () => {
    await Promise.all(workers.splice(0).map((w) => w.close()));
    const to = `stalled-${suffix}@acme.example`;
    // The first mailer dies in the middle of the send: it never answers, and its worker stops
    // renewing the job's lock without giving the job back (what a killed process leaves).
    let sendStarted!: () => void;
    const started = new Promise<void>((resolve) => (sendStarted = resolve));
    startWorker({ send: () => (sendStarted(), new Promise(() => undefined)), close: () => undefined });
    const id = await storeRow(to, `stalled-${suffix}`);
    await queues.enqueueOutbound([id]);
    await started;
    void workers.splice(0)[0]!.close(true);
    const diedAt = Date.now();
    startWorker(createSmtpSender(env.smtp));
    await waitFor('the row sent by the second mailer', async () => (await rowOf(id)).state === 'sent', 40_000, 200);
    const takenOverMs = Date.now() - diedAt;
    expect(await readMailbox(env, to)).toHaveLength(1);
    console.log(`[fault mailer-killed-mid-send] sent by another mailer ${takenOverMs} ms after the first one died`);
  });

  it('sends a row whose job ran out of attempts when the row is queued again', async () => {
    await Promise.all(workers.splice(0).map((w) => w.close()));
    const to = `later-${suffix}@acme.example`;
    // A real refused connection: nothing listens on this port.
    startWorker(createSmtpSender({ ...env.smtp, port: await freePort() }));
    const id = await storeRow(to, `out-of-attempts-${suffix}`);
    await queues.enqueueOutbound([id]);
    await waitFor('both attempts used', async () => (await rowOf(id)).attempts === 2 && (await queues.outbound.getJobCounts('active', 'delayed', 'waiting')).delayed === 0, 20_000, 100);
    expect(await rowOf(id)).toMatchObject({ state: 'queued' });
    expect((await rowOf(id)).last_error).toMatch(/ECONNREFUSED/);
    expect(await queues.outbound.getJob(`mail.${id}`)).toBeUndefined();

    await Promise.all(workers.splice(0).map((w) => w.close()));
    startWorker(createSmtpSender(env.smtp));
    await queues.enqueueOutbound([id]); // what the reconcile does for every queued row
    await waitFor('the row sent', async () => (await rowOf(id)).state === 'sent', 20_000, 100);
    expect(await readMailbox(env, to)).toHaveLength(1);
  });
});
