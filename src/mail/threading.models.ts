// Which ticket an inbound mail belongs to, and the subject line every outbound mail carries.
// The order of evidence (docs/domain.md, "Threading"): reply token, then In-Reply-To/References,
// then the subject tag only when the sender already takes part in that ticket (a subject tag
// alone is trivially forged or copied).
import { normalizeAddress } from '../shared/address.ts';

/** The ticket number of the first `[#123]` in a subject; `#123` without brackets does not count. */
export function extractSubjectTicketNumber(subject: string | null | undefined): number | null {
  if (!subject) return null;
  for (const match of subject.matchAll(/\[#(\d{1,15})\]/g)) {
    const number = Number(match[1]);
    if (Number.isSafeInteger(number) && number > 0) return number;
  }
  return null;
}

/**
 * At most this many ids are returned: a References header can be made arbitrarily long, and
 * the newest ids are the ones that find the ticket.
 */
export const MAX_REFERENCED_IDS = 50;

function messageIdsIn(value: string | readonly string[] | null | undefined): string[] {
  if (value === null || value === undefined) return [];
  const values = typeof value === 'string' ? [value] : value;
  const ids: string[] = [];
  for (const text of values) {
    const bracketed = text.match(/<[^<>\s]+>/g);
    if (bracketed) {
      ids.push(...bracketed);
    } else {
      // Some clients (and some parsers) drop the angle brackets.
      for (const token of text.split(/[\s,]+/)) {
        if (token.includes('@')) ids.push(`<${token}>`);
      }
    }
  }
  return ids;
}

export interface ReferencedMessageIdsInput {
  inReplyTo: string | readonly string[] | null | undefined;
  references: string | readonly string[] | null | undefined;
}

/**
 * Unique `<id>`s a reply points at, most recent first: In-Reply-To (the direct parent), then
 * References from newest to oldest (the header lists them oldest first).
 */
export function referencedMessageIds(input: ReferencedMessageIdsInput): string[] {
  const ordered = [...messageIdsIn(input.inReplyTo), ...messageIdsIn(input.references).reverse()];
  const unique: string[] = [];
  const seen = new Set<string>();
  for (const id of ordered) {
    if (seen.has(id)) continue;
    seen.add(id);
    unique.push(id);
    if (unique.length === MAX_REFERENCED_IDS) break;
  }
  return unique;
}

// Reply and forward prefixes of the mail clients our customers use: en Re/Fwd/Fw, sv/nb/da
// Sv/SV/VB (vidarebefordrat)/VS (videresendt), fi Vs/VL, de AW/WG, nl Antw/Doorst, fr TR/RE.
// A count like `Re[2]:` or `Re(2):` is allowed. Upper/lower case never matters.
const PREFIX = /^\s*(re|sv|vs|vl|aw|wg|antw|antwoord|fwd|fw|vb|tr|doorst|vidarebefordrat)\s*(\[\d+\]|\(\d+\))?\s*:\s*/i;

/** `Re: Sv: AW: printer` → `printer`. Only leading prefixes are removed. */
export function stripSubjectPrefixes(subject: string): string {
  let rest = subject.trim();
  for (;;) {
    const next = rest.replace(PREFIX, '');
    if (next === rest) return rest;
    rest = next.trim();
  }
}

/**
 * `[#17] printer` from `Re: [#17] Sv: printer`: reply prefixes go, the ticket's own tag is kept
 * exactly once and in front; tags of other tickets stay where they are.
 */
export function ticketSubject(ticketNumber: number, subject: string | null | undefined): string {
  const ownTag = new RegExp(`\\[#0*${ticketNumber}\\]`, 'g');
  // Headers must stay on one line; mail clients also fold tabs and runs of spaces.
  let rest = (subject ?? '').replace(/\s+/g, ' ').trim();
  for (;;) {
    const next = stripSubjectPrefixes(rest.replace(ownTag, ' ').replace(/\s+/g, ' ')).trim();
    if (next === rest) break;
    rest = next;
  }
  return rest === '' ? `[#${ticketNumber}]` : `[#${ticketNumber}] ${rest}`;
}

export interface DecideThreadInput {
  byToken: number | null;
  byReference: number | null;
  bySubjectTag: { ticket: number; senderParticipates: boolean } | null;
}

export type ThreadDecision = { ticket: number; via: 'token' | 'reference' | 'subject' } | { ticket: null };

export function decideThread(input: DecideThreadInput): ThreadDecision {
  if (input.byToken !== null) return { ticket: input.byToken, via: 'token' };
  if (input.byReference !== null) return { ticket: input.byReference, via: 'reference' };
  if (input.bySubjectTag !== null && input.bySubjectTag.senderParticipates) {
    return { ticket: input.bySubjectTag.ticket, via: 'subject' };
  }
  return { ticket: null };
}

/** One mail of a ticket as threading sees it: who sent it, who got it, and its Message-ID. */
export interface ThreadMessage {
  messageId: string | null;
  direction: 'in' | 'out';
  fromAddress: string;
  to: readonly string[];
  cc: readonly string[];
}

/** References keeps the thread's root and this many of the newest ids (RFC 5322 allows trimming the middle). */
export const MAX_REFERENCES_TAIL = 20;

export interface ThreadHeaders {
  inReplyTo: string | null;
  /** oldest first, the In-Reply-To last */
  references: string[];
}

/**
 * The In-Reply-To and References of a mail to `recipients`, built only from the ticket's mails
 * every one of them has actually seen: the ones they sent, and the ones they got (To or Cc). A
 * mail client threads by ids it holds; an id the recipient never received (a technician's own
 * answer, relayed to the customer as our mail) breaks the thread in some clients. `messages` are
 * in the order they happened. `preferredParent` is the mail this one answers when the caller knows
 * it; it is used only when the recipients have seen it, else the newest seen mail is the parent.
 */
export function threadHeadersFor(
  messages: readonly ThreadMessage[],
  recipients: readonly string[],
  preferredParent: string | null = null,
): ThreadHeaders {
  if (recipients.length === 0) return { inReplyTo: null, references: [] };
  // Case, display names and a +tag never change who a person is (src/shared/address.ts).
  const people = recipients.map(normalizeAddress);
  const seenBy = (message: ThreadMessage, person: string) =>
    normalizeAddress(message.fromAddress) === person || [...message.to, ...message.cc].some((address) => normalizeAddress(address) === person);
  const seen: string[] = [];
  for (const message of messages) {
    const id = message.messageId;
    if (id === null || id === '' || seen.includes(id)) continue;
    if (people.every((person) => seenBy(message, person))) seen.push(id);
  }
  if (seen.length === 0) return { inReplyTo: null, references: [] };
  const parent = preferredParent !== null && seen.includes(preferredParent) ? preferredParent : seen.at(-1)!;
  const ordered = [...seen.filter((id) => id !== parent), parent];
  const references = ordered.length <= MAX_REFERENCES_TAIL + 1 ? ordered : [ordered[0]!, ...ordered.slice(-MAX_REFERENCES_TAIL)];
  return { inReplyTo: parent, references };
}
