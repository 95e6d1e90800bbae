// Sends one outgoing mail over SMTP with nodemailer. The Message-ID comes from the caller (the
// stored outbound row), so a resend after a crash carries the same id and threads (and dedups)
// the same way. Knows no domain module: the outbound worker maps its row to OutgoingMail.
// Throughput: the mailer keeps up to `maxConnections` SMTP sessions open and sends several mails
// per session (nodemailer's pool); with one session per worker slot, no send waits for a socket.
// OAuth2: nodemailer asks its `provisionCallback` for a token when it has none or its token is
// past the expiry it was given, and with `renew` when the server refused it (it then retries the
// login once); the same token provider serves IMAP, so one refresh serves both.
import nodemailer from 'nodemailer';
import type { SMTPPoolOptions } from 'nodemailer/lib/smtp-pool';
import type { SmtpEndpoint } from '../../config/env.ts';
import { isLoopbackHost } from '../../shared/net.ts';
import type { AccessTokenSource } from '../oauth/oauth-token-provider.ts';

/** The SMTP server and how to log in: the URL's user and password, or OAuth2 tokens when `oauth2` is set. */
export type SmtpLogin = SmtpEndpoint & { oauth2?: AccessTokenSource | null };

/** One mail as it goes on the wire; every header value is decided by the caller. */
export interface OutgoingMail {
  fromAddress: string;
  fromName: string | null;
  to: string[];
  cc: string[];
  replyTo: string | null;
  subject: string;
  text: string;
  html: string | null;
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  /** extra headers sent as given (Auto-Submitted, X-Helpdesk-*) */
  headers: Record<string, string>;
  /** the Date: header */
  date: Date;
}

export interface MailSender {
  send(mail: OutgoingMail): Promise<{ accepted: string[]; response: string }>;
  close(): void;
}

export interface SmtpSenderOptions {
  /**
   * SMTP sessions kept open at once; match the outbound worker's concurrency so every
   * in-flight job has a socket. @defaultValue 16
   */
  maxConnections?: number;
  /** mails sent over one session before it is replaced. @defaultValue 1000 */
  maxMessagesPerConnection?: number;
}

/** 5xx is permanent (retrying will not help); anything else (4xx, network) is worth a retry. */
export function isPermanentDeliveryError(err: unknown): boolean {
  const code = (err as { responseCode?: number }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/**
 * nodemailer's `auth`: none without a user, the password, or OAuth2 with a token getter. With
 * `renew` nodemailer's token was refused: the provider drops it (unless already replaced) first.
 */
export function smtpAuthOptions(login: SmtpLogin): SMTPPoolOptions['auth'] {
  if (!login.user) return undefined;
  const tokens = login.oauth2;
  if (!tokens) return { user: login.user, pass: login.password ?? '' };
  let lastToken: string | null = null;
  return {
    type: 'OAuth2',
    user: login.user,
    provisionCallback(_user, renew, callback) {
      if (renew && lastToken !== null) tokens.refused(lastToken);
      tokens.accessToken().then(
        (token) => {
          lastToken = token.value;
          // nodemailer reuses a token until this instant: the provider's own refresh time.
          callback(null, token.value, token.refreshAt.getTime());
        },
        (err: Error) => callback(err),
      );
    },
  };
}

/** The pooled transport's options; timeouts are nodemailer's, in ms. */
export function smtpTransportOptions(login: SmtpLogin, options: SmtpSenderOptions = {}): SMTPPoolOptions {
  return {
    host: login.host,
    port: login.port,
    secure: login.secure,
    auth: smtpAuthOptions(login),
    pool: true,
    maxConnections: options.maxConnections ?? 16,
    // nodemailer's default of 100 mails per session makes a busy mailer reconnect every
    // 100 mails; a session is cheap to keep and a reconnect costs a greeting and EHLO.
    maxMessages: options.maxMessagesPerConnection ?? 1000,
    // Loopback test servers speak plain SMTP; elsewhere nodemailer upgrades with STARTTLS.
    ignoreTLS: isLoopbackHost(login.host),
    connectionTimeout: 15_000,
    socketTimeout: 30_000,
  };
}

/**
 * Connects, greets (EHLO), upgrades to TLS where offered and logs in, then quits: what
 * `helpdesk check` asks of the SMTP server. Rejects with nodemailer's error (code EAUTH,
 * ECONNECTION, ETIMEDOUT, ESOCKET…).
 */
export async function verifySmtpLogin(login: SmtpLogin, options: { timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  // One plain connection, not a pool: verify() on a pool opens a session of its own anyway.
  const { pool: _pool, maxConnections: _connections, maxMessages: _messages, ...single } = smtpTransportOptions(login);
  const transport = nodemailer.createTransport({ ...single, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs });
  try {
    await transport.verify();
  } finally {
    transport.close();
  }
}

export function createSmtpSender(login: SmtpLogin, options: SmtpSenderOptions = {}): MailSender {
  const transport = nodemailer.createTransport(smtpTransportOptions(login, options));
  return {
    async send(mail) {
      const info = await transport.sendMail({
        from: mail.fromName ? { name: mail.fromName, address: mail.fromAddress } : mail.fromAddress,
        to: mail.to,
        cc: mail.cc.length > 0 ? mail.cc : undefined,
        replyTo: mail.replyTo ?? undefined,
        subject: mail.subject,
        text: mail.text,
        html: mail.html ?? undefined,
        messageId: mail.messageId,
        inReplyTo: mail.inReplyTo ?? undefined,
        references: mail.references.length > 0 ? mail.references : undefined,
        headers: mail.headers,
        date: mail.date,
      });
      return { accepted: (info.accepted as unknown[]).map(String), response: String(info.response) };
    },
    close() {
      transport.close();
    },
  };
}
