// The last line of defence of a long-running process: an error nothing caught (a library throwing
// from a timer, a promise nobody awaited) leaves the process in an unknown state. Log it once with
// its cause and exit non-zero, so the supervisor (systemd Restart=, Docker restart:) starts a
// clean process; Postgres is the truth, so nothing is lost by restarting (docs/architecture.md).
import { errorMessage } from './errors.ts';
import type { Logger } from './logger.ts';

export function exitOnUnexpectedError(logger: Logger, exit: (code: number) => void = (code) => process.exit(code)): void {
  let exiting = false;
  const fail = (kind: string) => (reason: unknown) => {
    if (exiting) return;
    exiting = true;
    const err = reason instanceof Error ? reason : new Error(String(reason));
    const cause = err.cause instanceof Error ? errorMessage(err.cause) : undefined;
    logger.fatal({ err: errorMessage(err), cause, stack: err.stack, kind }, 'unexpected error; exiting so the supervisor restarts the process');
    // pino writes synchronously to stdout by default: the line is out before the exit.
    exit(1);
  };
  process.on('uncaughtException', fail('uncaughtException'));
  process.on('unhandledRejection', fail('unhandledRejection'));
}
