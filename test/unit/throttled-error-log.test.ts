import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { throttledErrorLog } from '../../src/shared/logger.ts';

afterEach(() => vi.useRealTimers());

describe('throttledErrorLog', () => {
  it('logs the first error, then one line per period with how many were left out, and a new message at once', () => {
    vi.useFakeTimers({ now: 0 });
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    const log = throttledErrorLog(logger, 'redis error', 30_000);
    const refused = new Error('connect ECONNREFUSED');
    for (let i = 0; i < 10; i++) log(refused);
    expect(lines).toHaveLength(1);
    vi.setSystemTime(30_000);
    log(refused);
    expect(lines.at(-1)).toMatchObject({ err: 'connect ECONNREFUSED', repeatedSinceLastLine: 9, msg: 'redis error' });
    log(new Error('NOAUTH'));
    expect(lines.at(-1)).toMatchObject({ err: 'NOAUTH', repeatedSinceLastLine: 0 });
    expect(lines).toHaveLength(3);
  });
});
