// The mailer sends each stored outbound row exactly once, also when many are in flight at once
// (claims and `sent` updates are group-committed) and when a row's job comes back after the row
// was sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from '../support/bot-harness.ts';
import { readMailbox, waitFor } from '../support/mail.ts';

let t: TestBot;

beforeAll(async () => {
  t = await startTestBot({ roles: ['mailer'] });
});
afterAll(async () => {
  await t?.stop();
});

async function storeRows(sink: string, count: number, label: string, state = 'queued'): Promise<string[]> {
  const rows = await t.bot.db.sql<{ id: string }[]>`
    insert into outbound_mails (idempotency_key, kind, from_address, "to", subject, text, message_id, automatic, state)
    select ${label} || ':' || g, 'ack', ${t.service}, array[${sink}]::text[], ${label} || ' ' || g, 'x',
           '<' || ${label} || '-' || g || '-' || ${t.suffix} || '@example.test>', true, ${state}
    from generate_series(1, ${count}::int) g
    returning id`;
  return rows.map((r) => r.id);
}

const states = async (ids: string[]) =>
  t.bot.db.sql<{ state: string; attempts: number; n: number }[]>`
    select state, attempts, count(*)::int as n from outbound_mails where id = any(${ids}::uuid[]) group by state, attempts order by state`;

describe('outbound mail worker', () => {
  it('sends 60 rows enqueued at once exactly once each', async () => {
    const sink = t.at('burst', 'acme.se');
    const ids = await storeRows(sink, 60, 'burst');
    await t.bot.queues.enqueueOutbound(ids);
    await waitFor('60 rows sent', async () => (await states(ids)).some((s) => s.state === 'sent' && s.n === 60), 30_000);
    expect(await states(ids)).toEqual([{ state: 'sent', attempts: 1, n: 60 }]);
    const received = await waitFor('60 mails', async () => {
      const list = await readMailbox(t.env, sink);
      return list.length >= 60 ? list : null;
    });
    expect(new Set(received.map((m) => m.messageId)).size).toBe(60);
    expect(received).toHaveLength(60);
  });

  it('never sends a row again once it is sent, even when its job is added again', async () => {
    const sink = t.at('once', 'acme.se');
    const [queued] = await storeRows(sink, 1, 'once');
    const [alreadySent] = await storeRows(sink, 1, 'was-sent', 'sent');
    await t.bot.queues.enqueueOutbound([queued!, alreadySent!]);
    await waitFor('the queued row sent', async () => (await states([queued!]))[0]?.state === 'sent');
    // Completed jobs are removed, so this is a new job for a row that is already sent.
    await t.bot.queues.enqueueOutbound([queued!]);
    await t.bot.queues.outbound.waitUntilReady();
    await waitFor('the second job done', async () => (await t.bot.queues.outbound.getJobCountByTypes('waiting', 'active', 'prioritized')) === 0);
    await new Promise((r) => setTimeout(r, 500));
    const received = await readMailbox(t.env, sink);
    expect(received.map((m) => m.subject)).toEqual(['once 1']);
    expect(await states([queued!])).toEqual([{ state: 'sent', attempts: 1, n: 1 }]);
  });
});
