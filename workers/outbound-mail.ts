// The `outbound-mail` queue: sends one stored outbound row. Thin: parse job data, claim the
// row, send it, record the outcome. Idempotent: only a `queued` or `sending` row is claimed, so a
// row already `sent` is never sent again, whatever the queue does (the only window left is a
// crash between the SMTP server accepting the mail and the `sent` update: then the row stays
// `sending` and is sent once more, with the same Message-ID — at-least-once, never lost).
// Throughput: many jobs run at once, and their claims and `sent` updates go to Postgres in
// group commits (one statement for all the jobs that reached that step while the previous
// statement ran), so a busy mailer costs about two statements per round, not two per mail.
// A job still completes only after its own row is recorded as `sent`.
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { eq, sql } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { OUTBOUND_MAIL_QUEUE, type OutboundJobData } from '../src/adapters/queue/queues.ts';
import { isPermanentDeliveryError, type MailSender, type OutgoingMail } from '../src/adapters/smtp/smtp-sender.ts';
import type { Database } from '../src/db/client.ts';
import { outboundMailsTable } from '../src/mail/mail.tables.ts';
import type { Clock } from '../src/shared/clock.ts';
import type { Logger } from '../src/shared/logger.ts';

const JobData = z.object({ outboundId: z.string().uuid() });

/** Jobs in flight per mailer process; more than SMTP sessions, so a send never waits on Postgres. */
export const OUTBOUND_CONCURRENCY = 32;

type OutboundRow = typeof outboundMailsTable.$inferSelect;

export function toOutgoingMail(row: OutboundRow): OutgoingMail {
  return {
    fromAddress: row.fromAddress,
    fromName: row.fromName,
    to: row.to,
    cc: row.cc,
    replyTo: row.replyTo,
    subject: row.subject,
    text: row.text,
    html: row.html,
    messageId: row.messageId,
    inReplyTo: row.inReplyTo,
    references: row.references,
    // composed once by the outbox (Auto-Submitted per RFC 3834, X-Helpdesk-*)
    headers: row.headers,
    date: row.createdAt,
  };
}

/**
 * Group commit: calls made while a flush is running wait and go together in the next flush.
 * No added delay when idle (a lone call flushes at once); `flush` answers item by item, in order.
 */
function groupCommit<T, R>(flush: (items: T[]) => Promise<R[]>): (item: T) => Promise<R> {
  let waiting: { item: T; resolve(result: R): void; reject(err: unknown): void }[] = [];
  let flushing = false;
  async function drain(): Promise<void> {
    flushing = true;
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      try {
        const results = await flush(batch.map((w) => w.item));
        batch.forEach((w, i) => w.resolve(results[i]!));
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    flushing = false;
  }
  return (item) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (!flushing) void drain();
    });
}

export function createOutboundMailWorker(deps: {
  connection: Redis;
  prefix: string;
  db: Database;
  sender: MailSender;
  clock: Clock;
  logger: Logger;
  concurrency?: number;
}) {
  const { db, sender, logger, clock } = deps;
  const t = outboundMailsTable;

  /** `sending` (attempts + 1) for each row still to send; null for a row sent, failed or gone. */
  const claim = groupCommit(async (ids: string[]): Promise<(OutboundRow | null)[]> => {
    const rows = await db
      .update(t)
      .set({ state: 'sending', attempts: sql`${t.attempts} + 1` })
      .where(sql`${t.id} = any(${sql.param(ids)}::uuid[]) and ${t.state} in ('queued', 'sending')`)
      .returning();
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  });

  const recordSent = groupCommit(async (ids: string[]): Promise<null[]> => {
    await db
      .update(t)
      .set({ state: 'sent', sentAt: clock.now(), lastError: null })
      .where(sql`${t.id} = any(${sql.param(ids)}::uuid[])`);
    return ids.map(() => null);
  });

  const worker = new Worker<OutboundJobData>(
    OUTBOUND_MAIL_QUEUE,
    async (job: Job<OutboundJobData>) => {
      const { outboundId } = JobData.parse(job.data);
      const row = await claim(outboundId);
      if (!row) return 'skipped';
      try {
        const result = await sender.send(toOutgoingMail(row));
        await recordSent(outboundId);
        logger.info({ outboundId, kind: row.kind, to: row.to, response: result.response }, 'mail sent');
        return 'sent';
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const permanent = isPermanentDeliveryError(err);
        await db
          .update(t)
          .set({ state: permanent ? 'failed' : 'queued', lastError: message.slice(0, 2000) })
          .where(eq(t.id, outboundId));
        logger.warn({ outboundId, err: message, permanent }, 'mail send failed');
        if (permanent) throw new UnrecoverableError(message);
        throw err;
      }
    },
    // Lock must outlast the SMTP socket timeout, or a slow send is taken for a stalled job.
    { connection: deps.connection, prefix: deps.prefix, concurrency: deps.concurrency ?? OUTBOUND_CONCURRENCY, lockDuration: 60_000 },
  );
  worker.on('error', (err) => logger.error({ err: err.message }, 'outbound-mail worker error'));
  return worker;
}
