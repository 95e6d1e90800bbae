// All wiring in one place: factories get their dependencies as objects; no container.
// `helpdesk start` and the e2e tests build the bot through createBot.
import path from 'node:path';
import type { Worker } from 'bullmq';
import type { ReconnectPolicy } from './adapters/imap/reconnect-policy.ts';
import { createQueues, type Queues } from './adapters/queue/queues.ts';
import { createSmtpSender, type MailSender } from './adapters/smtp/smtp-sender.ts';
import type { AppEnv } from './config/env.ts';
import { loadMailAuthEnv, type MailAuthEnv } from './config/mail-auth-env.ts';
import { mailLogins } from './adapters/oauth/mail-logins.ts';
import { ALL_ROLES, type Role } from './config/roles.ts';
import type { ContractsConfig } from './contracts/contracts.types.ts';
import { connectDatabase, connectSession, type DatabaseHandle } from './db/client.ts';
import { outboundMailsTable } from './mail/mail.tables.ts';
import { createOutbox } from './mail/outbox.usecases.ts';
import { loadLanguageDetector } from './mail/language-detector.ts';
import { createParsePool } from './mail/parse-pool.ts';
import { createTemplateRenderer } from './mail/templates.ts';
import { systemClock, type Clock } from './shared/clock.ts';
import { PROJECT_ROOT } from './shared/project-root.ts';
import type { Logger } from './shared/logger.ts';
import { createSlaClocks } from './sla/sla-clocks.usecases.ts';
import { createSlaEscalation, listSlaTimers } from './tickets/sla-escalation.usecases.ts';
import { createIntake } from './tickets/intake.usecases.ts';
import { reportUndeliveredAck } from './tickets/delivery-failure.usecases.ts';
import { prepaidCustomerNames, settlePrepaidEnds } from './tickets/prepaid.usecases.ts';
import { createIntakeWorker, type IntakeWorker } from '../workers/intake.ts';
import { createOutboundMailWorker, OUTBOUND_CONCURRENCY } from '../workers/outbound-mail.ts';
import { createSlaTimersWorker } from '../workers/sla-timers.ts';
import { inArray, lt, and } from 'drizzle-orm';
import { watchQueueStore, type QueueStoreWatch } from './adapters/queue/queue-store-watch.ts';
import { errorMessage } from './shared/errors.ts';
import { throttledErrorLog } from './shared/logger.ts';
import type { HttpEnv } from './config/http-env.ts';
import { createOperatorPort, type OperatorPort } from './http/operator-port.ts';

export const TEMPLATES_DIR = path.join(PROJECT_ROOT, 'templates');

export { ALL_ROLES, type Role } from './config/roles.ts';

export interface BotOptions {
  env: AppEnv;
  config: ContractsConfig;
  logger: Logger;
  roles?: readonly Role[];
  clock?: Clock;
  queuePrefix?: string;
  safetyPollMs?: number;
  reconcileEveryMs?: number;
  /**
   * Called once when a role cannot go on (an intake loop that gave up). The default logs it,
   * stops the bot and exits the process with code 1, so a supervisor restarts it; a process
   * that looks alive but ingests nothing would never be restarted.
   */
  onFatal?: (err: Error) => void;
  /** when intake reconnects and when it gives up (tests shorten it) */
  intakeReconnectPolicy?: Partial<ReconnectPolicy>;
  /** stop() lets in-flight work finish for this long, then abandons it (ms). @defaultValue 20000 */
  stopTimeoutMs?: number;
  /** how often the SLA role checks that Redis still holds its jobs (ms). @defaultValue 2000 */
  queueStoreCheckMs?: number;
  /** serve /healthz and /metrics (HELPDESK_HTTP_PORT); none when null or absent */
  http?: HttpEnv | null;
  /** password or OAuth2 logins for IMAP and SMTP; read from the environment (IMAP_AUTH, OAUTH_…) when absent */
  mailAuth?: MailAuthEnv;
}

export interface Bot {
  db: DatabaseHandle;
  queues: Queues;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** re-enqueue unsent outbound rows and every running SLA timer (Postgres is the truth) */
  reconcile(options?: { settlePrepaid?: boolean }): Promise<{ outbound: number; timers: number; prepaidEndNotices: number }>;
  /** where /healthz and /metrics are served once started, or null */
  httpUrl(): string | null;
}

export function createBot(options: BotOptions): Bot {
  const { env, config, logger } = options;
  const roles = new Set(options.roles ?? ALL_ROLES);
  const clock = options.clock ?? systemClock;
  // One OAuth2 token provider for every mailbox and the mailer, when they log in with tokens.
  const logins = mailLogins(env, options.mailAuth ?? loadMailAuthEnv(env));
  const db = connectDatabase(env.databaseUrl, { max: 12 });
  const queues = createQueues({
    redisUrl: env.redisUrl,
    prefix: options.queuePrefix ?? env.queuePrefix,
    onError: throttledErrorLog(logger, 'redis or queue error'),
  });
  const renderer = createTemplateRenderer({ templatesDir: TEMPLATES_DIR });
  const outbox = createOutbox({ config, renderer, secret: env.secret });
  const slaClocks = createSlaClocks({ config });
  const slaEscalation = createSlaEscalation({ db: db.db, config, outbox, slaClocks });
  const workers: Worker[] = [];
  const intakeWorkers: IntakeWorker[] = [];
  let intakeRuns: Promise<void>[] = [];
  let parsePool: ReturnType<typeof createParsePool> | null = null;
  let reconcileTimer: NodeJS.Timeout | null = null;
  let storeWatch: QueueStoreWatch | null = null;
  let sender: MailSender | null = null;
  let fatal = false;
  const operator: OperatorPort | null = options.http
    ? createOperatorPort({ http: options.http, db, queues, clock, logger, mailboxes: roles.has('ingest') ? logins.imapMailboxes : [], mailer: roles.has('mailer') })
    : null;

  const logAtDebug = (what: string) => (err: unknown) => logger.debug({ err: errorMessage(err) }, what);

  function failFatally(err: Error): void {
    if (fatal) return;
    fatal = true;
    logger.fatal({ err: err.message, code: (err as { code?: string }).code }, 'a role cannot go on; stopping');
    if (options.onFatal) return options.onFatal(err);
    process.exitCode = 1;
    // Give in-flight work a bounded chance to finish, then leave whatever hangs behind.
    const exit = () => process.exit(1);
    setTimeout(exit, 10_000).unref();
    bot.stop().then(exit, (stopErr: Error) => {
      logger.error({ err: stopErr.message }, 'stopping after a fatal error failed');
      exit();
    });
  }

  /**
   * Reconciles now, or right after the reconcile already running (one at a time: a wipe noticed
   * during a reconcile must be followed by a full one), and logs what it re-offered.
   */
  let reconciling: Promise<unknown> = Promise.resolve();
  function reconcileAndLog(reason: string, options: { settlePrepaid: boolean }): Promise<void> {
    const run = reconciling.then(async () => {
      const started = Date.now();
      const counts = await reconcile(options);
      logger.info({ reason, ...counts, ms: Date.now() - started }, 'queued outbound mail and SLA timers again from Postgres');
    });
    // the caller reports this run's failure; the chain only has to go on
    reconciling = run.catch(logAtDebug('reconcile failed (reported by its caller)'));
    return run;
  }

  async function reconcile(options: { settlePrepaid?: boolean } = {}) {
    // Prepaid accounts that expired while nobody wrote end now, not on the customer's next mail;
    // their notices are keyed, so a second run queues nothing. A Redis fault changes no account:
    // the reconcile after one only re-queues.
    const prepaidCustomers = options.settlePrepaid === false ? [] : prepaidCustomerNames(config);
    const ended =
      prepaidCustomers.length === 0
        ? 0
        : await db.db.transaction(async (tx) => (await outbox.queueMany(tx, await settlePrepaidEnds(tx, config, { customerNames: prepaidCustomers, at: clock.now() }))).length);
    // Rows still queued (or caught mid-send by a crash) go back on the queue; job ids dedup.
    const pending = await db.db
      .select({ id: outboundMailsTable.id })
      .from(outboundMailsTable)
      .where(and(inArray(outboundMailsTable.state, ['queued', 'sending']), lt(outboundMailsTable.createdAt, new Date(clock.now().getTime() + 1000))));
    await queues.enqueueOutbound(pending.map((p) => p.id));
    const timers = await listSlaTimers(db.db, 'all');
    await queues.scheduleTimers(timers, clock.now());
    return { outbound: pending.length, timers: timers.length, prepaidEndNotices: ended };
  }

  /** Graceful: the poller completes its current batch, workers their jobs, then connections close. */
  async function finishInFlightWork(): Promise<void> {
    if (reconcileTimer) clearInterval(reconcileTimer);
    storeWatch?.stop();
    await Promise.all(intakeWorkers.map((w) => w.stop()));
    await Promise.all(intakeRuns);
    // With Redis away, a worker would wait for ever to hand back its jobs: those jobs' rows are
    // in Postgres, and the reconcile of the next start queues them again.
    const redisUp = queues.connection.status === 'ready';
    await Promise.all(workers.map((w) => w.close(!redisUp)));
    // nodemailer's pooled SMTP sockets would otherwise keep the process alive.
    sender?.close();
    await parsePool?.close();
    await operator?.stop();
    await queues.close();
    await db.close();
  }

  /** After the stop timeout: drop every connection without waiting for anything. */
  function abandonEverything(): void {
    for (const w of workers) void w.close(true).catch(logAtDebug('closing a worker after the stop timeout failed'));
    sender?.close();
    void parsePool?.close().catch(logAtDebug('closing the parse pool after the stop timeout failed'));
    void operator?.stop();
    queues.connection.disconnect();
    void db.sql.end({ timeout: 0 }).catch(logAtDebug('closing Postgres after the stop timeout failed'));
  }

  const bot: Bot = {
    db,
    queues,
    async start() {
      await operator?.start();
      if (roles.has('mailer')) {
        // One SMTP session per two jobs in flight: the other half is claiming or recording rows.
        sender = createSmtpSender(logins.smtp, { maxConnections: OUTBOUND_CONCURRENCY / 2 });
        workers.push(
          createOutboundMailWorker({
            connection: queues.connection,
            prefix: queues.prefix,
            db: db.db,
            sender,
            clock,
            logger,
            events: operator?.outboundEvents,
            reportRefused: (tx, refused) => reportUndeliveredAck(tx, { config, outbox }, refused, clock.now()),
            queueMail: (ids) => queues.enqueueOutbound(ids, { background: true }),
          }),
        );
      }
      if (roles.has('sla')) {
        workers.push(createSlaTimersWorker({ connection: queues.connection, prefix: queues.prefix, sla: slaEscalation, queues, clock, logger, onFired: operator?.slaFired }));
        await reconcileAndLog('start', { settlePrepaid: true });
        reconcileTimer = setInterval(() => {
          reconcileAndLog('periodic', { settlePrepaid: true }).catch((err: Error) => logger.error({ err: errorMessage(err) }, 'reconcile failed'));
        }, options.reconcileEveryMs ?? 5 * 60_000);
        reconcileTimer.unref();
        // Redis emptied or back after an outage: rebuild at once, not at the next periodic round.
        storeWatch = watchQueueStore({
          connection: queues.connection,
          prefix: queues.prefix,
          everyMs: options.queueStoreCheckMs,
          onEvent(event) {
            if (event === 'emptied') logger.warn('Redis lost its jobs (wiped or replaced); rebuilding them from Postgres');
            else logger.info('Redis is back; re-queueing from Postgres');
            reconcileAndLog(event === 'emptied' ? 'redis emptied' : 'redis reconnected', { settlePrepaid: false }).catch((err: Error) =>
              logger.error({ err: errorMessage(err) }, 'reconcile after a Redis fault failed; the periodic one will retry'),
            );
          },
          onError: throttledErrorLog(logger, 'checking the Redis marker failed'),
        });
      }
      if (roles.has('ingest')) {
        parsePool = createParsePool({ maxBytes: env.maxMailBytes, logger });
        // Loaded before the first batch, so no intake transaction waits the second it takes.
        await loadLanguageDetector();
        const intake = createIntake({ db: db.db, config, outbox, sla: slaClocks, secret: env.secret, logger, clock, parse: (raws) => parsePool!.parseMany(raws) });
        // One poller per service mailbox, each behind its own advisory lock.
        for (const endpoint of logins.imapMailboxes) {
          const serviceAddress = endpoint.user.toLowerCase();
          if (!config.provider.addresses.includes(serviceAddress)) {
            logger.warn({ imapUser: serviceAddress, addresses: config.provider.addresses }, 'IMAP user is not one of provider.addresses');
          }
          intakeWorkers.push(
            createIntakeWorker({ openLockSession: () => connectSession(env.databaseUrl, 'helpdesk-mailbox-lock'), endpoint, serviceAddress, intake, queues, db: db.db, clock, logger, safetyPollMs: options.safetyPollMs, reconnectPolicy: options.intakeReconnectPolicy, onReport: operator ? (report) => operator.intakeReport(serviceAddress, report) : undefined }),
          );
        }
        intakeRuns = intakeWorkers.map((w) => w.run().catch((err: Error) => failFatally(err)));
      }
      logger.info({ roles: [...roles] }, 'helpdesk started');
    },
    async stop() {
      const timeoutMs = options.stopTimeoutMs ?? 20_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
      const outcome = await Promise.race([finishInFlightWork().then(() => 'done' as const), timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        logger.error({ timeoutMs }, 'stopping took too long; abandoning the work still in flight (Postgres keeps the truth, the next start resumes it)');
        abandonEverything();
      }
      logger.info('helpdesk stopped');
    },
    reconcile,
    httpUrl: () => operator?.url() ?? null,
  };
  return bot;
}
