import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'helpdesk'): Logger {
  return pino({ name, level, base: { pid: process.pid } });
}

export const silentLogger: Logger = pino({ level: 'silent' });

/**
 * An error listener for a dependency that may fail many times a second while it is down (ioredis
 * emits an error per reconnect attempt): one structured line for the first error, then one line
 * per `everyMs` with how many were left out, or at once when the message changes.
 */
export function throttledErrorLog(logger: Logger, what: string, everyMs = 30_000): (err: Error) => void {
  let lastMessage: string | null = null;
  let lastAt = 0;
  let skipped = 0;
  return (err) => {
    const now = Date.now();
    if (err.message === lastMessage && now - lastAt < everyMs) {
      skipped++;
      return;
    }
    logger.error({ err: err.message, code: (err as { code?: string }).code, repeatedSinceLastLine: skipped }, what);
    lastMessage = err.message;
    lastAt = now;
    skipped = 0;
  };
}
