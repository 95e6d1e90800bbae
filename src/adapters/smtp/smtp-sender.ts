// Sends one stored outbound row over SMTP with nodemailer. The Message-ID comes from the row,
// so a resend after a crash carries the same id and threads (and dedups) the same way.
import nodemailer from 'nodemailer';
import type { SmtpEndpoint } from '../../config/env.ts';
import type { outboundMailsTable } from '../../mail/mail.tables.ts';

export type OutboundRow = typeof outboundMailsTable.$inferSelect;

export interface MailSender {
  send(row: OutboundRow): Promise<{ accepted: string[]; response: string }>;
  close(): void;
}

/** 5xx is permanent (retrying will not help); anything else (4xx, network) is worth a retry. */
export function isPermanentDeliveryError(err: unknown): boolean {
  const code = (err as { responseCode?: number }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

export function createSmtpSender(endpoint: SmtpEndpoint): MailSender {
  const transport = nodemailer.createTransport({
    host: endpoint.host,
    port: endpoint.port,
    secure: endpoint.secure,
    auth: endpoint.user ? { user: endpoint.user, pass: endpoint.password ?? '' } : undefined,
    pool: true,
    maxConnections: 4,
    // Loopback test servers speak plain SMTP; elsewhere nodemailer upgrades with STARTTLS.
    ignoreTLS: endpoint.host === '127.0.0.1' || endpoint.host === 'localhost',
    connectionTimeout: 15_000,
    socketTimeout: 30_000,
  });
  return {
    async send(row) {
      const info = await transport.sendMail({
        from: row.fromName ? { name: row.fromName, address: row.fromAddress } : row.fromAddress,
        to: row.to,
        cc: row.cc.length > 0 ? row.cc : undefined,
        replyTo: row.replyTo ?? undefined,
        subject: row.subject,
        text: row.text,
        html: row.html ?? undefined,
        messageId: row.messageId,
        inReplyTo: row.inReplyTo ?? undefined,
        references: row.references.length > 0 ? row.references : undefined,
        // composed once by the outbox (Auto-Submitted per RFC 3834, X-Helpdesk-*)
        headers: row.headers,
        date: row.createdAt,
      });
      return { accepted: (info.accepted as unknown[]).map(String), response: String(info.response) };
    },
    close() {
      transport.close();
    },
  };
}
