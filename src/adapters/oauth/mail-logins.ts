// The IMAP mailboxes and the SMTP server with their login method attached: the endpoints of the
// URLs as they are, or with one OAuth2 token provider shared by every connection that uses it.
import type { ImapEndpoint, SmtpEndpoint } from '../../config/env.ts';
import type { MailAuthEnv } from '../../config/mail-auth-env.ts';
import type { ImapLogin } from '../imap/imap-client.ts';
import type { SmtpLogin } from '../smtp/smtp-sender.ts';
import { createOAuthTokenProvider, type AccessTokenSource, type OAuthTokenProviderOptions } from './oauth-token-provider.ts';

export interface MailLogins {
  imapMailboxes: ImapLogin[];
  smtp: SmtpLogin;
  /** the shared token provider, or null when nothing logs in with OAuth2 */
  oauth2: AccessTokenSource | null;
}

export function mailLogins(
  endpoints: { imapMailboxes: readonly ImapEndpoint[]; smtp: SmtpEndpoint },
  auth: MailAuthEnv,
  options: OAuthTokenProviderOptions = {},
): MailLogins {
  const oauth2 = auth.oauth ? createOAuthTokenProvider(auth.oauth, options) : null;
  return {
    imapMailboxes: endpoints.imapMailboxes.map((endpoint) => ({ ...endpoint, oauth2: auth.imap === 'oauth2' ? oauth2 : null })),
    smtp: { ...endpoints.smtp, oauth2: auth.smtp === 'oauth2' ? oauth2 : null },
    oauth2,
  };
}
