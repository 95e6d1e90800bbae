import { describe, expect, it } from 'vitest';
import { parseImapUrl, parseSmtpUrl } from '../../src/config/env.ts';
import { loadMailAuthEnv, MICROSOFT_MAIL_SCOPE } from '../../src/config/mail-auth-env.ts';
import { problemsOf } from '../support/errors.ts';

const tokenLogins = {
  imapMailboxes: [parseImapUrl('imaps://support%40acme.example@outlook.office365.com/INBOX')],
  smtp: parseSmtpUrl('smtp://support%40acme.example@smtp.office365.com:587'),
};
const passwordLogins = {
  imapMailboxes: [parseImapUrl('imaps://support%40acme.example:s3cret@mail.acme.example/INBOX')],
  smtp: parseSmtpUrl('smtp://relay.acme.example:587'),
};

describe('loadMailAuthEnv', () => {
  it('logs in with the passwords of the URLs when nothing is set', () => {
    expect(loadMailAuthEnv(passwordLogins, {})).toEqual({ imap: 'password', smtp: 'password', oauth: null });
  });

  it('builds the Microsoft token endpoint from the tenant and asks for the IMAP and SMTP scopes', () => {
    const auth = loadMailAuthEnv(tokenLogins, {
      IMAP_AUTH: 'oauth2',
      SMTP_AUTH: 'oauth2',
      OAUTH_PROVIDER: 'microsoft',
      OAUTH_TENANT: 'acme.onmicrosoft.com',
      OAUTH_CLIENT_ID: 'client-1',
      OAUTH_CLIENT_SECRET: 'shh',
      OAUTH_REFRESH_TOKEN: 'refresh-1',
    });
    expect(auth).toEqual({
      imap: 'oauth2',
      smtp: 'oauth2',
      oauth: {
        provider: 'microsoft',
        tokenUrl: 'https://login.microsoftonline.com/acme.onmicrosoft.com/oauth2/v2.0/token',
        clientId: 'client-1',
        clientSecret: 'shh',
        refreshToken: 'refresh-1',
        scope: 'https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access',
      },
    });
    expect(auth.oauth?.scope).toBe(MICROSOFT_MAIL_SCOPE);
  });

  it('uses Google’s token endpoint with no scope, and lets OAUTH_TOKEN_URL and OAUTH_SCOPE override', () => {
    const base = { IMAP_AUTH: 'oauth2', OAUTH_PROVIDER: 'google', OAUTH_CLIENT_ID: 'c', OAUTH_CLIENT_SECRET: 's', OAUTH_REFRESH_TOKEN: 'r' };
    const google = loadMailAuthEnv({ ...tokenLogins, smtp: passwordLogins.smtp }, base);
    expect(google.oauth).toMatchObject({ tokenUrl: 'https://oauth2.googleapis.com/token', scope: null });
    expect(google.smtp).toBe('password');
    const custom = loadMailAuthEnv(tokenLogins, { ...base, OAUTH_TOKEN_URL: 'http://127.0.0.1:9999/token', OAUTH_SCOPE: 'https://mail.google.com/' });
    expect(custom.oauth).toMatchObject({ tokenUrl: 'http://127.0.0.1:9999/token', scope: 'https://mail.google.com/' });
  });

  it('lists every problem at once, each naming its variable', () => {
    expect(problemsOf(() => loadMailAuthEnv(passwordLogins, { IMAP_AUTH: 'oauth2', SMTP_AUTH: 'oauth2', OAUTH_PROVIDER: 'microsoft' }))).toEqual([
      'IMAP_URL: leave the password out with IMAP_AUTH=oauth2 (imaps://user%40domain@host/INBOX)',
      'SMTP_URL: needs the user to log in as with SMTP_AUTH=oauth2 (smtp://user%40domain@host:587)',
      'OAUTH_CLIENT_ID: is required with IMAP_AUTH=oauth2 or SMTP_AUTH=oauth2',
      'OAUTH_REFRESH_TOKEN: is required with IMAP_AUTH=oauth2 or SMTP_AUTH=oauth2',
      'OAUTH_TENANT: is required with OAUTH_PROVIDER=microsoft (the directory (tenant) id or a domain such as acme.onmicrosoft.com)',
    ]);
  });

  it('names a provider it does not know, a login method it does not know and a token URL that is not one', () => {
    expect(problemsOf(() => loadMailAuthEnv(tokenLogins, { IMAP_AUTH: 'xoauth', OAUTH_PROVIDER: 'yahoo', OAUTH_TOKEN_URL: 'ftp://x' }))).toEqual([
      'IMAP_AUTH: must be password or oauth2',
      'OAUTH_PROVIDER: must be microsoft or google',
      'OAUTH_TOKEN_URL: must be an http(s) URL',
    ]);
  });

  it('needs a client secret for Google but not for a Microsoft public client', () => {
    const common = { IMAP_AUTH: 'oauth2', OAUTH_CLIENT_ID: 'c', OAUTH_REFRESH_TOKEN: 'r' };
    expect(problemsOf(() => loadMailAuthEnv(tokenLogins, { ...common, OAUTH_PROVIDER: 'google' }))).toEqual(['OAUTH_CLIENT_SECRET: is required with OAUTH_PROVIDER=google']);
    expect(loadMailAuthEnv(tokenLogins, { ...common, OAUTH_PROVIDER: 'microsoft', OAUTH_TENANT: 'organizations' }).oauth?.clientSecret).toBeNull();
  });
});
