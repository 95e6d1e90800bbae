// Failed outgoing mail is visible and recoverable: an acknowledgement the SMTP server refuses for
// good (501) is listed as failed with its error, by `outbox --failed` and on its ticket; its job
// is gone from Redis, and a retry puts it back and the mailer sends it.
import type { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueues } from '../../src/adapters/queue/queues.ts';
import { createSmtpSender, type MailSender } from '../../src/adapters/smtp/smtp-sender.ts';
import { createOutboxRepository } from '../../src/mail/outbox.repository.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { createOutboxQueries } from '../../src/tickets/outbox.queries.ts';
import { createOutboundMailWorker } from '../../workers/outbound-mail.ts';
import { startTestBot, type TestBot } from '../support/bot-harness.ts';
import { readMailbox, sendMail, waitFor } from '../support/mail.ts';

let t: TestBot;
const workers: Worker[] = [];
const senders: MailSender[] = [];

beforeAll(async () => {
  // Intake only: the mailers of this test are started by hand, first one the server refuses.
  t = await startTestBot({ roles: ['ingest'] });
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  senders.forEach((s) => s.close());
  await t?.stop();
});

function startMailer(sender: MailSender): void {
  senders.push(sender);
  workers.push(createOutboundMailWorker({ connection: t.bot.queues.connection, prefix: t.bot.queues.prefix, db: t.bot.db.db, sender, clock: systemClock, logger: silentLogger, concurrency: 2 }));
}

/** An SMTP server that refuses every recipient for good, as a real one refuses a bad address. */
const refusingSender: MailSender = {
  async send() {
    throw Object.assign(new Error('Can\'t send mail - all recipients were rejected: 501 5.1.3 Invalid TO'), { responseCode: 501, code: 'EENVELOPE' });
  },
  close: () => undefined,
};

describe('outbox', () => {
  it('lists a refused acknowledgement as failed with its error, and sends it after a retry', async () => {
    const outbox = createOutboxQueries({ db: t.bot.db.db });
    startMailer(refusingSender);
    const eva = t.at('eva', 'acme.se');
    await sendMail(t.env, { from: eva, to: t.service, subject: 'Kassan är nere', text: 'Hej' });
    const [failed] = await waitFor('the ack failed', async () => {
      const list = await outbox.list({ failed: true });
      return list.some((e) => e.kind === 'ack') ? list.filter((e) => e.kind === 'ack') : null;
    });
    expect(failed).toMatchObject({ kind: 'ack', to: [eva], state: 'failed', attempts: 1, lastError: expect.stringContaining('501 5.1.3 Invalid TO'), sentAt: null });
    expect(failed!.ticket).toEqual(expect.any(Number));
    // the ticket shows it failed, not sent
    expect(await outbox.ofTicket(failed!.ticket!)).toEqual(expect.arrayContaining([expect.objectContaining({ id: failed!.id, state: 'failed' })]));
    // BullMQ dropped the job that gave up, so its id cannot block the retry
    await waitFor('the failed job removed', async () => (await t.bot.queues.outbound.getJob(`mail.${failed!.id}`)) === undefined);

    await Promise.all(workers.splice(0).map((w) => w.close()));
    startMailer(createSmtpSender(t.env.smtp));
    const requeued = await createOutboxRepository({ db: t.bot.db.db }).requeue([failed!.id]);
    expect(requeued).toEqual([failed!.id]);
    await t.bot.queues.enqueueOutbound(requeued);
    await waitFor('the ack sent', async () => (await outbox.get(failed!.id))?.state === 'sent');
    const [sent] = await readMailbox(t.env, eva);
    expect(sent?.subject).toContain('Kassan är nere');
    expect(await outbox.get(failed!.id)).toMatchObject({ state: 'sent', attempts: 2 });
    expect((await outbox.list({ failed: true })).filter((e) => e.kind === 'ack')).toEqual([]);
  });

  it('sends a row whose job ran out of attempts (SMTP away) after a retry, though its job id was used before', async () => {
    await Promise.all(workers.splice(0).map((w) => w.close()));
    const outbox = createOutboxQueries({ db: t.bot.db.db });
    const to = t.at('later', 'acme.se');
    const [row] = await t.bot.db.sql<{ id: string }[]>`
      insert into outbound_mails (idempotency_key, kind, from_address, "to", subject, text, message_id, automatic)
      values (${`out-of-attempts-${t.suffix}`}, 'ack', ${t.service}, array[${to}]::text[], 'Out of attempts', 'x', ${`<ooa-${t.suffix}@example.test>`}, true)
      returning id`;
    // Two quick attempts instead of ten over 17 minutes, on the bot's own queue.
    const shortQueues = createQueues({ redisUrl: t.env.redisUrl, prefix: t.bot.queues.prefix, outboundAttempts: 2, outboundBackoffMs: 50 });
    try {
      startMailer({
        async send() {
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:25'), { code: 'ECONNREFUSED' });
        },
        close: () => undefined,
      });
      await shortQueues.enqueueOutbound([row!.id]);
      await waitFor('both attempts used and the job gone', async () => {
        const entry = await outbox.get(row!.id);
        return entry?.attempts === 2 && entry.state === 'queued' && (await t.bot.queues.outbound.getJob(`mail.${row!.id}`)) === undefined;
      });
    } finally {
      await shortQueues.close();
    }
    expect((await outbox.list()).find((e) => e.id === row!.id)).toMatchObject({ state: 'queued', attempts: 2, lastError: 'connect ECONNREFUSED 127.0.0.1:25' });

    await Promise.all(workers.splice(0).map((w) => w.close()));
    startMailer(createSmtpSender(t.env.smtp));
    await t.bot.queues.enqueueOutbound(await createOutboxRepository({ db: t.bot.db.db }).requeue([row!.id]));
    await waitFor('the row sent', async () => (await outbox.get(row!.id))?.state === 'sent');
    expect((await readMailbox(t.env, to)).map((m) => m.subject)).toEqual(['Out of attempts']);
  });

  it('requeues only rows that did not go out: a sent row stays sent', async () => {
    const [row] = await t.bot.db.sql<{ id: string }[]>`
      insert into outbound_mails (idempotency_key, kind, from_address, "to", subject, text, message_id, automatic, state)
      values (${`was-sent-${t.suffix}`}, 'ack', ${t.service}, array['x@example.test']::text[], 's', 'x', ${`<was-sent-${t.suffix}@example.test>`}, true, 'sent')
      returning id`;
    expect(await createOutboxRepository({ db: t.bot.db.db }).requeue([row!.id])).toEqual([]);
    expect((await createOutboxQueries({ db: t.bot.db.db }).get(row!.id))?.state).toBe('sent');
  });
});
