// Estimates end to end on the real services: a technician's `#estimate` above quoteAbove on a plan
// that requires approval mails the customer one approval request (even when the technician's mail
// is delivered twice); the customer's "Akkoord" records the approval once and tells the technician;
// time whose work started before the approval is flagged and time after it is not; a second answer
// flips nothing; a new estimate declined through the decline address by a manager is recorded (a
// stranger writing to the approve address changes nothing); an estimate at quoteAbove sends nothing;
// and a notice-only plan (Mystore's service plan) sends a notice that asks nothing.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplyAddress } from '../../src/mail/reply-token.models.ts';
import { startTestBot, type TestBot } from '../support/bot-harness.ts';
import { runCli } from '../support/bot-process.ts';
import { isolatedExample } from '../support/contracts.ts';
import { rawReply, readMailbox, sendMail, sendRaw, waitFor, waitForMessages, type ReadMessage } from '../support/mail.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface EventRow {
  type: string;
  at: Date;
  data: Record<string, unknown>;
}

async function eventsOf(t: TestBot, ticketId: number, types: string[]): Promise<EventRow[]> {
  const rows = await t.bot.db.sql`select type, (extract(epoch from at) * 1000)::float8 as ms, data from ticket_events where ticket_id = ${ticketId} and type = any(${types}) order by id`;
  return rows.map((row) => ({ type: String(row.type), at: new Date(Number(row.ms)), data: row.data as Record<string, unknown> }));
}

async function openTicket(t: TestBot, customer: string, subject: string, text: string): Promise<{ ack: ReadMessage; ticketId: number; number: number; plan: string }> {
  await sendMail(t.env, { from: customer, to: t.service, subject, text });
  const [ack] = await waitForMessages(t.env, customer, subject);
  const [row] = await t.bot.db.sql`select id, number, plan_key from tickets where requester = ${customer} and subject = ${subject}`;
  return { ack: ack!, ticketId: Number(row!.id), number: Number(row!.number), plan: String(row!.plan_key) };
}

let mailCount = 0;
function reply(t: TestBot, mail: { from: string; fromName: string; to: string; inReplyTo: string; text: string }): { raw: string; messageId: string } {
  const messageId = `<estimate-${t.suffix}-${(mailCount += 1)}@test.example>`;
  return { raw: rawReply({ ...mail, subject: `Re: estimate ${t.suffix}`, messageId }), messageId };
}

async function textOf(message: ReadMessage): Promise<{ text: string; html: string }> {
  const parsed = await simpleParser(message.source);
  return { text: parsed.text ?? '', html: typeof parsed.html === 'string' ? parsed.html : '' };
}

/** Waits until the next whole minute after `instant` has begun; returns it as local `HH:MM` in `timeZone`. */
async function nextMinuteAfter(instant: Date, timeZone: string): Promise<string> {
  const boundary = Math.floor(instant.getTime() / 60_000) * 60_000 + 60_000;
  const wait = boundary + 1_500 - Date.now();
  if (wait > 0) await sleep(wait);
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(boundary);
}

describe('an estimate on a plan that requires approval (Mixvoip Standaard: quoteAbove 4h)', () => {
  let t: TestBot;
  let contractsFile: string;
  beforeAll(async () => {
    t = await startTestBot({ example: 'mixvoip.yaml', roles: ['ingest', 'mailer'] });
    contractsFile = isolatedExample('mixvoip.yaml', t.suffix).file;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('asks once, records the answer once, tells the technician, flags work before the approval; a decline by address; nothing at quoteAbove', { timeout: 300_000 }, async () => {
    const jan = t.at('jan', 'bakkerij-claes.be');
    const manager = t.at('boekhouding', 'bakkerij-claes.be');
    const stranger = t.at('mallory', 'elders.be');
    const sofie = t.at('sofie', 'mixvoip.example');
    const { ack, ticketId, number, plan } = await openTicket(t, jan, `Telefooncentrale ${t.suffix}`, 'De centrale moet vervangen worden.');
    expect(plan).toBe('standard');

    // #estimate 5h (above 4h), delivered twice: one approval request to Jan, one confirmation to Sofie.
    const estimate = reply(t, { from: sofie, fromName: 'Sofie Peeters', to: ack.replyTo!, inReplyTo: ack.messageId!, text: 'Dit wordt een grotere klus.\n#estimate 5h' });
    await sendRaw(t.env, { from: sofie, to: [ack.replyTo!] }, estimate.raw);
    await sendRaw(t.env, { from: sofie, to: [ack.replyTo!] }, estimate.raw);
    const [request] = await waitForMessages(t.env, jan, 'Uw akkoord is nodig: ongeveer 5h werk');
    await waitForMessages(t.env, sofie, 'Akkoord gevraagd: 5h');
    const approve = createReplyAddress({ serviceAddress: t.service, ticketNumber: number, secret: t.env.secret, action: 'approve' });
    const decline = createReplyAddress({ serviceAddress: t.service, ticketNumber: number, secret: t.env.secret, action: 'decline' });
    const requestBody = await textOf(request!);
    expect(requestBody.text).toContain(approve);
    expect(requestBody.text).toContain(decline);
    expect(requestBody.text).toContain('104 EUR/h');
    expect(requestBody.html).toContain(`mailto:${approve}`);
    expect(requestBody.html).toContain(`mailto:${decline}`);
    const [estimateEvent] = await eventsOf(t, ticketId, ['estimate']);
    expect(estimateEvent!.data).toEqual({ minutes: 300, by: sofie, requires: 'approval', supersedes: null });

    // Jan approves after a minute has begun: work logged from that minute started before the approval.
    const pendingMinute = await nextMinuteAfter(estimateEvent!.at, 'Europe/Luxembourg');
    const yes = reply(t, { from: jan, fromName: 'Jan Claes', to: request!.replyTo!, inReplyTo: request!.messageId!, text: `Akkoord, ga uw gang.\n\nOp ma 30 nov. 2026 om 10:15 schreef Mixvoip <${t.service}>:\n> Afwijzen: antwoord met het woord Afwijzen` });
    await sendRaw(t.env, { from: jan, to: [request!.replyTo!] }, yes.raw);
    await waitForMessages(t.env, sofie, 'Schatting goedgekeurd: 5h');
    const approved = await waitFor('the approval', async () => (await eventsOf(t, ticketId, ['estimate_approved'])).at(0));
    expect(approved!.data).toEqual({ by: jan, via: 'reply', estimateAt: estimateEvent!.at.toISOString() });

    const before = reply(t, { from: sofie, fromName: 'Sofie Peeters', to: ack.replyTo!, inReplyTo: ack.messageId!, text: `#time 20m from ${pendingMinute}` });
    await sendRaw(t.env, { from: sofie, to: [ack.replyTo!] }, before.raw);
    const [flaggedReceipt] = await waitForMessages(t.env, sofie, 'Tijd geboekt: 20m');
    expect((await textOf(flaggedReceipt!)).text).toContain('gemarkeerd als geboekt vóór akkoord');
    const afterMinute = await nextMinuteAfter(approved!.at, 'Europe/Luxembourg');
    const after = reply(t, { from: sofie, fromName: 'Sofie Peeters', to: ack.replyTo!, inReplyTo: ack.messageId!, text: `#time 25m from ${afterMinute}` });
    await sendRaw(t.env, { from: sofie, to: [ack.replyTo!] }, after.raw);
    const [cleanReceipt] = await waitForMessages(t.env, sofie, 'Tijd geboekt: 25m');
    expect((await textOf(cleanReceipt!)).text).not.toContain('vóór akkoord');

    // A second answer does not flip the first: it is an ordinary reply, told as one.
    const no = reply(t, { from: jan, fromName: 'Jan Claes', to: request!.replyTo!, inReplyTo: request!.messageId!, text: 'Afwijzen' });
    await sendRaw(t.env, { from: jan, to: [request!.replyTo!] }, no.raw);
    await waitForMessages(t.env, sofie, 'De klant heeft gereageerd');
    expect(await eventsOf(t, ticketId, ['estimate_approved', 'estimate_declined'])).toHaveLength(1);
    // The duplicate delivery of the estimate sent nothing twice.
    expect((await readMailbox(t.env, jan)).filter((m) => m.subject.includes('Uw akkoord is nodig'))).toHaveLength(1);

    const cli = runCli({ DATABASE_URL: t.env.databaseUrl, CONTRACTS_FILE: contractsFile }, ['ticket', String(number), '--json']);
    expect(cli.stderr).toBe('');
    const detail = JSON.parse(cli.stdout) as { timeEntries: { minutes: number; beforeApproval: boolean; flags: string[] }[] };
    expect(detail.timeEntries.map((entry) => [entry.minutes, entry.beforeApproval, entry.flags])).toEqual([
      [20, true, ['before-approval']],
      [25, false, []],
    ]);
    const human = runCli({ DATABASE_URL: t.env.databaseUrl, CONTRACTS_FILE: contractsFile }, ['ticket', String(number)]);
    expect(human.stdout).toMatch(/20 min \(technician\)\s+\[before approval\]/);
    expect(human.stdout).not.toMatch(/25 min \(technician\)\s+\[before approval\]/);

    // A new estimate: a stranger writing to the approve address changes nothing; the customer's manager declines by address.
    const second = reply(t, { from: sofie, fromName: 'Sofie Peeters', to: ack.replyTo!, inReplyTo: ack.messageId!, text: '#estimate 6h' });
    await sendRaw(t.env, { from: sofie, to: [ack.replyTo!] }, second.raw);
    const [secondRequest] = await waitForMessages(t.env, jan, 'Uw akkoord is nodig: ongeveer 6h werk');
    const secondApprove = createReplyAddress({ serviceAddress: t.service, ticketNumber: number, secret: t.env.secret, action: 'approve' });
    expect((await textOf(secondRequest!)).text).toContain(secondApprove);
    await sendMail(t.env, { from: stranger, to: secondApprove, subject: 'Akkoord', text: 'Akkoord' });
    await sendMail(t.env, { from: manager, to: decline, subject: `Re: [#${number}] Afwijzen`, text: '' });
    await waitForMessages(t.env, sofie, 'Schatting afgewezen: 6h');
    const answers = await eventsOf(t, ticketId, ['estimate', 'estimate_approved', 'estimate_declined']);
    expect(answers.map((row) => row.type)).toEqual(['estimate', 'estimate_approved', 'estimate', 'estimate_declined']);
    expect(answers[3]!.data).toEqual({ by: manager, via: 'address', estimateAt: answers[2]!.at.toISOString() });
    // the stranger's mail is kept on the ticket as an ordinary message
    const [strangerRow] = await t.bot.db.sql`select ticket_id from messages where from_address = ${stranger}`;
    expect(Number(strangerRow!.ticket_id)).toBe(ticketId);

    // At quoteAbove: recorded, nothing sent.
    const small = reply(t, { from: sofie, fromName: 'Sofie Peeters', to: ack.replyTo!, inReplyTo: ack.messageId!, text: '#estimate 4h' });
    await sendRaw(t.env, { from: sofie, to: [ack.replyTo!] }, small.raw);
    const last = await waitFor('the third estimate', async () => (await eventsOf(t, ticketId, ['estimate'])).at(2));
    expect(last.data).toEqual({ minutes: 240, by: sofie, requires: null, supersedes: null });
    // Something queued after it has gone out, so a mail for it would have too.
    const marker = reply(t, { from: sofie, fromName: 'Sofie Peeters', to: ack.replyTo!, inReplyTo: ack.messageId!, text: 'Tot morgen.' });
    await sendRaw(t.env, { from: sofie, to: [ack.replyTo!] }, marker.raw);
    await waitFor('the relayed reply', async () => (await textOf((await readMailbox(t.env, jan)).at(-1)!)).text.includes('Tot morgen.'));
    const jansMail = await readMailbox(t.env, jan);
    expect(jansMail.filter((m) => m.subject.includes('4h'))).toEqual([]);
    expect((await readMailbox(t.env, sofie)).filter((m) => m.subject.includes(': 4h'))).toEqual([]);
  });
});

describe('an estimate on a notice-only plan (Mystore service: quoteAbove 3h, quoteRequires notice)', () => {
  let t: TestBot;
  beforeAll(async () => {
    t = await startTestBot({ example: 'mystore.yaml', roles: ['ingest', 'mailer'] });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('tells the customer the work goes ahead, asks nothing, and tells the technician what was sent', async () => {
    const ola = t.at('ola', 'nordlys-interior.no');
    const ingrid = t.at('ingrid', 'mystore.example');
    const { ack, ticketId, plan } = await openTicket(t, ola, `Nettbutikk ${t.suffix}`, 'Vi trenger en ny betalingsløsning.');
    expect(plan).toBe('service');
    const estimate = reply(t, { from: ingrid, fromName: 'Ingrid Dahl', to: ack.replyTo!, inReplyTo: ack.messageId!, text: '#estimate 5h' });
    await sendRaw(t.env, { from: ingrid, to: [ack.replyTo!] }, estimate.raw);
    const [notice] = await waitForMessages(t.env, ola, 'Forventet tid: omtrent 5h');
    const body = await textOf(notice!);
    expect(body.text).toContain('arbeidet går videre som planlagt');
    expect(body.text).not.toContain('+');
    expect(body.html).not.toContain('mailto:');
    await waitForMessages(t.env, ingrid, 'Beskjed om anslag sendt: 5h');
    const [event] = await eventsOf(t, ticketId, ['estimate']);
    expect(event!.data).toEqual({ minutes: 300, by: ingrid, requires: 'notice', supersedes: null });

    // "Godkjent" to a notice answers nothing: an ordinary reply.
    const yes = reply(t, { from: ola, fromName: 'Ola Bakken', to: notice!.replyTo!, inReplyTo: notice!.messageId!, text: 'Godkjent' });
    await sendRaw(t.env, { from: ola, to: [notice!.replyTo!] }, yes.raw);
    await waitForMessages(t.env, ingrid, 'Kunden har svart');
    expect(await eventsOf(t, ticketId, ['estimate_approved', 'estimate_declined'])).toEqual([]);
  });
});
