import { afterEach, describe, expect, it } from 'vitest';
import { createParsePool, type ParsePool } from '../../src/mail/parse-pool.ts';
import { isHelpdeskError, ParsePoolUnavailableError } from '../../src/shared/errors.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { CRASH_THREAD } from '../support/crashing-parse.worker.ts';

const MAIL = Buffer.from('From: Eva <eva@acme.example>\r\nTo: support@trinax.example\r\nSubject: Printer down\r\nMessage-ID: <p1@acme.example>\r\n\r\nThe printer is down.\r\n');

describe('parse pool (worker threads run by piscina)', () => {
  let pool: ParsePool | null = null;
  afterEach(async () => {
    await pool?.close();
    pool = null;
  });

  it('parses a mail on a worker thread', async () => {
    pool = createParsePool({ threads: 1, maxBytes: 1_000_000, logger: silentLogger });
    const outcome = await pool.parse(MAIL);
    expect(outcome.ok && outcome.mail.subject).toBe('Printer down');
    expect(pool.size).toBe(1);
  });

  it('resolves with ok: false for a mail that is the problem, and rejects for none of them', async () => {
    pool = createParsePool({ threads: 1, maxBytes: 100, logger: silentLogger });
    const tooLarge = await pool.parse(Buffer.alloc(200, 'a'));
    const noSender = await pool.parse(Buffer.from('Subject: who am I\r\n\r\nno From header\r\n'));
    expect(tooLarge).toMatchObject({ ok: false, reasonCode: 'mail.too_large', size: 200 });
    expect(noSender).toMatchObject({ ok: false, reasonCode: 'mail.no_sender' });
  });

  it('rejects with ParsePoolUnavailableError when the thread dies, replaces the thread, and parses the next mail', async () => {
    pool = createParsePool({ threads: 1, maxBytes: 1_000_000, logger: silentLogger, workerEntry: new URL('../support/crashing-parse.worker.ts', import.meta.url) });
    expect((await pool.parse(MAIL)).ok).toBe(true);

    const crashed = await pool.parse(Buffer.from(CRASH_THREAD)).then(
      () => null,
      (err: unknown) => err,
    );
    expect(crashed).toBeInstanceOf(ParsePoolUnavailableError);
    expect(isHelpdeskError(crashed, 'mail.parse_pool_unavailable')).toBe(true);

    // The only thread died; piscina has started a new one, which parses the next mail.
    const after = await pool.parse(MAIL);
    expect(after.ok && after.mail.messageId).toBe('<p1@acme.example>');
  });

  it('rejects with ParsePoolUnavailableError once the pool is closed', async () => {
    const closing = createParsePool({ threads: 1, maxBytes: 1_000_000, logger: silentLogger });
    await closing.close();
    await expect(closing.parse(MAIL)).rejects.toMatchObject({ code: 'mail.parse_pool_unavailable' });
  });
});
