// A mailbox connected with old mail, or a bot back after a long outage, must not flood anyone:
// mail older than provider.backlog.ackMaxAge opens tickets without acknowledgements, and a batch
// that opens provider.backlog.digestFrom tickets or more sends each technician ONE digest.
// Real Dovecot (mail appended with old internal dates), Postgres, Redis and SMTP.
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from '../support/bot-harness.ts';
import { readMailbox, sendMail, waitFor, waitForMessages } from '../support/mail.ts';

const OLD_MAILS = 6;
const THREE_DAYS_AGO = new Date(Date.now() - 3 * 86_400_000);
let t: TestBot;
let senders: string[];

async function rows<T = Record<string, unknown>>(query: TemplateStringsArray, ...params: unknown[]): Promise<T[]> {
  return (await t.bot.db.sql(query, ...(params as never[]))) as unknown as T[];
}

beforeAll(async () => {
  t = await startTestBot({
    roles: ['ingest', 'mailer', 'sla'],
    // before the bot starts, so the whole backlog is one batch
    beforeStart: async (bot) => {
      senders = Array.from({ length: OLD_MAILS }, (_, i) => bot.at(`old${i}`, 'acme.se'));
      const client = new ImapFlow({ host: bot.env.imap.host, port: bot.env.imap.port, secure: false, doSTARTTLS: false, auth: { user: bot.service, pass: 'test' }, logger: false });
      await client.connect();
      try {
        for (const [i, from] of senders.entries()) {
          const raw = [`From: Old Sender ${i} <${from}>`, `To: ${bot.service}`, `Subject: Old problem ${i}`, `Message-ID: <old-${i}-${bot.suffix}@acme.se>`, `Date: ${THREE_DAYS_AGO.toUTCString()}`, '', `Still broken ${i}.`, ''].join('\r\n');
          await client.append('INBOX', raw, [], THREE_DAYS_AGO);
        }
      } finally {
        await client.logout();
      }
    },
  });
});
afterAll(async () => {
  await t?.stop();
});

describe('a backlog of old mail', () => {
  it('opens a ticket for every old mail but acknowledges none of them, recording why', async () => {
    const opened = await waitFor('all backlog tickets', async () => {
      const found = await rows<{ id: number; requester: string }>`select id, requester from tickets where requester = any(${senders}) order by id`;
      return found.length === OLD_MAILS ? found : null;
    });
    expect(opened.map((r) => r.requester).sort()).toEqual([...senders].sort());
    expect(await rows`select 1 from outbound_mails where kind = 'ack'`).toHaveLength(0);
    const suppressed = await rows<{ data: { reason: string; ageMs: number } }>`select data from ticket_events where type = 'ack_suppressed'`;
    expect(suppressed).toHaveLength(OLD_MAILS);
    for (const { data } of suppressed) {
      expect(data.reason).toBe('backlog');
      expect(data.ageMs).toBeGreaterThan(2 * 86_400_000);
    }
  });

  it('sends each technician one digest listing every new ticket instead of a notice per ticket', async () => {
    const technicians = t.config.provider.technicians.map((tech) => tech.email);
    for (const technician of technicians) {
      // "6 nya ärenden", "6 new tickets", … in the technician's language
      const [digest] = await waitForMessages(t.env, technician, `${OLD_MAILS} n`);
      expect(digest!.subject).toMatch(new RegExp(`^${OLD_MAILS} n`));
      for (let i = 0; i < OLD_MAILS; i++) expect(digest!.source).toContain(`Old problem ${i}`);
      expect(digest!.source).not.toMatch(/^Reply-To:/im);
    }
    expect(await rows`select 1 from outbound_mails where kind = 'technician-new-ticket'`).toHaveLength(0);
    expect(await rows`select 1 from outbound_mails where kind = 'technician-digest'`).toHaveLength(technicians.length);
    // nobody else heard of the backlog
    for (const sender of senders) expect(await readMailbox(t.env, sender)).toHaveLength(0);
  });

  it('records the promises the backlog broke while nobody watched, without a warning or escalation mail for any of them', async () => {
    const ids = (await rows<{ id: number }>`select id from tickets where requester = any(${senders})`).map((r) => Number(r.id));
    const clocks = await rows<{ breached_at: Date | null; deadline: Date }>`select breached_at, deadline from sla_clocks where ticket_id = any(${ids}) and target = 'response'`;
    expect(clocks).toHaveLength(OLD_MAILS);
    for (const clock of clocks) expect(clock.breached_at).toEqual(clock.deadline);
    const breaches = await rows`select 1 from ticket_events where type = 'sla_breach' and ticket_id = any(${ids})`;
    expect(breaches.length).toBeGreaterThanOrEqual(OLD_MAILS);
    // the sla role reconciled at start and runs its timers: give it time to (wrongly) escalate
    await new Promise((r) => setTimeout(r, 3000));
    expect(await rows`select 1 from outbound_mails where kind in ('sla-warning', 'sla-breach')`).toHaveLength(0);
    expect(await t.bot.queues.slaTimers.getJobCountByTypes('waiting', 'delayed', 'prioritized', 'active')).toBeLessThanOrEqual(OLD_MAILS * 3);
  });

  it('still acknowledges a fresh mail, with a notice of its own to each technician', async () => {
    const fresh = t.at('fresh', 'acme.se');
    await sendMail(t.env, { from: fresh, to: t.service, subject: 'New problem today', text: 'x' });
    const [ack] = await waitForMessages(t.env, fresh, 'New problem today');
    expect(ack!.subject).toMatch(/^\[#\d+\]/);
    for (const technician of t.config.provider.technicians.map((tech) => tech.email)) {
      await waitForMessages(t.env, technician, 'New problem today');
    }
  });
});
