// What imapflow and nodemailer are given for each login method: the URL's password, or an OAuth2
// access token from the provider (fetched by the IMAP client at connect, by nodemailer on demand).
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createImapClient, imapClientOptions } from '../../src/adapters/imap/imap-client.ts';
import type { AccessToken, AccessTokenSource } from '../../src/adapters/oauth/oauth-token-provider.ts';
import { smtpAuthOptions, smtpTransportOptions } from '../../src/adapters/smtp/smtp-sender.ts';
import { mailLogins } from '../../src/adapters/oauth/mail-logins.ts';

function fakeTokens(values: string[]): AccessTokenSource & { refusedTokens: string[] } {
  const refusedTokens: string[] = [];
  return {
    refusedTokens,
    accessToken: async (): Promise<AccessToken> => ({ value: values.shift() ?? 'none left', expiresAt: new Date('2025-03-03T10:00:00Z'), refreshAt: new Date('2025-03-03T09:55:00Z') }),
    refused: (token) => void refusedTokens.push(token),
  };
}

const imapEndpoint = { secure: true, host: 'outlook.office365.com', port: 993, user: 'support@acme.example', password: '', mailbox: 'INBOX' };
const smtpEndpoint = { secure: false, host: 'smtp.office365.com', port: 587, user: 'support@acme.example', password: null };

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('IMAP login options', () => {
  it('logs in with the password of IMAP_URL when there is no token provider', () => {
    expect(imapClientOptions({ ...imapEndpoint, password: 's3cret' }).auth).toEqual({ user: 'support@acme.example', pass: 's3cret' });
  });

  it('under OAuth2 puts a fresh access token into auth when the client connects, with no password', async () => {
    const tokens = fakeTokens(['access-1', 'access-2']);
    const login = { ...imapEndpoint, host: '127.0.0.1', port: await closedPort(), secure: false, oauth2: tokens };
    expect(imapClientOptions(login).auth).toEqual({ user: 'support@acme.example' });
    const first = createImapClient(login);
    first.on('error', () => undefined);
    await expect(first.connect()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(first.options.auth).toEqual({ user: 'support@acme.example', accessToken: 'access-1' });
    // the pollers build a new client per reconnect: each asks the provider again
    const second = createImapClient(login);
    second.on('error', () => undefined);
    await expect(second.connect()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(second.options.auth).toEqual({ user: 'support@acme.example', accessToken: 'access-2' });
    expect(tokens.refusedTokens).toEqual([]);
  });

  it('does not connect at all when no token can be had, and says why', async () => {
    const login = { ...imapEndpoint, oauth2: { accessToken: () => Promise.reject(new Error('OAuth2 microsoft refused the refresh token (invalid_grant)')), refused: () => undefined } };
    await expect(createImapClient(login).connect()).rejects.toThrow('OAuth2 microsoft refused the refresh token (invalid_grant)');
  });
});

describe('SMTP login options', () => {
  it('has no auth without a user, and the user and password of SMTP_URL otherwise', () => {
    expect(smtpAuthOptions({ ...smtpEndpoint, user: null })).toBeUndefined();
    expect(smtpAuthOptions({ ...smtpEndpoint, password: 'pw' })).toEqual({ user: 'support@acme.example', pass: 'pw' });
  });

  it('under OAuth2 gives nodemailer a token getter that hands out the provider’s token and its refresh time', async () => {
    const tokens = fakeTokens(['access-1', 'access-2']);
    const auth = smtpTransportOptions({ ...smtpEndpoint, oauth2: tokens }).auth as { type: string; user: string; provisionCallback: (user: string, renew: boolean, cb: (err: Error | null, token?: string, expires?: number) => void) => void };
    expect(auth.type).toBe('OAuth2');
    expect(auth.user).toBe('support@acme.example');
    const provision = (renew: boolean) => new Promise<[Error | null, string | undefined, number | undefined]>((resolve) => auth.provisionCallback('support@acme.example', renew, (err, token, expires) => resolve([err, token, expires])));
    expect(await provision(false)).toEqual([null, 'access-1', new Date('2025-03-03T09:55:00Z').getTime()]);
    // renew: the server refused access-1, so the provider must not hand it out again
    expect(await provision(true)).toEqual([null, 'access-2', new Date('2025-03-03T09:55:00Z').getTime()]);
    expect(tokens.refusedTokens).toEqual(['access-1']);
  });

  it('passes a failed refresh to nodemailer as the error', async () => {
    const auth = smtpAuthOptions({ ...smtpEndpoint, oauth2: { accessToken: () => Promise.reject(new Error('refused')), refused: () => undefined } }) as unknown as {
      provisionCallback: (user: string, renew: boolean, cb: (err: Error | null) => void) => void;
    };
    const err = await new Promise<Error | null>((resolve) => auth.provisionCallback('support@acme.example', false, resolve));
    expect(err?.message).toBe('refused');
  });
});

describe('mailLogins', () => {
  it('shares one token provider between the mailboxes and SMTP that use OAuth2, and none with a password login', () => {
    const oauth = { provider: 'google' as const, tokenUrl: 'https://oauth2.googleapis.com/token', clientId: 'c', clientSecret: 's', refreshToken: 'r', scope: null };
    const logins = mailLogins({ imapMailboxes: [imapEndpoint, { ...imapEndpoint, user: 'sales@acme.example' }], smtp: smtpEndpoint }, { imap: 'oauth2', smtp: 'password', oauth });
    expect(logins.oauth2).not.toBeNull();
    expect(logins.imapMailboxes.map((m) => m.oauth2)).toEqual([logins.oauth2, logins.oauth2]);
    expect(logins.smtp.oauth2).toBeNull();
    expect(mailLogins({ imapMailboxes: [imapEndpoint], smtp: smtpEndpoint }, { imap: 'password', smtp: 'password', oauth: null }).oauth2).toBeNull();
  });
});
