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
import { HelpdeskError, isHelpdeskError } from '../src/shared/errors.ts';
import type { Logger } from '../src/shared/logger.ts';
import type { Database } from '../src/db/client.ts';
import { listSlaTimers } from '../src/tickets/sla-escalation.usecases.ts';
import { dispositionsOf, type Intake } from '../src/tickets/intake.usecases.ts';

const STANDBY_RETRY_MS = 5_000;

export interface IntakeWorker {
  /** resolves when stopped; rejects with `intake.unrecoverable` when the mailbox cannot be served */
  run(): Promise<void>;
  stop(): Promise<void>;
}

export function createIntakeWorker(deps: {
  sql: Sql;
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
}): IntakeWorker {
  const { intake, serviceAddress, queues, clock } = deps;
  const logger = deps.logger.child({ mailbox: serviceAddress });
  const policy: ReconnectPolicy = { ...DEFAULT_RECONNECT_POLICY, ...deps.reconnectPolicy };
  let stopping = false;
  let poller: MailboxPoller | null = null;
  let wake: (() => void) | null = null;

  const makePoller = () =>
    createMailboxPoller({
      endpoint: deps.endpoint,
      logger: deps.logger,
      safetyPollMs: deps.safetyPollMs,
      batchSize: deps.batchSize,
      reconnectPolicy: deps.reconnectPolicy,
      now: () => clock.now().getTime(),
      loadState: (uidValidity) => intake.loadState(serviceAddress, uidValidity),
      dispositionOfCommitted: (uidValidity, uids) => intake.outcomesOfCommitted(serviceAddress, uidValidity, uids),
      prepare: (mails) => intake.prepare(mails),
      async commitBatch(uidValidity, mails) {
        const result = await intake.commitBatch(serviceAddress, uidValidity, mails);
        return {
          dispositions: dispositionsOf(result.outcomes),
          // Both at once: the acks reach the queue one Redis round trip after the commit, and
          // the move and next batch do not also wait for the timers' Postgres read.
          afterCommit: async () => {
            await Promise.all([
              queues.enqueueOutbound(result.outboundIds),
              queues.enqueueOutbound(result.backgroundOutboundIds, { background: true }),
              listSlaTimers(deps.db, result.slaTicketIds).then((timers) => queues.scheduleTimers(timers, clock.now())),
            ]);
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

  /** Takes the mailbox's lock and runs its poller until stopped; returns early to stand by. */
  async function holdMailbox(onLocked: () => void): Promise<void> {
    const reserved = await deps.sql.reserve();
    try {
      const [row] = await reserved`select pg_try_advisory_lock(hashtext(${'mailbox:' + serviceAddress})) as locked`;
      onLocked();
      if (!row?.locked) {
        logger.info('another process holds this mailbox; standing by');
        await pause(STANDBY_RETRY_MS);
        return;
      }
      poller = makePoller();
      await poller.run();
    } finally {
      poller = null;
      // Releasing the connection ends the session only when closed; unlock explicitly. If this
      // fails the connection is broken, and the session (with its lock) ends with it.
      await reserved`select pg_advisory_unlock_all()`.catch((err: Error) => logger.warn({ err: err.message }, 'releasing the mailbox lock failed'));
      reserved.release();
    }
  }

  return {
    async run() {
      // Instants of the failures since the lock was last taken (the poller counts its own).
      let failures: number[] = [];
      while (!stopping) {
        try {
          await holdMailbox(() => {
            failures = [];
          });
        } catch (err) {
          if (stopping) break;
          if (isHelpdeskError(err, 'intake.unrecoverable')) throw err;
          const step = afterFailure(policy, failures, clock.now().getTime());
          failures = step.failures;
          const reason = err instanceof Error ? err.message : String(err);
          if (step.decision.giveUp) {
            throw new HelpdeskError('intake.unrecoverable', `mailbox ${serviceAddress}: ${step.decision.failures} failures in a row, the last: ${reason}`, { cause: err });
          }
          logger.error({ err: reason, failures: step.decision.failures, retryInMs: step.decision.delayMs }, 'intake loop failed; restarting');
          await pause(step.decision.delayMs);
        }
      }
    },
    async stop() {
      stopping = true;
      wake?.();
      await poller?.stop();
    },
  };
}
