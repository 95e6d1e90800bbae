import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'helpdesk'): Logger {
  return pino({ name, level, base: { pid: process.pid } });
}

export const silentLogger: Logger = pino({ level: 'silent' });
