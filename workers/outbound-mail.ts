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
import { z } from '../src/shared/vendor/zod.ts';
import { OUTBOUND_MAIL_QUEUE, type OutboundJobData } from '../src/adapters/queue/queues.ts';
import { isPermanentDeliveryError, type MailSender, type OutgoingMail } from '../src/adapters/smtp/smtp-sender.ts';
import type { Database, Tx } from '../src/db/client.ts';
import { outboundMailsTable } from '../src/mail/mail.tables.ts';
import type { Clock } from '../src/shared/clock.ts';
import { errorMessage } from '../src/shared/errors.ts';
import { throttledErrorLog, type Logger } from '../src/shared/logger.ts';

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

/** What the mailer tells health, metrics and the delivery-failure notice (wired in src/app.ts). */
export interface OutboundMailEvents {
  sent(row: OutboundRow, seconds: number): void;
  failed(row: OutboundRow, err: unknown, permanent: boolean, seconds: number): void;
}

export function createOutboundMailWorker(deps: {
  connection: Redis;
  prefix: string;
  db: Database;
  sender: MailSender;
  clock: Clock;
  logger: Logger;
  concurrency?: number;
  events?: OutboundMailEvents;
  /**
   * A mail refused for good: queue whatever must tell somebody (an acknowledgement that never
   * reached its customer), in the transaction that marks the row failed; returns outbound ids.
   */
  reportRefused?: (tx: Tx, refused: { outboundId: string; kind: string; ticketId: number | null; to: string[]; error: string }) => Promise<string[]>;
  /** queues outbound ids (those reportRefused returned) */
  queueMail?: (ids: string[]) => Promise<void>;
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

  /**
   * A mail the SMTP server accepted is recorded as `sent` however long that takes: a failed update
   * must never send the mail again (a retried job would). Retries with a growing pause while
   * Postgres is away, also while the bot stops (its stop timeout ends the wait). A process that
   * dies here leaves the row `sending`: the one window in which a mail can go out twice, with the
   * same Message-ID.
   */
  async function recordSentUntilStored(outboundId: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await recordSent(outboundId);
        if (attempt > 1) logger.info({ outboundId, attempts: attempt }, 'sent mail recorded after retries');
        return;
      } catch (err) {
        const retryInMs = Math.min(5_000, 250 * 2 ** Math.min(attempt, 5));
        logger.warn({ outboundId, err: errorMessage(err), attempt, retryInMs }, 'mail sent but recording it failed; retrying the record, not the send');
        await new Promise((resolve) => setTimeout(resolve, retryInMs));
      }
    }
  }

  const worker = new Worker<OutboundJobData>(
    OUTBOUND_MAIL_QUEUE,
    async (job: Job<OutboundJobData>) => {
      const { outboundId } = JobData.parse(job.data);
      const row = await claim(outboundId);
      if (!row) return 'skipped';
      let response: string;
      const started = performance.now();
      try {
        response = (await sender.send(toOutgoingMail(row))).response;
      } catch (err) {
        const message = errorMessage(err);
        const permanent = isPermanentDeliveryError(err);
        logger.warn({ outboundId, err: message, permanent }, 'mail send failed');
        // If this update fails too, the row stays `sending` and the retried job claims it again.
        // A refusal for good and the notices it causes are recorded together, or not at all.
        const noticeIds = await db.transaction(async (tx) => {
          await tx
            .update(t)
            .set({ state: permanent ? 'failed' : 'queued', lastError: message.slice(0, 2000) })
            .where(eq(t.id, outboundId));
          if (!permanent || !deps.reportRefused) return [];
          return deps.reportRefused(tx, { outboundId, kind: row.kind, ticketId: row.ticketId, to: row.to, error: message });
        });
        if (noticeIds.length > 0) await deps.queueMail?.(noticeIds);
        deps.events?.failed(row, err, permanent, (performance.now() - started) / 1000);
        if (permanent) throw new UnrecoverableError(message);
        throw err;
      }
      await recordSentUntilStored(outboundId);
      deps.events?.sent(row, (performance.now() - started) / 1000);
      logger.info({ outboundId, kind: row.kind, to: row.to, response }, 'mail sent');
      return 'sent';
    },
    {
      connection: deps.connection,
      prefix: deps.prefix,
      concurrency: deps.concurrency ?? OUTBOUND_CONCURRENCY,
      // The lock is renewed every lockDuration/2 while a send runs, so a slow SMTP server keeps
      // it; a process killed mid-send loses it within 10 s, and the stalled check (every 5 s)
      // gives the job to another worker. Sends are idempotent per row, so a job may stall
      // several times (a mailer killed again and again) before BullMQ calls it failed.
      lockDuration: 10_000,
      stalledInterval: 5_000,
      maxStalledCount: 10,
    },
  );
  worker.on('error', throttledErrorLog(logger, 'outbound-mail worker error'));
  return worker;
}
