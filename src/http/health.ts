// The state behind /healthz: what intake and the mailer last reported, plus pings of Postgres
// and Redis at request time. A mailbox that has been silent past the stale limit is probed once
// (log in, log out) so the answer says why: the intake's own poller retries on its own and
// reports only its good polls here.
import type { ImapEndpoint } from '../config/env.ts';
import type { Clock } from '../shared/clock.ts';
import { errorMessage } from '../shared/errors.ts';
import { classifyConnectionError, mailboxHealth, mailerHealth, type MailboxHealth, type MailboxRecord, type MailerHealth, type MailerRecord } from './health.models.ts';

/** What the intake worker reports of one mailbox (see workers/intake.ts `onReport`). */
export type MailboxReport = { type: 'reached' } | { type: 'standby' } | { type: 'failed'; error: unknown };

export interface HealthDeps {
  clock: Clock;
  /** a mailbox silent this long (or a mailer failing this long) is red (ms) */
  staleMs: number;
  /** the mailboxes this process serves (empty without the ingest role) */
  mailboxes: readonly ImapEndpoint[];
  /** whether this process runs the mailer */
  mailer: boolean;
  pingPostgres(): Promise<void>;
  pingRedis(): Promise<void>;
  /** logs in to a mailbox and out again; rejects with the connection's error */
  probeMailbox(endpoint: ImapEndpoint): Promise<void>;
  /** a probe's answer is reused for this long, so a health check every few seconds logs in rarely. @defaultValue 30000 */
  probeEveryMs?: number;
}

export interface HealthReport {
  status: 'ok' | 'fail';
  /** one line per problem, empty when all is well */
  problems: string[];
  postgres: { ok: boolean; error: string | null };
  redis: { ok: boolean; error: string | null };
  mailboxes: MailboxHealth[];
  mailer: MailerHealth | null;
}

const PING_TIMEOUT_MS = 2_000;

function withTimeout(work: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export function createHealthMonitor(deps: HealthDeps) {
  const startedAt = deps.clock.now();
  const probeEveryMs = deps.probeEveryMs ?? 30_000;
  const records = new Map<string, MailboxRecord>(
    deps.mailboxes.map((endpoint) => {
      const mailbox = endpoint.user.toLowerCase();
      return [mailbox, { mailbox, since: startedAt, lastPollAt: null, standby: false, lastError: null }];
    }),
  );
  const endpoints = new Map(deps.mailboxes.map((endpoint) => [endpoint.user.toLowerCase(), endpoint]));
  const lastProbeAt = new Map<string, number>();
  const mailer: MailerRecord = { lastSentAt: null, lastFailure: null, failingSince: null };

  async function ping(run: () => Promise<void>, what: string): Promise<{ ok: boolean; error: string | null }> {
    try {
      await withTimeout(run(), PING_TIMEOUT_MS, what);
      return { ok: true, error: null };
    } catch (err) {
      return { ok: false, error: errorMessage(err) };
    }
  }

  /** Logs in to a silent mailbox to learn why it is silent (at most once per probeEveryMs). */
  async function probeIfSilent(record: MailboxRecord): Promise<void> {
    const now = deps.clock.now().getTime();
    if (record.standby || now - (record.lastPollAt ?? record.since).getTime() <= deps.staleMs) return;
    if (now - (lastProbeAt.get(record.mailbox) ?? 0) < probeEveryMs) return;
    lastProbeAt.set(record.mailbox, now);
    const endpoint = endpoints.get(record.mailbox)!;
    try {
      await withTimeout(deps.probeMailbox(endpoint), 10_000, `IMAP server ${endpoint.host}:${endpoint.port}`);
      // Reachable and the login works: the intake itself is stuck (or Postgres is away).
      record.lastError = { cause: 'other', message: 'the server answers, but intake has not polled', at: deps.clock.now() };
    } catch (err) {
      record.lastError = { cause: classifyConnectionError(err), message: errorMessage(err), at: deps.clock.now() };
    }
  }

  return {
    mailboxReport(mailbox: string, report: MailboxReport): void {
      const record = records.get(mailbox.toLowerCase());
      if (!record) return;
      const now = deps.clock.now();
      if (report.type === 'reached') {
        record.lastPollAt = now;
        record.standby = false;
        record.lastError = null;
      } else if (report.type === 'standby') {
        record.standby = true;
      } else {
        record.standby = false;
        record.lastError = { cause: classifyConnectionError(report.error), message: errorMessage(report.error), at: now };
      }
    },
    mailSent(): void {
      mailer.lastSentAt = deps.clock.now();
      mailer.failingSince = null;
    },
    mailFailed(err: unknown, permanent: boolean): void {
      const at = deps.clock.now();
      mailer.lastFailure = { at, message: errorMessage(err), permanent };
      if (!permanent) mailer.failingSince ??= at;
    },
    async check(): Promise<HealthReport> {
      const [postgres, redis] = await Promise.all([ping(deps.pingPostgres, 'Postgres'), ping(deps.pingRedis, 'Redis'), ...[...records.values()].map(probeIfSilent)]);
      const now = deps.clock.now();
      const mailboxes = [...records.values()].map((record) => mailboxHealth(record, now, deps.staleMs));
      const mailerView = deps.mailer ? mailerHealth(mailer, now, deps.staleMs) : null;
      const problems = [
        ...(postgres.ok ? [] : [`postgres: ${postgres.error}`]),
        ...(redis.ok ? [] : [`redis: ${redis.error}`]),
        ...mailboxes.flatMap((m) => (m.problem ? [m.problem] : [])),
        ...(mailerView?.problem ? [mailerView.problem] : []),
      ];
      return { status: problems.length === 0 ? 'ok' : 'fail', problems, postgres, redis, mailboxes, mailer: mailerView };
    },
  };
}

export type HealthMonitor = ReturnType<typeof createHealthMonitor>;
