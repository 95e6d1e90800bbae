// Every line of a mail in the mail's language: the tag-error reasons are translated by code,
// greetings use the recipient's name, the tag help lists the plan's roles only.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LOCALES } from '../../src/contracts/contracts.types.ts';
import { createTemplateRenderer } from '../../src/mail/templates.ts';
import type { TagErrorCode } from '../../src/tickets/tag-values.models.ts';
import { parseTechnicianReply } from '../../src/tickets/tags.models.ts';

const renderer = createTemplateRenderer({ templatesDir: fileURLToPath(new URL('../../templates', import.meta.url)) });
const common = { providerName: 'Trinax', ticketNumber: 17, subject: 'Skrivaren' };

const PARSER_CODES: TagErrorCode[] = [
  'unknown-tag', 'missing-value', 'bare-number', 'invalid-duration', 'zero-duration', 'invalid-status', 'invalid-priority',
  'invalid-kind', 'invalid-role', 'several-roles', 'conflicting-place', 'unexpected-value', 'duplicate-tag', 'missing-start',
  'invalid-start', 'several-starts', 'missing-reason', 'start-after-mail',
];
const REFUSAL_CODES = ['unknown-role', 'undo-no-receipt', 'nothing-logged', 'nothing-left'];
const ENGLISH_REASON = 'ENGLISH REASON THAT MUST NOT SHOW';

describe('tag-errors mail', () => {
  const errors = [...PARSER_CODES, ...REFUSAL_CODES].map((code, i) => ({ line: `#x ${i}`, lineNumber: i + 1, reason: ENGLISH_REASON, code, roles: 'default, engineer' }));

  it.each(LOCALES)('%s: every known code is said in the mail’s language, never with the English reason', (locale) => {
    const mail = renderer.render('tag-errors', locale, { ...common, recipientName: 'Tom', errors });
    for (const part of [mail.text, mail.html]) {
      expect(part).not.toContain(ENGLISH_REASON);
      // one translated reason per error: no code falls through to an empty arrow
      expect(part).not.toMatch(/→\s*(<\/li>|\n|$)/);
    }
    expect(mail.text.split('\n')[0]).toContain('Tom');
  });

  it('a Swedish mail about real parser errors has no English line', () => {
    const reply = parseTechnicianReply('Hej!\n#status nonsense\n#tiem 30m\n#priority 9\n#time 30\n');
    expect(reply.errors.length).toBe(4);
    const mail = renderer.render('tag-errors', 'sv', { ...common, recipientName: null, errors: reply.errors });
    for (const { reason } of reply.errors) expect(mail.text).not.toContain(reason);
    expect(mail.text).toContain('ingen giltig status');
    expect(mail.text).toContain('okänd tagg');
    expect(mail.text).not.toMatch(/\b(the|not a|unknown|add a unit|Valid forms|role)\b/i);
  });

  it('an error without a code (an older caller) still says why, in English', () => {
    const mail = renderer.render('tag-errors', 'sv', { ...common, errors: [{ line: '#time 30m x', lineNumber: 2, reason: 'why' }] });
    expect(mail.text).toContain('→ why');
  });
});

describe('greetings and tag help', () => {
  it.each([
    ['en', 'Hello Eva Svensson,'],
    ['sv', 'Hej Eva Svensson,'],
    ['nb', 'Hei Eva Svensson,'],
    ['nl', 'Beste Eva Svensson,'],
  ] as const)('%s resolved mail greets the customer by name', (locale, greeting) => {
    const mail = renderer.render('resolved', locale, { ...common, recipientName: 'Eva Svensson', reopenDays: 7 });
    expect(mail.text.split('\n')[0]).toBe(greeting);
    expect(mail.html).toContain(`<p>${greeting}</p>`);
    expect(renderer.render('resolved', locale, { ...common, recipientName: null, reopenDays: 7 }).text).not.toContain('null');
  });

  const notice = {
    ...common, customerName: null, planTitle: 'No contract', requester: 'eva@x.se', requesterName: null, kind: 'incident',
    priority: 'P3', deadlines: [], text: 'Printer broken',
  };
  it.each(LOCALES)('%s technician notice lists the plan’s rate roles only', (locale) => {
    const priced = renderer.render('technician-new-ticket', locale, { ...notice, rateRoles: 'engineer|cabling' });
    expect(priced.text).toContain('#time 45m [engineer|cabling] [onsite|remote]');
    expect(priced.html).toContain('[engineer|cabling]');
    const defaultOnly = renderer.render('technician-new-ticket', locale, { ...notice, rateRoles: null });
    expect(defaultOnly.text).toContain('#time 45m [onsite|remote]');
    expect(defaultOnly.text).not.toMatch(/technician\||consulting/);
  });
});
