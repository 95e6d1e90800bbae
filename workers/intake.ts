// Intake role: one poller per service mailbox, guarded by a Postgres advisory lock held on a
// dedicated connection, so two bot processes never consume the same mailbox (the second one
// waits as a hot standby and takes over when the first one's connection goes away).
// A failure to take the lock (Postgres away) restarts the loop with backoff; when it keeps
// failing, or the poller gives up, run() rejects with `intake.unrecoverable` so the process
// exits and its supervisor restarts it, instead of looking alive while ingesting nothing.
import { createMailboxPoller, type MailboxPoller } from '../src/adapters/imap/mailbox-poller.ts';
import { afterFailure, DEFAULT_RECONNECT_POLICY, type ReconnectPolicy } from '../src/adapters/imap/reconnect-policy.ts';
import type { Queues } from '../src/adapters/queue/queues.ts';
import type { ImapEndpoint } from '../src/config/env.ts';
import type { Sql } from '../src/db/client.ts';
import type { Clock } from '../src/shared/clock.ts';
import { errorMessage, HelpdeskError, isHelpdeskError } from '../src/shared/errors.ts';
import type { Logger } from '../src/shared/logger.ts';
import type { Database } from '../src/db/client.ts';
import { isTransientDatabaseError } from '../src/db/errors.ts';
import { listSlaTimers } from '../src/tickets/sla-escalation.usecases.ts';
import { dispositionsOf, type Intake } from '../src/tickets/intake.usecases.ts';

const STANDBY_RETRY_MS = 5_000;
/** how long a committed batch waits for Redis before intake goes on without it */
const ENQUEUE_WAIT_MS = 1_000;

/** true when `work` (which never rejects) settled within `ms` */
async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** What intake tells health and metrics: a poll that reached the mailbox, a committed batch, standing by, a failure of its loop. */
export type IntakeReport =
  | { type: 'reached' }
  | { type: 'committed'; processed: number; quarantined: number; ticketsOpened: number; seconds: number }
  | { type: 'standby' }
  | { type: 'failed'; error: unknown };

export interface IntakeWorker {
  /** resolves when stopped; rejects with `intake.unrecoverable` when the mailbox cannot be served */
  run(): Promise<void>;
  stop(): Promise<void>;
}

export function createIntakeWorker(deps: {
  /** opens the session that holds the mailbox's advisory lock (one connection, see connectSession) */
  openLockSession: () => Sql;
  endpoint: ImapEndpoint;
  serviceAddress: string;
  intake: Intake;
  queues: Queues;
  db: Database;
  clock: Clock;
  logger: Logger;
  safetyPollMs?: number;
  batchSize?: number;
  reconnectPolicy?: Partial<ReconnectPolicy>;
  /** health and metrics (src/http): called after each login that opened the mailbox, each commit, and each failure seen here */
  onReport?: (report: IntakeReport) => void;
}): IntakeWorker {
  const { intake, serviceAddress, queues, clock } = deps;
  const logger = deps.logger.child({ mailbox: serviceAddress });
  const policy: ReconnectPolicy = { ...DEFAULT_RECONNECT_POLICY, ...deps.reconnectPolicy };
  let stopping = false;
  let poller: MailboxPoller | null = null;
  /** Redis did not answer after the last commit (said once per outage) */
  let queueUnavailable = false;
  let wake: (() => void) | null = null;

  const makePoller = (assertOwnership: () => Promise<void>) =>
    createMailboxPoller({
      assertOwnership,
      endpoint: deps.endpoint,
      logger: deps.logger,
      safetyPollMs: deps.safetyPollMs,
      batchSize: deps.batchSize,
      reconnectPolicy: deps.reconnectPolicy,
      now: () => clock.now().getTime(),
      loadState: async (uidValidity) => {
        const state = await intake.loadState(serviceAddress, uidValidity);
        // Each drain starts here: logged in, the mailbox open and its state read, a good poll.
        deps.onReport?.({ type: 'reached' });
        return state;
      },
      dispositionOfCommitted: (uidValidity, uids) => intake.outcomesOfCommitted(serviceAddress, uidValidity, uids),
      onPollFailed: (err) => deps.onReport?.({ type: 'failed', error: err }),
      prepare: (mails) => intake.prepare(mails),
      async commitBatch(uidValidity, mails) {
        const started = performance.now();
        const result = await intake.commitBatch(serviceAddress, uidValidity, mails);
        const quarantined = [...result.outcomes.values()].filter((o) => o.status === 'quarantined').length;
        deps.onReport?.({ type: 'committed', processed: result.outcomes.size - quarantined, quarantined, ticketsOpened: result.ticketsOpened.length, seconds: (performance.now() - started) / 1000 });
        return {
          dispositions: dispositionsOf(result.outcomes),
          // Both at once: the acks reach the queue one Redis round trip after the commit, and
          // the move and next batch do not also wait for the timers' Postgres read. Intake never
          // waits on Redis for long: the rows are committed, and whatever does not reach the
          // queue now goes there when Redis is back (ioredis' offline queue, then the reconcile).
          afterCommit: async () => {
            const queued = Promise.all([
              queues.enqueueOutbound(result.outboundIds),
              queues.enqueueOutbound(result.backgroundOutboundIds, { background: true }),
              listSlaTimers(deps.db, result.slaTicketIds).then((timers) => queues.scheduleTimers(timers, clock.now())),
            ]).then(
              () => (queueUnavailable = false),
              (err: unknown) => logger.warn({ err: errorMessage(err) }, 'queueing after a commit failed; the reconcile queues them'),
            );
            if (!(await settlesWithin(queued, ENQUEUE_WAIT_MS))) {
              if (!queueUnavailable) logger.warn({ waitedMs: ENQUEUE_WAIT_MS }, 'Redis does not answer; committing tickets anyway, their mails and timers are queued when it is back');
              queueUnavailable = true;
            }
          },
        };
      },
    });

  /** Waits `ms`, or less when stop() is called. */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });

  /** true while this process waits for another one to release the mailbox (logged once) */
  let standingBy = false;

  /**
   * Takes the mailbox's lock and runs its poller until stopped; returns early to stand by. The
   * lock is a session lock on a reserved connection: a Postgres restart ends that session, and
   * the lock with it, without telling us, so the poller asks before every search and every move
   * whether the session still holds it (`intake.lock_lost` when not).
   */
  async function holdMailbox(session: Sql, onLocked: () => void): Promise<void> {
    try {
      const [row] = await session`select pg_try_advisory_lock(hashtext(${'mailbox:' + serviceAddress})) as locked`;
      onLocked();
      if (!row?.locked) {
        if (!standingBy) logger.info('another process holds this mailbox; standing by');
        deps.onReport?.({ type: 'standby' });
        standingBy = true;
        await pause(STANDBY_RETRY_MS);
        return;
      }
      logger.info(standingBy ? 'took over the mailbox' : 'holding the mailbox');
      standingBy = false;
      const assertOwnership = async () => {
        // The reserved session holds no other advisory lock: any one of ours is this mailbox's.
        const held = await session`select count(*)::int as n from pg_locks where locktype = 'advisory' and granted and pid = pg_backend_pid()`.then(
          (rows) => rows[0]?.n === 1,
          (err: Error) => {
            logger.warn({ err: errorMessage(err) }, 'cannot check the mailbox lock');
            return false;
          },
        );
        if (!held) throw new HelpdeskError('intake.lock_lost', `mailbox ${serviceAddress}: this process no longer holds its lock (Postgres restarted?)`);
      };
      poller = makePoller(assertOwnership);
      await poller.run();
    } finally {
      poller = null;
      // Standing by or stopping: give the lock back. If this fails the session is gone, and
      // its lock with it.
      await session`select pg_advisory_unlock_all()`.catch((err: Error) => logger.debug({ err: err.message }, 'releasing the mailbox lock failed'));
    }
  }

  /** Holds the mailbox, or stands by for it, until stopped; the lock session's faults are retried. */
  async function serve(session: Sql): Promise<void> {
    // Instants of the failures since the lock was last taken (the poller counts its own).
    let failures: number[] = [];
    while (!stopping) {
      try {
        await holdMailbox(session, () => {
          failures = [];
        });
      } catch (err) {
        if (stopping) break;
        if (isHelpdeskError(err, 'intake.unrecoverable')) throw err;
        if (isHelpdeskError(err, 'intake.lock_lost')) {
          // Stop reading at once; take the lock again, or stand by if another process has it.
          logger.warn({ err: err.message }, 'lost the mailbox lock; stopped reading');
          continue;
        }
        deps.onReport?.({ type: 'failed', error: err });
        const step = afterFailure(policy, failures, clock.now().getTime());
        failures = step.failures;
        const reason = errorMessage(err);
        if (step.decision.giveUp && isTransientDatabaseError(err)) {
          // Postgres away for minutes: every role waits for it, and a restarted process could do
          // nothing more; keep trying at the longest delay instead of exiting.
          logger.error({ err: reason, failures: step.decision.failures, retryInMs: policy.maxDelayMs }, 'Postgres still unavailable; intake waits for it');
          await pause(policy.maxDelayMs);
          continue;
        }
        if (step.decision.giveUp) {
          throw new HelpdeskError('intake.unrecoverable', `mailbox ${serviceAddress}: ${step.decision.failures} failures in a row, the last: ${reason}`, { cause: err });
        }
        logger.error({ err: reason, failures: step.decision.failures, retryInMs: step.decision.delayMs }, 'intake loop failed; restarting');
        await pause(step.decision.delayMs);
      }
    }
  }

  return {
    async run() {
      const session = deps.openLockSession();
      try {
        await serve(session);
      } finally {
        await session.end({ timeout: 2 });
      }
    },
    async stop() {
      stopping = true;
      wake?.();
      await poller?.stop();
    },
  };
}
