// Real SMTP in, real IMAP out: helpers for integration and e2e tests.
import { ImapFlow, type FetchMessageObject } from 'imapflow';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { AppEnv } from '../../src/config/env.ts';

export async function sendMail(env: AppEnv, mail: SendMailOptions): Promise<void> {
  const transport = nodemailer.createTransport({ host: env.smtp.host, port: env.smtp.port, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail(mail);
  } finally {
    transport.close();
  }
}

/** Delivers raw bytes as they are (for malformed mail), over the same SMTP front. */
export async function sendRaw(env: AppEnv, envelope: { from: string; to: string[] }, raw: string | Buffer): Promise<void> {
  const transport = nodemailer.createTransport({ host: env.smtp.host, port: env.smtp.port, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail({ envelope, raw });
  } finally {
    transport.close();
  }
}

export interface ReadMessage {
  uid: number;
  subject: string;
  from: string;
  replyTo: string | null;
  messageId: string | null;
  source: string;
}

/** All messages in a folder of `user`'s mailbox (every address is a mailbox, password `test`). */
export async function readMailbox(env: AppEnv, user: string, folder = 'INBOX'): Promise<ReadMessage[]> {
  const client = new ImapFlow({ host: env.imap.host, port: env.imap.port, secure: false, doSTARTTLS: false, auth: { user, pass: 'test' }, logger: false });
  await client.connect();
  try {
    const list = await client.list();
    if (!list.some((l) => l.path === folder)) return [];
    const lock = await client.getMailboxLock(folder);
    try {
      if (!client.mailbox || client.mailbox.exists === 0) return [];
      const messages: FetchMessageObject[] = await client.fetchAll('1:*', { uid: true, envelope: true, source: true });
      return messages.map((m) => ({
        uid: m.uid,
        subject: m.envelope?.subject ?? '',
        from: m.envelope?.from?.[0]?.address ?? '',
        replyTo: m.envelope?.replyTo?.[0]?.address ?? null,
        messageId: m.envelope?.messageId ?? null,
        source: m.source?.toString('utf8') ?? '',
      }));
    } finally {
      lock.release();
    }
  } finally {
    // a test only reads: a failed LOGOUT of its reader loses nothing, but say so
    await client.logout().catch((err: Error) => console.warn(`readMailbox: logout failed: ${err.message}`));
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000, everyMs = 250): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

/** Messages in `user`'s INBOX whose subject contains `needle`, once there are at least `count`. */
export async function waitForMessages(env: AppEnv, user: string, needle: string, count = 1, timeoutMs = 30_000): Promise<ReadMessage[]> {
  return waitFor(`${count} message(s) "${needle}" for ${user}`, async () => {
    const found = (await readMailbox(env, user)).filter((m) => m.subject.includes(needle));
    return found.length >= count ? found : null;
  }, timeoutMs, 400);
}

/**
 * A plain-text reply as raw bytes (to send with sendRaw), so a test can deliver the very same
 * mail again or reuse a Message-ID: what a technician's mail client sends in answer to `inReplyTo`.
 */
export function rawReply(mail: { from: string; fromName: string; to: string; subject: string; messageId: string; inReplyTo: string; text: string }): string {
  return [
    `From: ${mail.fromName} <${mail.from}>`,
    `To: ${mail.to}`,
    `Subject: ${mail.subject}`,
    `Message-ID: ${mail.messageId}`,
    `In-Reply-To: ${mail.inReplyTo}`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    mail.text,
    '',
  ].join('\r\n');
}
