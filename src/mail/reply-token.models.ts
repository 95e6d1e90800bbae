// Per-ticket reply addresses (`support+17.<mac>@trinax.example`). The MAC makes the address
// unguessable, so a reply to it proves the sender received a mail about that ticket: the first
// threading rule and half of the technician trust rule (docs/domain.md, "Threading" and
// "Trust of technician replies") rest on it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { HelpdeskError } from '../shared/errors.ts';
import { bareAddress, normalizeAddress, splitAddress, splitPlusTag } from '../shared/address.ts';

/** 10 base32 characters = 50 bits: far beyond guessing by mail, short enough for an address. */
export const REPLY_MAC_LENGTH = 10;

const BASE32_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const TOKEN = new RegExp(`^([1-9]\\d{0,14})\\.([a-z2-7]{${REPLY_MAC_LENGTH}})$`);

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

function replyMac(secret: string, serviceLocalPart: string, ticketNumber: number): string {
  const digest = createHmac('sha256', secret).update(`${serviceLocalPart}:${ticketNumber}`).digest();
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
}

/** `support+17.<mac>@trinax.example` for ticket 17 of service address `support@trinax.example`. */
export function createReplyAddress(input: CreateReplyAddressInput): string {
  const { ticketNumber, secret } = input;
  if (!Number.isSafeInteger(ticketNumber) || ticketNumber < 1) {
    throw new HelpdeskError('usage.invalid', `ticket number must be a positive integer, got ${ticketNumber}`);
  }
  const signing = signingSecret(secret);
  const { local, domain } = splitServiceAddress(input.serviceAddress);
  return `${local}+${ticketNumber}.${replyMac(signing, local, ticketNumber)}@${domain}`;
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
    const given = Buffer.from(TOKEN.test(tag) ? (match[2] ?? '') : '', 'ascii');
    const valid =
      given.length === REPLY_MAC_LENGTH &&
      secrets.some((secret) => timingSafeEqual(given, Buffer.from(replyMac(secret, serviceLocal, ticketNumber), 'ascii')));
    candidates.push({ ticketNumber, valid });
  }
  return candidates;
}
