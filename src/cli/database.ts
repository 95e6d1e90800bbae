// The database connection of a command that needs nothing else (tickets, ticket, timebank, the
// outbox and quarantine listings, contracts sync): DATABASE_URL alone, a short connect timeout, and
// an unreachable server said in one line (exit 4) instead of a driver error after 30 s.
import type { Database } from '../db/client.ts';
import { HelpdeskError } from '../shared/errors.ts';
import { unreachableReason } from './cli-failure.ts';

const CONNECT_TIMEOUT_SECONDS = 10;

/** A short-lived connection for one command. */
export async function withDatabase<T>(work: (db: Database) => Promise<T>): Promise<T> {
  const [{ connectDatabase }, { loadDatabaseEnv }] = await Promise.all([import('../db/client.ts'), import('../config/env.ts')]);
  const { databaseUrl } = loadDatabaseEnv();
  const handle = connectDatabase(databaseUrl, { max: 2, connectTimeoutSeconds: CONNECT_TIMEOUT_SECONDS });
  try {
    return await work(handle.db);
  } catch (err) {
    const reason = unreachableReason(err);
    if (!reason) throw err;
    const url = new URL(databaseUrl);
    throw new HelpdeskError('db.unavailable', `cannot reach Postgres at ${url.hostname}:${url.port || 5432}: ${reason}`, { cause: err });
  } finally {
    await handle.close();
  }
}
