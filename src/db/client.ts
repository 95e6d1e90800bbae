// The one place that opens Postgres connections and runs migrations.
import path from 'node:path';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { PROJECT_ROOT } from '../shared/project-root.ts';

// No relational schema: queries name their tables, so db/ imports no domain module.
export type Database = PostgresJsDatabase;
export type Sql = postgres.Sql;
/** A drizzle transaction; use cases take `DbOrTx` when they may run inside or outside one. */
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];
export type DbOrTx = Database | Tx;

export interface DatabaseHandle {
  db: Database;
  sql: Sql;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = path.join(PROJECT_ROOT, 'drizzle');

export function connectDatabase(url: string, options: { max?: number; connectTimeoutSeconds?: number } = {}): DatabaseHandle {
  const sql = postgres(url, {
    max: options.max ?? 10,
    connect_timeout: options.connectTimeoutSeconds ?? 30,
    onnotice: () => {},
    // timestamps come back as Date; bigint columns are declared mode 'number' in the schema
    connection: { application_name: 'helpdesk' },
  });
  const db = drizzle(withPreparedStatements(sql));
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

/**
 * A single-connection client for a session that holds state (an advisory lock). Not a connection
 * reserved from the pool: a reserved connection whose backend died goes back to the pool broken
 * when released (postgres.js 3.4.9 hands it out again, and every query on it fails), while this
 * client simply opens a new session on its next query, one that holds nothing, which tells the
 * caller that its lock is gone.
 */
export function connectSession(url: string, applicationName: string): Sql {
  return postgres(url, { max: 1, onnotice: () => {}, connection: { application_name: applicationName } });
}

/**
 * drizzle runs every query through postgres.js `unsafe()`, which does not prepare statements
 * by default: each statement is parsed and planned again, and costs two round trips. Our query
 * texts are fixed (values are always parameters), so preparing them is safe and cached per
 * connection; inside transactions and savepoints the same applies to the transaction's client.
 * Measured with bench/ingest.ts: roughly a third less Postgres CPU per ingested mail.
 */
function withPreparedStatements<T extends object>(client: T): T {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (property === 'unsafe') {
        return (query: string, params?: unknown[], options?: Record<string, unknown>) =>
          (value as (...a: unknown[]) => unknown).call(target, query, params, { ...options, prepare: true });
      }
      if (property === 'begin' || property === 'savepoint') {
        return (...args: unknown[]) => {
          const fn = args[args.length - 1] as (tx: object) => unknown;
          return (value as (...a: unknown[]) => unknown).call(target, ...args.slice(0, -1), (tx: object) => fn(withPreparedStatements(tx)));
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

/** Applies drizzle/ migrations; idempotent (drizzle records applied ones in its own table). */
export async function runMigrations(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    // Two processes migrating at once (tests, a restart race) would collide on CREATE TABLE.
    await sql`select pg_advisory_lock(727274)`;
    await migrate(drizzle(sql), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await sql.end({ timeout: 5 });
  }
}
