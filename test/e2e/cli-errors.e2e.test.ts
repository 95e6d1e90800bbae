// The command line explains itself: a version, usage errors apart from server faults (exit 2 and
// 4), the cause of a database failure in one line without SQL, and database-only commands that
// need nothing but DATABASE_URL.
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from '../support/bot-process.ts';
import { freePort } from '../support/private-services.ts';
import { createTestDatabase, testEnv, uniqueSuffix } from '../support/services.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

/** Runs helpdesk outside the checkout (no .services/env to fall back on) with only these variables. */
function runWithOnly(env: Record<string, string>, args: string[]) {
  const bare = { ...process.env, DATABASE_URL: '', REDIS_URL: '', IMAP_URL: '', SMTP_URL: '', HELPDESK_SECRET: '', ...env };
  return spawnSync(process.execPath, [BIN, ...args], { cwd: tmpdir(), env: bare, encoding: 'utf8', timeout: 60_000 });
}

describe('helpdesk errors and exit codes', () => {
  it('prints its version', () => {
    const r = runCli({}, ['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe((JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { version: string }).version);
  });

  it('exits 2 on a usage error', () => {
    expect(runCli({}, ['tickets', '--bogus']).status).toBe(2);
    const page = runCli({ DATABASE_URL: db.url }, ['tickets', '--page', '0']);
    expect(page.status).toBe(2);
    expect(page.stderr.trim()).toBe('error: --page: "0" is not a whole number above zero');
  });

  it('says an unreachable database in one line and exits 4', async () => {
    const port = await freePort();
    const r = runCli({ DATABASE_URL: `postgres://helpdesk:helpdesk@127.0.0.1:${port}/helpdesk` }, ['tickets']);
    expect(r.status).toBe(4);
    expect(r.stderr).toBe(`error: cannot reach Postgres at 127.0.0.1:${port}: connection refused\n`);
  });

  it('says a database that is not migrated, without SQL', async () => {
    const env = testEnv();
    const name = `hd_unmigrated_${uniqueSuffix()}`;
    const admin = postgres(env.databaseUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    try {
      const url = new URL(env.databaseUrl);
      url.pathname = `/${name}`;
      const r = runCli({ DATABASE_URL: url.toString() }, ['tickets']);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe('error: the database is not migrated to this version: run `helpdesk migrate`\n');
    } finally {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });

  it('runs a database-only command with DATABASE_URL alone', () => {
    const r = runWithOnly({ DATABASE_URL: db.url }, ['tickets']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('no tickets');
    for (const args of [['outbox'], ['quarantine']]) {
      const listing = runWithOnly({ DATABASE_URL: db.url }, args);
      expect(listing.stderr, args.join(' ')).toBe('');
      expect(listing.status, args.join(' ')).toBe(0);
    }
    const bare = runWithOnly({}, ['tickets']);
    expect(bare.status).toBe(1);
    expect(bare.stderr).toContain('DATABASE_URL: is required');
  });
});
