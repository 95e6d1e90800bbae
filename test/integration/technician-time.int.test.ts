// A technician logs time with `#time` in a reply from their own mail client: exactly one time
// entry per reply, however often the same mail is delivered. Real SMTP, Dovecot and Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from '../support/bot-harness.ts';
import { readMailbox, sendMail, sendRaw, waitFor, waitForMessages, type ReadMessage } from '../support/mail.ts';

let t: TestBot;

beforeAll(async () => {
  t = await startTestBot({ roles: ['ingest', 'mailer'] });
});
afterAll(async () => {
  await t?.stop();
});

interface TimeEntry {
  technician: string;
  role: string;
  onsite: boolean;
  minutes: number;
  billable_minutes: number;
  currency: string;
}

async function timeEntriesOf(ticketId: number): Promise<TimeEntry[]> {
  return (await t.bot.db.sql`
    select technician, role, onsite, minutes, billable_minutes, currency from time_entries where ticket_id = ${ticketId}`) as unknown as TimeEntry[];
}

async function timeEventsOf(ticketId: number): Promise<unknown[]> {
  return (await t.bot.db.sql`select data from ticket_events where ticket_id = ${ticketId} and type = 'time'`).map((row) => row.data);
}

async function openTicket(customer: string, subject: string): Promise<{ ack: ReadMessage; ticketId: number }> {
  await sendMail(t.env, { from: customer, to: t.service, subject, text: 'Nätverket ligger nere.' });
  const [ack] = await waitForMessages(t.env, customer, subject);
  const [row] = await t.bot.db.sql`select id from tickets where requester = ${customer}`;
  return { ack: ack!, ticketId: Number(row!.id) };
}

/** One fixed set of bytes, so that delivering it twice is the same mail twice. */
function technicianReply(from: string, ack: ReadMessage, text: string): string {
  return [
    `From: William Kakela <${from}>`,
    `To: ${ack.replyTo}`,
    `Subject: Re: ticket reply ${t.suffix}`,
    `Message-ID: <time-${t.suffix}@trinax.example>`,
    `In-Reply-To: ${ack.messageId}`,
    'Date: Mon, 30 Nov 2026 10:00:00 +0100',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    text,
    '',
  ].join('\r\n');
}

describe('#time in a technician reply', () => {
  it('creates exactly one time entry, and the same mail delivered twice still one', async () => {
    const customer = t.at('eva', 'acme.se');
    const william = t.at('william', 'trinax.example');
    const { ack, ticketId } = await openTicket(customer, 'Nätverket nere');
    const reply = technicianReply(william, ack, 'Vi har bytt switchen, allt fungerar igen.\n#time 30m');

    await sendRaw(t.env, { from: william, to: [ack.replyTo!] }, reply);
    const entries = await waitFor('the time entry', async () => {
      const found = await timeEntriesOf(ticketId);
      return found.length > 0 ? found : null;
    });
    // Alert! prices no `technician` role: the default rate applies, and the entry says so.
    expect(entries).toEqual([{ technician: william, role: 'default', onsite: false, minutes: 30, billable_minutes: 30, currency: 'SEK' }]);

    // The same bytes again (a redelivery): handled once it sits in Processed next to the first.
    await sendRaw(t.env, { from: william, to: [ack.replyTo!] }, reply);
    await waitFor('both copies in Processed', async () => {
      const processed = await readMailbox(t.env, t.service, 'Processed');
      return processed.filter((m) => m.messageId === `<time-${t.suffix}@trinax.example>`).length === 2;
    });

    expect(await timeEntriesOf(ticketId)).toHaveLength(1);
    expect(await timeEventsOf(ticketId)).toEqual([{ minutes: 30, role: 'default', onsite: false, by: william }]);
    const [relayed] = await t.bot.db.sql`select count(*)::int as n from outbound_mails where ticket_id = ${ticketId} and kind = 'technician-reply'`;
    expect(relayed!.n).toBe(1);
  });
});
