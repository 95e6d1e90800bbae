// The estimate mails in every locale: the approval request gives both addresses (mailto links in
// HTML) and a word to reply with that the answer detection really reads; a notice asks nothing;
// the technician hears each outcome; a time receipt says when work started before approval.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LOCALES } from '../../src/contracts/contracts.types.ts';
import { createTemplateRenderer, type MailVars } from '../../src/mail/templates.ts';
import { detectApprovalAnswer } from '../../src/tickets/estimates.models.ts';

const renderer = createTemplateRenderer({ templatesDir: fileURLToPath(new URL('../../templates', import.meta.url)) });
const APPROVE = 'support+17.a.abcdefghij@trinax.example';
const DECLINE = 'support+17.d.abcdefghij@trinax.example';

const request: MailVars['estimate'] = {
  providerName: 'Trinax',
  recipientName: 'Eva Lind',
  ticketNumber: 17,
  subject: 'Skrivare',
  requires: 'approval',
  estimate: '5h',
  rate: '1 350 SEK/h',
  technicianName: 'William Käkelä',
  supersedes: null,
  approveAddress: APPROVE,
  declineAddress: DECLINE,
};

/** The word each locale's request tells the customer to reply with, in its quotation marks. */
const WORDS = {
  en: ['"Approve"', '"Decline"'],
  sv: ['”Godkänner”', '”Avböjer”'],
  nb: ['«Godkjent»', '«Avslå»'],
  nl: ['‘Akkoord’', '‘Afwijzen’'],
} as const;

describe('the estimate mail to the customer', () => {
  it.each(LOCALES)('%s: an approval request names both addresses, links them in HTML, and asks for a word the bot reads', (locale) => {
    const mail = renderer.render('estimate', locale, request);
    expect(mail.subject).toMatch(/^\[#17\] .*5h/);
    expect(mail.text).toContain(APPROVE);
    expect(mail.text).toContain(DECLINE);
    expect(mail.text).toContain('1 350 SEK/h');
    expect(mail.html).toContain(`href="mailto:${APPROVE}?subject=`);
    expect(mail.html).toContain(`href="mailto:${DECLINE}?subject=`);
    const [approveWord, declineWord] = WORDS[locale];
    expect(mail.text).toContain(approveWord);
    expect(mail.text).toContain(declineWord);
    // the words the mail asks for are the words intake recognises
    expect(detectApprovalAnswer(approveWord.slice(1, -1))).toBe('approve');
    expect(detectApprovalAnswer(declineWord.slice(1, -1))).toBe('decline');
  });

  it.each(LOCALES)('%s: a notice asks nothing and gives no address; a superseding estimate says so', (locale) => {
    const notice = renderer.render('estimate', locale, { ...request, requires: 'notice', approveAddress: null, declineAddress: null, rate: null });
    expect(notice.text).toContain('5h');
    expect(notice.text).not.toContain('support+17');
    expect(notice.html).not.toContain('mailto:');
    expect(notice.text).not.toContain('SEK/h');
    const superseding = renderer.render('estimate', locale, { ...request, supersedes: '3h' });
    expect(superseding.text).toContain('3h');
    expect(renderer.render('estimate', locale, request).text).not.toContain('3h');
  });
});

describe('the estimate mail to the technician', () => {
  const base: MailVars['technician-estimate'] = {
    providerName: 'Trinax',
    recipientName: 'William Käkelä',
    ticketNumber: 17,
    subject: 'Skrivare',
    outcome: 'approval-requested',
    estimate: '5h',
    requester: 'eva@acme.se',
    customerName: 'Acme AB',
    supersedes: null,
    answeredBy: null,
    via: null,
    text: null,
  };

  it.each(LOCALES.flatMap((locale) => (['notice-sent', 'approval-requested', 'approved', 'declined'] as const).map((outcome) => [locale, outcome] as const)))(
    '%s: %s names the ticket, the estimate and the customer',
    (locale, outcome) => {
      const answered = outcome === 'approved' || outcome === 'declined';
      const mail = renderer.render('technician-estimate', locale, {
        ...base,
        outcome,
        answeredBy: answered ? 'eva@acme.se' : null,
        via: answered ? 'address' : null,
        text: answered ? 'Kör på.' : null,
      });
      expect(mail.subject).toMatch(/^\[#17\] .*5h/);
      expect(mail.text).toContain('#17');
      expect(mail.text).toContain('eva@acme.se (Acme AB)');
      if (answered) expect(mail.text).toContain('Kör på.');
      else expect(mail.text).not.toContain('Kör på.');
    },
  );

  it('says which outcome it is, in English', () => {
    const text = (outcome: MailVars['technician-estimate']['outcome']) => renderer.render('technician-estimate', 'en', { ...base, outcome, answeredBy: 'eva@acme.se', via: 'reply' }).subject;
    expect(text('notice-sent')).toContain('Estimate notice sent: 5h');
    expect(text('approval-requested')).toContain('Approval requested: 5h');
    expect(text('approved')).toContain('Estimate approved: 5h');
    expect(text('declined')).toContain('Estimate declined: 5h');
  });
});

describe('the time receipt', () => {
  const receipt: MailVars['technician-time-receipt'] = {
    providerName: 'Trinax',
    ticketNumber: 17,
    subject: 'Skrivare',
    action: 'time',
    logged: '1h',
    workStart: '2026-11-30 09:00',
    workEnd: '2026-11-30 10:00',
    timeZone: 'Europe/Stockholm',
    explanation: '60m remote → 60m × 1 350 SEK/h = 1 350.00 SEK',
    reason: null,
    bankLeft: null,
    bankUntil: null,
  };
  const FLAG = { en: 'flagged as before approval', sv: 'loggat före godkännande', nb: 'ført før godkjenning', nl: 'geboekt vóór akkoord' } as const;

  it.each(LOCALES)('%s: flags work that started before approval, and only that', (locale) => {
    const flagged = renderer.render('technician-time-receipt', locale, { ...receipt, beforeApproval: true });
    expect(flagged.text).toContain(FLAG[locale]);
    expect(flagged.html).toContain(FLAG[locale]);
    expect(renderer.render('technician-time-receipt', locale, { ...receipt, beforeApproval: false }).text).not.toContain(FLAG[locale]);
    expect(renderer.render('technician-time-receipt', locale, receipt).text).not.toContain(FLAG[locale]);
  });
});
