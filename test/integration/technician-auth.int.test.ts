// provider.technicianAuthentication: a technician's tags count only when our receiving
// server's Authentication-Results show DKIM/DMARC passing for the technician's domain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from '../support/bot-harness.ts';
import { sendMail, waitFor, waitForMessages } from '../support/mail.ts';

const AUTHSERV = 'mx.trinax.example';
let t: TestBot;

beforeAll(async () => {
  t = await startTestBot({
    roles: ['ingest', 'mailer'],
    edit: (yaml) => yaml.replace(/^(\s*)ackLimitPerHour: 5.*$/m, `$1ackLimitPerHour: 5\n$1technicianAuthentication: { require: authentication-results, authservId: ${AUTHSERV} }`),
  });
});
afterAll(async () => {
  await t?.stop();
});

async function openTicket(customer: string, subject: string) {
  await sendMail(t.env, { from: customer, to: t.service, subject, text: 'Hjälp!' });
  const [ack] = await waitForMessages(t.env, customer, subject);
  const [row] = await t.bot.db.sql`select id, status from tickets where requester = ${customer}`;
  return { ack: ack!, ticketId: Number(row!.id) };
}

describe('technician authentication', () => {
  it('is on in this file’s contracts', () => {
    expect(t.config.provider.technicianAuthentication).toEqual({ require: 'authentication-results', authservId: AUTHSERV });
  });

  it('applies the tags of a technician reply whose domain our server authenticated', async () => {
    const customer = t.at('auth-ok', 'acme.se');
    const { ack, ticketId } = await openTicket(customer, 'Auth ok');
    const william = t.at('william', 'trinax.example');
    await sendMail(t.env, {
      from: william,
      to: ack.replyTo!,
      subject: `Re: ${ack.subject}`,
      text: 'Vi tittar på det.\n#status waiting\n',
      headers: { 'Authentication-Results': `${AUTHSERV}; dkim=pass header.d=${william.split('@')[1]}` },
    });
    await waitFor('the ticket to wait on the customer', async () => {
      const [row] = await t.bot.db.sql`select status from tickets where id = ${ticketId}`;
      return row!.status === 'waiting';
    });
  });

  it('keeps an unauthenticated technician reply as an internal note and applies nothing', async () => {
    const customer = t.at('auth-missing', 'acme.se');
    const { ack, ticketId } = await openTicket(customer, 'Auth missing');
    const william = t.at('william', 'trinax.example');
    await sendMail(t.env, {
      from: william,
      to: ack.replyTo!,
      subject: `Re: ${ack.subject}`,
      text: 'Klart.\n#status resolved\n',
      headers: { 'Authentication-Results': `evil.example; dkim=pass header.d=${william.split('@')[1]}` },
    });
    await waitFor('the unverified note', async () => (await t.bot.db.sql`select 1 from ticket_events where ticket_id = ${ticketId} and type = 'technician_unverified'`).length === 1);
    const [row] = await t.bot.db.sql`select status from tickets where id = ${ticketId}`;
    expect(row!.status).toBe('new');
    const [note] = await t.bot.db.sql`select internal, author from messages where ticket_id = ${ticketId} and direction = 'in' and from_address = ${william}`;
    expect(note).toEqual({ internal: true, author: 'unverified' });
    const relayed = await t.bot.db.sql`select 1 from outbound_mails where ticket_id = ${ticketId} and kind in ('technician-reply', 'resolved')`;
    expect(relayed).toHaveLength(0);
  });
});
