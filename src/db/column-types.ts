// Column types drizzle lacks out of the box.
import { sql, type SQL } from 'drizzle-orm';
import { customType, type AnyPgColumn } from 'drizzle-orm/pg-core';

/** Raw bytes (bytea) as a Node Buffer. The migration sets COMPRESSION lz4 on raw mail columns. */
export const bytea = customType<{ data: Buffer; driverData: Buffer }>({
  dataType() {
    return 'bytea';
  },
});

/**
 * A check constraint body: the column holds one of these values. Used with drizzle's `check()` so
 * a typed column (`$type<Priority>()`, `text({ enum })`) is also enforced by Postgres.
 */
export function oneOf(column: AnyPgColumn, values: readonly string[]): SQL {
  return sql`${column} in (${sql.raw(values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', '))})`;
}
