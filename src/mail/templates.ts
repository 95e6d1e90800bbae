// Mail templates (templates/<locale>/<kind>.{subject,text,html}.hbs), read and compiled once at
// start-up so a missing or broken file stops the bot there, not at the first mail. Rendering
// itself is pure. HTML parts are escaped (Handlebars' default); subject and text parts are not,
// or a customer would read `&amp;` in a plain-text mail.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { LOCALES, type Locale } from '../contracts/contracts.types.ts';
import { HelpdeskError } from '../shared/errors.ts';
import { MAIL_KINDS, type MailKind } from './compose.models.ts';

export { MAIL_KINDS, type MailKind } from './compose.models.ts';

export const TEMPLATE_PARTS = ['subject', 'text', 'html'] as const;
type TemplatePart = (typeof TEMPLATE_PARTS)[number];

/** Longest excerpt of a customer's text a technician notification quotes. */
export const EXCERPT_LENGTH = 2000;

// The variables each kind's templates use (what callers pass; `providerName` comes from the
// outbox). Dates and spans arrive pre-formatted (format.models.ts). Optional values are passed
// as null rather than left out: templates compile in strict mode, so a missing variable is an
// error instead of a silent blank. Type aliases rather than interfaces: only aliases are
// assignable to render's Record parameter.
type CommonVars = {
  providerName: string;
  /** filled in by the outbox when not given: whom the mail greets (null: no name known) */
  recipientName?: string | null;
  ticketNumber: number;
  subject: string;
};
export type MailVars = {
  ack: CommonVars & {
    customerName: string | null;
    requesterName: string | null;
    planTitle: string;
    /** formatted in the customer's zone and locale; null when the plan promises no response time */
    responseDeadline: string | null;
    /** time left in the contract's bank (`11h 30m`) and its period; null when the plan keeps no bank */
    bankLeft?: string | null;
    bankPer?: 'month' | 'quarter' | 'year' | 'term' | null;
  };
  'technician-new-ticket': CommonVars & {
    customerName: string | null;
    planTitle: string;
    requester: string;
    requesterName: string | null;
    /** roles a `#time` line may name on the ticket's plan (`engineer|cabling`); null when only `default` */
    rateRoles?: string | null;
    kind: string;
    priority: string;
    deadlines: { target: string; deadline: string }[];
    text: string;
  };
  /** one mail per technician for a batch that opened many tickets (no single ticket) */
  'technician-digest': {
    providerName: string;
    count: number;
    tickets: {
      ticketNumber: number;
      subject: string;
      customerName: string | null;
      priority: string;
      requester: string;
      responseDeadline: string | null;
      replyAddress: string;
    }[];
  };
  'technician-reply': CommonVars & { body: string; technicianName: string };
  /** to the ticket's owner (else the account manager, else every technician): the customer wrote again */
  /** to the technician a colleague gave the ticket with `#assign` */
  'technician-assigned': CommonVars & { customerName: string | null; assignedBy: string };
  'technician-customer-reply': CommonVars & {
    customerName: string | null;
    requester: string;
    requesterName: string | null;
    /** the reply reopened a resolved ticket */
    reopened: boolean;
    /** the ticket's status after the reply */
    status: string;
    /** the customer's new text, quoted history stripped */
    text: string;
    /** the ticket's reply address, also the mail's Reply-To */
    replyAddress: string;
  };
  /**
   * To a known technician whose mail could not be verified: why (intake's UnverifiedReason) and
   * how to answer. `ticketNumber` and `replyAddress` are null when no ticket could be told.
   */
  'technician-unverified': {
    providerName: string;
    recipientName?: string | null;
    ticketNumber: number | null;
    subject: string;
    reason: 'no-reply-address' | 'invalid-reply-address' | 'unauthenticated';
    replyAddress: string | null;
  };
  /**
   * To the requester: a technician's `#estimate` above the plan's quoteAbove. `notice`: the work
   * goes ahead; `approval`: it waits for a reply with a word, or a mail to `approveAddress` or
   * `declineAddress` (null for a notice).
   */
  estimate: CommonVars & {
    requires: 'approval' | 'notice';
    /** formatted (`5h`, `4h 30m`) */
    estimate: string;
    /** the hourly rate (`1 000 NOK/h`); null when the ticket's kind is free */
    rate: string | null;
    technicianName: string;
    /** the pending estimate this one replaces, formatted; null when none was pending */
    supersedes: string | null;
    approveAddress: string | null;
    declineAddress: string | null;
  };
  /**
   * To the technician: what their `#estimate` sent the customer (`notice-sent`,
   * `approval-requested`), or the customer's answer (`approved`, `declined`; to the owner, else the
   * estimate's author).
   */
  'technician-estimate': CommonVars & {
    outcome: 'notice-sent' | 'approval-requested' | 'approved' | 'declined';
    estimate: string;
    requester: string;
    customerName: string | null;
    supersedes: string | null;
    /** who answered and how (a reply with a word, or a mail to the approve/decline address); null before an answer */
    answeredBy: string | null;
    via: 'reply' | 'address' | null;
    /** the customer's own words with the answer; null before an answer */
    text: string | null;
  };
  'sla-warning': SlaVars;
  'sla-breach': SlaVars;
  /**
   * `code` (a tag parser's TagErrorCode, or a time entry's refusal code) is what the templates
   * translate; `reason` (English) is shown only for a code they do not know. `roles`: the plan's
   * rate roles for an `unknown-role` refusal.
   */
  'tag-errors': CommonVars & { errors: { line: string; lineNumber: number; reason: string; code?: string; roles?: string }[] };
  resolved: CommonVars & { reopenDays: number };
  /** to the technician after each `#time`, correction or `#undo`: what it bills and what is left */
  'technician-time-receipt': CommonVars & {
    action: 'time' | 'correction' | 'undo';
    /** signed logged minutes, formatted (`47m`, `-30m`) */
    logged: string;
    /** local times of the work in `timeZone` (`2026-11-30 08:13`); null for a correction */
    workStart: string | null;
    workEnd: string | null;
    timeZone: string;
    /** the billing explanation with its bank draws */
    explanation: string;
    /** a correction's reason; null for ordinary work */
    reason: string | null;
    /** prepaid time left for this period, formatted; null when the contract keeps no bank */
    bankLeft: string | null;
    /** last day of that period (`2026-12-31`); null without one */
    bankUntil: string | null;
    /** the work started while the customer's approval of an estimate was pending, or after a decline */
    beforeApproval?: boolean;
  };
  /** to the customer's managers and the account manager: a period's bank reached 80 % or 100 % (no ticket) */
  'timebank-threshold': {
    providerName: string;
    customerName: string;
    planTitle: string;
    threshold: 80 | 100;
    forAccountManager: boolean;
    /** the period's first and last local day; `periodLast` null for an open-ended term */
    periodFirst: string;
    periodLast: string | null;
    /** minutes formatted (`15h`, `12h 15m`) */
    available: string;
    used: string;
    remaining: string;
  };
  /** to the customer's managers and the account manager: the prepaid account ended (no ticket) */
  /** to the account manager (else the provider's managers): a ticket's acknowledgement was refused for good */
  'ack-undelivered': {
    providerName: string;
    ticketNumber: number;
    subject: string;
    customerName: string | null;
    /** the refused recipients, comma-separated */
    to: string;
    /** the mail server's answer */
    error: string;
    /** the outbound row, for `helpdesk outbox retry` */
    outboundId: string;
    forAccountManager: boolean;
  };
  'prepaid-ended': {
    providerName: string;
    customerName: string;
    planTitle: string;
    reason: 'exhausted' | 'expired';
    forAccountManager: boolean;
    /** local date and time in `timeZone` */
    endedAt: string;
    timeZone: string;
    defaultPlanTitle: string;
  };
  /**
   * To a customer's superuser on a superuser-only plan: a new mail from another sender of the
   * customer, which opened no ticket; forwarding it or replying to it opens one.
   */
  'superuser-forward': {
    providerName: string;
    recipientName?: string | null;
    customerName: string;
    sender: string;
    senderName: string | null;
    subject: string;
    /** the sender's text, at most EXCERPT_LENGTH characters */
    text: string;
    /** the service address the sender wrote to */
    serviceAddress: string;
  };
  /** To that sender: requests go through the company's superuser, who has received a copy. */
  'superuser-only': {
    providerName: string;
    recipientName?: string | null;
    customerName: string;
    /** the superuser's name, else address */
    superuserName: string;
    superuserAddress: string;
    subject: string;
  };
};
type SlaVars = CommonVars & {
  customerName: string | null;
  planTitle: string;
  target: string;
  deadline: string;
  /** the target as the contract states it (`1h`, `NBD`); optional */
  targetText?: string | null;
  /** time left (warning) or time past the deadline (breach), formatted */
  remaining: string;
  requester: string;
};

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface TemplateRenderer {
  render(kind: MailKind, locale: Locale, vars: Readonly<Record<string, unknown>>): RenderedMail;
}

type Compiled = Record<TemplatePart, Handlebars.TemplateDelegate>;

function registerHelpers(instance: typeof Handlebars, html: boolean): void {
  instance.registerHelper('eq', (left: unknown, right: unknown) => left === right);
  // `(or a b …)`: the last argument Handlebars passes is its options object, not a value.
  instance.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  instance.registerHelper('excerpt', (text: unknown) => {
    const value = typeof text === 'string' ? text : '';
    return value.length > EXCERPT_LENGTH ? `${value.slice(0, EXCERPT_LENGTH)}…` : value;
  });
  // Keeps the author's line breaks in the HTML part; the text part needs nothing.
  instance.registerHelper('multiline', (text: unknown) => {
    const value = typeof text === 'string' ? text : '';
    if (!html) return value;
    return new instance.SafeString(instance.escapeExpression(value).replace(/\r?\n/g, '<br>\n'));
  });
}

export function createTemplateRenderer(options: { templatesDir: string }): TemplateRenderer {
  const htmlEngine = Handlebars.create();
  const textEngine = Handlebars.create();
  registerHelpers(htmlEngine, true);
  registerHelpers(textEngine, false);

  const missing: string[] = [];
  const broken: string[] = [];
  const compiled = new Map<string, Compiled>();
  for (const locale of LOCALES) {
    for (const kind of MAIL_KINDS) {
      const parts: Partial<Compiled> = {};
      for (const part of TEMPLATE_PARTS) {
        const relative = `${locale}/${kind}.${part}.hbs`;
        const file = join(options.templatesDir, locale, `${kind}.${part}.hbs`);
        if (!existsSync(file)) {
          missing.push(relative);
          continue;
        }
        const source = readFileSync(file, 'utf8');
        try {
          const engine = part === 'html' ? htmlEngine : textEngine;
          // precompile now so syntax errors surface at start-up, not at the first mail
          engine.precompile(source, { strict: true, noEscape: part !== 'html' });
          parts[part] = engine.compile(source, { strict: true, noEscape: part !== 'html' });
        } catch (error) {
          broken.push(`${relative}: ${(error as Error).message.split('\n')[0]}`);
        }
      }
      if (parts.subject && parts.text && parts.html) compiled.set(`${locale}/${kind}`, parts as Compiled);
    }
  }
  if (missing.length > 0 || broken.length > 0) {
    const problems = [...missing.map((file) => `missing ${file}`), ...broken];
    throw new HelpdeskError('config.invalid', `mail templates in ${options.templatesDir} are incomplete: ${problems.join(', ')}`, {
      details: problems,
    });
  }

  return {
    render(kind, locale, vars) {
      const templates = compiled.get(`${locale}/${kind}`);
      if (!templates) throw new HelpdeskError('usage.invalid', `no mail template ${locale}/${kind}`);
      const run = (part: TemplatePart): string => {
        try {
          return templates[part](vars);
        } catch (error) {
          throw new HelpdeskError('config.invalid', `template ${locale}/${kind}.${part}.hbs: ${(error as Error).message}`, { cause: error });
        }
      };
      return {
        // A header is one line; templates may wrap for readability.
        subject: run('subject').replace(/\s+/g, ' ').trim(),
        text: `${run('text').replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').trim()}\n`,
        html: run('html'),
      };
    },
  };
}
