// The COPY binary stream, byte for byte (the real round trip through Postgres is in
// test/integration/intake.int.test.ts, "keeps the exact bytes of every mail").
import { describe, expect, it } from 'vitest';
import { chunksOf, encodeCopyBinary } from '../../src/db/copy-binary.ts';
import { isHelpdeskError } from '../../src/shared/errors.ts';

describe('encodeCopyBinary', () => {
  it('writes the header, each row as a field count and length-prefixed fields, and the trailer', () => {
    const raw = Buffer.from([0x00, 0xff, 0x41]);
    const stream = Buffer.concat(encodeCopyBinary([[{ type: 'int8', value: 7 }, { type: 'text', value: 'å' }, { type: 'int4', value: -2 }, { type: 'bytea', value: raw }]]));
    const expected = Buffer.concat([
      Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'),
      Buffer.alloc(8),
      Buffer.from([0, 4]),
      Buffer.from([0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 7]),
      Buffer.from([0, 0, 0, 2, 0xc3, 0xa5]),
      Buffer.from([0, 0, 0, 4, 0xff, 0xff, 0xff, 0xfe]),
      Buffer.from([0, 0, 0, 3, 0x00, 0xff, 0x41]),
      Buffer.from([0xff, 0xff]),
    ]);
    expect(stream.equals(expected)).toBe(true);
  });

  it('hands a bytea value over without copying it, also a slice of a larger buffer', () => {
    const pool = Buffer.from('..mail..');
    const slice = pool.subarray(2, 6);
    const parts = encodeCopyBinary([[{ type: 'bytea', value: slice }]]);
    const field = parts.find((part) => part.toString() === 'mail')!;
    expect(field.buffer).toBe(pool.buffer);
    expect(field.byteOffset).toBe(pool.byteOffset + 2);
  });

  it('writes an empty stream for no rows and refuses a number that is not an integer', () => {
    expect(Buffer.concat(encodeCopyBinary([])).length).toBe(11 + 8 + 2);
    let caught: unknown;
    try {
      encodeCopyBinary([[{ type: 'int8', value: 1.5 }]]);
    } catch (err) {
      caught = err;
    }
    expect(isHelpdeskError(caught, 'db.copy_invalid')).toBe(true);
  });
});

describe('chunksOf', () => {
  it('joins parts into chunks of about the given size, in order, keeping every byte', () => {
    const parts = ['ab', 'cde', 'f', 'ghij', 'k'].map((text) => Buffer.from(text));
    const chunks = chunksOf(parts, 4);
    expect(chunks.map((chunk) => chunk.toString())).toEqual(['abcde', 'fghij', 'k']);
    expect(chunksOf([], 4)).toEqual([]);
    expect(chunksOf([Buffer.from('0123456789')], 4).map(String)).toEqual(['0123456789']);
  });
});
