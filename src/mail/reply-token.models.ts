// Per-ticket reply addresses (`support+17.<mac>@trinax.example`). The MAC makes the address
// unguessable, so a reply to it proves the sender received a mail about that ticket: the first
// threading rule and half of the technician trust rule (docs/domain.md, "Threading" and
// "Trust of technician replies") rest on it. A token may also carry an action
// (`support+17.a.<mac>@…` approves ticket 17's estimate, `.d.` declines it), signed together with
// the ticket number so editing the letter breaks the MAC.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { HelpdeskError } from '../shared/errors.ts';
import { bareAddress, normalizeAddress, splitAddress, splitPlusTag } from '../shared/address.ts';

/** 10 base32 characters = 50 bits: far beyond guessing by mail, short enough for an address. */
export const REPLY_MAC_LENGTH = 10;

const BASE32_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const TOKEN = new RegExp(`^([1-9]\\d{0,14})\\.(?:([a-z])\\.)?([a-z2-7]{${REPLY_MAC_LENGTH}})$`);

/**
 * What a reply address asks beyond threading: approve or decline the ticket's pending estimate.
 * One letter each in the address; an address without one is a plain reply address.
 */
export type ReplyAction = 'approve' | 'decline';
const ACTION_LETTER: Readonly<Record<ReplyAction, string>> = { approve: 'a', decline: 'd' };
const ACTION_BY_LETTER: ReadonlyMap<string, ReplyAction> = new Map(Object.entries(ACTION_LETTER).map(([action, letter]) => [letter, action as ReplyAction]));

/** RFC 4648 base32, lower-case, no padding: only letters and digits, safe in any local part. */
function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

function replyMac(secret: string, serviceLocalPart: string, ticketNumber: number, action: ReplyAction | null): string {
  // Plain tokens keep the input they always had, so addresses already sent stay valid.
  const signed = action === null ? `${serviceLocalPart}:${ticketNumber}` : `${serviceLocalPart}:${ticketNumber}:${ACTION_LETTER[action]}`;
  const digest = createHmac('sha256', secret).update(signed).digest();
  return base32(digest).slice(0, REPLY_MAC_LENGTH);
}

function splitServiceAddress(serviceAddress: string): { local: string; domain: string } {
  const bare = bareAddress(serviceAddress);
  const parts = splitAddress(bare);
  if (parts === null || parts.localPart === '' || parts.domain === '' || bare.includes('+')) {
    // A tag in the service address would make `support+x+17.mac` ambiguous to parse back.
    throw new HelpdeskError('config.invalid', `service address "${serviceAddress}" must be a plain address without +tag`);
  }
  return { local: parts.localPart, domain: parts.domain };
}

/**
 * The reply-token secrets, newest first: the first signs, every one verifies, so reply addresses
 * made before a rotation keep working while the old secret is listed. A string is the form
 * HELPDESK_SECRET takes: one secret, or several separated by commas (a secret has no comma).
 */
export type ReplySecrets = string | readonly string[];

export function replySecretList(secrets: ReplySecrets): string[] {
  const list = (typeof secrets === 'string' ? secrets.split(',') : [...secrets]).map((secret) => secret.trim());
  if (list.length === 0 || list.some((secret) => secret.length === 0)) {
    throw new HelpdeskError('config.invalid', 'the reply-token secret (HELPDESK_SECRET) is empty');
  }
  return list;
}

/** The secret new reply addresses are signed with: the first of the list. */
function signingSecret(secrets: ReplySecrets): string {
  return replySecretList(secrets)[0]!;
}

export interface CreateReplyAddressInput {
  serviceAddress: string;
  ticketNumber: number;
  /** signed with the first secret */
  secret: ReplySecrets;
  /** an approve or decline address (`support+17.a.<mac>@…`); a plain reply address when absent */
  action?: ReplyAction | null;
}

/** `support+17.<mac>@trinax.example` for ticket 17 of service address `support@trinax.example` (`support+17.a.<mac>@…` with an action). */
export function createReplyAddress(input: CreateReplyAddressInput): string {
  const { ticketNumber, secret } = input;
  if (!Number.isSafeInteger(ticketNumber) || ticketNumber < 1) {
    throw new HelpdeskError('usage.invalid', `ticket number must be a positive integer, got ${ticketNumber}`);
  }
  const signing = signingSecret(secret);
  const { local, domain } = splitServiceAddress(input.serviceAddress);
  const action = input.action ?? null;
  const actionPart = action === null ? '' : `${ACTION_LETTER[action]}.`;
  return `${local}+${ticketNumber}.${actionPart}${replyMac(signing, local, ticketNumber, action)}@${domain}`;
}

export interface ParseReplyTokenInput {
  /** every recipient the mail carried: To, Cc, Delivered-To, X-Original-To (display names allowed) */
  addresses: readonly string[];
  serviceAddresses: readonly string[];
  /** every secret that verifies (the current one and those of a rotation) */
  secret: ReplySecrets;
}

/** A recipient shaped like one of our reply addresses: the ticket number it names, and whether its MAC verifies. */
export interface ReplyTokenCandidate {
  ticketNumber: number;
  valid: boolean;
  /** the action the address carries (approve/decline); null for a plain reply address or an unknown letter */
  action: ReplyAction | null;
}

/**
 * The ticket number of the first recipient that is a valid reply address of one of our service
 * addresses; null when none is (a missing, altered or forged MAC counts as none). Compared
 * case-insensitively because some MTAs lower-case (or upper-case) the local part.
 */
export function parseReplyToken(input: ParseReplyTokenInput): number | null {
  return replyTokenCandidates(input).find((candidate) => candidate.valid)?.ticketNumber ?? null;
}

/**
 * Every recipient shaped like a reply address of one of our service addresses, valid or not, in
 * the order given. An invalid one (a secret that changed, a mangled address) names a ticket that
 * is NOT proven: intake uses it only to keep a technician's unverifiable text on that ticket as
 * an internal note, never to apply anything.
 */
export function replyTokenCandidates(input: ParseReplyTokenInput): ReplyTokenCandidate[] {
  const secrets = replySecretList(input.secret);
  const services = new Set(input.serviceAddresses.map((address) => normalizeAddress(address)));
  const candidates: ReplyTokenCandidate[] = [];
  for (const address of input.addresses) {
    const parts = splitAddress(bareAddress(address));
    if (parts === null) continue;
    const { mailbox: serviceLocal, tag } = splitPlusTag(parts.localPart);
    if (tag === null) continue;
    if (!services.has(`${serviceLocal}@${parts.domain}`)) continue;
    const match = /^([1-9]\d{0,14})\.(.*)$/.exec(tag);
    if (!match) continue;
    const ticketNumber = Number(match[1]);
    if (!Number.isSafeInteger(ticketNumber)) continue;
    const token = TOKEN.exec(tag);
    const letter = token?.[2];
    const action = letter === undefined ? null : (ACTION_BY_LETTER.get(letter) ?? null);
    // An unknown action letter is no address of ours: it never verifies.
    const known = token !== null && (letter === undefined || action !== null);
    const given = Buffer.from(known ? (token[3] ?? '') : '', 'ascii');
    const valid =
      given.length === REPLY_MAC_LENGTH &&
      secrets.some((secret) => timingSafeEqual(given, Buffer.from(replyMac(secret, serviceLocal, ticketNumber, action), 'ascii')));
    candidates.push({ ticketNumber, valid, action });
  }
  return candidates;
}
