// Test access to the real local services that scripts/services.sh started: a fresh database
// per test file (so files run in parallel), unique queue prefixes and mailbox addresses.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { loadEnv, type AppEnv } from '../../src/config/env.ts';
import { runMigrations } from '../../src/db/client.ts';

export function testEnv(overrides: Record<string, string> = {}): AppEnv {
  return loadEnv({ source: { ...process.env, HELPDESK_SECRET: 'test-secret-0123456789abcdef', ...overrides } });
}

export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

/** Creates an empty, migrated database; returns its URL and a function that drops it. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const env = testEnv();
  const name = `hd_test_${uniqueSuffix()}`;
  const admin = postgres(env.databaseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(env.databaseUrl);
  url.pathname = `/${name}`;
  await runMigrations(url.toString());
  return {
    url: url.toString(),
    async drop() {
      const a = postgres(env.databaseUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}
