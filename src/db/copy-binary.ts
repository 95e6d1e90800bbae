// Bulk rows into Postgres with COPY … FROM STDIN (FORMAT binary): each value goes as its own bytes,
// with no statement per row and no text encoding. Raw mail is the reason: a bytea parameter goes
// as hex text (twice the size, encoded here, decoded there), and one INSERT per mail costs a
// statement each. Mail text is the other: as one jsonb parameter, a batch's ~4 MB of text was
// stringified, measured (Buffer.byteLength of a two-byte string) and copied on the main thread,
// then parsed again by Postgres. Measured on 3,000 mails of ~21 KB: the bot's CPU for the inserts fell from
// 0.95-1.47 s to 0.41-0.64 s (bench/ingest.ts measures the whole pipeline).
//
// The format: https://www.postgresql.org/docs/current/sql-copy.html ("Binary Format").
import { HelpdeskError } from '../shared/errors.ts';
import type { DbOrTx, Sql } from './client.ts';

/**
 * The column types this encoder writes, in Postgres' binary send format; `null` is SQL NULL.
 * `timestamptz` is sent as microseconds since 2000-01-01 UTC (the integer datetimes every
 * supported Postgres uses).
 */
export type CopyValue =
  | { type: 'int8' | 'int4'; value: number | null }
  | { type: 'text'; value: string | null }
  | { type: 'bytea'; value: Uint8Array | null }
  | { type: 'bool'; value: boolean | null }
  | { type: 'timestamptz'; value: Date | null }
  | { type: 'text[]'; value: readonly string[] | null };

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** flags (no OIDs) and the header extension length, both zero */
const HEADER_REST = Buffer.alloc(8);
const TRAILER = Buffer.from([0xff, 0xff]);
const NULL_FIELD = Buffer.from([0xff, 0xff, 0xff, 0xff]);
const TEXT_OID = 25;
const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);

function lengthPrefixed(bytes: Buffer): Buffer[] {
  const length = Buffer.alloc(4);
  length.writeInt32BE(bytes.length, 0);
  return [length, bytes];
}

function integerField(type: 'int8' | 'int4', value: number): Buffer {
  if (!Number.isSafeInteger(value)) throw new HelpdeskError('db.copy_invalid', `COPY ${type}: ${value} is not an integer`);
  if (type === 'int4') {
    const out = Buffer.alloc(8);
    out.writeInt32BE(4, 0);
    out.writeInt32BE(value, 4);
    return out;
  }
  const out = Buffer.alloc(12);
  out.writeInt32BE(8, 0);
  out.writeBigInt64BE(BigInt(value), 4);
  return out;
}

/** A one-dimensional text[] (an empty array has no dimensions), without NULL elements. */
function textArrayField(values: readonly string[]): Buffer[] {
  if (values.length === 0) {
    const empty = Buffer.alloc(16);
    empty.writeInt32BE(12, 0);
    empty.writeInt32BE(0, 4); // dimensions
    empty.writeInt32BE(0, 8); // has nulls
    empty.writeInt32BE(TEXT_OID, 12);
    return [empty];
  }
  const elements = values.flatMap((value) => lengthPrefixed(Buffer.from(value, 'utf8')));
  const header = Buffer.alloc(24);
  const size = 20 + elements.reduce((sum, part) => sum + part.length, 0);
  header.writeInt32BE(size, 0);
  header.writeInt32BE(1, 4); // dimensions
  header.writeInt32BE(0, 8); // has nulls
  header.writeInt32BE(TEXT_OID, 12);
  header.writeInt32BE(values.length, 16);
  header.writeInt32BE(1, 20); // lower bound
  return [header, ...elements];
}

function fieldParts(field: CopyValue): Buffer[] {
  if (field.value === null) return [NULL_FIELD];
  switch (field.type) {
    case 'int4':
    case 'int8':
      return [integerField(field.type, field.value as number)];
    case 'bool':
      return [Buffer.from([0, 0, 0, 1, field.value ? 1 : 0])];
    case 'timestamptz': {
      const ms = (field.value as Date).getTime();
      if (Number.isNaN(ms)) throw new HelpdeskError('db.copy_invalid', 'COPY timestamptz: invalid date');
      const out = Buffer.alloc(12);
      out.writeInt32BE(8, 0);
      out.writeBigInt64BE(BigInt(ms - POSTGRES_EPOCH_MS) * 1000n, 4);
      return [out];
    }
    case 'text':
      return lengthPrefixed(Buffer.from(field.value as string, 'utf8'));
    case 'bytea': {
      const bytes = field.value as Uint8Array;
      return lengthPrefixed(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    }
    case 'text[]':
      return textArrayField(field.value as readonly string[]);
  }
}

/**
 * The whole COPY stream of `rows` (header, rows, trailer) as buffers to write in order. A bytea
 * value is not copied: its buffer is one of the parts.
 */
export function encodeCopyBinary(rows: readonly (readonly CopyValue[])[]): Buffer[] {
  const parts: Buffer[] = [SIGNATURE, HEADER_REST];
  for (const row of rows) {
    const count = Buffer.alloc(2);
    count.writeInt16BE(row.length, 0);
    parts.push(count);
    for (const field of row) parts.push(...fieldParts(field));
  }
  parts.push(TRAILER);
  return parts;
}

/**
 * The postgres.js client under a drizzle database or transaction. drizzle keeps it as
 * `session.client` (drizzle-orm/postgres-js); COPY is not in drizzle's API. The integration tests
 * of intake run every batch through it, so a drizzle that moves it fails them, not production.
 */
function postgresClientOf(db: DbOrTx): Sql {
  const client = (db as unknown as { session?: { client?: unknown } }).session?.client;
  if (typeof client !== 'function') throw new HelpdeskError('db.copy_invalid', 'drizzle no longer exposes its postgres.js client as session.client: COPY cannot run');
  return client as Sql;
}

/**
 * Writes `rows` into `table (columns)` with one COPY on the connection of `db`, which must be a
 * transaction: on the pool, postgres.js may pipeline another query onto a busy connection, and a
 * query sent into a COPY breaks it. Nothing else may run on that connection meanwhile either:
 * await it before the next statement of the same transaction.
 */
export async function copyRowsBinary(db: DbOrTx, table: string, columns: readonly string[], rows: readonly (readonly CopyValue[])[]): Promise<void> {
  if (rows.length === 0) return;
  // Plain lower-case names only, quoted below (`references` and `to` are SQL keywords).
  const identifier = /^[a-z_][a-z0-9_]*$/;
  if (!identifier.test(table) || !columns.every((column) => identifier.test(column))) {
    throw new HelpdeskError('db.copy_invalid', `COPY into ${table} (${columns.join(', ')}): names must be plain identifiers`);
  }
  const client = postgresClientOf(db);
  const stream = await client.unsafe(`copy ${table} (${columns.map((column) => `"${column}"`).join(', ')}) from stdin with (format binary)`).writable();
  await new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.once('finish', resolve);
    // postgres.js makes each write one CopyData message and one socket write: the small parts
    // (a 4-byte length per field) joined, the large ones (a mail's bytes or text) as they are.
    for (const chunk of chunksOf(encodeCopyBinary(rows), COPY_CHUNK_BYTES)) stream.write(chunk);
    stream.end();
  });
}

const COPY_CHUNK_BYTES = 1 << 20;

/**
 * `parts` as the buffers to write: small parts joined into chunks of about `size` bytes, and a
 * part of `size / 64` or more (a mail's bytes or text) written as it is, not copied into a chunk.
 * Order and bytes are kept.
 */
export function chunksOf(parts: readonly Buffer[], size: number): Buffer[] {
  const large = Math.max(1, Math.floor(size / 64));
  const chunks: Buffer[] = [];
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = () => {
    if (pending.length === 1) chunks.push(pending[0]!);
    else if (pending.length > 1) chunks.push(Buffer.concat(pending, pendingBytes));
    pending = [];
    pendingBytes = 0;
  };
  for (const part of parts) {
    if (part.length >= large) {
      flush();
      chunks.push(part);
      continue;
    }
    pending.push(part);
    pendingBytes += part.length;
    if (pendingBytes >= size) flush();
  }
  flush();
  return chunks;
}
