// `helpdesk outbox`: outbound mail that did not go out, and sending it again (docs/commands.md).
// A retry puts the row back to `queued` and queues its job; the running mailer sends it.
// Registering loads nothing heavy: each action imports what it uses when it runs.
import type { Command } from 'commander';
import { HelpdeskError } from '../shared/errors.ts';
import type { OutboxEntry } from '../tickets/outbox.queries.ts';
import { withDatabase } from './database.ts';

async function connect() {
  const [{ loadEnv }, { connectDatabase }, { createOutboxQueries }] = await Promise.all([import('../config/env.ts'), import('../db/client.ts'), import('../tickets/outbox.queries.ts')]);
  const env = loadEnv();
  const handle = connectDatabase(env.databaseUrl, { max: 2 });
  return { env, handle, queries: createOutboxQueries({ db: handle.db }) };
}

export function printOutbox(list: readonly OutboxEntry[]): void {
  if (list.length === 0) {
    console.log('no outgoing mail waiting or failed');
    return;
  }
  const header = ['id', 'kind', 'to', 'ticket', 'state', 'tries', 'created', 'last error'];
  const rows = list.map((e) => [e.id, e.kind, e.to.join(','), e.ticket === null ? '-' : `#${e.ticket}`, e.state, String(e.attempts), e.createdAt, (e.lastError ?? '').slice(0, 80)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

/** Requeues the rows and queues their jobs; returns the ids queued again. */
async function retry(target: { id?: string; allFailed?: boolean }): Promise<string[]> {
  const [{ createQueues }, { createOutboxRepository }] = await Promise.all([import('../adapters/queue/queues.ts'), import('../mail/outbox.repository.ts')]);
  const { env, handle, queries } = await connect();
  const queues = createQueues({ redisUrl: env.redisUrl, prefix: env.queuePrefix });
  try {
    const repository = createOutboxRepository({ db: handle.db });
    let ids: string[];
    if (target.allFailed) ids = await repository.requeueAllFailed();
    else {
      const id = target.id!;
      const entry = await queries.get(id);
      if (!entry) throw new HelpdeskError('outbox.not_found', `outgoing mail ${id} not found`);
      if (entry.state === 'sent') throw new HelpdeskError('outbox.not_retryable', `outgoing mail ${id} was sent at ${entry.sentAt}; not sending it again`);
      if (entry.state === 'sending') throw new HelpdeskError('outbox.not_retryable', `outgoing mail ${id} is being sent right now`);
      ids = await repository.requeue([id]);
    }
    // Job id = row id: a job still waiting for this row makes this a no-op; a job that ran out
    // of attempts was removed from Redis, so it never blocks the new one.
    await queues.enqueueOutbound(ids);
    return ids;
  } finally {
    await queues.close();
    await handle.close();
  }
}

export function registerOutboxCommands(program: Command): void {
  const outbox = program
    .command('outbox')
    .description('outgoing mail not sent yet (queued, sending, failed, bounced)')
    .option('--failed', 'only mail that failed for good')
    .option('--json', 'machine-readable output')
    .action(async (opts: { failed?: boolean; json?: boolean }) => {
      const { createOutboxQueries } = await import('../tickets/outbox.queries.ts');
      const list = await withDatabase((db) => createOutboxQueries({ db }).list({ failed: opts.failed }));
      if (opts.json) console.log(JSON.stringify(list, null, 2));
      else printOutbox(list);
    });
  outbox
    .command('retry')
    .argument('[id]', 'the outgoing mail id (from `helpdesk outbox`)')
    .option('--all-failed', 'every mail that failed for good')
    .description('queue outgoing mail again; the mailer of `helpdesk start` sends it')
    .action(async (id: string | undefined, opts: { allFailed?: boolean }) => {
      if (Boolean(id) === Boolean(opts.allFailed)) throw new HelpdeskError('usage.invalid', 'outbox retry: give either an ID or --all-failed');
      const ids = await retry({ id, allFailed: opts.allFailed });
      if (ids.length === 0) console.log('nothing to retry');
      for (const queued of ids) console.log(`queued again: ${queued}`);
    });
}
