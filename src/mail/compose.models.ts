// The last step before SMTP: a rendered mail becomes nodemailer options with the headers that
// threading and loop safety depend on (docs/domain.md, "Mail rules"). Pure: the outbound row's id
// makes the Message-ID, so a retried send produces the very same mail.
import { HelpdeskError } from '../shared/errors.ts';
import { ticketSubject } from './threading.models.ts';

export const MAIL_KINDS = [
  'ack',
  'technician-new-ticket',
  'technician-digest',
  'technician-reply',
  'sla-warning',
  'sla-breach',
  'tag-errors',
  'resolved',
  'technician-time-receipt',
  'timebank-threshold',
  'prepaid-ended',
  'ack-undelivered',
  'technician-customer-reply',
  'technician-assigned',
  'technician-unverified',
  'estimate',
  'technician-estimate',
  'superuser-forward',
  'superuser-only',
] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

/**
 * RFC 3834 `Auto-Submitted` value per kind when the mail is automatic. `auto-replied` is for a
 * mail sent because a particular mail came in (the ack answers the customer's mail, tag-errors
 * answers the technician's); `auto-generated` is for mails the bot originates (notifications,
 * SLA warnings and escalations, the resolution notice). A technician's relayed reply is human
 * text and carries neither header, so the customer's mail system treats it as a person's mail.
 */
export const AUTO_SUBMITTED_BY_KIND: Readonly<Record<MailKind, 'auto-replied' | 'auto-generated' | null>> = {
  ack: 'auto-replied',
  'tag-errors': 'auto-replied',
  'technician-time-receipt': 'auto-replied',
  'technician-new-ticket': 'auto-generated',
  'technician-digest': 'auto-generated',
  'sla-warning': 'auto-generated',
  'sla-breach': 'auto-generated',
  resolved: 'auto-generated',
  'timebank-threshold': 'auto-generated',
  'prepaid-ended': 'auto-generated',
  'ack-undelivered': 'auto-generated',
  'technician-customer-reply': 'auto-generated',
  'technician-assigned': 'auto-generated',
  'technician-unverified': 'auto-replied',
  estimate: 'auto-generated',
  'technician-estimate': 'auto-generated',
  'superuser-forward': 'auto-generated',
  'superuser-only': 'auto-replied',
  'technician-reply': null,
};

export interface ComposeOutboundInput {
  /** uuid of the outbound record: the stable part of the Message-ID */
  outboundId: string;
  kind: MailKind;
  serviceAddress: string;
  fromName: string;
  to: readonly string[];
  cc?: readonly string[];
  /** the ticket's reply address; null for a mail about several tickets (a digest) */
  replyTo: string | null;
  /** null for a mail about several tickets: no subject tag, no X-Helpdesk-Ticket */
  ticketNumber: number | null;
  subject: string;
  text: string;
  html: string;
  inReplyTo?: string | null;
  /** the thread so far, oldest first */
  references?: readonly string[];
  /** acks, notifications and escalations; false for a technician's relayed reply */
  automatic: boolean;
  messageDomain: string;
}

/** The subset of nodemailer's SendMailOptions we set; assignable to SendMailOptions. */
export interface ComposedMail {
  messageId: string;
  from: { name: string; address: string };
  to: string[];
  cc?: string[];
  replyTo?: string;
  subject: string;
  text: string;
  html: string;
  inReplyTo?: string;
  references?: string[];
  headers: Record<string, string>;
}

const ID_PART = /^[A-Za-z0-9._-]+$/;
const DOMAIN = /^[A-Za-z0-9.-]+$/;

/**
 * nodemailer options for one outbound record. With `automatic`, the mail carries
 * `Auto-Submitted` (value per {@link AUTO_SUBMITTED_BY_KIND}; `auto-generated` for a kind that
 * has none) and `X-Auto-Response-Suppress: All`, so out-of-office replies do not come back and
 * reopen tickets. Without it, neither header is set, whatever the kind.
 */
export function composeOutbound(input: ComposeOutboundInput): ComposedMail {
  if (!ID_PART.test(input.outboundId) || !DOMAIN.test(input.messageDomain)) {
    // Anything else would make an invalid (or header-injecting) Message-ID.
    throw new HelpdeskError('usage.invalid', `cannot build a Message-ID from "${input.outboundId}" and "${input.messageDomain}"`);
  }
  const headers: Record<string, string> = {};
  if (input.ticketNumber !== null) headers['X-Helpdesk-Ticket'] = String(input.ticketNumber);
  headers['X-Helpdesk-Kind'] = input.kind;
  if (input.automatic) {
    headers['Auto-Submitted'] = AUTO_SUBMITTED_BY_KIND[input.kind] ?? 'auto-generated';
    headers['X-Auto-Response-Suppress'] = 'All';
  }

  const inReplyTo = input.inReplyTo ?? null;
  const references = [...(input.references ?? [])];
  // RFC 5322 §3.6.4: References is the parent's References plus the parent's own id.
  if (inReplyTo !== null && !references.includes(inReplyTo)) references.push(inReplyTo);
  const uniqueReferences = references.filter((id, index) => references.indexOf(id) === index);

  const mail: ComposedMail = {
    messageId: `<${input.outboundId}@${input.messageDomain.toLowerCase()}>`,
    from: { name: input.fromName, address: input.serviceAddress },
    to: [...input.to],
    subject: input.ticketNumber === null ? input.subject : ticketSubject(input.ticketNumber, input.subject),
    text: input.text,
    html: input.html,
    headers,
  };
  if (input.replyTo !== null) mail.replyTo = input.replyTo;
  if (input.cc && input.cc.length > 0) mail.cc = [...input.cc];
  if (inReplyTo !== null) mail.inReplyTo = inReplyTo;
  if (uniqueReferences.length > 0) mail.references = uniqueReferences;
  return mail;
}
