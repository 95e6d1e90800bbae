// Raw mails stored ahead of their batch (storeMissingRawMails), on the real Postgres: only the
// missing ones are written, once each, with their exact bytes; a second call writes nothing.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../src/db/client.ts';
import { createIntakeRepository } from '../../src/tickets/intake/intake.repository.ts';
import { createTestDatabase } from '../support/services.ts';

let database: { url: string; drop(): Promise<void> };
let handle: DatabaseHandle;

beforeAll(async () => {
  database = await createTestDatabase();
  handle = connectDatabase(database.url, { max: 3 });
});
afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

const mail = (text: string | Buffer) => {
  const raw = Buffer.isBuffer(text) ? text : Buffer.from(text);
  return { sha256: createHash('sha256').update(raw).digest('hex'), size: raw.length, raw };
};

describe('storeMissingRawMails', () => {
  it('writes each missing mail once, keeps its bytes, and skips what is stored', async () => {
    const repository = createIntakeRepository({ db: handle.db });
    const eightBit = mail(Buffer.from([0x46, 0x72, 0x6f, 0x6d, 0x3a, 0x20, 0xe5, 0x00, 0xff, 0x0d, 0x0a]));
    const first = [mail('From: a@example.com\r\n\r\none'), mail('From: b@example.com\r\n\r\ntwo'), eightBit];
    // the same bytes twice in one call are one row
    expect(await repository.storeMissingRawMails([...first, first[0]!])).toBe(3);
    expect(await repository.storeMissingRawMails([...first, mail('From: c@example.com\r\n\r\nthree')])).toBe(1);
    expect(await repository.storeMissingRawMails(first)).toBe(0);
    const rows = await handle.sql<{ sha256: string; size: number; raw: Buffer }[]>`select sha256, size, raw from raw_mails order by id`;
    expect(rows).toHaveLength(4);
    const stored = rows.find((row) => row.sha256 === eightBit.sha256)!;
    expect(stored.size).toBe(eightBit.size);
    expect(Buffer.compare(stored.raw, eightBit.raw)).toBe(0);
    // the batch then finds them instead of writing them
    const ids = await repository.storedRawIds(first.map((m) => m.sha256));
    expect(ids.size).toBe(3);
  });
});
