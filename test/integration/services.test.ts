// Checks the local services that scripts/services.sh starts, through the settings it writes to
// .services/env: Postgres (+ lz4 TOAST compression), Redis, and the mail path
// SMTP front -> Dovecot LMTP -> Maildir -> IMAP, including plus-addressing and byte-exactness.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImapFlow } from 'imapflow';
import { Redis } from 'ioredis';
import nodemailer from 'nodemailer';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const envFile = fileURLToPath(new URL('../../.services/env', import.meta.url));

function readServicesEnv(): Record<string, string> {
  if (!existsSync(envFile)) {
    throw new Error(`${envFile} is missing: run 'bash scripts/services.sh start' first`);
  }
  const env: Record<string, string> = {};
  for (const line of readFileSync(envFile, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match?.[1]) env[match[1]] = match[2] ?? '';
  }
  return env;
}

const env = readServicesEnv();
function need(name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is missing from ${envFile}`);
  return value;
}

describe('local services (scripts/services.sh)', () => {
  describe('postgres', () => {
    const sql = postgres(need('DATABASE_URL'), { max: 1, onnotice: () => {} });
    afterAll(() => sql.end({ timeout: 5 }));

    it('answers select 1 with the password from DATABASE_URL', async () => {
      const rows = await sql<{ one: number }[]>`select 1 as one`;
      expect(rows[0]?.one).toBe(1);
    });

    it('has lz4 TOAST compression', async () => {
      expect(env.HELPDESK_PG_LZ4).toBe('1');
      const [setting] = await sql<{ default_toast_compression: string }[]>`show default_toast_compression`;
      expect(setting?.default_toast_compression).toBe('lz4');
      const method = await sql.begin(async (tx) => {
        await tx`create temp table lz4_check (b bytea compression lz4) on commit drop`;
        // large and compressible, so it really gets compressed
        await tx`insert into lz4_check values (convert_to(repeat('helpdesk ', 20000), 'UTF8'))`;
        const [row] = await tx<{ method: string | null }[]>`select pg_column_compression(b) as method from lz4_check`;
        return row?.method;
      });
      expect(method).toBe('lz4');
    });
  });

  describe('redis', () => {
    const redis = new Redis(need('REDIS_URL'), { lazyConnect: true, maxRetriesPerRequest: 1 });
    afterAll(() => redis.quit());

    it('answers PING and is configured for BullMQ', async () => {
      await redis.connect();
      expect(await redis.ping()).toBe('PONG');
      expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    });
  });

  describe('mail: SMTP front -> Dovecot LMTP -> IMAP', () => {
    const suffix = randomBytes(5).toString('hex');
    const user = `someone.${suffix}@example.test`; // a mailbox nobody created: every address is one
    const tagged = `someone.${suffix}+tag@example.test`;
    const probe = `probe-${suffix}`;
    // Composed by hand so we know every byte: CRLF line ends, a folded header, an 8-bit UTF-8
    // subject and body, lines starting with dots (SMTP dot-stuffing) and trailing blanks.
    const raw = Buffer.from(
      [
        'From: Sender <sender@example.test>',
        `To: ${tagged}`,
        'Subject: Grüße – services probe',
        `Message-ID: <${probe}@example.test>`,
        `X-Helpdesk-Probe: ${probe}`,
        'X-Folded: first part',
        '\tsecond part',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        'Hallo, schöne Grüße aus dem Test.',
        '.a line that starts with a dot',
        '.',
        '..two dots',
        'trailing blanks   ',
        '',
        '',
      ].join('\r\n'),
      'utf8',
    );

    let imap: ImapFlow;
    beforeAll(async () => {
      const transport = nodemailer.createTransport({
        host: need('HELPDESK_SMTP_HOST'),
        port: Number(need('HELPDESK_SMTP_PORT')),
        secure: false,
        ignoreTLS: true,
        auth: { user: 'helpdesk-bot', pass: 'test' },
      });
      const info = await transport.sendMail({ envelope: { from: 'sender@example.test', to: [tagged] }, raw });
      expect(info.accepted).toEqual([tagged]);
      expect(info.rejected).toEqual([]);

      imap = new ImapFlow({
        host: need('HELPDESK_IMAP_HOST'),
        port: Number(need('HELPDESK_IMAP_PORT')),
        secure: false,
        auth: { user, pass: 'test' },
        logger: false,
      });
      await imap.connect();
    });
    afterAll(async () => {
      // A connection the server already closed cannot LOGOUT; close it instead.
      await imap?.logout().catch(() => imap.close());
    });

    it('delivered the +tag address into the base mailbox, byte for byte', async () => {
      const lock = await imap.getMailboxLock('INBOX');
      try {
        const message = await imap.fetchOne('*', { source: true, uid: true });
        expect(message).not.toBe(false);
        const source = message ? message.source : undefined;
        expect(source).toBeInstanceOf(Buffer);
        // Dovecot puts Return-Path/Delivered-To/Received in front; everything after is ours
        expect(source!.includes(`X-Helpdesk-Probe: ${probe}\r\n`)).toBe(true);
        expect(source!.subarray(source!.length - raw.length).equals(raw)).toBe(true);
      } finally {
        lock.release();
      }
    });

    it('stores user u@d in $HELPDESK_MAIL_ROOT/d/u/Maildir (and no mailbox for the +tag)', () => {
      const root = need('HELPDESK_MAIL_ROOT');
      expect(existsSync(join(root, 'example.test', `someone.${suffix}`, 'Maildir'))).toBe(true);
      expect(existsSync(join(root, 'example.test', `someone.${suffix}+tag`))).toBe(false);
    });

    it('lets INBOX get Processed and Quarantine folders, next to a \\Sent folder', async () => {
      expect((await imap.mailboxCreate('Processed')).created).toBe(true);
      expect((await imap.mailboxCreate('Quarantine')).created).toBe(true);
      const lock = await imap.getMailboxLock('INBOX');
      try {
        expect(await imap.messageMove('*', 'Processed')).toBeTruthy();
      } finally {
        lock.release();
      }
      const boxes = await imap.list();
      const paths = boxes.map((box) => box.path);
      expect(paths).toEqual(expect.arrayContaining(['INBOX', 'Processed', 'Quarantine', 'Sent']));
      expect(boxes.find((box) => box.specialUse === '\\Sent')?.path).toBe('Sent');
      const status = await imap.status('Processed', { messages: true });
      expect(status && status.messages).toBe(1);
    });

    it('refuses a wrong SMTP password', async () => {
      const transport = nodemailer.createTransport({
        host: need('HELPDESK_SMTP_HOST'),
        port: Number(need('HELPDESK_SMTP_PORT')),
        secure: false,
        ignoreTLS: true,
        auth: { user: 'helpdesk-bot', pass: 'not-the-password' },
      });
      await expect(
        transport.sendMail({ envelope: { from: 'sender@example.test', to: [tagged] }, raw }),
      ).rejects.toMatchObject({ responseCode: 535 });
    });
  });
});
