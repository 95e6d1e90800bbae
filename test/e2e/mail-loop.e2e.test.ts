import { DateTime } from 'luxon';
import { simpleParser } from 'mailparser';
// The whole bot as a process: mail in over SMTP, ticket on the right plan, acknowledgement
// read back from the customer's own mailbox over IMAP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedExample } from '../support/contracts.ts';
import { readMailbox, sendMail, waitFor, waitForMessages } from '../support/mail.ts';
import { runCli, startBotProcess, type BotProcess } from '../support/bot-process.ts';
import { createTestDatabase, testEnv, uniqueSuffix } from '../support/services.ts';

const suffix = uniqueSuffix();
const service = `support@trinax-${suffix}.example`;
const eva = `eva@acme-${suffix}.se`;
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let childEnv: Record<string, string>;
let bot: BotProcess;
const env = testEnv();

beforeAll(async () => {
  db = await createTestDatabase();
  const contracts = isolatedExample('trinax.yaml', suffix);
  childEnv = {
    DATABASE_URL: db.url,
    IMAP_URL: `imap://${encodeURIComponent(service)}:test@${env.imap.host}:${env.imap.port}/INBOX`,
    CONTRACTS_FILE: contracts.file,
    HELPDESK_SECRET: 'e2e-secret-0123456789abcdef',
    HELPDESK_QUEUE_PREFIX: `e2e${suffix}`,
    LOG_LEVEL: 'info',
  };
  const sync = runCli(childEnv, ['contracts', 'sync', contracts.file]);
  expect(sync.stderr).toBe('');
  expect(sync.status).toBe(0);
  bot = startBotProcess(childEnv);
});

afterAll(async () => {
  if (bot && bot.child.exitCode === null) {
    bot.child.kill('SIGKILL');
    await bot.exited;
  }
  await db?.drop();
});

describe('the mail loop', () => {
  it('turns a contact’s mail into a ticket on the contract’s plan and acknowledges it in the contact’s mailbox', async () => {
    await sendMail(env, {
      from: { name: 'Eva Lind', address: eva },
      to: service,
      subject: 'Kassasystemet är nere',
      text: 'Hej, kassorna fungerar inte sedan i morse.',
      messageId: `<first-${suffix}@acme.se>`,
    });
    const [ack] = await waitForMessages(env, eva, '[#', 1, 60_000);
    expect(ack!.subject).toMatch(/^\[#\d+\] /);
    expect(ack!.source).toMatch(/^Auto-Submitted: auto-replied/m);
    expect(ack!.source).toMatch(/^X-Auto-Response-Suppress: All/m);
    expect(ack!.replyTo).toMatch(new RegExp(`^support\\+\\d+\\.[a-z0-9]+@trinax-${suffix}\\.example$`));
    expect(ack!.source).toMatch(new RegExp(`^In-Reply-To: <first-${suffix}@acme.se>`, 'm'));
    // Acme's plan keeps a 15h bank per quarter, nothing logged yet
    expect((await simpleParser(ack!.source)).text).toContain('Du har 15h kvar i timbanken detta kvartal.');
    const number = Number(/\[#(\d+)\]/.exec(ack!.subject)![1]);

    const shown = runCli(childEnv, ['ticket', String(number), '--json']);
    expect(shown.status).toBe(0);
    const ticket = JSON.parse(shown.stdout);
    expect(ticket).toMatchObject({ number, customer: 'Acme AB', plan: 'alert', requester: eva, status: 'new' });
    expect(ticket.deadlines.response).not.toBeNull();
    expect(ticket.messages.filter((m: { direction: string }) => m.direction === 'in')).toHaveLength(1);
    // the text form shows times in the ticket's zone (Acme: Stockholm), not UTC
    const text = runCli(childEnv, ['ticket', String(number)]).stdout;
    expect(text).toContain('times in Europe/Stockholm');
    const created = DateTime.fromISO(ticket.createdAt, { zone: 'utc' }).setZone('Europe/Stockholm').toFormat('yyyy-MM-dd HH:mm');
    expect(text).toContain(`created ${created}`);
    expect(ack!.source).toContain(String(number));

    const list = JSON.parse(runCli(childEnv, ['tickets', '--json']).stdout);
    expect(list.map((t: { number: number }) => t.number)).toContain(number);
  });

  it('threads the customer’s reply into the same ticket without a second acknowledgement', async () => {
    const [ack] = await waitForMessages(env, eva, '[#', 1);
    await sendMail(env, { from: eva, to: ack!.replyTo!, subject: `Re: ${ack!.subject}`, text: 'En sak till: även skrivaren.', inReplyTo: ack!.messageId! });
    const number = Number(/\[#(\d+)\]/.exec(ack!.subject)![1]);
    await waitFor('the follow-up on the ticket', async () => {
      const t = JSON.parse(runCli(childEnv, ['ticket', String(number), '--json']).stdout);
      return t.messages.filter((m: { direction: string }) => m.direction === 'in').length === 2;
    }, 30_000, 500);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await readMailbox(env, eva)).filter((m) => m.subject.includes('[#'))).toHaveLength(1);
  });

  it('stops cleanly on SIGTERM', async () => {
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(bot.output()).toContain('helpdesk stopped');
  });
});
