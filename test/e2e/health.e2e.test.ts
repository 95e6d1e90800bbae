// `helpdesk start` with HELPDESK_HTTP_PORT serves /healthz and /metrics, as a supervisor's health
// check and Prometheus reach them; a bad HELPDESK_HTTP_PORT is refused in one line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/private-services.ts';
import { isolatedExample } from '../support/contracts.ts';
import { waitFor } from '../support/mail.ts';
import { runCli, startBotProcess, type BotProcess } from '../support/bot-process.ts';
import { createTestDatabase, testEnv, uniqueSuffix } from '../support/services.ts';

const suffix = uniqueSuffix();
const service = `support@trinax-${suffix}.example`;
const env = testEnv();
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let childEnv: Record<string, string>;
let bot: BotProcess | null = null;

beforeAll(async () => {
  db = await createTestDatabase();
  const contracts = isolatedExample('trinax.yaml', suffix);
  childEnv = {
    DATABASE_URL: db.url,
    IMAP_URL: `imap://${encodeURIComponent(service)}:test@${env.imap.host}:${env.imap.port}/INBOX`,
    CONTRACTS_FILE: contracts.file,
    HELPDESK_SECRET: 'health-secret-0123456789abcdef',
    HELPDESK_QUEUE_PREFIX: `he${suffix}`,
  };
});
afterAll(async () => {
  if (bot && bot.child.exitCode === null) {
    bot.child.kill('SIGTERM');
    await bot.exited;
  }
  await db?.drop();
});

describe('helpdesk start with HELPDESK_HTTP_PORT', () => {
  it('serves /healthz 200 once the mailbox is polled, and /metrics in Prometheus format', async () => {
    const port = await freePort();
    bot = startBotProcess({ ...childEnv, HELPDESK_HTTP_PORT: String(port) });
    const health = await waitFor('a healthy bot', async () => {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
      if (!res) return null;
      const body = (await res.json()) as { status: string; mailboxes: { state: string }[] };
      return res.status === 200 && body.mailboxes[0]?.state === 'polling' ? body : null;
    }, 30_000, 250);
    expect(health).toMatchObject({ status: 'ok', problems: [], postgres: { ok: true }, redis: { ok: true }, mailboxes: [{ mailbox: service, ok: true }] });
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toMatch(/^# TYPE helpdesk_mails_ingested_total counter$/m);
    expect(text).toMatch(/^helpdesk_tickets_opened_total 0$/m);
    expect(text).toMatch(/^helpdesk_process_resident_memory_bytes \d+/m);
    expect(bot.output()).toContain('health and metrics served');
  });

  it('refuses a HELPDESK_HTTP_PORT that is not a port, naming the variable', () => {
    const r = runCli({ ...childEnv, HELPDESK_HTTP_PORT: 'eighty' }, ['start']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: environment is invalid\n {2}HELPDESK_HTTP_PORT: /);
  });
});
