// What intake decides before telling someone about a follow-up, as pure functions: whether a
// known technician's mail is a verified reply (and if not, why), what a customer's reply newly
// says, and whether an unverifiable technician may be answered again. No I/O.
import { findQuotedRegion } from '../reply-quoting.models.ts';

/**
 * Why a known technician's mail cannot be trusted, as the answer to them says it:
 * - `no-reply-address`: it did not go to a ticket's reply address (a reply to an old mail, or
 *   to the service address, or a mail client that dropped the `+…` part);
 * - `invalid-reply-address`: it went to a reply address whose code does not verify (a secret
 *   that changed, a mangled address);
 * - `unauthenticated`: our server did not authenticate the sender's domain, which the provider
 *   requires (`technicianAuthentication`).
 */
export type UnverifiedReason = 'no-reply-address' | 'invalid-reply-address' | 'unauthenticated';

export type TechnicianReplyVerdict = { verified: true } | { verified: false; reason: UnverifiedReason };

/** A technician's mail is verified when it reached its ticket by a valid reply token and, when required, our server authenticated it. */
export function technicianReplyVerdict(input: {
  /** how the mail found its ticket; null when it found none */
  via: 'token' | 'reference' | 'subject' | null;
  /** a reply address of ours was among the recipients, but its MAC did not verify */
  invalidToken: boolean;
  /** our server's Authentication-Results pass for the sender's domain (true when not required) */
  authenticated: boolean;
}): TechnicianReplyVerdict {
  if (input.via === 'token') return input.authenticated ? { verified: true } : { verified: false, reason: 'unauthenticated' };
  return { verified: false, reason: input.invalidToken ? 'invalid-reply-address' : 'no-reply-address' };
}

/** At most one answer to an unverifiable technician per ticket per this long: two bots cannot loop. */
export const UNVERIFIED_ANSWER_INTERVAL_MS = 3_600_000;

/** Whether a technician may be answered now, given when they were last answered about the same ticket (null: never). */
export function mayAnswerUnverified(lastAnsweredAt: Date | null, at: Date): boolean {
  return lastAnsweredAt === null || at.getTime() - lastAnsweredAt.getTime() >= UNVERIFIED_ANSWER_INTERVAL_MS;
}

/**
 * What a customer's reply newly says: the text above the quoted history (`>` lines with their
 * attribution, an Outlook header block and everything below it), trimmed of blank edges. Falls
 * back to the whole text when nothing is left (a reply written below the quote).
 */
export function customersNewText(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const { end, headerLines } = findQuotedRegion(lines);
  const own = lines.slice(0, end).filter((line, index) => !headerLines.has(index) && !line.trimStart().startsWith('>'));
  const joined = own.join('\n').replace(/^\s*\n/, '').trimEnd().replace(/\n{3,}/g, '\n\n');
  return joined.trim() === '' ? text.trim() : joined.replace(/^\n+/, '');
}
