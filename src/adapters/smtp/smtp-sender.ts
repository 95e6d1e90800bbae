// Sends one outgoing mail over SMTP with nodemailer. The Message-ID comes from the caller (the
// stored outbound row), so a resend after a crash carries the same id and threads (and dedups)
// the same way. Knows no domain module: the outbound worker maps its row to OutgoingMail.
// Throughput: the mailer keeps up to `maxConnections` SMTP sessions open and sends several mails
// per session (nodemailer's pool); with one session per worker slot, no send waits for a socket.
import nodemailer from 'nodemailer';
import type { SmtpEndpoint } from '../../config/env.ts';
import { isLoopbackHost } from '../../shared/net.ts';

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

export function createSmtpSender(endpoint: SmtpEndpoint, options: SmtpSenderOptions = {}): MailSender {
  const transport = nodemailer.createTransport({
    host: endpoint.host,
    port: endpoint.port,
    secure: endpoint.secure,
    auth: endpoint.user ? { user: endpoint.user, pass: endpoint.password ?? '' } : undefined,
    pool: true,
    maxConnections: options.maxConnections ?? 16,
    // nodemailer's default of 100 mails per session makes a busy mailer reconnect every
    // 100 mails; a session is cheap to keep and a reconnect costs a greeting and EHLO.
    maxMessages: options.maxMessagesPerConnection ?? 1000,
    // Loopback test servers speak plain SMTP; elsewhere nodemailer upgrades with STARTTLS.
    ignoreTLS: isLoopbackHost(endpoint.host),
    connectionTimeout: 15_000,
    socketTimeout: 30_000,
  });
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
