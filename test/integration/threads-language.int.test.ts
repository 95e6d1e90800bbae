// Threads that hold in the customer's and the technician's mail client, and mails in the
// language the sender wrote in. Real SMTP, Dovecot and Postgres: the headers are read from the
// mails as they arrived in each person's INBOX.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from '../support/bot-harness.ts';
import { sendMail, sendRaw, waitForMessages, type ReadMessage } from '../support/mail.ts';

let t: TestBot;

beforeAll(async () => {
  t = await startTestBot({ roles: ['ingest', 'mailer'] });
});
afterAll(async () => {
  await t?.stop();
});

interface Threading {
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  text: string;
}

async function threadingOf(message: ReadMessage): Promise<Threading> {
  const parsed = await simpleParser(message.source);
  const references = parsed.references === undefined ? [] : typeof parsed.references === 'string' ? parsed.references.split(/\s+/) : parsed.references;
  return { messageId: parsed.messageId!, inReplyTo: parsed.inReplyTo ?? null, references, text: parsed.text ?? '' };
}

/** A mail client threads a mail when its parent is a mail it holds and its References name nothing else. */
function expectThreadsOn(mail: Threading, known: readonly string[]): void {
  expect(known).toContain(mail.inReplyTo);
  for (const id of mail.references) expect(known).toContain(id);
  expect(mail.references.at(-1)).toBe(mail.inReplyTo);
}

describe('an English stranger writing to a Swedish provider', () => {
  it('gets English, and a thread that holds in their client and in the technician’s', async () => {
    const stranger = t.at('john', 'example.com');
    const william = t.at('william', 'trinax.example');
    const subject = `Printer broken ${t.suffix}`;
    const customerMessageId = `<first-${t.suffix}@example.com>`;
    await sendMail(t.env, {
      from: { name: 'John Smith', address: stranger },
      to: t.service,
      subject,
      messageId: customerMessageId,
      text: 'Hi, the printer in our office has not worked since this morning. Could you please help us?\n\nThanks,\nJohn',
    });

    // The acknowledgement: English, although the provider writes Swedish.
    const [ackMail] = await waitForMessages(t.env, stranger, subject);
    const ack = await threadingOf(ackMail!);
    expect(ack.text).toContain('Hello John Smith,');
    expect(ack.text).toContain('We have received your request');
    expect(ack.text).not.toMatch(/\b(Hej|ärende|Vänliga)\b/);
    const [ticket] = await t.bot.db.sql`select number, locale from tickets where requester = ${stranger}`;
    expect(ticket!.locale).toBe('en');
    expect(ack.inReplyTo).toBe(customerMessageId);

    // William answers from the notice he got, with a tag line that is wrong and one that resolves.
    const [noticeMail] = await waitForMessages(t.env, william, subject);
    const notice = await threadingOf(noticeMail!);
    const williamMessageId = `<answer-${t.suffix}@trinax.example>`;
    await sendRaw(
      t.env,
      { from: william, to: [noticeMail!.replyTo!] },
      [
        `From: William Kakela <${william}>`,
        `To: ${noticeMail!.replyTo}`,
        `Subject: Re: ${noticeMail!.subject}`,
        `Message-ID: ${williamMessageId}`,
        `In-Reply-To: ${notice.messageId}`,
        `References: ${notice.messageId}`,
        `Date: ${new Date().toUTCString()}`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        'Hi John, we restarted the print server; it prints again.',
        '#priority 9',
        '#status resolved',
        '',
      ].join('\r\n'),
    );

    // The customer's client: the relay and the resolved mail thread on mails John holds (his own
    // and ours), never on William's own message, which John never received.
    const customerMails = await waitForMessages(t.env, stranger, subject, 3);
    const byKind = async (kind: string) => {
      for (const m of customerMails) if (m.source.toString().includes(`X-Helpdesk-Kind: ${kind}`)) return threadingOf(m);
      throw new Error(`no ${kind} mail for the customer`);
    };
    const relay = await byKind('technician-reply');
    const resolved = await byKind('resolved');
    expectThreadsOn(relay, [customerMessageId, ack.messageId]);
    expect(relay.inReplyTo).toBe(ack.messageId);
    expect(relay.references).not.toContain(williamMessageId);
    expectThreadsOn(resolved, [customerMessageId, ack.messageId, relay.messageId]);
    expect(resolved.inReplyTo).toBe(relay.messageId);
    expect(resolved.text).toContain('Hello John Smith,');
    expect(resolved.text).toContain('has been resolved');

    // William's client: the tag-error mail threads on his own answer and the notice, in Swedish
    // (his locale is the provider's), with no English line.
    // Its subject names the ticket, not the customer's words.
    const [tagErrorsMail] = (await waitForMessages(t.env, william, `[#${ticket!.number}]`, 2)).filter((m) => m.source.toString().includes('X-Helpdesk-Kind: tag-errors'));
    const tagErrors = await threadingOf(tagErrorsMail!);
    expectThreadsOn(tagErrors, [notice.messageId, williamMessageId]);
    expect(tagErrors.inReplyTo).toBe(williamMessageId);
    expect(tagErrors.text).toContain('Hej William Käkelä,');
    expect(tagErrors.text).toContain('ingen giltig prioritet');
    expect(tagErrors.text).not.toMatch(/\b(the|not a|is not|priority \(|Valid forms|role)\b/i);
  });

  it('a Swedish stranger on the same provider gets Swedish', async () => {
    const stranger = t.at('anna', 'example.se');
    const subject = `Skrivaren ${t.suffix}`;
    await sendMail(t.env, { from: stranger, to: t.service, subject, text: 'Hej, skrivaren på kontoret fungerar inte sedan i morse. Kan ni hjälpa oss?' });
    const [ackMail] = await waitForMessages(t.env, stranger, subject);
    expect((await threadingOf(ackMail!)).text).toMatch(/^Hej,/);
    const [ticket] = await t.bot.db.sql`select locale from tickets where requester = ${stranger}`;
    expect(ticket!.locale).toBe('sv');
  });
});
