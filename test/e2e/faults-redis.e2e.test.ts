// Faults of Redis, which is only a cache of Postgres: wiped (every SLA timer and unsent mail is
// rebuilt within 10 s), down while mail arrives (intake keeps committing; the mails go out when
// Redis is back), and down while the process is told to stop (it still exits in time). Redis is
// this file's own, so wiping and stopping it touches no other test.
import { writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from '../support/bot-harness.ts';
import { runCli, startBotProcess, type BotProcess } from '../support/bot-process.ts';
import { isolatedExample } from '../support/contracts.ts';
import { readMailbox, sendMail, waitFor } from '../support/mail.ts';
import { startPrivateRedis, type PrivateRedis } from '../support/private-services.ts';
import { createTestDatabase, testEnv, uniqueSuffix } from '../support/services.ts';

let redis: PrivateRedis;
beforeAll(async () => {
  redis = await startPrivateRedis();
});
afterAll(async () => {
  await redis?.destroy();
});

async function queuedJobs(t: TestBot): Promise<{ timers: number; mails: number }> {
  const timers = await t.bot.queues.slaTimers.getJobCounts('delayed', 'waiting', 'prioritized');
  const mails = await t.bot.queues.outbound.getJobCounts('delayed', 'waiting', 'prioritized');
  return { timers: timers.delayed! + timers.waiting! + timers.prioritized!, mails: mails.delayed! + mails.waiting! + mails.prioritized! };
}

describe('Redis wiped', () => {
  it('rebuilds every SLA timer and unsent mail from Postgres within 10 s, and says so', async () => {
    const lines: string[] = [];
    const { pino } = await import('pino');
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    // No mailer: the acknowledgements stay queued, so the queue holds mail jobs to lose.
    const t = await startTestBot({ roles: ['ingest', 'sla'], env: { REDIS_URL: redis.url }, bot: { logger, queueStoreCheckMs: 500 } });
    try {
      for (let i = 0; i < 3; i++) await sendMail(t.env, { from: t.at(`wipe${i}`, 'acme.se'), to: t.service, subject: `Wipe ${i}`, text: 'printer down' });
      const before = await waitFor('timers and mails queued', async () => {
        const jobs = await queuedJobs(t);
        return jobs.timers >= 6 && jobs.mails >= 3 ? jobs : null;
      }, 30_000, 200);
      const admin = new Redis(redis.url);
      await admin.flushall();
      const wipedAt = Date.now();
      expect(await queuedJobs(t)).toEqual({ timers: 0, mails: 0 });
      const after = await waitFor('every job back', async () => {
        const jobs = await queuedJobs(t);
        return jobs.timers >= before.timers && jobs.mails >= before.mails ? jobs : null;
      }, 10_000, 100);
      const recoveredMs = Date.now() - wipedAt;
      admin.disconnect();
      expect(after).toEqual(before);
      expect(lines.some((l) => l.includes('Redis lost its jobs'))).toBe(true);
      expect(lines.some((l) => l.includes('"reason":"redis emptied"'))).toBe(true);
      console.log(`[fault redis-wipe] timers ${before.timers}, mails ${before.mails}, back in ${recoveredMs} ms`);
    } finally {
      await t.stop();
    }
  });
});

describe('Redis down while mail arrives', () => {
  it('keeps committing tickets, and sends their acknowledgements once when Redis is back', async () => {
    const t = await startTestBot({ env: { REDIS_URL: redis.url }, bot: { queueStoreCheckMs: 500 } });
    try {
      await redis.stop();
      const senders = [0, 1, 2].map((i) => t.at(`down${i}`, 'acme.se'));
      for (const [i, from] of senders.entries()) await sendMail(t.env, { from, to: t.service, subject: `Down ${i}`, text: 'vpn broken' });
      await waitFor('three tickets committed with Redis down', async () => {
        const [row] = await t.bot.db.sql`select count(*)::int as n from tickets`;
        return row!.n === 3;
      }, 30_000, 200);
      const downAt = Date.now();
      await redis.start();
      await waitFor('three acknowledgements sent', async () => {
        const [row] = await t.bot.db.sql`select count(*)::int as n from outbound_mails where kind = 'ack' and state = 'sent'`;
        return row!.n === 3;
      }, 30_000, 200);
      const recoveredMs = Date.now() - downAt;
      for (const from of senders) expect((await readMailbox(t.env, from)).filter((m) => m.subject.startsWith('[#'))).toHaveLength(1);
      console.log(`[fault redis-down] mails 3, tickets 3 (committed while down), acks 3, duplicates 0, sent ${recoveredMs} ms after Redis came back`);
    } finally {
      await t.stop();
    }
  });
});

describe('SIGTERM with Redis down', () => {
  let bot: BotProcess | null = null;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  afterAll(async () => {
    if (process.env.HELPDESK_FAULT_LOGS && bot) writeFileSync(`${process.env.HELPDESK_FAULT_LOGS}/redis-sigterm.log`, bot.output());
    if (bot?.child.exitCode === null) bot.child.kill('SIGKILL');
    await db?.drop();
  });

  it('exits within the stop timeout', async () => {
    const suffix = uniqueSuffix();
    const env = testEnv();
    db = await createTestDatabase();
    const service = `support@trinax-${suffix}.example`;
    const contracts = isolatedExample('trinax.yaml', suffix);
    const childEnv = {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      IMAP_URL: `imap://${encodeURIComponent(service)}:test@${env.imap.host}:${env.imap.port}/INBOX`,
      CONTRACTS_FILE: contracts.file,
      HELPDESK_SECRET: 'fault-secret-0123456789abcdef',
      HELPDESK_QUEUE_PREFIX: `sig${suffix}`,
      HELPDESK_STOP_TIMEOUT_MS: '4000',
    };
    expect(runCli(childEnv, ['contracts', 'sync', contracts.file]).status).toBe(0);
    bot = startBotProcess(childEnv);
    await waitFor('the bot to start', async () => bot!.output().includes('helpdesk started'), 30_000, 100);
    await redis.stop();
    await new Promise((r) => setTimeout(r, 1_500)); // let the workers notice
    const sentAt = Date.now();
    bot.child.kill('SIGTERM');
    const code = await bot.exited;
    const exitMs = Date.now() - sentAt;
    expect(code).toBe(0);
    // the limit plus the time to start logging out and exit (generous: a loaded CI machine)
    expect(exitMs).toBeLessThan(4_000 + 6_000);
    expect(bot.output()).toContain('helpdesk stopped');
    console.log(`[fault sigterm-redis-down] exited with ${code} after ${exitMs} ms (limit 4000 ms)`);
  });
});
