// What /healthz decides, as pure functions: why a connection failed in one word an operator can
// act on, and whether a mailbox or the mailer is healthy, from the instants the bot recorded.
// No I/O, no clock: `now` comes in.
import { formatElapsed } from '../shared/duration.ts';

export type ConnectionCause = 'authentication failed' | 'host unreachable' | 'TLS' | 'other';

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNRESET', 'EPIPE', 'CONNECT_TIMEOUT', 'NoConnection']);

/**
 * The cause of a failed IMAP or SMTP connection. imapflow marks a refused login with
 * `authenticationFailed` (Dovecot answers `NO [AUTHENTICATIONFAILED]`), nodemailer with code
 * `EAUTH`; network faults carry Node's socket codes; TLS faults carry OpenSSL's codes.
 */
export function classifyConnectionError(err: unknown): ConnectionCause {
  const e = (err ?? {}) as { authenticationFailed?: boolean; serverResponseCode?: string; code?: string; responseCode?: number };
  if (e.authenticationFailed || e.serverResponseCode === 'AUTHENTICATIONFAILED' || e.code === 'EAUTH' || e.responseCode === 535) return 'authentication failed';
  const code = e.code ?? '';
  if (UNREACHABLE_CODES.has(code)) return 'host unreachable';
  if (/^(ERR_SSL|ERR_TLS|CERT_|DEPTH_ZERO|UNABLE_TO_|SELF_SIGNED|ESOCKET_TLS|ETLS)/.test(code) || code === 'HOSTNAME_MISMATCH') return 'TLS';
  return 'other';
}

/** One mailbox as the intake reported it. */
export interface MailboxRecord {
  mailbox: string;
  /** when this process began serving the mailbox (the start of the grace period) */
  since: Date;
  /** the last time a poll logged in and opened the mailbox */
  lastPollAt: Date | null;
  /** another process holds the mailbox; this one waits */
  standby: boolean;
  /** the last failure seen, by the intake or by a health probe */
  lastError: { cause: ConnectionCause; message: string; at: Date } | null;
}

export interface MailboxHealth {
  mailbox: string;
  ok: boolean;
  state: 'polling' | 'standby' | 'starting' | 'failing';
  lastPollAt: string | null;
  lastError: { cause: ConnectionCause; message: string; at: string } | null;
  /** one line for an operator when not ok */
  problem: string | null;
}

/**
 * A mailbox is red when no poll reached it for `staleMs` (since the last good poll, or since
 * this process began serving it): an intake that cannot log in or reach its server.
 */
export function mailboxHealth(record: MailboxRecord, now: Date, staleMs: number): MailboxHealth {
  const view = {
    mailbox: record.mailbox,
    lastPollAt: record.lastPollAt?.toISOString() ?? null,
    lastError: record.lastError && { ...record.lastError, at: record.lastError.at.toISOString() },
  };
  if (record.standby) return { ...view, ok: true, state: 'standby', problem: null };
  const reference = record.lastPollAt ?? record.since;
  const silentMs = now.getTime() - reference.getTime();
  if (silentMs <= staleMs) return { ...view, ok: true, state: record.lastPollAt ? 'polling' : 'starting', problem: null };
  const cause = record.lastError ? (record.lastError.cause === 'other' ? record.lastError.message : record.lastError.cause) : 'no successful poll';
  return { ...view, ok: false, state: 'failing', problem: `mailbox ${record.mailbox}: ${cause} for ${formatElapsed(silentMs)}` };
}

/** The mailer as the outbound worker reported it. */
export interface MailerRecord {
  lastSentAt: Date | null;
  lastFailure: { at: Date; message: string; permanent: boolean } | null;
  /** the first temporary failure after the last successful send (SMTP down, refused login) */
  failingSince: Date | null;
}

export interface MailerHealth {
  ok: boolean;
  lastSentAt: string | null;
  lastFailure: { at: string; message: string; permanent: boolean } | null;
  problem: string | null;
}

/**
 * The mailer is red when every send for `staleMs` failed for a temporary reason (the SMTP server
 * is away or refuses us). A permanent refusal of one address (5xx) is the mail's problem, shown
 * in `helpdesk outbox`, not the mailer's.
 */
export function mailerHealth(record: MailerRecord, now: Date, staleMs: number): MailerHealth {
  const view = {
    lastSentAt: record.lastSentAt?.toISOString() ?? null,
    lastFailure: record.lastFailure && { ...record.lastFailure, at: record.lastFailure.at.toISOString() },
  };
  const failingMs = record.failingSince ? now.getTime() - record.failingSince.getTime() : 0;
  if (!record.failingSince || failingMs <= staleMs) return { ...view, ok: true, problem: null };
  return { ...view, ok: false, problem: `mailer: sending fails for ${formatElapsed(failingMs)}: ${record.lastFailure?.message ?? 'unknown error'}` };
}
