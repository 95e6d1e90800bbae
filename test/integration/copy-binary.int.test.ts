// The binary COPY encoder against a real Postgres: every type it writes, NULLs, empty and
// non-empty text arrays, non-ASCII text, arbitrary bytes, and instants before and after 2000,
// read back equal; inside a drizzle transaction (the way intake uses it) and rolled back with it.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../src/db/client.ts';
import { copyRowsBinary, type CopyValue } from '../../src/db/copy-binary.ts';
import { createTestDatabase } from '../support/services.ts';

let database: { url: string; drop(): Promise<void> };
let handle: DatabaseHandle;

beforeAll(async () => {
  database = await createTestDatabase();
  handle = connectDatabase(database.url, { max: 2 });
  await handle.sql`create table copy_probe (id bigint, n int, t text, b bytea, flag boolean, at timestamptz, tags text[])`;
});
afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

function row(id: number, values: { n: number | null; t: string | null; b: Buffer | null; flag: boolean | null; at: Date | null; tags: string[] | null }): CopyValue[] {
  return [
    { type: 'int8', value: id },
    { type: 'int4', value: values.n },
    { type: 'text', value: values.t },
    { type: 'bytea', value: values.b },
    { type: 'bool', value: values.flag },
    { type: 'timestamptz', value: values.at },
    { type: 'text[]', value: values.tags },
  ];
}

describe('copyRowsBinary', () => {
  it('writes every type and NULL so that Postgres reads back the same values', async () => {
    const bytes = Buffer.from([0, 1, 2, 0xfe, 0xff, 0x0d, 0x0a]);
    const rows = [
      row(9_007_199_254_740_991, { n: -2_147_483_648, t: 'Grüße, 東京 🚀 "quoted" \\ back', b: bytes, flag: true, at: new Date('2026-11-30T07:26:16.123Z'), tags: ['<a@b.example>', 'å,ä "ö"', ''] }),
      row(2, { n: null, t: null, b: null, flag: null, at: null, tags: null }),
      row(3, { n: 0, t: '', b: Buffer.alloc(0), flag: false, at: new Date('1999-12-31T23:59:59.999Z'), tags: [] }),
    ];
    await handle.db.transaction(async (tx) => {
      await copyRowsBinary(tx, 'copy_probe', ['id', 'n', 't', 'b', 'flag', 'at', 'tags'], rows);
      // the next statement on the same connection runs after the COPY
      const [count] = await tx.execute<{ n: number }>(sql`select count(*)::int as n from copy_probe`);
      expect(count!.n).toBe(3);
    });
    const back = await handle.sql<{ id: string; n: number | null; t: string | null; b: Buffer | null; flag: boolean | null; at: Date | string | null; tags: string[] | null }[]>`
      select id::text, n, t, b, flag, at, tags from copy_probe order by id`;
    expect(back.map((r) => r.id)).toEqual(['2', '3', '9007199254740991']);
    const [nulls, empties, full] = back;
    expect(nulls).toMatchObject({ n: null, t: null, b: null, flag: null, at: null, tags: null });
    expect(empties).toMatchObject({ n: 0, t: '', flag: false, tags: [] });
    expect(Buffer.compare(empties!.b!, Buffer.alloc(0))).toBe(0);
    expect(new Date(String(empties!.at)).toISOString()).toBe('1999-12-31T23:59:59.999Z');
    expect(full).toMatchObject({ n: -2_147_483_648, t: 'Grüße, 東京 🚀 "quoted" \\ back', flag: true, tags: ['<a@b.example>', 'å,ä "ö"', ''] });
    expect(Buffer.compare(full!.b!, bytes)).toBe(0);
    expect(new Date(String(full!.at)).toISOString()).toBe('2026-11-30T07:26:16.123Z');
  });

  it('is rolled back with its transaction and fails it on a bad value', async () => {
    await expect(
      handle.db.transaction(async (tx) => {
        await copyRowsBinary(tx, 'copy_probe', ['id'], [[{ type: 'int8', value: 100 }]]);
        // text with NUL is refused by Postgres
        await copyRowsBinary(tx, 'copy_probe', ['id', 't'], [[{ type: 'int8', value: 101 }, { type: 'text', value: 'a\u0000b' }]]);
      }),
    ).rejects.toThrow(/0x00|invalid byte sequence/);
    const rows = await handle.sql`select id from copy_probe where id in (100, 101)`;
    expect(rows).toHaveLength(0);
  });
});
