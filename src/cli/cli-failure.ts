// What the command line says when a command fails: the cause in one line (never SQL), the
// problems listed under it, and an exit code a script can act on (docs/commands.md, "Exit codes").
import { errorMessage, isHelpdeskError, type ErrorCode } from '../shared/errors.ts';

export const EXIT_CODES = { ok: 0, error: 1, usage: 2, noPromise: 3, unreachable: 4 } as const;

export interface CliFailure {
  lines: string[];
  exitCode: number;
}

const UNREACHABLE_CODES: ReadonlySet<ErrorCode> = new Set(['db.unavailable', 'imap.unavailable']);

/** The first `code` on the error or its causes. */
function codeOf(err: unknown): { code: string; error: Record<string, unknown> } | null {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return { code, error: e as Record<string, unknown> };
  }
  return null;
}

function where(error: Record<string, unknown>): string {
  const address = typeof error.address === 'string' ? error.address : typeof error.hostname === 'string' ? error.hostname : null;
  const port = typeof error.port === 'number' || typeof error.port === 'string' ? `:${error.port}` : '';
  return address ? ` at ${address}${port}` : '';
}

const UNREACHABLE_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'host unreachable',
  ETIMEDOUT: 'no answer before the connect timeout',
  CONNECT_TIMEOUT: 'no answer before the connect timeout',
};

/** Why a server could not be reached (`connection refused`, …), or null when that is not the failure. */
export function unreachableReason(err: unknown): string | null {
  const found = codeOf(err);
  return found ? (UNREACHABLE_REASONS[found.code] ?? null) : null;
}

/** Network and server answers that mean the same to an operator, whichever library raised them. */
function describeCode(code: string, error: Record<string, unknown>): CliFailure | null {
  const unreachable = UNREACHABLE_REASONS[code];
  if (unreachable) return { lines: [`cannot reach the server${where(error)}: ${unreachable}`], exitCode: EXIT_CODES.unreachable };
  switch (code) {
    case '28P01':
    case '28000':
      return { lines: ['Postgres refused the login: authentication failed (check the user and password in DATABASE_URL)'], exitCode: EXIT_CODES.error };
    case '3D000':
      return { lines: ['the database named in DATABASE_URL does not exist'], exitCode: EXIT_CODES.error };
    case '42P01': // a table is missing
    case '42703': // a column is missing: the schema is older than this version
      return { lines: ['the database is not migrated to this version: run `helpdesk migrate`'], exitCode: EXIT_CODES.error };
    default:
      return null;
  }
}

export function describeFailure(err: unknown): CliFailure {
  if (isHelpdeskError(err)) {
    const fromCause = err.cause === undefined ? null : codeOf(err.cause);
    const cause = fromCause ? describeCode(fromCause.code, fromCause.error) : null;
    const exitCode = err.code === 'usage.invalid' ? EXIT_CODES.usage : UNREACHABLE_CODES.has(err.code) ? EXIT_CODES.unreachable : (cause?.exitCode ?? EXIT_CODES.error);
    return { lines: [err.message, ...err.details.map((line) => `  ${line}`)], exitCode };
  }
  const found = codeOf(err);
  const known = found ? describeCode(found.code, found.error) : null;
  if (known) return known;
  // first line only: a driver's message may carry a query or a stack after it
  return { lines: [errorMessage(err).split('\n')[0]!], exitCode: EXIT_CODES.error };
}
