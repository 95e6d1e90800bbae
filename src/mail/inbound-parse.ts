// Turns raw RFC 5322 bytes into the plain, serializable fields intake needs. Runs inside
// parse worker threads (see parse-pool.ts), so everything returned must survive postMessage.
import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { extractBouncedMessageId } from './loop-detection.models.ts';
import { sanitizeInboundHtml } from './sanitize.ts';

export interface ParsedAddress {
  address: string;
  name: string | null;
}

export interface ParsedInbound {
  sha256: string;
  size: number;
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  from: ParsedAddress | null;
  to: string[];
  cc: string[];
  /** To, Cc, Delivered-To and X-Original-To: where a reply token may hide */
  recipients: string[];
  subject: string;
  sentAt: string | null;
  text: string;
  html: string | null;
  /** lower-case header name → unfolded value (first occurrence), for loop detection and priority */
  headers: Record<string, string>;
  /** undefined when the header is absent; '' for `<>` */
  returnPath: string | undefined;
  /** every Authentication-Results header (RFC 8601), for the optional technician check */
  authenticationResults: string[];
  contentType: string;
  reportType: string | null;
  bouncedMessageId: string | null;
  attachments: { filename: string | null; contentType: string; size: number }[];
}

export type ParseOutcome =
  | { ok: true; mail: ParsedInbound }
  | { ok: false; sha256: string; size: number; reasonCode: 'mail.unparseable' | 'mail.too_large' | 'mail.no_sender'; reason: string };

export function sha256Hex(raw: Uint8Array): string {
  return createHash('sha256').update(raw).digest('hex');
}

function addresses(value: AddressObject | AddressObject[] | undefined): ParsedAddress[] {
  if (!value) return [];
  const list = Array.isArray(value) ? value : [value];
  const out: ParsedAddress[] = [];
  for (const group of list) {
    for (const entry of group.value) {
      if (entry.address) out.push({ address: entry.address.toLowerCase(), name: entry.name || null });
      for (const member of entry.group ?? []) {
        if (member.address) out.push({ address: member.address.toLowerCase(), name: member.name || null });
      }
    }
  }
  return out;
}

function headerMap(mail: ParsedMail): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of mail.headerLines) {
    if (out[line.key] !== undefined) continue;
    const colon = line.line.indexOf(':');
    out[line.key] = line.line.slice(colon + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
  }
  return out;
}

function allHeaderValues(mail: ParsedMail, key: string): string[] {
  return mail.headerLines
    .filter((line) => line.key === key)
    .map((line) => line.line.slice(line.line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim());
}

function bareAddressesFromHeader(value: string | undefined): string[] {
  if (!value) return [];
  const found = value.match(/[^\s<>,;"]+@[^\s<>,;"]+/g) ?? [];
  return found.map((a) => a.toLowerCase());
}

function messageIdList(value: string | string[] | undefined): string[] {
  if (!value) return [];
  const joined = Array.isArray(value) ? value.join(' ') : value;
  return joined.match(/<[^<>\s]+>/g) ?? [];
}

export async function parseInboundMail(raw: Buffer, options: { maxBytes: number }): Promise<ParseOutcome> {
  const sha256 = sha256Hex(raw);
  const size = raw.length;
  if (size > options.maxBytes) {
    return { ok: false, sha256, size, reasonCode: 'mail.too_large', reason: `mail is ${size} bytes; the limit is ${options.maxBytes}` };
  }
  let mail: ParsedMail;
  try {
    mail = await simpleParser(raw, { skipImageLinks: true, maxHtmlLengthToParse: 2_000_000 });
  } catch (err) {
    return { ok: false, sha256, size, reasonCode: 'mail.unparseable', reason: `mailparser failed: ${(err as Error).message}` };
  }
  const headers = headerMap(mail);
  const from = addresses(mail.from)[0] ?? null;
  if (!from || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(from.address)) {
    const what = headers.from ? `From header "${headers.from.slice(0, 200)}" has no usable address` : 'no From header';
    return { ok: false, sha256, size, reasonCode: 'mail.no_sender', reason: what };
  }
  const to = addresses(mail.to).map((a) => a.address);
  const cc = addresses(mail.cc).map((a) => a.address);
  const recipients = [
    ...new Set([...to, ...cc, ...bareAddressesFromHeader(headers['delivered-to']), ...bareAddressesFromHeader(headers['x-original-to'])]),
  ];
  const contentTypeHeader = mail.headers.get('content-type');
  const contentType =
    typeof contentTypeHeader === 'object' && contentTypeHeader && 'value' in contentTypeHeader
      ? String(contentTypeHeader.value).toLowerCase()
      : String(headers['content-type'] ?? 'text/plain').split(';')[0]!.trim().toLowerCase();
  const reportType =
    typeof contentTypeHeader === 'object' && contentTypeHeader && 'params' in contentTypeHeader
      ? ((contentTypeHeader.params as Record<string, string>)['report-type']?.toLowerCase() ?? null)
      : null;
  const isDeliveryReport = contentType === 'multipart/report' && reportType === 'delivery-status';
  const returnPathRaw = headers['return-path'];
  const returnPath = returnPathRaw === undefined ? undefined : returnPathRaw.replace(/[<>\s]/g, '');
  const html = typeof mail.html === 'string' && mail.html.length > 0 ? sanitizeInboundHtml(mail.html) : null;

  return {
    ok: true,
    mail: {
      sha256,
      size,
      messageId: mail.messageId ? (mail.messageId.startsWith('<') ? mail.messageId : `<${mail.messageId}>`) : null,
      inReplyTo: messageIdList(mail.inReplyTo)[0] ?? null,
      references: messageIdList(mail.references),
      from,
      to,
      cc,
      recipients,
      subject: (mail.subject ?? '').trim(),
      sentAt: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.toISOString() : null,
      text: (mail.text ?? '').replace(/\r\n/g, '\n'),
      html,
      headers,
      returnPath,
      authenticationResults: allHeaderValues(mail, 'authentication-results'),
      contentType,
      reportType,
      bouncedMessageId: isDeliveryReport ? extractBouncedMessageId(raw.toString('latin1')) : null,
      attachments: mail.attachments.map((a) => ({ filename: a.filename ?? null, contentType: a.contentType, size: a.size })),
    },
  };
}
