// BullMQ queues and their job ids. Job ids are deterministic so a second scheduling of the
// same work is a no-op; BullMQ forbids ':' in custom ids, hence the dots. Knows no domain
// module: job data are plain fields, and the SLA module's timer requests fit ScheduledTimer.
import { Queue, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';

export const OUTBOUND_MAIL_QUEUE = 'outbound-mail';
export const SLA_TIMERS_QUEUE = 'sla-timers';

export interface OutboundJobData {
  outboundId: string;
}

/** One `sla-timers` job: which clock (ticket + target), which stage, for which clock version. */
export interface SlaTimerJobData {
  ticketId: number;
  target: string;
  stage: string;
  version: number;
}

/** A timer to schedule: its job data, when it is due, and its queue priority (lower first). */
export interface ScheduledTimer extends SlaTimerJobData {
  at: Date;
  queuePriority: number;
}

export function outboundJobId(outboundId: string): string {
  return `mail.${outboundId}`;
}

export function slaTimerJobId(t: SlaTimerJobData): string {
  return `sla.${t.ticketId}.${t.target}.${t.stage}.v${t.version}`;
}

/** Workers need `maxRetriesPerRequest: null` (blocking commands); BullMQ insists on it. */
export function createRedisConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}

export interface Queues {
  connection: Redis;
  prefix: string;
  outbound: Queue<OutboundJobData>;
  slaTimers: Queue<SlaTimerJobData>;
  /**
   * Queues outbound rows by id. With `background`, they wait behind every mail queued without it
   * (BullMQ serves jobs without a priority before prioritized ones): a burst's technician notices
   * and digests must not delay the next customers' acknowledgements.
   */
  enqueueOutbound(ids: readonly string[], options?: { background?: boolean }): Promise<void>;
  scheduleTimers(timers: readonly ScheduledTimer[], now: Date): Promise<void>;
  close(): Promise<void>;
}

/** BullMQ priority of background mail (notices, digests); lower numbers are served first. */
export const BACKGROUND_MAIL_PRIORITY = 10;

export interface QueueOptions {
  redisUrl: string;
  prefix?: string;
  /** tries per outbound mail job before it fails (the row stays queued for the reconcile). @defaultValue 10 */
  outboundAttempts?: number;
  /** first retry delay of an outbound job, doubled each time. @defaultValue 2000 */
  outboundBackoffMs?: number;
  /** errors of the connection and the queues (a listener, so ioredis prints no raw stack dumps) */
  onError?: (err: Error) => void;
}

export function createQueues(options: QueueOptions): Queues {
  const connection = createRedisConnection(options.redisUrl);
  const prefix = options.prefix ?? 'helpdesk';
  const base = { connection: connection as ConnectionOptions, prefix };
  const outbound = new Queue<OutboundJobData>(OUTBOUND_MAIL_QUEUE, base);
  const slaTimers = new Queue<SlaTimerJobData>(SLA_TIMERS_QUEUE, base);
  if (options.onError) {
    connection.on('error', options.onError);
    outbound.on('error', options.onError);
    slaTimers.on('error', options.onError);
  }

  return {
    connection,
    prefix,
    outbound,
    slaTimers,
    async enqueueOutbound(ids, enqueueOptions = {}) {
      if (ids.length === 0) return;
      await outbound.addBulk(
        ids.map((outboundId) => ({
          name: 'send',
          data: { outboundId },
          opts: {
            jobId: outboundJobId(outboundId),
            ...(enqueueOptions.background ? { priority: BACKGROUND_MAIL_PRIORITY } : {}),
            // 10 tries with doubling delays from 2 s: about 17 minutes of SMTP outage
            attempts: options.outboundAttempts ?? 10,
            backoff: { type: 'exponential', delay: options.outboundBackoffMs ?? 2_000 },
            removeOnComplete: true,
            // A job out of attempts must not keep its id: adding an existing id is a no-op, so the
            // reconcile could never queue the row again and the mail would never be sent.
            removeOnFail: true,
          },
        })),
      );
    },
    async scheduleTimers(timers, now) {
      for (let i = 0; i < timers.length; i += 1000) {
        await slaTimers.addBulk(
          timers.slice(i, i + 1000).map((t) => ({
            name: t.stage,
            data: { ticketId: t.ticketId, target: t.target, stage: t.stage, version: t.version },
            opts: {
              jobId: slaTimerJobId(t),
              delay: Math.max(0, t.at.getTime() - now.getTime()),
              // lower is served first, as queuePriority in the contracts file; BullMQ wants >= 1
              priority: Math.min(2_097_151, Math.max(1, t.queuePriority)),
              attempts: 5,
              backoff: { type: 'exponential', delay: 1_000 },
              removeOnComplete: true,
              // A failed timer must not keep its id: BullMQ ignores adding an existing id, so
              // reconcile could never re-add it and the escalation would never go out.
              removeOnFail: true,
            },
          })),
        );
      }
    },
    async close() {
      await outbound.close();
      await slaTimers.close();
      connection.disconnect();
    },
  };
}
