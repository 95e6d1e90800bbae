// Typed errors with stable codes. Code is the contract with callers (CLI exit lines, job
// retry decisions, tests); the message is for humans and may change.
export type ErrorCode =
  | 'config.invalid'
  | 'config.env_invalid'
  | 'contract.invalid_file'
  | 'contract.unknown_plan'
  | 'contract.unknown_customer'
  | 'duration.invalid'
  | 'calendar.invalid'
  | 'calendar.never_open'
  | 'mail.unparseable'
  | 'mail.too_large'
  | 'mail.send_failed'
  | 'mail.parse_pool_unavailable'
  | 'ticket.not_found'
  | 'db.unavailable'
  | 'db.copy_invalid'
  | 'imap.unavailable'
  | 'imap.move_failed'
  | 'intake.unrecoverable'
  | 'intake.lock_lost'
  | 'outbox.not_found'
  | 'outbox.not_retryable'
  | 'quarantine.not_found'
  | 'quarantine.already_released'
  | 'quarantine.not_releasable'
  | 'usage.invalid'
  | 'billing.unknown_role'
  | 'timebank.invalid_input';

export class HelpdeskError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly string[];

  constructor(code: ErrorCode, message: string, options: { details?: readonly string[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HelpdeskError';
    this.code = code;
    this.details = options.details ?? [];
  }
}

export function isHelpdeskError(value: unknown, code?: ErrorCode): value is HelpdeskError {
  return value instanceof HelpdeskError && (code === undefined || value.code === code);
}

/**
 * The parse pool could not parse a mail for a reason that has nothing to do with the mail (a
 * worker thread crashed, the pool is closed). Callers retry the mail later; they never
 * quarantine it as unparseable.
 */
export class ParsePoolUnavailableError extends HelpdeskError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('mail.parse_pool_unavailable', message, options);
    this.name = 'ParsePoolUnavailableError';
  }
}

/**
 * One line for a log or an operator: the error's message, or, for a query wrapper (drizzle's
 * "Failed query: <SQL> params: …"), the message of its cause (connection refused, a constraint),
 * never the SQL and its parameters, which hide the cause and may hold customers' data.
 */
export function errorMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.message.startsWith('Failed query') && err.cause instanceof Error) return errorMessage(err.cause);
  return err.message;
}
