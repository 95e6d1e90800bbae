// What /healthz decides from what the workers reported: the cause of a failed connection in one
// word, and when a mailbox or the mailer turns red.
import { describe, expect, it } from 'vitest';
import { classifyConnectionError, mailboxHealth, mailerHealth, type MailboxRecord } from '../../src/http/health.models.ts';

const at = (iso: string) => new Date(iso);
const FIVE_MIN = 300_000;

describe('classifyConnectionError', () => {
  it.each([
    [{ authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED', message: 'Command failed' }, 'authentication failed'],
    [{ code: 'EAUTH', responseCode: 535 }, 'authentication failed'],
    [{ code: 'ECONNREFUSED' }, 'host unreachable'],
    [{ code: 'ENOTFOUND' }, 'host unreachable'],
    [{ code: 'ETIMEDOUT' }, 'host unreachable'],
    [{ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, 'TLS'],
    [{ code: 'ERR_SSL_WRONG_VERSION_NUMBER' }, 'TLS'],
    [{ code: 'CERT_HAS_EXPIRED' }, 'TLS'],
    [new Error('something else'), 'other'],
    [null, 'other'],
  ])('%j is %s', (err, cause) => {
    expect(classifyConnectionError(err)).toBe(cause);
  });
});

describe('mailboxHealth', () => {
  const base: MailboxRecord = { mailbox: 'support@acme.example', since: at('2026-03-02T08:00:00Z'), lastPollAt: null, standby: false, lastError: null };

  it('is starting, and healthy, until the stale limit passes without a poll', () => {
    expect(mailboxHealth(base, at('2026-03-02T08:05:00Z'), FIVE_MIN)).toMatchObject({ ok: true, state: 'starting', problem: null });
  });

  it('is red with the cause and how long, once nothing polled for longer than the limit', () => {
    const record = { ...base, lastError: { cause: 'authentication failed' as const, message: 'Command failed', at: at('2026-03-02T08:05:10Z') } };
    expect(mailboxHealth(record, at('2026-03-02T08:05:12Z'), FIVE_MIN)).toMatchObject({
      ok: false,
      state: 'failing',
      problem: 'mailbox support@acme.example: authentication failed for 5m12s',
    });
  });

  it('counts the silence from the last good poll, and names an unclassified error by its message', () => {
    const record = { ...base, lastPollAt: at('2026-03-02T09:00:00Z'), lastError: { cause: 'other' as const, message: 'Unexpected close', at: at('2026-03-02T09:06:00Z') } };
    expect(mailboxHealth(record, at('2026-03-02T09:04:59Z'), FIVE_MIN)).toMatchObject({ ok: true, state: 'polling' });
    expect(mailboxHealth(record, at('2026-03-02T09:06:00Z'), FIVE_MIN).problem).toBe('mailbox support@acme.example: Unexpected close for 6m');
  });

  it('is healthy while another process holds the mailbox', () => {
    expect(mailboxHealth({ ...base, standby: true }, at('2026-03-02T12:00:00Z'), FIVE_MIN)).toMatchObject({ ok: true, state: 'standby' });
  });

  it('says "no successful poll" when silent without a known error', () => {
    expect(mailboxHealth(base, at('2026-03-02T08:10:00Z'), FIVE_MIN).problem).toBe('mailbox support@acme.example: no successful poll for 10m');
  });
});

describe('mailerHealth', () => {
  it('stays green after a permanent refusal of one recipient', () => {
    const record = { lastSentAt: null, lastFailure: { at: at('2026-03-02T08:00:00Z'), message: '501 Invalid TO', permanent: true }, failingSince: null };
    expect(mailerHealth(record, at('2026-03-02T09:00:00Z'), FIVE_MIN)).toMatchObject({ ok: true, problem: null });
  });

  it('turns red when every send failed for a temporary reason for longer than the limit', () => {
    const record = { lastSentAt: at('2026-03-02T07:00:00Z'), lastFailure: { at: at('2026-03-02T08:06:00Z'), message: 'connect ECONNREFUSED 10.0.0.5:587', permanent: false }, failingSince: at('2026-03-02T08:00:00Z') };
    expect(mailerHealth(record, at('2026-03-02T08:04:00Z'), FIVE_MIN).ok).toBe(true);
    expect(mailerHealth(record, at('2026-03-02T08:06:00Z'), FIVE_MIN)).toMatchObject({
      ok: false,
      problem: 'mailer: sending fails for 6m: connect ECONNREFUSED 10.0.0.5:587',
    });
  });
});
