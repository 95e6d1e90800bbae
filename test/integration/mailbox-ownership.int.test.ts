// Two processes never consume the same mailbox, and a UIDVALIDITY change re-reads the
// mailbox without making a second ticket for a mail already taken in.
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot, type Bot } from '../../src/app.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { startTestBot, type TestBot } from '../support/bot-harness.ts';
import { sendMail, waitFor } from '../support/mail.ts';

let t: TestBot;
let standby: Bot | null = null;

beforeAll(async () => {
  t = await startTestBot({ roles: ['ingest'] });
});
afterAll(async () => {
  await standby?.stop();
  await t?.stop();
});

const count = async (requesterLike: string) => {
  const [row] = await t.bot.db.sql`select count(*)::int as n from tickets where requester like ${requesterLike}`;
  return row!.n as number;
};

describe('mailbox ownership', () => {
  it('lets a second process stand by while the first holds the mailbox, and take over when it stops', async () => {
    standby = createBot({ env: t.env, config: t.config, logger: silentLogger, roles: ['ingest'], queuePrefix: `t${t.suffix}`, safetyPollMs: 500 });
    await standby.start();
    await new Promise((r) => setTimeout(r, 1000));
    const locks = await t.bot.db.sql`select count(*)::int as n from pg_locks where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())`;
    expect(locks[0]!.n).toBe(1);

    for (let i = 0; i < 10; i++) await sendMail(t.env, { from: t.at(`own${i}`, 'acme.se'), to: t.service, subject: `Owned ${i}`, text: 'x' });
    await waitFor('ten tickets', async () => (await count(`own%`)) === 10);

    await t.bot.stop();
    // the first bot's database handle is closed now: read through the standby's
    const n = async () => (await standby!.db.sql`select count(*)::int as n from tickets where requester like 'late%'`)[0]!.n as number;
    await sendMail(t.env, { from: t.at('late', 'acme.se'), to: t.service, subject: 'After the takeover', text: 'x' });
    await waitFor('the standby to take the mail', async () => (await n()) === 1, 30_000);
    // restore a running bot for the next test and for afterAll
    t.bot = standby;
    standby = null;
  });

  it('re-reads the mailbox after a UIDVALIDITY change without duplicating a ticket', async () => {
    const from = t.at('resync', 'acme.se');
    await sendMail(t.env, { from, to: t.service, subject: 'Resync me', text: 'x' });
    await waitFor('the ticket', async () => (await t.bot.db.sql`select 1 from tickets where requester = ${from}`).length === 1);
    // Put the processed mail back into INBOX and pretend the server renumbered the mailbox.
    const client = new ImapFlow({ host: t.env.imap.host, port: t.env.imap.port, secure: false, doSTARTTLS: false, auth: { user: t.service, pass: 'test' }, logger: false });
    await client.connect();
    const lock = await client.getMailboxLock('Processed');
    try {
      const uids = ((await client.search({ subject: 'Resync me' }, { uid: true })) || []) as number[];
      expect(uids).toHaveLength(1);
      await client.messageCopy(uids.join(','), 'INBOX', { uid: true });
    } finally {
      lock.release();
      await client.logout();
    }
    await t.bot.db.sql`update mailboxes set uid_validity = 1, last_uid = 999999 where address = ${t.service}`;
    await sendMail(t.env, { from: t.at('nudge', 'acme.se'), to: t.service, subject: 'Nudge', text: 'x' });
    await waitFor('the nudge ticket', async () => (await t.bot.db.sql`select 1 from tickets where subject = 'Nudge'`).length === 1, 30_000);
    const [box] = await t.bot.db.sql`select uid_validity, last_uid from mailboxes where address = ${t.service}`;
    expect(Number(box!.uid_validity)).not.toBe(1);
    expect(await t.bot.db.sql`select 1 from tickets where requester = ${from}`).toHaveLength(1);
  });
});
