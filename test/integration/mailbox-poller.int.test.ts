// The poller's batches on real Dovecot: bounded by count and by bytes (so the batches held in
// memory stay bounded in a mailbox of large mails), each committed once, in UID order, and every
// mail moved out of INBOX after its commit.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createMailboxPoller, type FetchedMail, type MailDisposition } from '../../src/adapters/imap/mailbox-poller.ts';
import { sendMail } from '../support/mail.ts';
import { testEnv, uniqueSuffix } from '../support/services.ts';

const env = testEnv();
const suffix = uniqueSuffix();
const silent = pino({ level: 'silent' });

async function drainInBatches(user: string, limits: { batchSize?: number; batchBytes?: number }) {
  const batches: number[][] = [];
  const prepared: number[][] = [];
  let lastUid = 0;
  const poller = createMailboxPoller({
    endpoint: { ...env.imap, user, password: 'test', mailbox: 'INBOX' },
    logger: silent,
    ...limits,
    loadState: async (uidValidity) => ({ uidValidity, lastUid }),
    prepare: (mails: readonly FetchedMail[]) => prepared.push(mails.map((m) => m.uid)),
    async commitBatch(_uidValidity, mails) {
      batches.push(mails.map((m) => m.uid));
      lastUid = Math.max(lastUid, ...mails.map((m) => m.uid));
      return { dispositions: new Map(mails.map((m) => [m.uid, 'processed' as MailDisposition])) };
    },
    dispositionOfCommitted: async (_uidValidity, uids) => new Map(uids.map((u) => [u, 'processed' as MailDisposition])),
  });
  const committed = await poller.drainOnce();
  return { committed, batches, prepared };
}

async function fill(user: string, count: number, bodyBytes: number) {
  for (let i = 0; i < count; i++) await sendMail(env, { from: `eva@acme-${suffix}.se`, to: user, subject: `Mail ${i}`, text: `${i} ${'x'.repeat(bodyBytes)}` });
}

describe('mailbox poller batches', () => {
  it('cuts batches by count, hands each to prepare before committing it, and commits every mail once in UID order', async () => {
    const user = `batches-${suffix}@example.test`;
    await fill(user, 5, 100);
    const { committed, batches, prepared } = await drainInBatches(user, { batchSize: 2 });
    expect(committed).toBe(5);
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
    expect(batches.flat()).toEqual([...batches.flat()].sort((a, b) => a - b));
    expect(prepared).toEqual(batches);
    expect((await drainInBatches(user, { batchSize: 2 })).committed).toBe(0); // INBOX is empty now
  });

  it('cuts batches by bytes, keeping at least one mail in each, however large', async () => {
    const user = `bytes-${suffix}@example.test`;
    await fill(user, 4, 30_000);
    const { committed, batches } = await drainInBatches(user, { batchSize: 250, batchBytes: 50_000 });
    expect(committed).toBe(4);
    expect(batches.map((b) => b.length)).toEqual([1, 1, 1, 1]);
    const tiny = `tiny-${suffix}@example.test`;
    await fill(tiny, 3, 30_000);
    expect((await drainInBatches(tiny, { batchBytes: 1 })).batches.map((b) => b.length)).toEqual([1, 1, 1]);
  });
});
