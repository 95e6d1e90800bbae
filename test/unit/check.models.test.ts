import { describe, expect, it } from 'vitest';
import { OAuthTokenError } from '../../src/adapters/oauth/oauth-token-provider.ts';
import { checkExitCode, checkFailureCause, CheckTimeoutError, formatCheckLine, NotMigratedError, type CheckResult } from '../../src/cli/check.models.ts';

function errorWith(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

describe('checkFailureCause', () => {
  it('names a refused connection, an unknown host and an unreachable one from the socket’s code, also wrapped by nodemailer', () => {
    expect(checkFailureCause(errorWith('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED' }), 10_000)).toEqual({ cause: 'connection refused', message: 'connection refused' });
    expect(checkFailureCause(errorWith('connect ECONNREFUSED 127.0.0.1:25', { code: 'ESOCKET', originalCode: 'ECONNREFUSED' }), 10_000).cause).toBe('connection refused');
    expect(checkFailureCause(errorWith('getaddrinfo ENOTFOUND smtp.nowhere', { code: 'EDNS', originalCode: 'ENOTFOUND' }), 10_000)).toEqual({
      cause: 'host unreachable',
      message: 'host unreachable (the host name does not resolve)',
    });
    expect(checkFailureCause(errorWith('connect EHOSTUNREACH', { code: 'EHOSTUNREACH' }), 10_000)).toEqual({ cause: 'host unreachable', message: 'host unreachable' });
  });

  it('says how long it waited for a server that did not answer', () => {
    expect(checkFailureCause(new CheckTimeoutError(10_000), 10_000)).toEqual({ cause: 'timeout', message: 'timeout after 10 s' });
    expect(checkFailureCause(errorWith('Failed to receive greeting', { code: 'GREETING_TIMEOUT' }), 5_000)).toEqual({ cause: 'timeout', message: 'timeout after 5 s' });
    expect(checkFailureCause(errorWith('write CONNECT_TIMEOUT 10.0.0.5:5432', { code: 'CONNECT_TIMEOUT' }), 2_500)).toEqual({ cause: 'timeout', message: 'timeout after 2.5 s' });
  });

  it('calls every refused login "authentication failed": IMAP, SMTP, Postgres and Redis', () => {
    expect(checkFailureCause(errorWith('Command failed', { authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED' }), 10_000).message).toBe('authentication failed');
    expect(checkFailureCause(errorWith('Invalid login: 535 5.7.8 Authentication failed', { code: 'EAUTH', responseCode: 535 }), 10_000).message).toBe('authentication failed');
    expect(checkFailureCause(errorWith('password authentication failed for user "helpdesk"', { code: '28P01' }), 10_000).message).toBe('authentication failed');
    expect(checkFailureCause(Object.assign(new Error('WRONGPASS invalid username-password pair'), { name: 'ReplyError' }), 10_000).message).toBe('authentication failed');
  });

  it('repeats the provider’s answer when an OAuth2 refresh token was refused', () => {
    const err = new OAuthTokenError('oauth.grant_refused', 'OAuth2 microsoft refused the refresh token (invalid_grant: AADSTS70008: expired)');
    expect(checkFailureCause(err, 10_000)).toEqual({ cause: 'authentication failed', message: 'authentication failed: OAuth2 microsoft refused the refresh token (invalid_grant: AADSTS70008: expired)' });
  });

  it('names a TLS failure with OpenSSL’s reason, not its whole message', () => {
    const err = errorWith('80CC:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../ssl3_record.c:350:\n', {
      code: 'ESOCKET',
      originalCode: 'ERR_SSL_WRONG_VERSION_NUMBER',
      reason: 'wrong version number',
    });
    expect(checkFailureCause(err, 10_000)).toEqual({ cause: 'TLS', message: 'TLS: wrong version number' });
  });

  it('says the database is not migrated, or does not exist', () => {
    expect(checkFailureCause(new NotMigratedError(5, 9), 10_000)).toEqual({ cause: 'database not migrated', message: 'database not migrated (5 of 9 migrations applied): run `helpdesk migrate`' });
    expect(checkFailureCause(errorWith('database "x" does not exist', { code: '3D000' }), 10_000)).toEqual({ cause: 'other', message: 'the database does not exist' });
  });

  it('keeps only the first line of anything else', () => {
    expect(checkFailureCause(new Error('something odd\nwith a second line'), 10_000)).toEqual({ cause: 'other', message: 'something odd' });
  });
});

describe('checkExitCode and formatCheckLine', () => {
  const ok: CheckResult = { server: 'redis', target: '127.0.0.1:6379', ok: true, message: 'PING PONG', cause: null };
  const refused: CheckResult = { server: 'smtp', target: 'smtp.acme.example:587', ok: false, message: 'connection refused', cause: 'connection refused' };
  const timedOut: CheckResult = { server: 'postgres', target: 'db:5432/helpdesk', ok: false, message: 'timeout after 10 s', cause: 'timeout' };
  const loginRefused: CheckResult = { server: 'imap', target: 'support@acme.example at imap.acme.example:993', ok: false, message: 'authentication failed', cause: 'authentication failed' };

  it('exits 0 when all are ok, 4 when every failure is a server out of reach, 1 when any needs a fix', () => {
    expect(checkExitCode([ok])).toBe(0);
    expect(checkExitCode([ok, refused, timedOut])).toBe(4);
    expect(checkExitCode([refused, loginRefused])).toBe(1);
  });

  it('prints one aligned line per server', () => {
    expect(formatCheckLine(ok)).toBe('ok    redis    127.0.0.1:6379: PING PONG');
    expect(formatCheckLine(loginRefused)).toBe('FAIL  imap     support@acme.example at imap.acme.example:993: authentication failed');
  });
});
