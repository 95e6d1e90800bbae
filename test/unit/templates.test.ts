import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LOCALES } from '../../src/contracts/contracts.types.ts';
import { isHelpdeskError } from '../../src/shared/errors.ts';
import { createTemplateRenderer, MAIL_KINDS, type MailKind, type MailVars } from '../../src/mail/templates.ts';
import { parseTechnicianReply } from '../../src/tickets/tags.models.ts';

const templatesDir = fileURLToPath(new URL('../../templates', import.meta.url));
const renderer = createTemplateRenderer({ templatesDir });

const common = { providerName: 'Trinax', ticketNumber: 17, subject: 'Printer & <toner>' };
const sla = {
  ...common,
  customerName: 'Acme AB',
  planTitle: 'Alert!',
  target: 'response',
  targetText: '1h',
  deadline: 'Wednesday, 4 March 2026 at 10:00 (Europe/Stockholm)',
  remaining: '15 min',
  requester: 'eva@acme.se',
};
const samples: { [K in MailKind]: MailVars[K] } = {
  ack: {
    ...common,
    customerName: 'Acme AB',
    requesterName: 'Eva Svensson',
    planTitle: 'Alert!',
    responseDeadline: 'Wednesday, 4 March 2026 at 10:00 (Europe/Stockholm)',
  },
  'technician-digest': {
    providerName: 'Trinax',
    count: 2,
    tickets: [
      { ticketNumber: 41, subject: 'Printer', customerName: 'Acme AB', priority: 'P2', requester: 'eva@acme.se', responseDeadline: 'Monday 10:00', replyAddress: 'support+41.abc@trinax.example' },
      { ticketNumber: 42, subject: 'VPN', customerName: null, priority: 'P3', requester: 'x@y.org', responseDeadline: null, replyAddress: 'support+42.def@trinax.example' },
    ],
  },
  'technician-new-ticket': {
    ...common,
    customerName: null,
    planTitle: 'No contract',
    requester: 'eva@acme.se',
    requesterName: 'Eva Svensson',
    kind: 'incident',
    priority: 'P2',
    deadlines: [{ target: 'response', deadline: 'Wednesday, 4 March 2026 at 10:00 (Europe/Stockholm)' }],
    text: 'The printer on floor 3 is broken.\n#time 10h',
  },
  'technician-reply': { ...common, body: 'Hi Eva,\nI replaced the toner.', technicianName: 'Tom Tekniker' },
  'sla-warning': sla,
  'sla-breach': sla,
  'tag-errors': { ...common, errors: [{ line: '#time 90', lineNumber: 3, reason: 'add a unit: 90m' }] },
  resolved: { ...common, reopenDays: 14 },
  'technician-time-receipt': {
    ...common,
    action: 'time',
    logged: '47m',
    workStart: '2026-11-30 09:13',
    workEnd: '2026-11-30 10:00',
    timeZone: 'Europe/Stockholm',
    explanation: '47m remote → 60m (per started 15m) × 1 350 SEK/h = 1 350.00 SEK, 60m from bank',
    reason: null,
    bankLeft: '14h',
    bankUntil: '2026-12-31',
  },
  'timebank-threshold': {
    providerName: 'Trinax',
    customerName: 'Acme AB',
    planTitle: 'Alert!',
    threshold: 80,
    forAccountManager: false,
    periodFirst: '2026-10-01',
    periodLast: '2026-12-31',
    available: '15h',
    used: '12h',
    remaining: '3h',
  },
  'ack-undelivered': {
    providerName: 'Trinax',
    ticketNumber: 17,
    subject: 'Printer down',
    customerName: 'Acme AB',
    to: 'eva@-bad-.se',
    error: '501 Error: Bad recipient address',
    outboundId: '7c0f3a52-1d1e-4a7e-9d55-0c6a6f1c2b11',
    forAccountManager: true,
  },
  'technician-customer-reply': {
    ...common,
    customerName: 'Acme AB',
    requester: 'eva@acme.se',
    requesterName: 'Eva Svensson',
    reopened: false,
    status: 'open',
    text: 'It still does not print.',
    replyAddress: 'support+17.abcdefghij@trinax.example',
  },
  'technician-assigned': { ...common, customerName: 'Acme AB', assignedBy: 'William Käkelä' },
  'technician-unverified': {
    providerName: 'Trinax',
    ticketNumber: 17,
    subject: 'Printer & <toner>',
    reason: 'invalid-reply-address',
    replyAddress: 'support+17.abcdefghij@trinax.example',
  },
  estimate: {
    ...common,
    requires: 'approval',
    estimate: '5h',
    rate: '1 350 SEK/h',
    technicianName: 'William Käkelä',
    supersedes: null,
    approveAddress: 'support+17.a.abcdefghij@trinax.example',
    declineAddress: 'support+17.d.abcdefghij@trinax.example',
  },
  'technician-estimate': {
    ...common,
    outcome: 'approved',
    estimate: '5h',
    requester: 'eva@acme.se',
    customerName: 'Acme AB',
    supersedes: null,
    answeredBy: 'eva@acme.se',
    via: 'reply',
    text: 'Godkänner, kör på.',
  },
  'prepaid-ended': {
    providerName: 'Brødrene Johnsen',
    customerName: 'Nordic CNC AS',
    planTitle: 'Alt 2',
    reason: 'exhausted',
    forAccountManager: true,
    endedAt: '2026-11-30 10:00',
    timeZone: 'Europe/Oslo',
    defaultPlanTitle: 'Alt 3',
  },
  'superuser-forward': {
    providerName: 'Brødrene Johnsen',
    recipientName: 'Hanne Lund',
    customerName: 'Nordic CNC AS',
    sender: 'verksted@nordiccnc.no',
    senderName: 'Ola Verksted',
    subject: 'Lisensen virker ikke',
    text: 'Programmet sier at lisensen er utløpt.',
    serviceAddress: 'support@bjohnsen.example',
  },
  'superuser-only': {
    providerName: 'Brødrene Johnsen',
    recipientName: 'Ola Verksted',
    customerName: 'Nordic CNC AS',
    superuserName: 'Hanne Lund',
    superuserAddress: 'hanne@nordiccnc.no',
    subject: 'Lisensen virker ikke',
  },
};

describe('createTemplateRenderer', () => {
  // A digest, the contract notices (time-bank thresholds, a prepaid account's end) and the mails of
  // superuser-only intake (which opened no ticket) are about no single ticket.
  const noTicketKinds: readonly MailKind[] = ['technician-digest', 'timebank-threshold', 'prepaid-ended', 'superuser-forward', 'superuser-only'];
  const singleTicketKinds = MAIL_KINDS.filter((kind) => !noTicketKinds.includes(kind));
  it.each(LOCALES.flatMap((locale) => singleTicketKinds.map((kind) => [locale, kind] as const)))(
    'renders %s/%s with the ticket number in subject and text',
    (locale, kind) => {
      const mail = renderer.render(kind, locale, samples[kind]);
      expect(mail.subject).toMatch(/^\[#17\] /);
      expect(mail.subject).not.toContain('\n');
      expect(mail.text).toContain('#17');
      expect(mail.html).toContain('#17');
      expect(mail.html).toContain(`<html lang="${locale}">`);
    },
  );

  it.each(LOCALES)('renders the %s digest with every ticket, its reply address and the count in the subject', (locale) => {
    const mail = renderer.render('technician-digest', locale, samples['technician-digest']);
    expect(mail.subject).toMatch(/^2 /);
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('#41');
      expect(part).toContain('#42');
      expect(part).toContain('support+41.abc@trinax.example');
      expect(part).toContain('support+42.def@trinax.example');
      expect(part).toContain('Acme AB');
    }
    expect(mail.html).toContain(`<html lang="${locale}">`);
  });

  it('writes the English digest line of a ticket without a contract or a response promise', () => {
    const mail = renderer.render('technician-digest', 'en', samples['technician-digest']);
    expect(mail.text).toContain('#42 VPN\n  Customer: no contract · Priority: P3 · Requester: x@y.org\n  Response due: –\n  Reply address: support+42.def@trinax.example');
  });

  it('writes the English time receipt in full: what was logged, what it bills, what is left, how to undo it', () => {
    expect(renderer.render('technician-time-receipt', 'en', samples['technician-time-receipt'])).toMatchObject({
      subject: '[#17] Time logged: 47m',
      text: [
        'Logged on ticket #17 (Printer & <toner>):',
        '',
        'Work: 47m, 2026-11-30 09:13 – 2026-11-30 10:00 (Europe/Stockholm)',
        '',
        'Bills: 47m remote → 60m (per started 15m) × 1 350 SEK/h = 1 350.00 SEK, 60m from bank',
        '',
        'Left in the time bank this period (until 2026-12-31): 14h',
        '',
        'To take this back, reply to this mail with a line #undo.',
        '',
      ].join('\n'),
    });
  });

  it('writes a Swedish correction receipt with its reason, on a contract without a bank', () => {
    const mail = renderer.render('technician-time-receipt', 'sv', {
      ...samples['technician-time-receipt'],
      action: 'correction',
      logged: '-30m',
      workStart: null,
      workEnd: null,
      reason: 'fel ärende',
      bankLeft: null,
      bankUntil: null,
    });
    expect(mail.subject).toBe('[#17] Tid korrigerad: -30m');
    expect(mail.text).toContain('Korrigering: -30m\nAnledning: fel ärende\n');
    expect(mail.text).toContain('Avtalet har ingen timbank');
  });

  it('tells the owner in English who replied, what they newly wrote and where to answer', () => {
    const mail = renderer.render('technician-customer-reply', 'en', { ...samples['technician-customer-reply'], recipientName: 'William Käkelä' });
    expect(mail.subject).toBe('[#17] The customer replied: Printer & <toner>');
    expect(mail.text).toBe(
      [
        'Hi William Käkelä,',
        '',
        'Eva Svensson <eva@acme.se> (Acme AB) replied on ticket #17 (Printer & <toner>).',
        '',
        '--- The customer wrote ---',
        'It still does not print.',
        '---',
        '',
        'To answer the customer, reply to this email (reply address: support+17.abcdefghij@trinax.example). Tag lines such as #time 30m or #status waiting work as usual.',
        '',
      ].join('\n'),
    );
    expect(mail.html).toContain('Eva Svensson &lt;eva@acme.se&gt;');
  });

  it('says in Swedish that a customer reopened a resolved ticket', () => {
    const mail = renderer.render('technician-customer-reply', 'sv', { ...samples['technician-customer-reply'], reopened: true });
    expect(mail.subject).toBe('[#17] Återöppnat av kunden: Printer & <toner>');
    expect(mail.text).toContain('Ärendet var löst och är öppet igen.');
  });

  it.each([
    ['en', 'no-reply-address', 'it was not sent to a ticket’s reply address'],
    ['sv', 'invalid-reply-address', 'svarsadressen det skickades till är inte giltig'],
    ['nb', 'unauthenticated', 'kunne ikke bekrefte at den kommer fra domenet ditt'],
    ['nl', 'no-reply-address', 'niet naar het antwoordadres van een ticket gestuurd'],
  ] as const)('tells an unverifiable technician in %s why (%s) and how to answer', (locale, reason, why) => {
    const mail = renderer.render('technician-unverified', locale, { ...samples['technician-unverified'], reason });
    expect(mail.text).toContain(why);
    expect(mail.text).toContain('support+17.abcdefghij@trinax.example');
  });

  it('tells an unverifiable technician when no ticket could be told, without a ticket tag', () => {
    const mail = renderer.render('technician-unverified', 'en', { ...samples['technician-unverified'], ticketNumber: null, replyAddress: null, subject: 'Re: printer', reason: 'no-reply-address' });
    expect(mail.subject).toBe('Your mail could not be verified: Re: printer');
    expect(mail.text).toContain('We could not tell which ticket it belongs to');
    expect(mail.text).toContain('How to answer: reply to the latest notice about the ticket, and send your text and tag lines again.');
  });

  it('writes the English acknowledgement in full', () => {
    expect(renderer.render('ack', 'en', samples.ack)).toMatchObject({
      subject: '[#17] Printer & <toner>',
      text: [
        'Hello Eva Svensson,',
        '',
        'We have received your request and registered it as ticket #17: “Printer & <toner>”.',
        '',
        'We will get back to you by Wednesday, 4 March 2026 at 10:00 (Europe/Stockholm).',
        '',
        'To add anything, simply reply to this email. Please keep [#17] in the subject line so that your message reaches the right ticket.',
        '',
        'Kind regards,',
        'Trinax',
        '',
      ].join('\n'),
    });
  });

  it('makes no promise when the plan has no response target', () => {
    const text = renderer.render('ack', 'sv', { ...samples.ack, responseDeadline: null, requesterName: null }).text;
    expect(text).toBe(
      [
        'Hej,',
        '',
        'Vi har tagit emot din förfrågan och registrerat den som ärende #17: ”Printer & <toner>”.',
        '',
        'Vill du lägga till något svarar du bara på det här mejlet. Behåll [#17] i ämnesraden, så hamnar ditt svar i rätt ärende.',
        '',
        'Med vänliga hälsningar',
        'Trinax',
        '',
      ].join('\n'),
    );
  });

  it('escapes in the HTML part but not in the text part', () => {
    const mail = renderer.render('technician-reply', 'nb', { ...samples['technician-reply'], body: 'Use <b> & "quotes"\nline two' });
    expect(mail.text).toContain('Use <b> & "quotes"\nline two');
    expect(mail.html).toContain('Use &lt;b&gt; &amp; &quot;quotes&quot;<br>\nline two');
    expect(mail.html).toContain('&lt;toner&gt;');
  });

  it('names the SLA target in the reader’s language', () => {
    expect(renderer.render('sla-warning', 'sv', { ...sla, target: 'intervention' }).subject).toBe(
      '[#17] SLA-varning: tiden till påbörjad åtgärd går ut om 15 min',
    );
    expect(renderer.render('sla-breach', 'nl', sla).text).toContain(
      'De reactietijd (1h) is verlopen op Wednesday, 4 March 2026 at 10:00 (Europe/Stockholm) en is 15 min overschreden.',
    );
    expect(renderer.render('sla-breach', 'nb', { ...sla, customerName: null, target: 'resolution' }).text).toContain('Løsningstiden (1h) gikk ut');
  });

  it('lists each bad tag line with its reason', () => {
    expect(renderer.render('tag-errors', 'en', samples['tag-errors']).text).toContain('Line 3: #time 90\n  → add a unit: 90m\n');
  });

  it('uses the singular for a one-day reopen window', () => {
    expect(renderer.render('resolved', 'nl', { ...samples.resolved, reopenDays: 1 }).text).toContain('binnen 1 dag,');
    expect(renderer.render('resolved', 'nl', samples.resolved).text).toContain('binnen 14 dagen,');
  });

  it('quotes at most 2000 characters of the customer’s text to technicians', () => {
    const text = `${'a'.repeat(2000)}TAIL`;
    const mail = renderer.render('technician-new-ticket', 'en', { ...samples['technician-new-ticket'], text });
    expect(mail.text).toContain(`${'a'.repeat(2000)}…`);
    expect(mail.text).not.toContain('TAIL');
  });

  it.each(LOCALES)('writes the tag help of the %s notification so that it never parses as tags', (locale) => {
    const mail = renderer.render('technician-new-ticket', locale, { ...samples['technician-new-ticket'], text: 'Broken.' });
    expect(mail.text).toContain('#time 45m');
    expect(parseTechnicianReply(mail.text)).toMatchObject({ tags: [], errors: [] });
  });

  it('says "no contract" for a sender without one', () => {
    expect(renderer.render('technician-new-ticket', 'nl', samples['technician-new-ticket']).subject).toBe(
      '[#17] Nieuw ticket (P2, geen contract): Printer & <toner>',
    );
  });

  it('fails loudly when a template uses a variable the caller did not pass', () => {
    const { planTitle: _omitted, ...withoutPlan } = samples['technician-new-ticket'];
    let caught: unknown;
    try {
      renderer.render('technician-new-ticket', 'en', withoutPlan);
    } catch (error) {
      caught = error;
    }
    expect(isHelpdeskError(caught, 'config.invalid')).toBe(true);
  });

  it('lists every missing template at creation', () => {
    const dir = mkdtempSync(join(tmpdir(), 'helpdesk-templates-'));
    try {
      mkdirSync(join(dir, 'en'));
      writeFileSync(join(dir, 'en', 'ack.subject.hbs'), '[#{{ticketNumber}}]');
      let caught: unknown;
      try {
        createTemplateRenderer({ templatesDir: dir });
      } catch (error) {
        caught = error;
      }
      expect(isHelpdeskError(caught, 'config.invalid')).toBe(true);
      const details = (caught as { details: string[] }).details;
      expect(details).toHaveLength(LOCALES.length * MAIL_KINDS.length * 3 - 1);
      expect(details).toContain('missing en/ack.text.hbs');
      expect(details).toContain('missing nl/resolved.html.hbs');
      expect(details).not.toContain('missing en/ack.subject.hbs');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the acknowledgement on a plan with a time bank', () => {
  const base = { providerName: 'Trinax', ticketNumber: 17, subject: 'Printer down', customerName: 'Acme AB', requesterName: 'Eva', planTitle: 'Alert!', responseDeadline: null };
  it.each([
    ['en', 'You have 11h 30m left in your time bank this quarter.'],
    ['sv', 'Du har 11h 30m kvar i timbanken detta kvartal.'],
    ['nb', 'Dere har 11h 30m igjen på tidskontoen dette kvartalet.'],
    ['nl', 'U heeft nog 11h 30m over in uw urenbank dit kwartaal.'],
  ] as const)('says in %s what is left this period', (locale, line) => {
    const mail = renderer.render('ack', locale, { ...base, bankLeft: '11h 30m', bankPer: 'quarter' });
    expect(mail.text).toContain(line);
    expect(mail.html).toContain(line);
  });
  it('says nothing of a bank the plan does not keep', () => {
    const mail = renderer.render('ack', 'en', { ...base, bankLeft: null, bankPer: null });
    expect(mail.text).not.toContain('time bank');
  });
});
