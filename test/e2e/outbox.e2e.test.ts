// `helpdesk outbox`, `outbox retry` and `ticket N` as an operator runs them, against a bot whose
// SMTP server refuses an acknowledgement for good.
import type { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpSender, type MailSender } from '../../src/adapters/smtp/smtp-sender.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { createOutboundMailWorker } from '../../workers/outbound-mail.ts';
import { startTestBot, type TestBot } from '../support/bot-harness.ts';
import { runCli } from '../support/bot-process.ts';
import { readMailbox, sendMail, waitFor } from '../support/mail.ts';

let t: TestBot;
let worker: Worker | null = null;
let sender: MailSender | null = null;

beforeAll(async () => {
  t = await startTestBot({ roles: ['ingest'] });
});
afterAll(async () => {
  await worker?.close();
  sender?.close();
  await t?.stop();
});

const cli = (...args: string[]) => runCli({ DATABASE_URL: t.env.databaseUrl, HELPDESK_QUEUE_PREFIX: t.bot.queues.prefix }, args);

function startMailer(with_: MailSender): void {
  sender = with_;
  worker = createOutboundMailWorker({ connection: t.bot.queues.connection, prefix: t.bot.queues.prefix, db: t.bot.db.db, sender: with_, clock: systemClock, logger: silentLogger, concurrency: 2 });
}

describe('helpdesk outbox', () => {
  it('lists the failed ack with its error, shows it on the ticket, and sends it after `outbox retry ID`', async () => {
    startMailer({
      async send() {
        throw Object.assign(new Error('Can\'t send mail - all recipients were rejected: 501 5.1.3 Invalid TO'), { responseCode: 501 });
      },
      close: () => undefined,
    });
    const eva = t.at('eva', 'acme.se');
    await sendMail(t.env, { from: eva, to: t.service, subject: 'Nätverket ligger nere', text: 'Hej' });
    const failedAck = await waitFor('the ack failed', async () => {
      const r = cli('outbox', '--failed', '--json');
      const list = JSON.parse(r.stdout) as { id: string; kind: string; ticket: number; state: string; lastError: string; to: string[] }[];
      return list.find((e) => e.kind === 'ack') ?? null;
    }, 30_000, 500);
    expect(failedAck).toMatchObject({ state: 'failed', to: [eva], lastError: expect.stringContaining('501 5.1.3 Invalid TO') });

    const table = cli('outbox', '--failed');
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`${failedAck.id}\\s+ack\\s+${eva.replace(/[.+]/g, '\\$&')}\\s+#${failedAck.ticket}\\s+failed\\s+1\\s`));
    expect(table.stdout).toContain('501 5.1.3 Invalid TO');

    const ticket = cli('ticket', String(failedAck.ticket));
    expect(ticket.stdout).toMatch(/ack\s+FAILED after 1 try {2}-> /);
    expect(ticket.stdout).toContain('error: Can\'t send mail - all recipients were rejected: 501 5.1.3 Invalid TO');
    const ticketJson = JSON.parse(cli('ticket', String(failedAck.ticket), '--json').stdout) as { outgoing: { id: string; state: string; lastError: string | null }[] };
    expect(ticketJson.outgoing).toContainEqual(expect.objectContaining({ id: failedAck.id, state: 'failed', lastError: expect.stringContaining('501') }));

    await worker!.close();
    startMailer(createSmtpSender(t.env.smtp));
    const retry = cli('outbox', 'retry', failedAck.id);
    expect(retry.stderr).toBe('');
    expect(retry.stdout.trim()).toBe(`queued again: ${failedAck.id}`);
    await waitFor('the ack in the mailbox', async () => (await readMailbox(t.env, eva)).length === 1);
    const after = JSON.parse(cli('ticket', String(failedAck.ticket), '--json').stdout) as { outgoing: { id: string; state: string; lastError: string | null }[] };
    expect(after.outgoing.find((o) => o.id === failedAck.id)).toMatchObject({ state: 'sent', lastError: null });

    const again = cli('outbox', 'retry', failedAck.id);
    expect(again.status).toBe(1);
    expect(again.stderr.trim()).toMatch(new RegExp(`^error: outgoing mail ${failedAck.id} was sent at .*; not sending it again$`));
  });

  it('refuses a retry without an id or --all-failed, and an unknown id, with one line', () => {
    const none = cli('outbox', 'retry');
    expect(none.status).toBe(2); // a usage error
    expect(none.stderr.trim()).toBe('error: outbox retry: give either an ID or --all-failed');
    const unknown = cli('outbox', 'retry', '00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr.trim()).toBe('error: outgoing mail 00000000-0000-4000-8000-000000000000 not found');
  });

  it('sends every failed mail again with --all-failed (the technicians\' notices the refusing server failed too)', async () => {
    const failed = JSON.parse(cli('outbox', '--failed', '--json').stdout) as { id: string; kind: string }[];
    expect(failed.length).toBeGreaterThan(0);
    const all = cli('outbox', 'retry', '--all-failed');
    expect(all.stdout.trim().split('\n').sort()).toEqual(failed.map((f) => `queued again: ${f.id}`).sort());
    await waitFor('every retried mail sent', async () => (JSON.parse(cli('outbox', '--json').stdout) as unknown[]).length === 0, 30_000, 500);
    expect(cli('outbox').stdout.trim()).toBe('no outgoing mail waiting or failed');
    expect(cli('outbox', 'retry', '--all-failed').stdout.trim()).toBe('nothing to retry');
  });
});
