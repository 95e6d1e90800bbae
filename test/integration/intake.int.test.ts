// Intake against real Dovecot, SMTP, Postgres and Redis: routing, threading, loop safety,
// quarantine. Each case reads what the bot stored and what landed in real mailboxes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from '../support/bot-harness.ts';
import { readMailbox, sendMail, sendRaw, waitFor, waitForMessages } from '../support/mail.ts';

let t: TestBot;

beforeAll(async () => {
  t = await startTestBot({ roles: ['ingest', 'mailer'], env: { HELPDESK_MAX_MAIL_BYTES: '300000' } });
});
afterAll(async () => {
  await t?.stop();
});

async function rows<T = Record<string, unknown>>(query: TemplateStringsArray, ...params: unknown[]): Promise<T[]> {
  return (await t.bot.db.sql(query, ...(params as never[]))) as unknown as T[];
}

async function ticketOf(requester: string) {
  return waitFor(`a ticket for ${requester}`, async () => {
    const found = await rows<{ number: number; plan_key: string; customer_id: number | null; status: string; id: number }>`
      select id, number, plan_key, customer_id, status from tickets where requester = ${requester} order by id`;
    return found.length ? found : null;
  });
}

async function settle(ms = 2500) {
  await new Promise((r) => setTimeout(r, ms));
}

describe('sender → contract', () => {
  it('matches an exact contact case-insensitively and ignores the sender’s plus tag', async () => {
    const eva = t.at('eva', 'acme.se');
    await sendMail(t.env, { from: { name: 'Someone Else', address: eva.replace('eva@', 'EVA+urgent@') }, to: t.service, subject: 'Printer broken', text: 'x' });
    const [ticket] = await ticketOf(eva);
    expect(ticket!.plan_key).toBe('alert');
    const [customer] = await rows<{ name: string }>`select name from customers where id = ${ticket!.customer_id}`;
    expect(customer!.name).toBe('Acme AB');
  });

  it('falls back to the customer’s domain, then to the no-contract plan', async () => {
    const colleague = t.at('newhire', 'nordljus.se');
    const stranger = `someone@stranger-${t.suffix}.org`;
    await sendMail(t.env, { from: colleague, to: t.service, subject: 'Hello from a colleague', text: 'x' });
    await sendMail(t.env, { from: stranger, to: t.service, subject: 'Hello from a stranger', text: 'x' });
    expect((await ticketOf(colleague))[0]!.plan_key).toBe('attend');
    const [strangers] = await ticketOf(stranger);
    expect(strangers!.plan_key).toBe(t.config.defaultPlan);
    expect(strangers!.customer_id).toBeNull();
  });
});

describe('loop safety', () => {
  it('stores an out-of-office reply that matches no ticket without opening a ticket or acknowledging it', async () => {
    const away = t.at('away', 'acme.se');
    await sendMail(t.env, { from: away, to: t.service, subject: 'Out of office', text: 'Back Monday', headers: { 'Auto-Submitted': 'auto-replied' } });
    const stored = await waitFor('the stored automatic mail', async () => {
      const found = await rows<{ ticket_id: number | null; author: string; automation_reasons: string[] }>`
        select ticket_id, author, automation_reasons from messages where from_address = ${away}`;
      return found.length ? found : null;
    });
    expect(stored[0]).toMatchObject({ ticket_id: null, author: 'automatic' });
    expect(stored[0]!.automation_reasons).toContain('auto-submitted');
    expect(await rows`select 1 from tickets where requester = ${away}`).toHaveLength(0);
    await settle();
    expect(await readMailbox(t.env, away)).toHaveLength(0);
  });

  it.each([
    ['Precedence: bulk', { Precedence: 'bulk' }],
    ['a List-Id', { 'List-Id': '<news.example.org>' }],
    ['X-Auto-Response-Suppress: OOF', { 'X-Auto-Response-Suppress': 'OOF' }],
  ])('opens no ticket for mail with %s', async (_name, headers) => {
    const from = t.at(`list${Math.random().toString(36).slice(2, 8)}`, 'acme.se');
    await sendMail(t.env, { from, to: t.service, subject: 'Newsletter', text: 'x', headers });
    await waitFor('the stored mail', async () => (await rows`select 1 from messages where from_address = ${from}`).length > 0);
    expect(await rows`select 1 from tickets where requester = ${from}`).toHaveLength(0);
  });

  it('never answers MAILER-DAEMON, no-reply senders or our own address', async () => {
    const senders = [`MAILER-DAEMON@mx-${t.suffix}.example`, `no-reply@shop-${t.suffix}.example`, t.service];
    for (const from of senders) await sendMail(t.env, { from, to: t.service, subject: `robot ${from}`, text: 'x' });
    await waitFor('all three stored', async () => {
      const [n] = await rows<{ n: number }>`select count(*)::int as n from messages where subject like 'robot %'`;
      return n!.n === 3;
    });
    expect(await rows`select 1 from tickets where subject like 'robot %'`).toHaveLength(0);
  });

  it('caps acknowledgements per sender per hour at ackLimitPerHour but still opens every ticket', async () => {
    const chatty = t.at('chatty', 'acme.se');
    const limit = t.config.provider.ackLimitPerHour;
    for (let i = 0; i <= limit; i++) await sendMail(t.env, { from: chatty, to: t.service, subject: `Chatty ${i}`, text: 'x' });
    await waitFor('all tickets', async () => (await rows`select 1 from tickets where requester = ${chatty}`).length === limit + 1);
    await waitForMessages(t.env, chatty, 'Chatty', limit);
    await settle();
    expect((await readMailbox(t.env, chatty)).filter((m) => m.subject.startsWith('[#'))).toHaveLength(limit);
    const suppressed = await rows`select 1 from ticket_events e join tickets tk on tk.id = e.ticket_id where tk.requester = ${chatty} and e.type = 'ack_suppressed'`;
    expect(suppressed).toHaveLength(1);
  });

  it('attaches an auto-reply to the ticket it answers without changing its status', async () => {
    const lars = t.at('lars', 'nordljus.se');
    await sendMail(t.env, { from: lars, to: t.service, subject: 'VPN problem', text: 'x' });
    const [ack] = await waitForMessages(t.env, lars, 'VPN problem');
    await sendMail(t.env, { from: lars, to: ack!.replyTo!, subject: `Automatic reply: ${ack!.subject}`, text: 'Away', inReplyTo: ack!.messageId!, headers: { 'Auto-Submitted': 'auto-replied' } });
    const [ticket] = await ticketOf(lars);
    await waitFor('the auto-reply on the ticket', async () => (await rows`select 1 from messages where ticket_id = ${ticket!.id} and author = 'automatic'`).length === 1);
    const [after] = await rows<{ status: string }>`select status from tickets where id = ${ticket!.id}`;
    expect(after!.status).toBe('new');
    expect(await rows`select 1 from tickets where requester = ${lars}`).toHaveLength(1);
  });

  it('attaches a delivery-status report to the ticket of the bounced mail and opens nothing', async () => {
    const kari = t.at('kari', 'fjord.no');
    await sendMail(t.env, { from: kari, to: t.service, subject: 'Bounce me', text: 'x' });
    const [ack] = await waitForMessages(t.env, kari, 'Bounce me');
    const [ticket] = await ticketOf(kari);
    const boundary = 'dsn-boundary';
    const dsn = [
      `From: Mail Delivery System <MAILER-DAEMON@mx-${t.suffix}.example>`,
      `To: ${t.service}`,
      'Subject: Undelivered Mail Returned to Sender',
      `Message-ID: <dsn-${t.suffix}@mx.example>`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      `--${boundary}`,
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example',
      '',
      `Final-Recipient: rfc822; ${kari}`,
      'Action: failed',
      'Status: 5.1.1',
      `--${boundary}`,
      'Content-Type: text/rfc822-headers',
      '',
      `From: ${t.service}`,
      `To: ${kari}`,
      `Message-ID: ${ack!.messageId}`,
      `Subject: ${ack!.subject}`,
      `--${boundary}--`,
      '',
    ].join('\r\n');
    await sendRaw(t.env, { from: '', to: [t.service] }, dsn);
    await waitFor('the bounce on the ticket', async () => (await rows`select 1 from messages where ticket_id = ${ticket!.id} and author = 'bounce'`).length === 1);
    expect(await rows`select 1 from tickets where subject like 'Undelivered%'`).toHaveLength(0);
  });
});

describe('threading', () => {
  it('joins a mail by [#N] in the subject only when the sender already takes part in ticket N', async () => {
    const daan = t.at('daan', 'molen.nl');
    await sendMail(t.env, { from: daan, to: t.service, subject: 'Telefoon storing', text: 'x' });
    const [ticket] = await ticketOf(daan);
    await sendMail(t.env, { from: daan, to: t.service, subject: `Nog iets [#${ticket!.number}]`, text: 'y' });
    const outsider = `mallory@elsewhere-${t.suffix}.org`;
    await sendMail(t.env, { from: outsider, to: t.service, subject: `Hijack [#${ticket!.number}]`, text: 'z' });
    await waitFor('the follow-up', async () => (await rows`select 1 from messages where ticket_id = ${ticket!.id} and direction = 'in'`).length === 2);
    const outsiderTickets = await ticketOf(outsider);
    expect(outsiderTickets[0]!.id).not.toBe(ticket!.id);
  });
});

describe('raw mail', () => {
  it('keeps the exact bytes of every mail, 7-bit ASCII and 8-bit alike', async () => {
    const ascii = t.at('ascii', 'acme.se');
    const eightBit = t.at('latin', 'acme.se');
    const latin1Body = Buffer.concat([Buffer.from(`From: ${eightBit}\r\nTo: ${t.service}\r\nSubject: Skrivaren\r\nMessage-ID: <latin-${t.suffix}@x>\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`), Buffer.from([0x53, 0x6b, 0x72, 0xe4, 0x70, 0x21, 0x0d, 0x0a])]);
    await sendMail(t.env, { from: ascii, to: t.service, subject: 'Plain ASCII', text: 'hello' });
    await sendRaw(t.env, { from: eightBit, to: [t.service] }, latin1Body);
    await ticketOf(ascii);
    await ticketOf(eightBit);
    const stored = await rows<{ same: boolean; raw: Buffer; from_address: string }>`
      select encode(sha256(r.raw), 'hex') = r.sha256 as same, r.raw, m.from_address from raw_mails r join messages m on m.raw_mail_id = r.id
      where m.from_address in (${ascii}, ${eightBit})`;
    expect(stored).toHaveLength(2);
    for (const row of stored) expect(row.same).toBe(true);
    const latin = stored.find((r) => r.from_address === eightBit)!;
    expect(latin.raw.includes(Buffer.from([0x53, 0x6b, 0x72, 0xe4, 0x70]))).toBe(true);
  });
});

describe('bad input', () => {
  it('keeps a mail without a sender in quarantine with the reason and goes on with the next mail', async () => {
    const raw = ['To: ' + t.service, 'Subject: no sender here', `Message-ID: <nosender-${t.suffix}@x>`, '', 'body'].join('\r\n');
    await sendRaw(t.env, { from: `bounce@x-${t.suffix}.example`, to: [t.service] }, raw);
    const after = t.at('after', 'acme.se');
    await sendMail(t.env, { from: after, to: t.service, subject: 'Right after the bad one', text: 'x' });
    await ticketOf(after);
    const q = await waitFor('the quarantine row', async () => {
      const found = await rows<{ reason_code: string; reason: string; size: number }>`
        select q.reason_code, q.reason, r.size from quarantine q join raw_mails r on r.id = q.raw_mail_id`;
      return found.find((r) => r.reason_code === 'mail.no_sender') ?? null;
    });
    expect(q.reason).toBe('no From header');
    expect(q.size).toBeGreaterThan(0);
    await waitFor('the mail in the Quarantine folder', async () =>
      (await readMailbox(t.env, t.service, 'Quarantine')).some((m) => m.subject === 'no sender here'),
    );
  });

  it('quarantines a mail larger than the limit without parsing it', async () => {
    const big = t.at('big', 'acme.se');
    await sendMail(t.env, { from: big, to: t.service, subject: 'Huge', text: 'x'.repeat(400_000) });
    const q = await waitFor('the quarantine row', async () => {
      const found = await rows<{ reason: string }>`select reason from quarantine where reason_code = 'mail.too_large'`;
      return found[0] ?? null;
    });
    expect(q.reason).toMatch(/limit is 300000/);
    expect(await rows`select 1 from tickets where requester = ${big}`).toHaveLength(0);
  });
});
