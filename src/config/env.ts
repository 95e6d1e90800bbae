// The only reader of process.env. Validated once; every error names the variable.
// When DATABASE_URL/REDIS_URL/IMAP_URL/SMTP_URL are unset, the values written by
// `npm run services` in .services/env are used, so a checkout works with no exports.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from '../shared/vendor/zod.ts';
import { HelpdeskError } from '../shared/errors.ts';

export interface ImapEndpoint {
  secure: boolean;
  host: string;
  port: number;
  user: string;
  password: string;
  mailbox: string;
}

export interface SmtpEndpoint {
  secure: boolean;
  host: string;
  port: number;
  user: string | null;
  password: string | null;
}

export interface AppEnv {
  databaseUrl: string;
  redisUrl: string;
  /** the first (often only) service mailbox */
  imap: ImapEndpoint;
  /** every service mailbox: IMAP_URL may list several, separated by commas or spaces */
  imapMailboxes: ImapEndpoint[];
  imapUrl: string;
  smtp: SmtpEndpoint;
  contractsFile: string;
  /**
   * The reply-token secrets as one keyring string, newest first, separated by commas: the first
   * signs new reply addresses, every one verifies (HELPDESK_SECRET, then HELPDESK_PREVIOUS_SECRETS).
   * The reply-token functions take it as it is (src/mail/reply-token.models.ts, ReplySecrets).
   */
  secret: string;
  /** the same secrets as a list, newest first */
  secrets: string[];
  logLevel: string;
  /** where .services/env was found, if it was used */
  servicesEnvFile: string | null;
  /** mails larger than this go to quarantine unparsed */
  maxMailBytes: number;
  /** Dovecot maildir root of the local services (tests and benchmarks only) */
  localMailRoot: string | null;
  /** true when HELPDESK_SECRET was absent and the demo/test default is in use */
  insecureSecret: boolean;
  /** BullMQ key prefix, so several bots (or test files) can share one Redis */
  queuePrefix: string;
  /** SIGTERM: in-flight work gets this long, then the process exits whatever still hangs (ms) */
  stopTimeoutMs: number;
}

const DEV_SECRET = 'local-demo-secret-not-for-production';

/** `a, b,c` → [a, b, c]; empty entries (a trailing comma) are dropped. */
function secretList(value: string): string[] {
  return value
    .split(',')
    .map((secret) => secret.trim())
    .filter((secret) => secret !== '');
}

export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (match && match[1] && match[2] !== undefined) out[match[1]] = match[2].replace(/^"(.*)"$/, '$1');
  }
  return out;
}

export function findServicesEnvFile(start = process.cwd()): string | null {
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, '.services', 'env');
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

export function parseImapUrl(url: string): ImapEndpoint {
  const u = new URL(url);
  if (u.protocol !== 'imap:' && u.protocol !== 'imaps:') throw new Error('must start with imap:// or imaps://');
  const secure = u.protocol === 'imaps:';
  const mailbox = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'INBOX';
  if (!u.username) throw new Error('needs a user (imap://user:pass@host:port/INBOX)');
  return {
    secure,
    host: u.hostname,
    port: u.port ? Number(u.port) : secure ? 993 : 143,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    mailbox,
  };
}

export function parseSmtpUrl(url: string): SmtpEndpoint {
  const u = new URL(url);
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') throw new Error('must start with smtp:// or smtps://');
  const secure = u.protocol === 'smtps:';
  return {
    secure,
    host: u.hostname,
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    user: u.username ? decodeURIComponent(u.username) : null,
    password: u.password ? decodeURIComponent(u.password) : null,
  };
}

const EnvSchema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL'),
  IMAP_URL: z.string().min(1, 'is required'),
  SMTP_URL: z.string().min(1, 'is required'),
  CONTRACTS_FILE: z.string().default('./contracts.yaml'),
  // One secret, or several separated by commas during a rotation: the first signs, all verify.
  HELPDESK_SECRET: z
    .string()
    .refine((value) => secretList(value).every((secret) => secret.length >= 16), 'each secret must be at least 16 characters (several are separated by commas)')
    .optional(),
  HELPDESK_PREVIOUS_SECRETS: z
    .string()
    .refine((value) => secretList(value).every((secret) => secret.length >= 16), 'each secret must be at least 16 characters (several are separated by commas)')
    .optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  HELPDESK_MAX_MAIL_BYTES: z.coerce.number().int().positive().default(25 * 1024 * 1024),
  HELPDESK_MAIL_ROOT: z.string().optional(),
  HELPDESK_ALLOW_DEV_SECRET: z.string().optional(),
  HELPDESK_QUEUE_PREFIX: z.string().regex(/^[a-zA-Z0-9_-]+$/, 'letters, digits, - and _ only').default('helpdesk'),
  HELPDESK_STOP_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
});

/**
 * Builds the validated environment. `source` defaults to process.env; tests pass their own.
 * `requireSecret`: outside demo/tests HELPDESK_SECRET is mandatory (reply tokens must be unguessable).
 */
export function loadEnv(options: { source?: NodeJS.ProcessEnv; requireSecret?: boolean; cwd?: string } = {}): AppEnv {
  const source = options.source ?? process.env;
  const servicesEnvFile = findServicesEnvFile(options.cwd);
  const fromFile = servicesEnvFile ? parseEnvFile(readFileSync(servicesEnvFile, 'utf8')) : {};
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const [k, v] of Object.entries(source)) if (v !== undefined && v !== '') merged[k] = v;

  const parsed = EnvSchema.safeParse(merged);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
  }
  let imapMailboxes: ImapEndpoint[] = [];
  let smtp: SmtpEndpoint | null = null;
  if (parsed.success) {
    for (const [i, url] of parsed.data.IMAP_URL.split(/[\s,]+/).filter(Boolean).entries()) {
      try {
        imapMailboxes.push(parseImapUrl(url));
      } catch (err) {
        problems.push(`IMAP_URL${i > 0 ? ` (mailbox ${i + 1})` : ''}: ${(err as Error).message}`);
      }
    }
    try {
      smtp = parseSmtpUrl(parsed.data.SMTP_URL);
    } catch (err) {
      problems.push(`SMTP_URL: ${(err as Error).message}`);
    }
  }
  // `npm run services` writes a random HELPDESK_SECRET into .services/env, so local runs have one.
  const allowDevSecret = !options.requireSecret || merged.HELPDESK_ALLOW_DEV_SECRET === '1';
  if (parsed.success && !parsed.data.HELPDESK_SECRET && !allowDevSecret) {
    problems.push('HELPDESK_SECRET: is required (a random string of 16+ characters; it keys the reply-address tokens)');
  }
  const imap = imapMailboxes[0];
  if (!parsed.success || !imap || !smtp || problems.length > 0) {
    const hint = servicesEnvFile ? '' : ' (no .services/env found: run `npm run services` for local servers)';
    throw new HelpdeskError('config.env_invalid', `environment is invalid${hint}`, { details: problems });
  }
  const data = parsed.data;
  const secrets = [...new Set([...secretList(data.HELPDESK_SECRET ?? DEV_SECRET), ...secretList(data.HELPDESK_PREVIOUS_SECRETS ?? '')])];
  return {
    databaseUrl: data.DATABASE_URL,
    redisUrl: data.REDIS_URL,
    imapUrl: data.IMAP_URL,
    imap,
    imapMailboxes,
    smtp,
    contractsFile: data.CONTRACTS_FILE,
    secret: secrets.join(','),
    secrets,
    insecureSecret: data.HELPDESK_SECRET === undefined,
    logLevel: data.LOG_LEVEL,
    servicesEnvFile,
    maxMailBytes: data.HELPDESK_MAX_MAIL_BYTES,
    localMailRoot: data.HELPDESK_MAIL_ROOT ?? null,
    queuePrefix: data.HELPDESK_QUEUE_PREFIX,
    stopTimeoutMs: data.HELPDESK_STOP_TIMEOUT_MS,
  };
}

/**
 * What a command that only reads or writes the database needs (`tickets`, `ticket`, `timebank`,
 * `outbox`, `quarantine`, `migrate`, `contracts sync`): DATABASE_URL alone, with the same
 * .services/env fallback as loadEnv, so those commands work where only the database is set.
 */
export function loadDatabaseEnv(options: { source?: NodeJS.ProcessEnv; cwd?: string } = {}): { databaseUrl: string; contractsFile: string } {
  const source = options.source ?? process.env;
  const servicesEnvFile = findServicesEnvFile(options.cwd);
  const fromFile = servicesEnvFile ? parseEnvFile(readFileSync(servicesEnvFile, 'utf8')) : {};
  const value = source.DATABASE_URL || fromFile.DATABASE_URL;
  const parsed = EnvSchema.shape.DATABASE_URL.safeParse(value);
  if (!parsed.success) {
    const hint = servicesEnvFile ? '' : ' (no .services/env found: run `npm run services` for local servers)';
    throw new HelpdeskError('config.env_invalid', `environment is invalid${hint}`, {
      details: [`DATABASE_URL: ${value === undefined ? 'is required' : parsed.error.issues[0]!.message}`],
    });
  }
  return { databaseUrl: parsed.data, contractsFile: EnvSchema.shape.CONTRACTS_FILE.parse(source.CONTRACTS_FILE || fromFile.CONTRACTS_FILE) };
}
