// What `helpdesk check` says of each server, as pure functions: the cause of a failed connection
// in words an operator can act on, one line per server, and the exit code (docs/commands.md).
import { classifyConnectionError } from '../http/health.models.ts';
import { errorMessage } from '../shared/errors.ts';
import { EXIT_CODES } from './cli-failure.ts';

export type CheckedServer = 'postgres' | 'redis' | 'imap' | 'smtp';

export type CheckCause = 'authentication failed' | 'connection refused' | 'host unreachable' | 'TLS' | 'timeout' | 'database not migrated' | 'other';

export interface CheckResult {
  server: CheckedServer;
  /** which one: host:port, and the user or database */
  target: string;
  ok: boolean;
  /** what worked (ok) or why not (failed), one line */
  message: string;
  cause: CheckCause | null;
}

/** Raised by the check runner when a server took longer than the check's time limit. */
export class CheckTimeoutError extends Error {
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super(`timeout after ${timeoutMs / 1000} s`);
    this.name = 'CheckTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/** The database answers, but its schema is older than this version. */
export class NotMigratedError extends Error {
  constructor(applied: number, known: number) {
    super(`database not migrated (${applied} of ${known} migrations applied): run \`helpdesk migrate\``);
    this.name = 'NotMigratedError';
  }
}

const NETWORK_CAUSES: Readonly<Record<string, CheckCause>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host unreachable',
  EAI_AGAIN: 'host unreachable',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'host unreachable',
  ETIMEDOUT: 'timeout',
  CONNECT_TIMEOUT: 'timeout',
  GREETING_TIMEOUT: 'timeout',
};

interface ErrorFields {
  code?: unknown;
  originalCode?: unknown;
  reason?: unknown;
  authenticationFailed?: boolean;
  message?: string;
  cause?: unknown;
}

/**
 * The error that names the cause: the first in the chain with a code or a login refusal.
 * nodemailer wraps socket errors as ESOCKET/EDNS and keeps the socket's code in `originalCode`.
 */
function significant(err: unknown): { code: string; fields: ErrorFields } {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as ErrorFields).cause, depth++) {
    const fields = e as ErrorFields;
    const code = typeof fields.originalCode === 'string' ? fields.originalCode : typeof fields.code === 'string' ? fields.code : null;
    if (code !== null || fields.authenticationFailed) return { code: code ?? '', fields };
  }
  return { code: '', fields: (err ?? {}) as ErrorFields };
}

/** A Redis error reply starts with its error code (RESP): NOAUTH, WRONGPASS. */
function isRedisLoginRefusal(err: unknown): boolean {
  return err instanceof Error && err.name === 'ReplyError' && /^(NOAUTH|WRONGPASS)\b/.test(err.message);
}

export function checkFailureCause(err: unknown, timeoutMs: number): { cause: CheckCause; message: string } {
  if (err instanceof CheckTimeoutError) return { cause: 'timeout', message: err.message };
  if (err instanceof NotMigratedError) return { cause: 'database not migrated', message: err.message };
  const { code, fields } = significant(err);
  const network = NETWORK_CAUSES[code];
  if (network === 'timeout') return { cause: 'timeout', message: `timeout after ${timeoutMs / 1000} s` };
  if (network) return { cause: network, message: code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'host unreachable (the host name does not resolve)' : network };
  if (code === '28P01' || code === '28000' || isRedisLoginRefusal(err)) return { cause: 'authentication failed', message: 'authentication failed' };
  if (code === '3D000') return { cause: 'other', message: 'the database does not exist' };
  const classified = classifyConnectionError({ ...fields, code });
  if (classified === 'authentication failed') {
    // a refused OAuth2 grant says which provider refused what; a refused password needs no more
    const oauth = err instanceof Error && err.name === 'OAuthTokenError';
    return { cause: 'authentication failed', message: oauth ? `authentication failed: ${err.message}` : 'authentication failed' };
  }
  if (classified === 'TLS') {
    const reason = typeof fields.reason === 'string' ? fields.reason : errorMessage(err).split('\n')[0];
    return { cause: 'TLS', message: `TLS: ${reason}` };
  }
  return { cause: 'other', message: errorMessage(err).split('\n')[0] ?? 'unknown error' };
}

export function formatCheckLine(result: CheckResult): string {
  return `${result.ok ? 'ok  ' : 'FAIL'}  ${result.server.padEnd(8)} ${result.target}: ${result.message}`;
}

const UNREACHABLE_CAUSES: ReadonlySet<CheckCause> = new Set(['connection refused', 'host unreachable', 'timeout']);

/** 0 when all are ok; 4 when every failure is a server that cannot be reached; 1 when any needs a fix (a login, TLS, a migration). */
export function checkExitCode(results: readonly CheckResult[]): number {
  const failed = results.filter((r) => !r.ok);
  if (failed.length === 0) return EXIT_CODES.ok;
  return failed.every((r) => r.cause !== null && UNREACHABLE_CAUSES.has(r.cause)) ? EXIT_CODES.unreachable : EXIT_CODES.error;
}
