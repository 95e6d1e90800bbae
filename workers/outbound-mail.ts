// The `outbound-mail` queue: sends one stored outbound row. Thin: parse job data, call the
// sender, record the outcome. Idempotent: a row already sent is skipped, so a duplicate job
// or a retry after a crash cannot send twice (the only window left is a crash between the
// SMTP server accepting the mail and the `sent` update: then the row stays `sending` and is
// sent once more, with the same Message-ID — at-least-once, never lost).
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { OUTBOUND_MAIL_QUEUE, type OutboundJobData } from '../src/adapters/queue/queues.ts';
import { isPermanentDeliveryError, type MailSender } from '../src/adapters/smtp/smtp-sender.ts';
import type { Database } from '../src/db/client.ts';
import { outboundMailsTable } from '../src/mail/mail.tables.ts';
import type { Logger } from '../src/shared/logger.ts';
import type { Redis } from 'ioredis';

const JobData = z.object({ outboundId: z.string().uuid() });

export function createOutboundMailWorker(deps: { connection: Redis; prefix: string; db: Database; sender: MailSender; logger: Logger; concurrency?: number }) {
  const { db, sender, logger } = deps;
  const worker = new Worker<OutboundJobData>(
    OUTBOUND_MAIL_QUEUE,
    async (job: Job<OutboundJobData>) => {
      const { outboundId } = JobData.parse(job.data);
      const rows = await db
        .update(outboundMailsTable)
        .set({ state: 'sending', attempts: sql`${outboundMailsTable.attempts} + 1` })
        .where(sql`${outboundMailsTable.id} = ${outboundId} and ${outboundMailsTable.state} in ('queued', 'sending')`)
        .returning();
      const row = rows[0];
      if (!row) return 'skipped';
      try {
        const result = await sender.send(row);
        await db.update(outboundMailsTable).set({ state: 'sent', sentAt: new Date(), lastError: null }).where(eq(outboundMailsTable.id, outboundId));
        logger.info({ outboundId, kind: row.kind, to: row.to, response: result.response }, 'mail sent');
        return 'sent';
      } catch (err) {
        const permanent = isPermanentDeliveryError(err);
        await db
          .update(outboundMailsTable)
          .set({ state: permanent ? 'failed' : 'queued', lastError: (err as Error).message.slice(0, 2000) })
          .where(eq(outboundMailsTable.id, outboundId));
        logger.warn({ outboundId, err: (err as Error).message, permanent }, 'mail send failed');
        if (permanent) throw new UnrecoverableError((err as Error).message);
        throw err;
      }
    },
    // Lock must outlast the SMTP socket timeout, or a slow send is taken for a stalled job.
    { connection: deps.connection, prefix: deps.prefix, concurrency: deps.concurrency ?? 4, lockDuration: 60_000 },
  );
  worker.on('error', (err) => logger.error({ err: err.message }, 'outbound-mail worker error'));
  return worker;
}
