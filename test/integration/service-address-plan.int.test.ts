// The plan chosen by the service address a customer wrote to, on the real services (Mystore:
// serviceteam@ for the service agreement): one mailbox receives both provider addresses, as an
// alias would; the address in To chooses the plan and is the address the ticket answers from.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from '../support/bot-harness.ts';
import { sendRaw, waitForMessages } from '../support/mail.ts';

let t: TestBot;

beforeAll(async () => {
  t = await startTestBot({ example: 'mystore.yaml', roles: ['ingest', 'mailer'] });
});
afterAll(async () => {
  await t?.stop();
});

let mailCount = 0;
/** A new mail with `to` in its To header, delivered to the support mailbox (an alias of both addresses). */
async function deliver(from: string, to: string, subject: string): Promise<void> {
  const raw = [
    `From: ${from}`,
    `To: ${to}`,
    `Subject: ${subject}`,
    `Message-ID: <service-address-${t.suffix}-${(mailCount += 1)}@customer.example>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Kan dere legge inn en sporingskode fra Google i butikken?',
    '',
  ].join('\r\n');
  await sendRaw(t.env, { from, to: [t.service] }, raw);
}

async function ticketBySubject(subject: string) {
  const [row] = await t.bot.db.sql`select plan_key, service_address, contract_id, customer_id from tickets where subject = ${subject}`;
  return row!;
}

describe('the plan of the service address written to', () => {
  it('serves a support customer on the service plan when it writes to serviceteam@, and answers from serviceteam@', async () => {
    const serviceteam = t.at('serviceteam', 'mystore.example');
    expect(t.service).toBe(t.at('support', 'mystore.example'));
    const marte = t.at('marte', 'fjellsko.no');

    await deliver(marte, serviceteam, `Sporingskode ${t.suffix}`);
    const [ack] = await waitForMessages(t.env, marte, `Sporingskode ${t.suffix}`);
    expect(ack!.from).toContain(serviceteam);
    expect(ack!.replyTo).toMatch(new RegExp(`^serviceteam\\+\\d+\\.[a-z2-7]{10}@mystore-${t.suffix}\\.example$`));
    const ticket = await ticketBySubject(`Sporingskode ${t.suffix}`);
    // the customer's ticket, outside its support contract
    expect(ticket).toMatchObject({ plan_key: 'service', service_address: serviceteam, contract_id: null });
    expect(ticket.customer_id).not.toBeNull();

    // The same customer writing to support@ stays on its contract.
    await deliver(marte, t.service, `Passord ${t.suffix}`);
    await waitForMessages(t.env, marte, `Passord ${t.suffix}`);
    const support = await ticketBySubject(`Passord ${t.suffix}`);
    expect(support).toMatchObject({ plan_key: 'support', service_address: t.service });
    expect(support.contract_id).not.toBeNull();

    // A stranger writing to serviceteam@ stays on the default plan.
    const stranger = t.at('kari', 'gmail.com');
    await deliver(stranger, serviceteam, `Nettbutikk ${t.suffix}`);
    await waitForMessages(t.env, stranger, `Nettbutikk ${t.suffix}`);
    expect(await ticketBySubject(`Nettbutikk ${t.suffix}`)).toMatchObject({ plan_key: 'none', service_address: serviceteam, contract_id: null, customer_id: null });
  });
});
