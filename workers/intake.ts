// Intake role: one poller per service mailbox, guarded by a Postgres advisory lock held on a
// dedicated connection, so two bot processes never consume the same mailbox (the second one
// waits as a hot standby and takes over when the first one's connection goes away).
import { createMailboxPoller, type MailboxPoller } from '../src/adapters/imap/mailbox-poller.ts';
import type { Queues } from '../src/adapters/queue/queues.ts';
import type { ImapEndpoint } from '../src/config/env.ts';
import type { Sql } from '../src/db/client.ts';
import type { Logger } from '../src/shared/logger.ts';
import type { SlaService } from '../src/sla/sla.usecases.ts';
import type { Intake } from '../src/tickets/intake.usecases.ts';

export interface IntakeWorker {
  run(): Promise<void>;
  stop(): Promise<void>;
}

export function createIntakeWorker(deps: {
  sql: Sql;
  endpoint: ImapEndpoint;
  serviceAddress: string;
  intake: Intake;
  queues: Queues;
  sla: SlaService;
  db: Parameters<SlaService['timersFor']>[0];
  logger: Logger;
  safetyPollMs?: number;
  batchSize?: number;
}): IntakeWorker {
  const { intake, serviceAddress, queues, logger } = deps;
  let stopping = false;
  let poller: MailboxPoller | null = null;
  let wakeStandby: (() => void) | null = null;

  const makePoller = () =>
    createMailboxPoller({
      endpoint: deps.endpoint,
      logger,
      safetyPollMs: deps.safetyPollMs,
      batchSize: deps.batchSize,
      loadState: (uidValidity) => intake.loadState(serviceAddress, uidValidity),
      folderOfCommitted: (uidValidity, uids) => intake.folderOfCommitted(serviceAddress, uidValidity, uids),
      async commitBatch(uidValidity, mails) {
        const result = await intake.commitBatch(serviceAddress, uidValidity, mails);
        return {
          folders: result.folders,
          afterCommit: async () => {
            await queues.enqueueOutbound(result.outboundIds);
            await queues.scheduleTimers(await deps.sla.timersFor(deps.db, result.slaTicketIds), new Date());
          },
        };
      },
    });

  return {
    async run() {
      while (!stopping) {
        const reserved = await deps.sql.reserve();
        try {
          const [row] = await reserved`select pg_try_advisory_lock(hashtext(${'mailbox:' + serviceAddress})) as locked`;
          if (!row?.locked) {
            logger.info({ mailbox: serviceAddress }, 'another process holds this mailbox; standing by');
            await new Promise<void>((resolve) => {
              const t = setTimeout(resolve, 5_000);
              wakeStandby = () => {
                clearTimeout(t);
                resolve();
              };
            });
            continue;
          }
          poller = makePoller();
          await poller.run();
        } finally {
          poller = null;
          // Releasing the connection ends the session only when closed; unlock explicitly.
          await reserved`select pg_advisory_unlock_all()`.catch(() => {});
          reserved.release();
        }
      }
    },
    async stop() {
      stopping = true;
      wakeStandby?.();
      await poller?.stop();
    },
  };
}
