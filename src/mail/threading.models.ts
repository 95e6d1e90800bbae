// Which ticket an inbound mail belongs to, and the subject line every outbound mail carries.
// The order of evidence (docs/domain.md, "Threading"): reply token, then In-Reply-To/References,
// then the subject tag only when the sender already takes part in that ticket (a subject tag
// alone is trivially forged or copied).

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
