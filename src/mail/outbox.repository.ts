// Write side of the outbox for operators: put rows that did not go out back in the queue. Only
// the row changes here; the caller enqueues the returned ids (job id = row id). A job that ran
// out of attempts never blocks this: such jobs are removed from Redis (`removeOnFail`), so the
// new job with the same id is accepted.
import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { outboundMailsTable } from './mail.tables.ts';

/** The states an operator may send again: given up (`failed`), bounced, or still waiting. */
export const RETRYABLE_STATES = ['failed', 'bounced', 'queued'] as const;

export function createOutboxRepository({ db }: { db: DbOrTx }) {
  const t = outboundMailsTable;
  return {
    /** The state of one row, or null when there is no such row. */
    async stateOf(id: string): Promise<string | null> {
      const rows = await db.select({ state: t.state }).from(t).where(eq(t.id, id));
      return rows[0]?.state ?? null;
    },

    /**
     * Back to `queued` for these rows if they are in a retryable state (the last error stays for
     * the record until a send succeeds); returns the ids that were requeued.
     */
    async requeue(ids: readonly string[]): Promise<string[]> {
      if (ids.length === 0) return [];
      const rows = await db
        .update(t)
        .set({ state: 'queued' })
        .where(sql`${t.id} = any(${sql.param([...ids])}::uuid[]) and ${t.state} in ('failed', 'bounced', 'queued')`)
        .returning({ id: t.id });
      return rows.map((r) => r.id);
    },

    /** Every `failed` row back to `queued`; returns their ids. */
    async requeueAllFailed(): Promise<string[]> {
      const rows = await db.update(t).set({ state: 'queued' }).where(sql`${t.state} = 'failed'`).returning({ id: t.id });
      return rows.map((r) => r.id);
    },
  };
}

export type OutboxRepository = ReturnType<typeof createOutboxRepository>;
