// RFC 3834 loop safety: decide whether an inbound mail came from a machine, so that we never
// answer it automatically (two autoresponders answering each other is the classic mail loop),
// and recognise delivery-status reports (bounces) so they attach to a ticket instead of opening one.
import { isSameMailbox, localPartOf } from '../shared/address.ts';
import { isPlainObject } from '../shared/objects.ts';

/** Why a mail counts as automatic; stored with the message, so the spellings are stable. */
export type AutomationReason =
  | 'auto-submitted'
  | 'precedence'
  | 'list-id'
  | 'autoreply-header'
  | 'auto-response-suppress'
  | 'empty-return-path'
  | 'system-sender'
  | 'own-address'
  | 'no-sender';

export interface AutomationVerdict {
  automatic: boolean;
  reasons: AutomationReason[];
}

/**
 * Lower-case header names to values. Accepts a plain record or a Map such as mailparser's
 * `headers` (whose values may be strings, arrays or structured objects, and which folds all
 * `List-*` headers into one `list` object).
 */
export type HeaderSource = ReadonlyMap<string, unknown> | Readonly<Record<string, unknown>>;

export interface DetectAutomationInput {
  headers: HeaderSource;
  from: string | null;
  /** undefined = no Return-Path header; '' or '<>' = the empty (null) reverse path */
  returnPath: string | null | undefined;
  ourAddresses: readonly string[];
}

const BULK_PRECEDENCE = new Set(['bulk', 'list', 'junk', 'auto_reply']);
const SUPPRESS_TOKENS = new Set(['all', 'autoreply', 'oof']);
const SYSTEM_LOCAL_PARTS = new Set([
  'mailer-daemon',
  'postmaster',
  'no-reply',
  'noreply',
  'no_reply',
  'do-not-reply',
  'donotreply',
  'do_not_reply',
]);
// `noreply-calendar@…`, `no-reply.billing@…`: the prefix is what marks them.
const SYSTEM_LOCAL_PREFIX = /^(no-?reply|no_reply|do-?not-?reply|do_not_reply|mailer-daemon)[._+-]/;

function hasHeader(headers: HeaderSource, name: string): boolean {
  return isMap(headers) ? headers.has(name) : Object.prototype.hasOwnProperty.call(headers, name);
}

function isMap(headers: HeaderSource): headers is ReadonlyMap<string, unknown> {
  return typeof (headers as ReadonlyMap<string, unknown>).get === 'function';
}

function rawHeader(headers: HeaderSource, name: string): unknown {
  return isMap(headers) ? headers.get(name) : (headers as Record<string, unknown>)[name];
}

/** Every value of a header as text, whatever shape the parser gave it. */
export function headerValues(headers: HeaderSource, name: string): string[] {
  return flattenHeaderValue(rawHeader(headers, name));
}

function flattenHeaderValue(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  if (value instanceof Date) return [value.toISOString()];
  if (Array.isArray(value)) return value.flatMap(flattenHeaderValue);
  if (isPlainObject(value)) {
    if (typeof value.text === 'string') return [value.text];
    if ('value' in value) return flattenHeaderValue(value.value);
  }
  return [];
}

/** First token of a structured header value: `auto-replied; owner-email=…` → `auto-replied`. */
function firstToken(value: string): string {
  return (value.split(';')[0] ?? '').trim().toLowerCase();
}

function hasListId(headers: HeaderSource): boolean {
  if (hasHeader(headers, 'list-id')) return true;
  // mailparser folds List-* into `list: { id: {...}, unsubscribe: {...} }`.
  const list = rawHeader(headers, 'list');
  return isPlainObject(list) && 'id' in list;
}

export function isEmptyReturnPath(returnPath: string | null | undefined): boolean {
  if (returnPath === undefined) return false;
  if (returnPath === null) return true;
  return returnPath.replace(/[\s<>]/g, '') === '';
}

export function isSystemSender(address: string): boolean {
  const local = localPartOf(address);
  if (local === null) return false;
  return SYSTEM_LOCAL_PARTS.has(local) || SYSTEM_LOCAL_PREFIX.test(local);
}

/**
 * Whether a mail was sent by a machine (or by ourselves), with every reason found.
 * `automatic` means: never auto-reply. It does not mean "ignore": a machine mail may still
 * belong to a ticket (an out-of-office reply, a bounce).
 */
export function detectAutomation(input: DetectAutomationInput): AutomationVerdict {
  const { headers, from, returnPath, ourAddresses } = input;
  const reasons: AutomationReason[] = [];
  const add = (reason: AutomationReason): void => {
    if (!reasons.includes(reason)) reasons.push(reason);
  };

  for (const value of headerValues(headers, 'auto-submitted')) {
    // RFC 3834 §5: absent or `no` means a human; anything else (even malformed) is treated as
    // automatic, since replying wrongly can loop while staying silent only costs one ack.
    if (firstToken(value) !== 'no') add('auto-submitted');
  }

  for (const value of headerValues(headers, 'precedence')) {
    if (BULK_PRECEDENCE.has(firstToken(value))) add('precedence');
  }

  if (hasListId(headers)) add('list-id');

  // Non-standard but common markers of autoresponders (older Exchange, vacation scripts).
  for (const name of ['x-autoreply', 'x-autorespond']) {
    const values = headerValues(headers, name);
    const present = values.length > 0 || hasHeader(headers, name);
    const negated = values.length > 0 && values.every((v) => ['no', 'false', '0'].includes(firstToken(v)));
    if (present && !negated) add('autoreply-header');
  }

  for (const value of headerValues(headers, 'x-auto-response-suppress')) {
    // The sender asks (Microsoft's convention) not to be answered automatically; DR/RN/NRN only
    // concern receipts, so they do not stop an acknowledgement.
    const tokens = value.split(',').map((token) => token.trim().toLowerCase());
    if (tokens.some((token) => SUPPRESS_TOKENS.has(token))) {
      add('auto-response-suppress');
    }
  }

  if (isEmptyReturnPath(returnPath)) add('empty-return-path');

  if (from === null || from.trim() === '' || localPartOf(from) === null) {
    add('no-sender');
  } else {
    if (isSystemSender(from)) add('system-sender');
    if (ourAddresses.some((ours) => isSameMailbox(ours, from))) add('own-address');
  }

  return { automatic: reasons.length > 0, reasons };
}

export interface ContentTypeValue {
  value: string;
  params?: Readonly<Record<string, string>>;
}

export interface IsBounceInput {
  /** `multipart/report; report-type=delivery-status; boundary=…`, or mailparser's parsed form */
  contentType: string | ContentTypeValue | null | undefined;
  /** the report-type parameter when the caller already extracted it */
  reportType?: string | null;
}

function parseContentType(contentType: string | ContentTypeValue): { mime: string; params: Record<string, string> } {
  if (typeof contentType !== 'string') {
    const params: Record<string, string> = {};
    for (const [key, value] of Object.entries(contentType.params ?? {})) params[key.toLowerCase()] = value;
    return { mime: contentType.value.trim().toLowerCase(), params };
  }
  const [mime = '', ...rest] = contentType.split(';');
  const params: Record<string, string> = {};
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    params[key] = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return { mime: mime.trim().toLowerCase(), params };
}

/** A delivery-status notification (RFC 3464): multipart/report with report-type=delivery-status. */
export function isBounce(input: IsBounceInput): boolean {
  if (!input.contentType) return false;
  const { mime, params } = parseContentType(input.contentType);
  if (mime !== 'multipart/report') return false;
  const reportType = (input.reportType ?? params['report-type'] ?? '').trim().toLowerCase();
  return reportType === 'delivery-status';
}

/**
 * The Message-ID of the mail that bounced, from the raw source of a DSN: the first Message-ID
 * header inside the `message/rfc822` or `text/rfc822-headers` part that follows the
 * `message/delivery-status` part. Null when the DSN carries no copy of the original headers.
 * The DSN's own Message-ID sits in the top-level headers, before the delivery-status part, so it
 * is never picked.
 */
export function extractBouncedMessageId(rawText: string): string | null {
  const text = rawText.replace(/\r\n?/g, '\n');
  const status = /^content-type:[ \t]*message\/(global-)?delivery-status\b/im.exec(text);
  if (!status) return null;
  const afterStatus = text.slice(status.index + status[0].length);

  const embedded = /^content-type:[ \t]*(message\/(global|rfc822)|text\/rfc822-headers)\b/im.exec(afterStatus);
  if (embedded) {
    const fromPart = afterStatus.slice(embedded.index);
    // The part's own MIME headers end at the first blank line; the original's headers follow.
    const bodyStart = fromPart.search(/\n[ \t]*\n/);
    if (bodyStart !== -1) {
      const found = findMessageIdHeader(fromPart.slice(bodyStart));
      if (found) return found;
    }
  }
  // Some MTAs label the copy wrongly (text/plain); any Message-ID header after the status part
  // still belongs to the original, never to the DSN itself.
  return findMessageIdHeader(afterStatus);
}

function findMessageIdHeader(text: string): string | null {
  // The value may be folded onto the next line.
  const match = /^message-id:[ \t]*(?:\n[ \t]+)?(<[^<>\s]+>)/im.exec(text);
  return match?.[1] ?? null;
}

export interface ShouldAcknowledgeInput {
  automatic: boolean;
  acksToSenderLastHour: number;
  ackLimitPerHour: number;
}

/** Acknowledge only humans, and at most `ackLimitPerHour` times per sender in a rolling hour. */
export function shouldAcknowledge(input: ShouldAcknowledgeInput): boolean {
  return !input.automatic && input.acksToSenderLastHour < input.ackLimitPerHour;
}
