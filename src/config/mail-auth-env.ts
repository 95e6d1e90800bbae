// How the bot logs in to its IMAP mailboxes and its SMTP server: with the password in IMAP_URL /
// SMTP_URL (the default), or with OAuth2 access tokens (Microsoft 365, Google Workspace), which a
// URL cannot express. Read beside env.ts, which reads the URLs; every error names the variable.
import { z } from '../shared/vendor/zod.ts';
import { HelpdeskError } from '../shared/errors.ts';
import type { ImapEndpoint, SmtpEndpoint } from './env.ts';

export const OAUTH_PROVIDERS = ['microsoft', 'google'] as const;
export type OAuthProvider = (typeof OAUTH_PROVIDERS)[number];
export type MailLoginMethod = 'password' | 'oauth2';

/** One OAuth2 client and the refresh token granted to it: enough to obtain access tokens. */
export interface OAuthClientConfig {
  provider: OAuthProvider;
  /** where the refresh-token grant is posted */
  tokenUrl: string;
  clientId: string;
  /** null for a Microsoft public client (no secret) */
  clientSecret: string | null;
  refreshToken: string;
  /** sent with each refresh; null sends none (Google keeps the scopes of the grant) */
  scope: string | null;
}

export interface MailAuthEnv {
  imap: MailLoginMethod;
  smtp: MailLoginMethod;
  /** set when IMAP or SMTP (or both) log in with OAuth2; one grant serves both */
  oauth: OAuthClientConfig | null;
}

/** Outlook's IMAP and SMTP accept one token carrying both scopes; offline_access keeps the refresh token alive. */
export const MICROSOFT_MAIL_SCOPE = 'https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access';
export const GOOGLE_MAIL_SCOPE = 'https://mail.google.com/';

export function tokenUrlOf(provider: OAuthProvider, tenant: string): string {
  return provider === 'microsoft' ? `https://login.microsoftonline.com/${encodeURIComponent(tenant)}/oauth2/v2.0/token` : 'https://oauth2.googleapis.com/token';
}

const method = z.enum(['password', 'oauth2'], { message: 'must be password or oauth2' }).default('password');

const MailAuthSchema = z.object({
  IMAP_AUTH: method,
  SMTP_AUTH: method,
  OAUTH_PROVIDER: z.enum(OAUTH_PROVIDERS, { message: `must be ${OAUTH_PROVIDERS.join(' or ')}` }).optional(),
  OAUTH_CLIENT_ID: z.string().optional(),
  OAUTH_CLIENT_SECRET: z.string().optional(),
  OAUTH_REFRESH_TOKEN: z.string().optional(),
  OAUTH_TENANT: z.string().regex(/^[A-Za-z0-9.-]+$/, 'must be a tenant id (a GUID) or a domain such as acme.onmicrosoft.com').optional(),
  OAUTH_TOKEN_URL: z.string().url('must be an http(s) URL').regex(/^https?:\/\//, 'must be an http(s) URL').optional(),
  OAUTH_SCOPE: z.string().optional(),
});

/**
 * The login methods, validated against the parsed URLs: with OAuth2 the user comes from the URL
 * and the password must be left out (a password there would be ignored, which hides mistakes).
 * Every problem is listed in one error. `source` defaults to process.env.
 */
export function loadMailAuthEnv(endpoints: { imapMailboxes: readonly ImapEndpoint[]; smtp: SmtpEndpoint }, source: NodeJS.ProcessEnv = process.env): MailAuthEnv {
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = MailAuthSchema.safeParse(present);
  if (!parsed.success) {
    throw new HelpdeskError('config.env_invalid', 'environment is invalid', { details: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) });
  }
  const data = parsed.data;
  const problems: string[] = [];
  if (data.IMAP_AUTH === 'oauth2') {
    for (const [i, mailbox] of endpoints.imapMailboxes.entries()) {
      if (mailbox.password !== '') problems.push(`IMAP_URL${i > 0 ? ` (mailbox ${i + 1})` : ''}: leave the password out with IMAP_AUTH=oauth2 (imaps://user%40domain@host/INBOX)`);
    }
  }
  if (data.SMTP_AUTH === 'oauth2') {
    if (!endpoints.smtp.user) problems.push('SMTP_URL: needs the user to log in as with SMTP_AUTH=oauth2 (smtp://user%40domain@host:587)');
    if (endpoints.smtp.password) problems.push('SMTP_URL: leave the password out with SMTP_AUTH=oauth2');
  }
  const needsOAuth = data.IMAP_AUTH === 'oauth2' || data.SMTP_AUTH === 'oauth2';
  let oauth: OAuthClientConfig | null = null;
  if (needsOAuth) {
    const why = 'is required with IMAP_AUTH=oauth2 or SMTP_AUTH=oauth2';
    if (!data.OAUTH_PROVIDER) problems.push(`OAUTH_PROVIDER: ${why} (microsoft or google)`);
    if (!data.OAUTH_CLIENT_ID) problems.push(`OAUTH_CLIENT_ID: ${why}`);
    if (!data.OAUTH_REFRESH_TOKEN) problems.push(`OAUTH_REFRESH_TOKEN: ${why}`);
    if (data.OAUTH_PROVIDER === 'google' && !data.OAUTH_CLIENT_SECRET) problems.push('OAUTH_CLIENT_SECRET: is required with OAUTH_PROVIDER=google');
    if (data.OAUTH_PROVIDER === 'microsoft' && !data.OAUTH_TENANT && !data.OAUTH_TOKEN_URL) {
      problems.push('OAUTH_TENANT: is required with OAUTH_PROVIDER=microsoft (the directory (tenant) id or a domain such as acme.onmicrosoft.com)');
    }
    if (data.OAUTH_PROVIDER && data.OAUTH_CLIENT_ID && data.OAUTH_REFRESH_TOKEN) {
      oauth = {
        provider: data.OAUTH_PROVIDER,
        tokenUrl: data.OAUTH_TOKEN_URL ?? tokenUrlOf(data.OAUTH_PROVIDER, data.OAUTH_TENANT ?? ''),
        clientId: data.OAUTH_CLIENT_ID,
        clientSecret: data.OAUTH_CLIENT_SECRET ?? null,
        refreshToken: data.OAUTH_REFRESH_TOKEN,
        scope: data.OAUTH_SCOPE ?? (data.OAUTH_PROVIDER === 'microsoft' ? MICROSOFT_MAIL_SCOPE : null),
      };
    }
  }
  if (problems.length > 0) throw new HelpdeskError('config.env_invalid', 'environment is invalid', { details: problems });
  return { imap: data.IMAP_AUTH, smtp: data.SMTP_AUTH, oauth };
}
