// Crash safety: SIGKILL the bot in the middle of a burst, start it again, and every mail has
// made exactly one ticket and exactly one acknowledgement.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedExample } from '../support/contracts.ts';
import { readMailbox, sendMail, waitFor } from '../support/mail.ts';
import { runCli, startBotProcess, type BotProcess } from '../support/bot-process.ts';
import { createTestDatabase, testEnv, uniqueSuffix } from '../support/services.ts';

const BURST = 48;
const suffix = uniqueSuffix();
const service = `support@trinax-${suffix}.example`;
const env = testEnv();
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: postgres.Sql;
let childEnv: Record<string, string>;
const bots: BotProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  sql = postgres(db.url, { max: 2, onnotice: () => {} });
  const contracts = isolatedExample('trinax.yaml', suffix);
  childEnv = {
    DATABASE_URL: db.url,
    IMAP_URL: `imap://${encodeURIComponent(service)}:test@${env.imap.host}:${env.imap.port}/INBOX`,
    CONTRACTS_FILE: contracts.file,
    HELPDESK_SECRET: 'crash-secret-0123456789abcdef',
    HELPDESK_QUEUE_PREFIX: `crash${suffix}`,
  };
  expect(runCli(childEnv, ['contracts', 'sync', contracts.file]).status).toBe(0);
});

afterAll(async () => {
  for (const b of bots) if (b.child.exitCode === null) b.child.kill('SIGKILL');
  await sql?.end();
  await db?.drop();
});

const sender = (i: number) => `user${i}@acme-${suffix}.se`;

describe('a crash in the middle of a burst', () => {
  it('loses no mail and duplicates no ticket or acknowledgement', async () => {
    const first = startBotProcess(childEnv);
    bots.push(first);
    // Distinct senders so the per-sender ack limit never hides a missing ack.
    const sending = (async () => {
      for (let i = 0; i < BURST; i++) {
        await sendMail(env, { from: sender(i), to: service, subject: `Burst ${i} ${suffix}`, text: `mail number ${i}` });
      }
    })();
    await waitFor('a few tickets before the kill', async () => {
      const [row] = await sql`select count(*)::int as n from tickets`;
      return (row?.n ?? 0) >= 8;
    }, 90_000, 50);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const [atKill] = await sql`select count(*)::int as n from tickets`;
    expect(atKill!.n).toBeLessThan(BURST);
    await sending;

    const second = startBotProcess(childEnv);
    bots.push(second);
    await waitFor('every ticket and every ack sent', async () => {
      const [t] = await sql`select count(*)::int as n from tickets`;
      const [a] = await sql`select count(*)::int as n from outbound_mails where kind = 'ack' and state = 'sent'`;
      return t!.n >= BURST && a!.n >= BURST;
    }, 150_000, 500);
    // give a duplicate, if any, time to show up
    await new Promise((r) => setTimeout(r, 2000));

    const perRequester = await sql`select requester, count(*)::int as n from tickets group by requester`;
    expect(perRequester).toHaveLength(BURST);
    expect(perRequester.every((r) => r.n === 1)).toBe(true);
    const [acks] = await sql`select count(*)::int as n from outbound_mails where kind = 'ack'`;
    expect(acks!.n).toBe(BURST);
    const [box] = await sql`select last_uid from mailboxes where address = ${service}`;
    expect(Number(box!.last_uid)).toBeGreaterThanOrEqual(BURST);

    for (let i = 0; i < BURST; i++) {
      const acksInMailbox = (await readMailbox(env, sender(i))).filter((m) => m.subject.includes(`Burst ${i} `) && m.subject.startsWith('[#'));
      expect(acksInMailbox, `acks for ${sender(i)}`).toHaveLength(1);
    }
    // Nothing left behind in INBOX: every mail was committed, then moved.
    await waitFor('an empty INBOX', async () => (await readMailbox(env, service)).length === 0, 30_000);
    expect((await readMailbox(env, service, 'Processed')).length).toBe(BURST);

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
