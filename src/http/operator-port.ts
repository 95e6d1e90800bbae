// Health and metrics of one bot, and the HTTP server that serves them: built by createBot when
// HELPDESK_HTTP_PORT is set, fed by the intake, mailer and SLA workers through the hooks below.
import type { Queues } from '../adapters/queue/queues.ts';
import { createImapClient } from '../adapters/imap/imap-client.ts';
import type { ImapEndpoint } from '../config/env.ts';
import type { HttpEnv } from '../config/http-env.ts';
import type { DatabaseHandle } from '../db/client.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { createOutboxQueries } from '../tickets/outbox.queries.ts';
import { createHealthMonitor, type MailboxReport } from './health.ts';
import { startHttpServer, type HttpServer } from './http-server.ts';
import { createMetrics } from './metrics.ts';
import type { QueueDashboardHandler } from './queue-dashboard-path.ts';

const QUEUE_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;

/** Logs in and out once; the client's own `error` event is the same failure, logged by no one else. */
async function probeMailbox(endpoint: ImapEndpoint, logger: Logger): Promise<void> {
  const client = createImapClient(endpoint);
  client.on('error', (err: Error) => logger.debug({ err: err.message }, 'health probe connection error'));
  try {
    await client.connect();
  } finally {
    if (client.usable) await client.logout();
    else client.close();
  }
}

export function createOperatorPort(deps: {
  http: HttpEnv;
  db: DatabaseHandle;
  queues: Queues;
  clock: Clock;
  logger: Logger;
  mailboxes: readonly ImapEndpoint[];
  mailer: boolean;
}) {
  const { db, queues, logger } = deps;
  const metrics = createMetrics({
    source: {
      async queueDepths() {
        const [outbound, slaTimers] = await Promise.all([queues.outbound.getJobCounts(...QUEUE_STATES), queues.slaTimers.getJobCounts(...QUEUE_STATES)]);
        return { [queues.outbound.name]: outbound, [queues.slaTimers.name]: slaTimers };
      },
      outboxStates: () => createOutboxQueries({ db: db.db }).countUnsent(),
    },
  });
  const health = createHealthMonitor({
    clock: deps.clock,
    staleMs: deps.http.mailboxStaleMs,
    mailboxes: deps.mailboxes,
    mailer: deps.mailer,
    pingPostgres: async () => {
      await db.sql`select 1`;
    },
    pingRedis: async () => {
      await queues.connection.ping();
    },
    probeMailbox: (endpoint) => probeMailbox(endpoint, logger),
  });
  let server: HttpServer | null = null;

  return {
    metrics,
    health,
    async start(): Promise<void> {
      let dashboard: QueueDashboardHandler | null = null;
      if (deps.http.queueDashboard !== 'off') {
        const { createQueueDashboard } = await import('./queue-dashboard.ts');
        dashboard = createQueueDashboard({ queues: [queues.outbound, queues.slaTimers], readOnly: deps.http.queueDashboard === 'read-only', title: 'helpdesk queues' });
      }
      server = await startHttpServer({ host: deps.http.host, port: deps.http.port, health, metrics, logger, dashboard });
    },
    async stop(): Promise<void> {
      await server?.close();
      server = null;
    },
    url: () => server?.url ?? null,
    intakeReport(mailbox: string, report: MailboxReport | { type: 'committed'; processed: number; quarantined: number; ticketsOpened: number; seconds: number }): void {
      if (report.type === 'committed') metrics.batchCommitted(mailbox, report);
      else health.mailboxReport(mailbox, report);
    },
    outboundEvents: {
      sent(row: { kind: string }, seconds: number): void {
        metrics.mailSent(row.kind, seconds);
        health.mailSent();
      },
      failed(row: { kind: string }, err: unknown, permanent: boolean, seconds: number): void {
        metrics.mailFailed(row.kind, permanent, seconds);
        health.mailFailed(err, permanent);
      },
    },
    slaFired: (outcome: 'warned' | 'breached') => metrics.slaFired(outcome),
  };
}

export type OperatorPort = ReturnType<typeof createOperatorPort>;
