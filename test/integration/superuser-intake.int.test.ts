// Superuser-only intake on the real services (Brødrene Johnsen: "Bedriften plikter å opprette en
// superbruker, som vil være den primære kontakt ved alle supporthenvendelser"): a colleague's new
// mail opens no ticket but is kept, the superuser gets it forwarded and the colleague is told, in
// Norwegian; the superuser's reply to the forward opens the ticket; the colleague's reply on that
// existing ticket threads as usual.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from '../support/bot-harness.ts';
import { rawReply, sendMail, sendRaw, waitFor, waitForMessages } from '../support/mail.ts';

// Presisjon Mekanikk's alt 1 contract (6 months, requireSuperuser) moved to have started 10 days ago.
const started = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
const inForce = (text: string): string => {
  const edited = text.replace('contract: { plan: alt1, start: 2026-03-01,', `contract: { plan: alt1, start: ${started},`);
  if (edited === text) throw new Error('examples/brodrene-johnsen.yaml changed: the Presisjon Mekanikk contract this test moves is gone');
  return edited;
};

let t: TestBot;

beforeAll(async () => {
  t = await startTestBot({ example: 'brodrene-johnsen.yaml', roles: ['ingest', 'mailer'], edit: inForce });
});
afterAll(async () => {
  await t?.stop();
});

describe('superuser-only intake', () => {
  it('forwards a colleague\'s new mail to the superuser and tells the colleague; the superuser\'s reply opens the ticket', async () => {
    const cam = t.at('cam', 'presisjon-mekanikk.no');
    const bjorn = t.at('bjorn', 'presisjon-mekanikk.no');
    const subject = `Lisens utløpt ${t.suffix}`;
    await sendMail(t.env, { from: { name: 'Cam Nguyen', address: cam }, to: t.service, subject, text: 'CAM-programmet sier at lisensen er utløpt.' });

    // The superuser gets the mail, with the sender, the text and how to open a case.
    const [forward] = await waitForMessages(t.env, bjorn, subject);
    expect(forward!.subject).toBe(`Henvendelse fra Cam Nguyen som du kan videresende: ${subject}`);
    const forwardText = (await simpleParser(forward!.source)).text ?? '';
    expect(forwardText).toContain('Hei Bjørn Eide,');
    expect(forwardText).toContain(`Cam Nguyen (${cam}) i Presisjon Mekanikk AS skrev til ${t.service}.`);
    expect(forwardText).toContain('CAM-programmet sier at lisensen er utløpt.');
    expect(forward!.source).toMatch(/^Auto-Submitted: auto-generated/im);

    // The colleague is told who has it, on the thread of their own mail.
    const [notice] = await waitForMessages(t.env, cam, subject);
    expect(notice!.subject).toBe(`Henvendelsen din «${subject}» er sendt til Bjørn Eide`);
    expect((await simpleParser(notice!.source)).text).toContain('bedriftens superbruker, Bjørn Eide');

    // No ticket; the mail is kept without one, with the reason.
    expect(await t.bot.db.sql`select id from tickets where subject like ${`%${subject}%`}`).toHaveLength(0);
    const [kept] = await t.bot.db.sql`select ticket_id, author, automation_reasons from messages where direction = 'in' and subject = ${subject}`;
    expect(kept).toMatchObject({ ticket_id: null, author: 'customer', automation_reasons: ['superuser-only'] });

    // The superuser replies to the forward: a ticket opens, requested by the superuser.
    const reply = rawReply({ from: bjorn, fromName: 'Bjørn Eide', to: t.service, subject: `Re: ${forward!.subject}`, messageId: `<su-${t.suffix}-1@presisjon-mekanikk.no>`, inReplyTo: forward!.messageId!, text: 'Kan dere se på dette?\n\n> CAM-programmet sier at lisensen er utløpt.' });
    await sendRaw(t.env, { from: bjorn, to: [t.service] }, reply);
    const [ack] = await waitForMessages(t.env, bjorn, '] Henvendelse fra Cam Nguyen');
    const [ticket] = await t.bot.db.sql`select id, requester, plan_key from tickets where requester = ${bjorn}`;
    expect(ticket).toMatchObject({ requester: bjorn, plan_key: 'alt1' });

    // The colleague's reply on that existing ticket threads normally.
    const followUp = rawReply({ from: cam, fromName: 'Cam Nguyen', to: t.service, subject: `Re: ${ack!.subject}`, messageId: `<su-${t.suffix}-2@presisjon-mekanikk.no>`, inReplyTo: ack!.messageId!, text: 'Lisensnummeret er 4711.' });
    await sendRaw(t.env, { from: cam, to: [t.service] }, followUp);
    const joined = await waitFor('the colleague\'s reply on the ticket', async () => {
      const rows = await t.bot.db.sql`select ticket_id from messages where direction = 'in' and from_address = ${cam} and ticket_id is not null`;
      return rows.length > 0 ? rows : null;
    });
    expect(Number(joined[0]!.ticket_id)).toBe(Number(ticket!.id));
    expect(await t.bot.db.sql`select id from tickets where requester = ${cam}`).toHaveLength(0);

    // Once the ticket is closed, the colleague's reply would open a new ticket: it goes to the superuser instead.
    await t.bot.db.sql`update tickets set status = 'closed' where id = ${ticket!.id}`;
    const late = rawReply({ from: cam, fromName: 'Cam Nguyen', to: t.service, subject: `Re: ${ack!.subject}`, messageId: `<su-${t.suffix}-3@presisjon-mekanikk.no>`, inReplyTo: ack!.messageId!, text: 'Nå er lisensen utløpt igjen.' });
    await sendRaw(t.env, { from: cam, to: [t.service] }, late);
    const [lateKept] = await waitFor('the late reply kept', async () => {
      const rows = await t.bot.db.sql`select ticket_id, automation_reasons from messages where direction = 'in' and from_address = ${cam} and text like ${'%igjen%'}`;
      return rows.length > 0 ? rows : null;
    });
    expect(lateKept).toMatchObject({ ticket_id: null, automation_reasons: ['superuser-only'] });
    const forwards = await waitFor('a second forward', async () => {
      const rows = await t.bot.db.sql`select id from outbound_mails where kind = 'superuser-forward' and ${bjorn} = any("to")`;
      return rows.length === 2 ? rows : null;
    });
    expect(forwards).toHaveLength(2);
    expect(await t.bot.db.sql`select id from tickets where requester = ${cam}`).toHaveLength(0);
  });
});
