// An acknowledgement the mail server refuses for good (the local SMTP front answers 501 to a
// malformed address, as a real server does) is marked failed, and the customer's account manager
// is told once, in their language, with the server's answer and how to resend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from '../support/bot-harness.ts';
import { readMailbox, sendMail, waitFor } from '../support/mail.ts';

let t: TestBot;
beforeAll(async () => {
  t = await startTestBot();
});
afterAll(async () => {
  await t?.stop();
});

describe('an acknowledgement refused for good', () => {
  it('tells the account manager once, and never writes to the refused address', async () => {
    const eva = t.at('eva', 'acme.se');
    await sendMail(t.env, { from: eva, to: t.service, subject: 'Printer down', text: 'The printer on floor 2 is down.' });
    const [ticket] = await waitFor('the ticket', async () => {
      const rows = await t.bot.db.sql<{ id: number; number: number }[]>`select id, number from tickets`;
      return rows.length > 0 ? rows : null;
    });
    // A second acknowledgement of that ticket to an address the SMTP server refuses (as if the
    // customer's address had been mistyped in their mail).
    const refusedTo = 'eva@-bad-.example';
    const [row] = await t.bot.db.sql<{ id: string }[]>`
      insert into outbound_mails (idempotency_key, ticket_id, kind, from_address, "to", subject, text, message_id, automatic, state)
      values (${`ack:refused:${t.suffix}`}, ${ticket!.id}, 'ack', ${t.service}, array[${refusedTo}]::text[], ${`[#${ticket!.number}] Printer down`}, 'x',
              ${`<refused-${t.suffix}@example.test>`}, true, 'queued')
      returning id`;
    await t.bot.queues.enqueueOutbound([row!.id]);

    const william = t.at('william', 'trinax.example');
    const notices = await waitFor('the account manager told', async () => {
      const found = (await readMailbox(t.env, william)).filter((m) => m.subject.includes('kunde inte levereras'));
      return found.length > 0 ? found : null;
    }, 30_000, 300);
    const [failed] = await t.bot.db.sql<{ state: string; last_error: string }[]>`select state, last_error from outbound_mails where id = ${row!.id}`;
    expect(failed).toMatchObject({ state: 'failed', last_error: expect.stringContaining('501') });
    // the job went through once; a second enqueue of the failed row changes nothing
    await t.bot.queues.enqueueOutbound([row!.id]);
    await new Promise((r) => setTimeout(r, 1_500));
    const again = (await readMailbox(t.env, william)).filter((m) => m.subject.includes('kunde inte levereras'));
    expect(again).toHaveLength(1);
    expect(notices[0]!.subject).toBe(`[#${ticket!.number}] Bekräftelsen kunde inte levereras till ${refusedTo}`);
    expect(notices[0]!.source).toContain(`helpdesk outbox retry ${row!.id}`);
    const [count] = await t.bot.db.sql<{ n: number }[]>`select count(*)::int as n from outbound_mails where kind = 'ack-undelivered'`;
    expect(count!.n).toBe(1);
  });
});
