// `helpdesk check`: connects to every server the bot needs, as the bot would, and says in one line
// each what works or why not (docs/commands.md). Registering loads nothing heavy: the action
// imports the drivers when it runs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { ImapLogin } from '../adapters/imap/imap-client.ts';
import type { SmtpLogin } from '../adapters/smtp/smtp-sender.ts';
import { errorMessage, HelpdeskError } from '../shared/errors.ts';
import { checkExitCode, checkFailureCause, CheckTimeoutError, formatCheckLine, NotMigratedError, type CheckedServer, type CheckResult } from './check.models.ts';

/** The result is decided already; a connection that does not close cleanly is worth a line, not a failure. */
function warnCloseFailed(what: string) {
  return (err: unknown) => console.error(`warning: closing the ${what} connection failed: ${errorMessage(err)}`);
}

/** Runs one check within its time limit; whatever it left open is closed by `cleanup` either way. */
async function runCheck(server: CheckedServer, target: string, timeoutMs: number, work: () => Promise<string>, cleanup: () => void): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new CheckTimeoutError(timeoutMs)), timeoutMs)));
  try {
    const message = await Promise.race([work(), late]);
    return { server, target, ok: true, message, cause: null };
  } catch (err) {
    return { server, target, ok: false, ...checkFailureCause(err, timeoutMs) };
  } finally {
    clearTimeout(timer);
    cleanup();
  }
}

/** Connects, then compares drizzle's record of applied migrations with the journal shipped in drizzle/. */
async function checkPostgres(databaseUrl: string, timeoutMs: number): Promise<CheckResult> {
  const { connectDatabase, MIGRATIONS_FOLDER } = await import('../db/client.ts');
  const url = new URL(databaseUrl);
  const handle = connectDatabase(databaseUrl, { max: 1, connectTimeoutSeconds: Math.ceil(timeoutMs / 1000) });
  const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: { when: number }[] };
  return runCheck(
    'postgres',
    `${url.hostname}:${url.port || 5432}${url.pathname}`,
    timeoutMs,
    async () => {
      await handle.sql`select 1`;
      // drizzle's migrator applies each journal entry newer than the newest created_at it recorded.
      const [exists] = await handle.sql<{ present: boolean }[]>`select to_regclass('drizzle.__drizzle_migrations') is not null as present`;
      const rows = exists?.present ? await handle.sql<{ last: string | null }[]>`select max(created_at)::text as last from drizzle.__drizzle_migrations` : [];
      const last = Number(rows[0]?.last ?? 0);
      const applied = journal.entries.filter((entry) => entry.when <= last).length;
      if (applied < journal.entries.length) throw new NotMigratedError(applied, journal.entries.length);
      return `connected, ${applied} migrations applied`;
    },
    () => void handle.sql.end({ timeout: 0 }).catch(warnCloseFailed('Postgres')),
  );
}

async function checkRedis(redisUrl: string, timeoutMs: number): Promise<CheckResult> {
  const { Redis } = await import('ioredis');
  const url = new URL(redisUrl);
  // one attempt, no reconnects: the check reports the first failure rather than retrying it away
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs });
  // ioredis rejects connect() with "Connection is closed."; the socket's error came as an event first
  let socketError: Error | null = null;
  redis.on('error', (err: Error) => (socketError ??= err));
  return runCheck(
    'redis',
    `${url.hostname}:${url.port || 6379}`,
    timeoutMs,
    async () => {
      try {
        await redis.connect();
        const answer = await redis.ping();
        const policy = (await redis.config('GET', 'maxmemory-policy')) as string[];
        return policy[1] && policy[1] !== 'noeviction' ? `PING ${answer}; warning: maxmemory-policy is ${policy[1]}, use noeviction` : `PING ${answer}`;
      } catch (err) {
        throw socketError ?? err;
      }
    },
    () => redis.disconnect(),
  );
}

async function checkImap(login: ImapLogin, timeoutMs: number): Promise<CheckResult> {
  const [{ createImapClient }, { PROCESSED_FOLDER, QUARANTINE_FOLDER }] = await Promise.all([import('../adapters/imap/imap-client.ts'), import('../adapters/imap/mailbox-poller.ts')]);
  const client = createImapClient(login, { connectionTimeoutMs: timeoutMs });
  // the same failure also rejects connect(); the event must have a listener or it throws
  client.on('error', () => undefined);
  return runCheck(
    'imap',
    `${login.user} at ${login.host}:${login.port}`,
    timeoutMs,
    async () => {
      await client.connect();
      const mailbox = await client.mailboxOpen(login.mailbox, { readOnly: true });
      const existing = new Set((await client.list()).map((entry) => entry.path));
      const created: string[] = [];
      for (const folder of [PROCESSED_FOLDER, QUARANTINE_FOLDER]) {
        if (existing.has(folder)) continue;
        // the bot creates them on its first poll; creating them here proves it may
        await client.mailboxCreate(folder);
        created.push(folder);
      }
      await client.logout();
      const folders = created.length > 0 ? `${created.join(' and ')} created` : `${PROCESSED_FOLDER} and ${QUARANTINE_FOLDER} exist`;
      return `logged in${login.oauth2 ? ' with OAuth2' : ''}, ${login.mailbox} has ${mailbox.exists} messages, ${folders}`;
    },
    () => {
      if (client.usable) void client.logout().catch(warnCloseFailed('IMAP'));
      else client.close();
    },
  );
}

async function checkSmtp(login: SmtpLogin, timeoutMs: number): Promise<CheckResult> {
  const { verifySmtpLogin } = await import('../adapters/smtp/smtp-sender.ts');
  return runCheck(
    'smtp',
    `${login.user ? `${login.user} at ` : ''}${login.host}:${login.port}`,
    timeoutMs,
    async () => {
      await verifySmtpLogin(login, { timeoutMs });
      return login.user ? `connected, EHLO and login${login.oauth2 ? ' with OAuth2' : ''} accepted` : 'connected, EHLO accepted (no login configured)';
    },
    () => undefined,
  );
}

export async function runChecks(timeoutMs: number): Promise<CheckResult[]> {
  const [{ loadEnv }, { loadMailAuthEnv }, { mailLogins }] = await Promise.all([
    import('../config/env.ts'),
    import('../config/mail-auth-env.ts'),
    import('../adapters/oauth/mail-logins.ts'),
  ]);
  const env = loadEnv();
  const logins = mailLogins(env, loadMailAuthEnv(env));
  return Promise.all([
    checkPostgres(env.databaseUrl, timeoutMs),
    checkRedis(env.redisUrl, timeoutMs),
    ...logins.imapMailboxes.map((login) => checkImap(login, timeoutMs)),
    checkSmtp(logins.smtp, timeoutMs),
  ]);
}

export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .description('connect to Postgres, Redis, each IMAP mailbox and SMTP; one line each: ok, or why not')
    .option('--timeout <seconds>', 'time limit of each check', '10')
    .option('--json', 'machine-readable output')
    .action(async (opts: { timeout: string; json?: boolean }) => {
      const seconds = Number(opts.timeout);
      if (!Number.isFinite(seconds) || seconds <= 0) throw new HelpdeskError('usage.invalid', `--timeout: "${opts.timeout}" is not a positive number of seconds`);
      const results = await runChecks(seconds * 1000);
      const exitCode = checkExitCode(results);
      if (opts.json) console.log(JSON.stringify({ ok: exitCode === 0, checks: results }, null, 2));
      else for (const result of results) console.log(formatCheckLine(result));
      // A check abandoned at its time limit may still hold a socket: leave now rather than wait for it.
      process.exit(exitCode);
    });
}
