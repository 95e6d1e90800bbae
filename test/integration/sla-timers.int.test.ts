// SLA timers in real time: the bot runs in-process against the real Postgres, Redis, SMTP and
// Dovecot, on a contracts file where Acme AB has a 24/7 plan with a 30 s response and a 60 s
// resolution target (warning at 50 %), so warnings and breaches can be watched as they happen.
import { and, eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueues } from '../../src/adapters/queue/queues.ts';
import { createBot, type Bot } from '../../src/app.ts';
import { loadContractsFile } from '../../src/contracts/contracts.file.ts';
import { createContractsRepository } from '../../src/contracts/contracts.repository.ts';
import type { ContractsConfig } from '../../src/contracts/contracts.types.ts';
import { connectDatabase, type DatabaseHandle } from '../../src/db/client.ts';
import { outboundMailsTable } from '../../src/mail/mail.tables.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { createTicketQueries, type TicketDetail } from '../../src/tickets/tickets.queries.ts';
import { ticketsTable } from '../../src/tickets/tickets.tables.ts';
import { isolatedExample } from '../support/contracts.ts';
import { readMailbox, sendMail, waitFor, waitForMessages, type ReadMessage } from '../support/mail.ts';
import { createTestDatabase, testEnv, uniqueSuffix } from '../support/services.ts';

const suffix = uniqueSuffix();
const queuePrefix = `slaint${suffix}`;
const service = `support@trinax-${suffix}.example`;
const accountManager = `william@trinax-${suffix}.example`;
const otherTechnician = `sara@trinax-${suffix}.example`;
const providerManager = `chef@trinax-${suffix}.example`;
/** one requester per test, so that every test reads its own acknowledgement */
const customer = (name: string) => `${name}@acme-${suffix}.se`;

/** Acme AB moves onto a plan that is open around the clock and promises an answer in 30 s. */
function withFastPlan(text: string): string {
  const edited = text
    .replace(/^calendars:\n/m, 'calendars:\n  always:\n    timezone: Europe/Stockholm\n    hours: { mon-sun: "00:00-24:00" }\n')
    .replace(
      /^plans:\n/m,
      [
        'plans:',
        '  fast:',
        '    title: Fast',
        '    calendar: always',
        '    queuePriority: 1',
        '    sla: { response: 30s, resolution: 60s, warnAt: 50% }',
        '    billing: { currency: SEK, increment: 15m, rates: { default: 1350 } }',
        '',
      ].join('\n'),
    )
    .replace(/(- name: Acme AB\n(?:.*\n)*?\s+contract:\n\s+plan: )alert/, '$1fast');
  if (edited === text || !edited.includes('plan: fast')) throw new Error('the trinax.yaml edit did not apply');
  return edited;
}

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let handle: DatabaseHandle;
let config: ContractsConfig;
let bot: Bot;
const env = testEnv();
let botEnv: ReturnType<typeof testEnv>;

function startBot(): Promise<Bot> {
  const created = createBot({ env: botEnv, config, logger: silentLogger, queuePrefix, safetyPollMs: 1000 });
  return created.start().then(() => created);
}

async function deletePrefixKeys(): Promise<number> {
  const redis = new Redis(env.redisUrl);
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${queuePrefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/**
 * The ticket as `helpdesk ticket N --json` shows it. Its reads are not one snapshot: a detail
 * read while intake commits may show the new clocks with the old status, so tests wait for a
 * change and then read again.
 */
async function ticket(number: number): Promise<TicketDetail> {
  const detail = await createTicketQueries({ db: handle.db }).get(number);
  if (!detail) throw new Error(`ticket ${number} not found`);
  return detail;
}

async function ticketId(number: number): Promise<number> {
  const rows = await handle.db.select({ id: ticketsTable.id }).from(ticketsTable).where(eq(ticketsTable.number, number));
  return rows[0]!.id;
}

async function escalationsOf(number: number, kind: 'sla-warning' | 'sla-breach') {
  const id = await ticketId(number);
  return handle.db
    .select({ key: outboundMailsTable.idempotencyKey, to: outboundMailsTable.to })
    .from(outboundMailsTable)
    .where(and(eq(outboundMailsTable.ticketId, id), eq(outboundMailsTable.kind, kind)));
}

/** Opens a ticket by mail and returns its number and the acknowledgement (with the reply token). */
async function openTicket(requester: string, subject: string): Promise<{ number: number; ack: ReadMessage }> {
  await sendMail(env, { from: requester, to: service, subject, text: 'Inget fungerar sedan i morse.' });
  const [ack] = await waitForMessages(env, requester, '[#', 1, 30_000);
  return { number: Number(/\[#(\d+)\]/.exec(ack!.subject)![1]), ack: ack! };
}

async function bodyOf(message: ReadMessage): Promise<string> {
  return (await simpleParser(message.source)).text ?? '';
}

function eventAt(detail: TicketDetail, type: string, match: (data: Record<string, unknown>) => boolean = () => true): number {
  const event = detail.events.find((e) => e.type === type && match(e.data as Record<string, unknown>));
  if (!event) throw new Error(`ticket ${detail.number} has no ${type} event`);
  return Date.parse(event.at);
}

const sleepUntil = (instant: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, instant - Date.now())));

beforeAll(async () => {
  database = await createTestDatabase();
  handle = connectDatabase(database.url, { max: 4 });
  botEnv = testEnv({ DATABASE_URL: database.url, IMAP_URL: `imap://${encodeURIComponent(service)}:test@${env.imap.host}:${env.imap.port}/INBOX` });
  config = await loadContractsFile(isolatedExample('trinax.yaml', suffix, withFastPlan).file);
  await createContractsRepository({ db: handle.db }).sync(config);
  bot = await startBot();
});

afterAll(async () => {
  await bot?.stop();
  await deletePrefixKeys();
  await handle?.close();
  await database?.drop();
}, 60_000);

describe('SLA timers on a 30-second response promise', () => {
  it.concurrent('warns the account manager at half-time and escalates a silent ticket to the account manager and the provider’s managers at the deadline', async () => {
    const requester = customer('silent');
    const { number } = await openTicket(requester, 'Skrivaren svarar inte');
    const opened = await ticket(number);
    expect(opened).toMatchObject({ customer: 'Acme AB', plan: 'fast' });
    const created = Date.parse(opened.createdAt);
    expect(Date.parse(opened.deadlines.response!)).toBe(created + 30_000);

    const [warning] = await waitForMessages(env, accountManager, `[#${number}] SLA-varning: svarstiden`, 1, 40_000);
    expect(warning!.subject).toContain(`[#${number}]`);
    expect(await bodyOf(warning!)).toContain('Svarstiden (30s) går ut om');

    const [breach] = await waitForMessages(env, accountManager, `[#${number}] SLA-brott: svarstiden`, 1, 40_000);
    expect(breach!.subject).toBe(`[#${number}] SLA-brott: svarstiden har överskridits`);
    expect(await bodyOf(breach!)).toContain('Svarstiden (30s) gick ut');
    const [managerCopy] = await waitForMessages(env, providerManager, `[#${number}] SLA-brott: svarstiden`, 1, 20_000);
    expect(await bodyOf(managerCopy!)).toContain('Svarstiden (30s) gick ut');

    // The warning goes to the account manager only, not to every technician.
    expect((await readMailbox(env, otherTechnician)).filter((m) => m.subject.includes(`[#${number}] SLA-`))).toEqual([]);
    expect((await readMailbox(env, providerManager)).filter((m) => m.subject.includes(`[#${number}] SLA-varning`))).toEqual([]);

    const detail = await ticket(number);
    expect(detail.breached.response).toBe(true);
    expect(detail.met.response).toBeNull();
    // In real time: neither early, nor more than a few seconds late.
    const warnedAt = eventAt(detail, 'sla_warning', (d) => d.target === 'response');
    const breachedAt = eventAt(detail, 'sla_breach', (d) => d.target === 'response');
    expect(warnedAt).toBeGreaterThanOrEqual(created + 15_000);
    expect(warnedAt).toBeLessThan(created + 15_000 + 5_000);
    expect(breachedAt).toBeGreaterThanOrEqual(created + 30_000);
    expect(breachedAt).toBeLessThan(created + 30_000 + 5_000);
  }, 90_000);

  it.concurrent('never escalates the response of a ticket a technician answered in time', async () => {
    const requester = customer('answered');
    const { number, ack } = await openTicket(requester, 'Nätverket är långsamt');
    const created = Date.parse((await ticket(number)).createdAt);

    await sendMail(env, { from: accountManager, to: ack.replyTo!, subject: `Re: ${ack.subject}`, text: 'Hej! Vi tittar på det nu.\n' });
    await waitFor('the response target met', async () => (await ticket(number)).met.response !== null, 20_000, 300);
    const answered = await ticket(number);
    const reply = answered.messages.find((m) => m.direction === 'in' && m.author === 'technician');
    expect(reply?.from).toBe(accountManager);
    expect(answered.met.response).toBe(reply!.at);
    expect(answered.status).toBe('open');

    // Past the deadline, with time for a stale breach job to have run.
    await sleepUntil(created + 30_000 + 5_000);
    expect(await escalationsOf(number, 'sla-breach')).toEqual([]);
    const warnings = await escalationsOf(number, 'sla-warning');
    expect(warnings.filter((w) => w.key.includes(':response:'))).toEqual([]);
    const detail = await ticket(number);
    expect(detail.breached.response).toBe(false);
    expect(detail.met.response).toBe(reply!.at);
    expect((await readMailbox(env, providerManager)).filter((m) => m.subject.includes(`[#${number}] SLA-brott`))).toEqual([]);
  }, 90_000);

  it.concurrent('moves the deadline on by the time the ticket waited on the customer, and never breaches during the wait', async () => {
    const requester = customer('paused');
    const { number, ack } = await openTicket(requester, 'Behöver ny licens');
    const opened = await ticket(number);
    const created = Date.parse(opened.createdAt);
    const firstDeadline = Date.parse(opened.deadlines.response!);
    expect(firstDeadline).toBe(created + 30_000);

    await sendMail(env, { from: accountManager, to: ack.replyTo!, subject: `Re: ${ack.subject}`, text: '#status waiting\n' });
    await waitFor('the ticket paused', async () => (await ticket(number)).paused, 20_000, 300);
    const paused = await ticket(number);
    expect(paused.status).toBe('waiting');
    const pausedAt = eventAt(paused, 'status', (d) => d.to === 'waiting');

    // The first deadline passes while the ticket waits: no breach, no escalation.
    await sleepUntil(firstDeadline + 5_000);
    const waiting = await ticket(number);
    expect(waiting.paused).toBe(true);
    expect(waiting.breached.response).toBe(false);
    expect(await escalationsOf(number, 'sla-breach')).toEqual([]);

    // The customer answers: the clock runs again.
    await sendMail(env, { from: requester, to: ack.replyTo!, subject: `Re: ${ack.subject}`, text: 'Licensnumret är 12345.\n' });
    await waitFor('the ticket resumed', async () => !(await ticket(number)).paused, 20_000, 300);
    const resumed = await ticket(number);
    expect(resumed.status).toBe('open');
    const resumedAt = eventAt(resumed, 'status', (d) => d.from === 'waiting' && d.to === 'open');
    // 24/7 calendar: the paused business time is the wall-clock time between the two mails.
    const movedDeadline = firstDeadline + (resumedAt - pausedAt);
    expect(resumedAt - pausedAt).toBeGreaterThan(30_000);
    expect(resumed.deadlines.response).toBe(new Date(movedDeadline).toISOString());
    expect(resumed.breached.response).toBe(false);

    const [breach] = await waitForMessages(env, providerManager, `[#${number}] SLA-brott: svarstiden`, 1, movedDeadline - Date.now() + 20_000);
    expect(breach!.subject).toContain(`[#${number}]`);
    const breached = await ticket(number);
    expect(breached.breached.response).toBe(true);
    expect(eventAt(breached, 'sla_breach', (d) => d.target === 'response')).toBeGreaterThanOrEqual(movedDeadline);
  }, 150_000);

  // Not concurrent: the tests above measure real-time instants, and a busy machine skews them.
  it('moves a timer that fires before its instant back to the delayed set, and it does its work at that instant', async () => {
    const requester = customer('early');
    const { number } = await openTicket(requester, 'Skärmen blinkar');
    const id = await ticketId(number);
    const created = Date.parse((await ticket(number)).createdAt);
    const warnInstant = created + 15_000;
    const jobId = `sla.${id}.response.warn.v1`;
    const scheduled = await waitFor('the warning timer scheduled', async () => bot.queues.slaTimers.getJob(jobId), 10_000, 100);

    // Run it now, about 15 s before its instant, as if Redis's clock ran ahead of ours.
    await scheduled.promote();
    const moved = await waitFor(
      'the timer back in the delayed set',
      async () => {
        const job = await bot.queues.slaTimers.getJob(jobId);
        return job?.processedOn && (await job.getState()) === 'delayed' ? job : null;
      },
      10_000,
      50,
    );
    // Moved, not failed: no attempt spent, no error, and due at the warning instant (a retry
    // after a failure would be due after the 1 s backoff instead).
    expect(moved.attemptsMade).toBe(0);
    expect(moved.failedReason).toBeUndefined();
    expect(Math.abs(moved.processedOn! + moved.delay - warnInstant)).toBeLessThan(500);
    expect(await escalationsOf(number, 'sla-warning')).toEqual([]);

    const [warning] = await waitForMessages(env, accountManager, `[#${number}] SLA-varning: svarstiden`, 1, 40_000);
    expect(warning!.subject).toContain(`[#${number}]`);
    const warnedAt = eventAt(await ticket(number), 'sla_warning', (d) => d.target === 'response');
    expect(warnedAt).toBeGreaterThanOrEqual(warnInstant);
    expect(warnedAt).toBeLessThan(warnInstant + 5_000);
    expect(await escalationsOf(number, 'sla-warning')).toHaveLength(1);
  }, 90_000);

  it('rebuilds every timer from Postgres after Redis lost them and the bot restarted, and still escalates', async () => {
    const requester = customer('restart');
    const { number } = await openTicket(requester, 'Servern startar om hela tiden');
    const id = await ticketId(number);
    const created = Date.parse((await ticket(number)).createdAt);
    const expectedJobs = [
      `sla.${id}.resolution.breach.v1`,
      `sla.${id}.resolution.warn.v1`,
      `sla.${id}.response.breach.v1`,
      `sla.${id}.response.warn.v1`,
    ];
    const delayedJobsOfTicket = async (b: Bot) =>
      (await b.queues.slaTimers.getDelayed())
        .map((job) => job.id!)
        .filter((jobId) => jobId.startsWith(`sla.${id}.`))
        .sort();
    await waitFor('the timers scheduled', async () => (await delayedJobsOfTicket(bot)).length === 4, 10_000, 200);
    expect(await delayedJobsOfTicket(bot)).toEqual(expectedJobs);

    await bot.stop();
    expect(await deletePrefixKeys()).toBeGreaterThan(0);
    const probe = createQueues({ redisUrl: env.redisUrl, prefix: queuePrefix });
    expect(await probe.slaTimers.getDelayedCount()).toBe(0);
    await probe.close();

    bot = await startBot();
    expect(await delayedJobsOfTicket(bot)).toEqual(expectedJobs);
    const delayed = (await bot.queues.slaTimers.getDelayed()).find((job) => job.id === `sla.${id}.response.breach.v1`)!;
    // due at the original deadline (give or take the milliseconds between computing the delay and adding the job)
    expect(Math.abs(delayed.timestamp + delayed.opts.delay! - (created + 30_000))).toBeLessThan(100);

    const [breach] = await waitForMessages(env, providerManager, `[#${number}] SLA-brott: svarstiden`, 1, created + 30_000 - Date.now() + 20_000);
    expect(breach!.subject).toContain(`[#${number}]`);
    expect((await ticket(number)).breached.response).toBe(true);
  }, 120_000);
});

