// Fault: Postgres restarts in the middle of a burst. The bot processes (one reading the
// mailbox, one standing by) run against a Postgres and a Redis of this file's own, so the
// restart touches no other test. Both processes must stay up; every mail makes one ticket and
// one acknowledgement, every technician notice goes out once.
import { writeFileSync } from 'node:fs';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot } from '../support/bot-harness.ts';
import { isolatedExample } from '../support/contracts.ts';
import { readMailbox, sendMail, waitFor } from '../support/mail.ts';
import { runCli, startBotProcess, type BotProcess } from '../support/bot-process.ts';
import { startPrivatePostgres, startPrivateRedis, type PrivatePostgres, type PrivateRedis } from '../support/private-services.ts';
import { testEnv, uniqueSuffix } from '../support/services.ts';

const BURST = 120;
const suffix = uniqueSuffix();
const service = `support@trinax-${suffix}.example`;
const technicians = [`william@trinax-${suffix}.example`, `sara@trinax-${suffix}.example`];
const env = testEnv();
let pg: PrivatePostgres;
let redis: PrivateRedis;
let sql: postgres.Sql;
let childEnv: Record<string, string>;
const bots: BotProcess[] = [];

beforeAll(async () => {
  [pg, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
  sql = postgres(pg.url, { max: 2, onnotice: () => {}, idle_timeout: 1 });
  const contracts = isolatedExample('trinax.yaml', suffix);
  childEnv = {
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    IMAP_URL: `imap://${encodeURIComponent(service)}:test@${env.imap.host}:${env.imap.port}/INBOX`,
    CONTRACTS_FILE: contracts.file,
    HELPDESK_SECRET: 'fault-secret-0123456789abcdef',
    HELPDESK_QUEUE_PREFIX: `fault${suffix}`,
    LOG_LEVEL: 'info',
    HELPDESK_STOP_TIMEOUT_MS: '5000',
  };
  expect(runCli(childEnv, ['contracts', 'sync', contracts.file]).status).toBe(0);
});

afterAll(async () => {
  // HELPDESK_FAULT_LOGS=DIR keeps each process's log for a post-mortem
  if (process.env.HELPDESK_FAULT_LOGS) bots.forEach((b, i) => writeFileSync(`${process.env.HELPDESK_FAULT_LOGS}/postgres-bot${i}.log`, b.output()));
  for (const b of bots) if (b.child.exitCode === null) b.child.kill('SIGKILL');
  await sql?.end({ timeout: 1 });
  pg?.destroy();
  await redis?.destroy();
});

const sender = (i: number) => `pg${i}@acme-${suffix}.se`;
const count = async (query: string) => Number((await sql.unsafe(query))[0]!.n);

describe('Postgres restarting during a burst', () => {
  it('keeps the active and the standby process up, and loses or doubles nothing', async () => {
    const active = startBotProcess(childEnv);
    bots.push(active);
    await waitFor('the first process to start', async () => active.output().includes('helpdesk started'), 30_000, 100);
    const standby = startBotProcess(childEnv);
    bots.push(standby);
    await waitFor('the second process to stand by', async () => standby.output().includes('standing by'), 30_000, 100);

    const sending = (async () => {
      for (let i = 0; i < BURST; i++) {
        await sendMail(env, { from: sender(i), to: service, subject: `PG burst ${i} ${suffix}`, text: `mail number ${i}` });
      }
    })();
    await waitFor('some tickets before the restart', async () => (await count('select count(*) n from tickets')) >= 15, 90_000, 50);
    const startedAt = Date.now();
    pg.stop('fast');
    await new Promise((r) => setTimeout(r, 3_000));
    pg.start();
    await sending;

    await waitFor('every ticket and every ack sent', async () => {
      const tickets = await count('select count(*) n from tickets');
      const acks = await count(`select count(*) n from outbound_mails where kind = 'ack' and state = 'sent'`);
      return tickets >= BURST && acks >= BURST;
    }, 150_000, 500);
    const recoveredMs = Date.now() - startedAt;
    await waitFor('every outbound mail sent', async () => (await count(`select count(*) n from outbound_mails where state <> 'sent'`)) === 0, 60_000, 500);
    await new Promise((r) => setTimeout(r, 2_000)); // time for a duplicate, if any, to show

    expect(active.child.exitCode, active.output().slice(-3000)).toBeNull();
    expect(standby.child.exitCode, standby.output().slice(-3000)).toBeNull();
    expect(await count('select count(*) n from (select requester from tickets group by requester having count(*) > 1) d')).toBe(0);
    expect(await count('select count(*) n from tickets')).toBe(BURST);
    expect(await count(`select count(*) n from outbound_mails where kind = 'ack'`)).toBe(BURST);

    let ackCopies = 0;
    for (let i = 0; i < BURST; i++) {
      const acks = (await readMailbox(env, sender(i))).filter((m) => m.subject.includes(`PG burst ${i} `) && m.subject.startsWith('[#'));
      ackCopies += acks.length;
      expect(acks, `acks for ${sender(i)}`).toHaveLength(1);
    }
    let noticeCopies = 0;
    for (const technician of technicians) {
      const ids = (await readMailbox(env, technician)).map((m) => m.messageId);
      noticeCopies += ids.length;
      expect(new Set(ids).size, `duplicate notices for ${technician}`).toBe(ids.length);
    }
    await waitFor('an empty INBOX', async () => (await readMailbox(env, service)).length === 0, 30_000);
    expect((await readMailbox(env, service, 'Processed')).length).toBe(BURST);
    console.log(`[fault postgres-restart] mails ${BURST}, tickets ${BURST}, acks ${ackCopies}, notices ${noticeCopies}, duplicates 0, recovered in ${recoveredMs} ms`);

    // Stopping while the database is away still ends, within the stop timeout.
    pg.stop('fast');
    const stopAt = Date.now();
    active.child.kill('SIGTERM');
    standby.child.kill('SIGTERM');
    expect(await active.exited).toBe(0);
    expect(await standby.exited).toBe(0);
    const stopMs = Date.now() - stopAt;
    expect(stopMs).toBeLessThan(5_000 + 6_000);
    console.log(`[fault sigterm-postgres-down] both processes exited 0 after ${stopMs} ms (limit 5000 ms)`);
    pg.start();
  });

  it('waits out a Postgres outage longer than the intake would tolerate from IMAP, instead of giving up', async () => {
    const fatal: Error[] = [];
    const t = await startTestBot({
      env: { DATABASE_URL: pg.url, REDIS_URL: redis.url },
      // 3 failures would mean "give up" for an IMAP fault; a database outage must not
      bot: { onFatal: (err) => void fatal.push(err), intakeReconnectPolicy: { initialDelayMs: 100, maxDelayMs: 400, maxFailures: 3 } },
    });
    try {
      const before = await count('select count(*) n from tickets');
      pg.stop('fast');
      await new Promise((r) => setTimeout(r, 5_000));
      pg.start();
      await sendMail(env, { from: `after-outage-${suffix}@acme-${suffix}.se`, to: t.service, subject: `After the outage ${suffix}`, text: 'hello again' });
      await waitFor('the mail after the outage ingested', async () => (await count('select count(*) n from tickets').catch(() => before)) === before + 1, 30_000, 200);
      expect(fatal).toEqual([]);
    } finally {
      await t.stop();
    }
  });
});
