// Nobody's message goes unnoticed: a customer's reply reaches the ticket's owner with its new
// text (and not the other technicians), #take and #assign move the ownership, a technician's
// mail that cannot be verified is kept as an internal note and answered, and a reply address
// signed with the previous secret still works after a rotation. Real SMTP, Dovecot and Postgres.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplyAddress } from '../../src/mail/reply-token.models.ts';
import { createTicketQueries } from '../../src/tickets/tickets.queries.ts';
import { startTestBot, type TestBot } from '../support/bot-harness.ts';
import { readMailbox, sendMail, waitFor, waitForMessages, type ReadMessage } from '../support/mail.ts';

const NEW_SECRET = 'rotated-secret-0123456789abcdef';
const OLD_SECRET = 'test-secret-0123456789abcdef';
let t: TestBot;
let william: string;
let sara: string;

beforeAll(async () => {
  // A rotation in progress: the new secret signs, the old one still verifies.
  t = await startTestBot({ roles: ['ingest', 'mailer'], env: { HELPDESK_SECRET: `${NEW_SECRET},${OLD_SECRET}` } });
  william = t.at('william', 'trinax.example');
  sara = t.at('sara', 'trinax.example');
});
afterAll(async () => {
  await t?.stop();
});

function kindOf(message: ReadMessage): string | null {
  return /X-Helpdesk-Kind: ([\w-]+)/.exec(message.source.toString())?.[1] ?? null;
}

async function mailsOfKind(user: string, kind: string, needle: string): Promise<ReadMessage[]> {
  return (await readMailbox(t.env, user)).filter((m) => kindOf(m) === kind && m.subject.includes(needle));
}

async function textOf(message: ReadMessage): Promise<string> {
  return (await simpleParser(message.source)).text ?? '';
}

/** A customer of Acme (account manager: William) opens a ticket; returns its number, the ack and Sara's notice. */
async function openTicket(local: string, subject: string) {
  const customer = t.at(local, 'acme.se');
  await sendMail(t.env, { from: customer, to: t.service, subject, text: 'Skrivaren skriver inte ut.', messageId: `<open-${local}-${t.suffix}@acme.se>` });
  const [ack] = await waitForMessages(t.env, customer, subject);
  const [row] = await t.bot.db.sql`select id, number from tickets where requester = ${customer}`;
  const number = Number(row!.number);
  const [notice] = await waitForMessages(t.env, sara, `[#${number}]`);
  return { customer, ack: ack!, number, ticketId: Number(row!.id), notice: notice! };
}

async function ticketJson(number: number) {
  return (await createTicketQueries({ db: t.bot.db.db }).get(number))!;
}

describe('ticket owners and customer replies', () => {
  it('makes the first technician who answers the owner, and tells only her of the customer’s reply, with its new text', async () => {
    const { customer, ack, number, ticketId, notice } = await openTicket('owner-first', `Skrivare ${t.suffix}`);
    // The notice's reply address is signed with the new secret.
    expect(notice.replyTo).toBe(createReplyAddress({ serviceAddress: t.service, ticketNumber: number, secret: NEW_SECRET }));
    await sendMail(t.env, { from: sara, to: notice.replyTo!, subject: `Re: ${notice.subject}`, text: 'Hej! Har ni provat att starta om skrivaren?\n#status waiting\n' });
    await waitFor('Sara to own the ticket', async () => (await ticketJson(number)).owner === sara);
    expect((await ticketJson(number)).status).toBe('waiting');

    const [relay] = await waitForMessages(t.env, customer, `[#${number}]`, 2).then((all) => all.filter((m) => kindOf(m) === 'technician-reply'));
    await sendMail(t.env, {
      from: customer,
      to: relay!.replyTo!,
      subject: `Re: ${relay!.subject}`,
      inReplyTo: relay!.messageId ?? undefined,
      text: `Ja, den skriver fortfarande inte.\n\nDen 30 nov. 2026 kl. 10:15 skrev Sara Holm <${t.service}>:\n> Hej! Har ni provat att starta om skrivaren?\n`,
    });
    const [toSara] = await waitFor('the customer-reply notice to Sara', async () => {
      const found = await mailsOfKind(sara, 'technician-customer-reply', `[#${number}]`);
      return found.length > 0 ? found : null;
    });
    const text = await textOf(toSara!);
    expect(text).toContain('Hej Sara Holm,');
    expect(text).toContain('Ja, den skriver fortfarande inte.');
    expect(text).not.toContain('Har ni provat');
    expect(text).toContain(createReplyAddress({ serviceAddress: t.service, ticketNumber: number, secret: NEW_SECRET }));
    expect(toSara!.replyTo).toBe(createReplyAddress({ serviceAddress: t.service, ticketNumber: number, secret: NEW_SECRET }));
    // The account manager and the other technicians are not told: the ticket has an owner.
    expect(await mailsOfKind(william, 'technician-customer-reply', `[#${number}]`)).toHaveLength(0);
    expect((await ticketJson(number)).status).toBe('open');
    const events = await t.bot.db.sql`select data from ticket_events where ticket_id = ${ticketId} and type = 'owner'`;
    expect(events.map((e) => e.data)).toEqual([{ from: null, to: sara, by: sara, via: 'first-answer' }]);
    expect((await t.bot.db.sql`select 1 from outbound_mails where ticket_id = ${ticketId} and kind = 'technician-customer-reply'`).length).toBe(1);
    expect(ack.subject).toContain(`[#${number}]`);
  });

  it('tells the account manager of a customer reply on a ticket nobody owns yet', async () => {
    const { customer, ack, number } = await openTicket('owner-none', `Nätverk ${t.suffix}`);
    await sendMail(t.env, { from: customer, to: ack.replyTo!, subject: `Re: ${ack.subject}`, text: 'Det gäller hela kontoret.' });
    const [toWilliam] = await waitFor('the customer-reply notice to the account manager', async () => {
      const found = await mailsOfKind(william, 'technician-customer-reply', `[#${number}]`);
      return found.length > 0 ? found : null;
    });
    expect(await textOf(toWilliam!)).toContain('Det gäller hela kontoret.');
    expect(await mailsOfKind(sara, 'technician-customer-reply', `[#${number}]`)).toHaveLength(0);
    expect((await ticketJson(number)).owner).toBeNull();
  });

  it('moves the ticket with #take and #assign, and tells the writer when #assign names no technician of ours', async () => {
    const { number, ticketId, notice } = await openTicket('owner-tags', `VPN ${t.suffix}`);
    await sendMail(t.env, { from: william, to: notice.replyTo!, subject: `Re: ${notice.subject}`, text: '#take\n#internal jag kollar\n' });
    await waitFor('William to own the ticket', async () => (await ticketJson(number)).owner === william);
    await sendMail(t.env, { from: william, to: notice.replyTo!, subject: `Re: ${notice.subject}`, text: `#tilldela ${sara.toUpperCase()}\n#internal Sara tar den\n` });
    await waitFor('Sara to own the ticket', async () => (await ticketJson(number)).owner === sara);
    // Sara hears of it, once, in Swedish (the provider's language), from William by name
    const [assigned] = await waitFor('the assignment notice to Sara', async () => {
      const found = await mailsOfKind(sara, 'technician-assigned', `[#${number}]`);
      return found.length > 0 ? found : null;
    });
    expect(await textOf(assigned!)).toContain(`William Käkelä har gett dig ärende #${number}`);
    await sendMail(t.env, { from: sara, to: notice.replyTo!, subject: `Re: ${notice.subject}`, text: '#assign someone@example.com\n#internal fel adress\n' });
    const [tagErrors] = await waitFor('the tag-errors mail to Sara', async () => {
      const found = await mailsOfKind(sara, 'tag-errors', `[#${number}]`);
      return found.length > 0 ? found : null;
    });
    expect(await textOf(tagErrors!)).toContain('#assign someone@example.com');
    expect((await ticketJson(number)).owner).toBe(sara);
    const events = await t.bot.db.sql`select data from ticket_events where ticket_id = ${ticketId} and type = 'owner' order by id`;
    expect(events.map((e) => e.data)).toEqual([
      { from: null, to: william, by: william, via: 'take' },
      { from: william, to: sara, by: william, via: 'assign' },
    ]);
    const owned = await createTicketQueries({ db: t.bot.db.db }).list({ owner: sara.toUpperCase() });
    expect(owned.map((ticket) => ticket.number)).toContain(number);
    expect(owned.every((ticket) => ticket.owner === sara)).toBe(true);
  });
});

describe('a technician’s mail that cannot be verified', () => {
  it('is kept on the ticket as an internal note, applies no tag, and the technician is told why and how, once an hour', async () => {
    const { number, ticketId, notice } = await openTicket('unverified', `Server ${t.suffix}`);
    const mangled = notice.replyTo!.replace(/\.[a-z2-7]{10}@/, '.aaaaaaaaaa@');
    for (const text of ['Klart, servern är omstartad.\n#status resolved\n#time 30m\n', 'Och en sak till.\n#status closed\n']) {
      await sendMail(t.env, { from: william, to: mangled, subject: `Re: ${notice.subject}`, text });
    }
    await waitFor('two unverified notes', async () => (await t.bot.db.sql`select 1 from ticket_events where ticket_id = ${ticketId} and type = 'technician_unverified'`).length === 2);
    const detail = await ticketJson(number);
    expect(detail.status).toBe('new');
    expect(detail.messages.filter((m) => m.from === william)).toMatchObject([
      { internal: true, author: 'unverified' },
      { internal: true, author: 'unverified' },
    ]);
    expect(detail.events.filter((e) => e.type === 'technician_unverified').map((e) => (e.data as { reason: string }).reason)).toEqual([
      'invalid-reply-address',
      'invalid-reply-address',
    ]);
    expect(detail.timeEntries).toHaveLength(0);
    const [answer] = await waitFor('the answer to William', async () => {
      const found = await mailsOfKind(william, 'technician-unverified', `[#${number}]`);
      return found.length > 0 ? found : null;
    });
    const text = await textOf(answer!);
    expect(text).toContain('Hej William Käkelä,');
    expect(text).toContain('svarsadressen det skickades till är inte giltig');
    expect(text).toContain(notice.replyTo!);
    // The second mail within the hour is kept but not answered: no loop with a bot that answers back.
    expect((await t.bot.db.sql`select 1 from outbound_mails where ticket_id = ${ticketId} and kind = 'technician-unverified'`).length).toBe(1);
    expect((await t.bot.db.sql`select 1 from outbound_mails where ticket_id = ${ticketId} and kind in ('technician-reply', 'resolved')`).length).toBe(0);
  });
});

describe('a secret rotation', () => {
  it('still verifies a reply address signed with the previous secret', async () => {
    const { number } = await openTicket('rotation', `Rotation ${t.suffix}`);
    const oldAddress = createReplyAddress({ serviceAddress: t.service, ticketNumber: number, secret: OLD_SECRET });
    await sendMail(t.env, { from: william, to: oldAddress, subject: `Re: [#${number}] Rotation`, text: 'Vi väntar på er.\n#status waiting\n' });
    await waitFor('the ticket to wait on the customer', async () => (await ticketJson(number)).status === 'waiting');
    expect((await ticketJson(number)).owner).toBe(william);
  });
});
