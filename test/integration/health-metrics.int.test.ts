// /healthz and /metrics of an in-process bot on the real services: green with everything up,
// red with one line naming the mailbox and the cause when the IMAP password is wrong, and the
// counters after a mail went in and its acknowledgement out.
import { afterAll, describe, expect, it } from 'vitest';
import { createBot, type Bot, type Role } from '../../src/app.ts';
import type { QueueDashboardMode } from '../../src/config/http-env.ts';
import { loadContractsFile } from '../../src/contracts/contracts.file.ts';
import { createContractsRepository } from '../../src/contracts/contracts.repository.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { isolatedExample } from '../support/contracts.ts';
import { sendMail, waitFor, waitForMessages } from '../support/mail.ts';
import { createTestDatabase, testEnv, uniqueSuffix } from '../support/services.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A bot serving /healthz and /metrics on a free loopback port, with its own database, queues and domains. */
async function botWithHttp(options: { imapPassword?: string; staleMs: number; roles?: Role[]; queueDashboard?: QueueDashboardMode }) {
  const suffix = uniqueSuffix();
  const db = await createTestDatabase();
  const config = await loadContractsFile(isolatedExample('trinax.yaml', suffix).file);
  const service = config.provider.addresses[0]!;
  const base = testEnv();
  const env = testEnv({ DATABASE_URL: db.url, IMAP_URL: `imap://${encodeURIComponent(service)}:${options.imapPassword ?? 'test'}@${base.imap.host}:${base.imap.port}/INBOX` });
  const bot: Bot = createBot({
    env,
    config,
    logger: silentLogger,
    roles: options.roles,
    queuePrefix: `hm${suffix}`,
    safetyPollMs: 500,
    http: { host: '127.0.0.1', port: 0, mailboxStaleMs: options.staleMs, queueDashboard: options.queueDashboard ?? 'off' },
    // a wrong password must keep failing, not end the test process
    onFatal: () => undefined,
    intakeReconnectPolicy: { initialDelayMs: 200, maxDelayMs: 500, maxFailures: 1000 },
  });
  await createContractsRepository({ db: bot.db.db }).sync(config);
  await bot.start();
  cleanups.push(async () => {
    await bot.stop();
    await db.drop();
  });
  const get = async (path: string, init?: RequestInit) => {
    const res = await fetch(`${bot.httpUrl()}${path}`, init);
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  };
  return { bot, env, service, suffix, get, at: (local: string, domain: string) => `${local}@${domain.replace(/\.(\w+)$/, `-${suffix}.$1`)}` };
}

describe('health and metrics', () => {
  it('answers /healthz 200 with Postgres, Redis, the polled mailbox and the mailer, and /metrics counts a mail in and its ack out', async () => {
    const t = await botWithHttp({ staleMs: 60_000 });
    const healthy = await waitFor('a first poll', async () => {
      const r = await t.get('/healthz');
      const body = JSON.parse(r.text) as { mailboxes: { state: string }[] };
      return body.mailboxes[0]?.state === 'polling' ? r : null;
    });
    expect(healthy.status).toBe(200);
    const body = JSON.parse(healthy.text);
    expect(body).toMatchObject({ status: 'ok', problems: [], postgres: { ok: true }, redis: { ok: true }, mailer: { ok: true, lastSentAt: null } });
    expect(body.mailboxes).toEqual([expect.objectContaining({ mailbox: t.service, ok: true, state: 'polling', lastError: null })]);
    expect(body.mailboxes[0].lastPollAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    const eva = t.at('eva', 'acme.se');
    await sendMail(t.env, { from: eva, to: t.service, subject: 'Skrivaren är trasig', text: 'Hej' });
    await waitForMessages(t.env, eva, 'Skrivaren', 1);
    const metrics = await waitFor('the ack counted', async () => {
      const r = await t.get('/metrics');
      return /^helpdesk_acks_sent_total 1$/m.test(r.text) ? r : null;
    });
    expect(metrics.status).toBe(200);
    expect(metrics.type).toMatch(/^text\/plain/);
    expect(metrics.text).toContain(`helpdesk_mails_ingested_total{mailbox="${t.service}"} 1`);
    expect(metrics.text).toMatch(/^helpdesk_tickets_opened_total 1$/m);
    expect(metrics.text).toMatch(/^helpdesk_mails_sent_total\{kind="ack"\} 1$/m);
    expect(metrics.text).toMatch(/^helpdesk_acks_failed_total 0$/m);
    expect(metrics.text).toMatch(/^helpdesk_sla_breaches_total 0$/m);
    // the ack and the technicians' notices
    expect(metrics.text).toMatch(/^helpdesk_send_seconds_count [1-9]\d*$/m);
    expect(metrics.text).toContain(`helpdesk_poll_batch_seconds_count{mailbox="${t.service}"} 1`);
    expect(metrics.text).toMatch(/^helpdesk_queue_jobs\{queue="outbound-mail",state="waiting"\} 0$/m);
    expect(metrics.text).toMatch(/^helpdesk_outbox_mails\{state="failed"\} 0$/m);
    expect(metrics.text).toMatch(/^helpdesk_process_cpu_seconds_total /m);
    expect((await t.get('/healthz')).status).toBe(200);
    expect((await t.get('/nothing')).status).toBe(404);
    // no dashboard unless asked for
    expect((await t.get('/queues')).status).toBe(404);
  });

  it('serves the queue dashboard under /queues when asked, read-only: it lists both queues and refuses to retry', async () => {
    const t = await botWithHttp({ staleMs: 60_000, queueDashboard: 'read-only', roles: ['mailer'] });
    const page = await t.get('/queues');
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.text).toContain('href="/queues/"');
    const script = page.text.match(/src="(static\/js\/[^"]+)"/)?.[1];
    expect(script).toBeDefined();
    expect((await t.get(`/queues/${script}`)).status).toBe(200);
    const api = await t.get('/queues/api/queues?activeQueue=outbound-mail&page=1&jobsPerPage=10');
    expect(api.status).toBe(200);
    const body = JSON.parse(api.text) as { queues: { name: string; readOnlyMode: boolean }[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual(['outbound-mail', 'sla-timers']);
    expect(body.queues.every((q) => q.readOnlyMode)).toBe(true);
    const retry = await t.get('/queues/api/queues/outbound-mail/retry/failed', { method: 'PUT' });
    expect(retry.status).toBe(405);
    expect(retry.text).toContain('QUEUE_READ_ONLY');
    // the other routes are still there
    expect((await t.get('/healthz')).status).toBe(200);
  });

  it('answers /healthz 503 with one line naming the mailbox and "authentication failed" when the IMAP password is wrong', async () => {
    const t = await botWithHttp({ imapPassword: 'wrong', staleMs: 1_000, roles: ['ingest'] });
    const red = await waitFor('health red', async () => {
      const r = await t.get('/healthz');
      return r.status === 503 ? r : null;
    }, 20_000);
    const body = JSON.parse(red.text);
    expect(body.status).toBe('fail');
    expect(body.problems).toHaveLength(1);
    expect(body.problems[0]).toMatch(new RegExp(`^mailbox ${t.service.replace(/[.+]/g, '\\$&')}: authentication failed for \\d+s$`));
    expect(body.mailboxes[0]).toMatchObject({ ok: false, state: 'failing', lastPollAt: null, lastError: { cause: 'authentication failed' } });
    expect(body).toMatchObject({ postgres: { ok: true }, redis: { ok: true }, mailer: null });
  });
});
