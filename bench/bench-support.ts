// What every benchmark script shares: its command-line flags, the percentile it reports, and a
// logger that counts the bot's warnings and errors instead of printing them.
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { parseEnvFile } from '../src/config/env.ts';
import { testEnv } from '../test/support/services.ts';

/** `--name value` or `--name=value` from the command line. */
export function argValue(name: string): string | undefined {
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === `--${name}`) return args[i + 1];
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return undefined;
}

/** A positive number from a flag, or the fallback when the flag is absent. */
export function positiveNumber(text: string | undefined, fallback: number, what: string, integer = true): number {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new Error(`${what} must be a positive ${integer ? 'integer' : 'number'}, got "${text}"`);
  return n;
}

/** Nearest-rank percentile of an ascending list (p in 0..1); NaN for an empty list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))]!;
}

/**
 * A pino logger at level warn that counts lines by level and message and keeps a few samples
 * (quarantine warnings, expected by the ingest bench's malformed mails, are counted, not sampled).
 */
export function countingLogger() {
  const counts = new Map<string, number>();
  const samples: string[] = [];
  const logger = pino(
    { level: 'warn' },
    {
      write(line: string) {
        const entry = JSON.parse(line) as { msg?: string; level?: number };
        const key = `${(entry.level ?? 0) >= 50 ? 'error' : 'warn'}: ${entry.msg ?? '?'}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        if (!/mail quarantined/.test(key) && samples.length < 5) samples.push(line.trim().slice(0, 600));
      },
    },
  );
  return { logger, counts, samples };
}

/** The local services' settings a bench needs to write into Dovecot's maildirs directly. */
export function localMailSettings(): { env: ReturnType<typeof testEnv>; mailRoot: string; mailUid: number; mailGid: number } {
  const env = testEnv();
  if (!env.localMailRoot) throw new Error('HELPDESK_MAIL_ROOT is not set: run `npm run services` (it writes .services/env)');
  // Dovecot stores mail as this uid/gid; files we create as root must be handed over to it.
  const services = env.servicesEnvFile ? parseEnvFile(readFileSync(env.servicesEnvFile, 'utf8')) : {};
  const mailUid = positiveNumber(process.env.HELPDESK_MAIL_UID ?? services.HELPDESK_MAIL_UID, 65534, 'HELPDESK_MAIL_UID');
  const mailGid = positiveNumber(process.env.HELPDESK_MAIL_GID ?? services.HELPDESK_MAIL_GID, 65534, 'HELPDESK_MAIL_GID');
  return { env, mailRoot: env.localMailRoot, mailUid, mailGid };
}
