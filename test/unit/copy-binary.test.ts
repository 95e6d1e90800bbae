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
  it('joins small parts into chunks of about the given size and passes large parts through uncopied', () => {
    const parts = ['ab', 'cde', 'f', 'ghij', 'k'].map((text) => Buffer.from(text));
    expect(chunksOf(parts, 1024).map(String)).toEqual(['abcdefghijk']);
    // size 256: a part of 4 bytes or more is large
    expect(chunksOf(parts, 256).map(String)).toEqual(['abcdef', 'ghij', 'k']);
    const small = Array.from({ length: 10 }, (_, i) => Buffer.from(String(i)));
    expect(chunksOf(small, 64).map(String)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const big = Buffer.alloc(100, 'x');
    const mixed = chunksOf([Buffer.from('a'), Buffer.from('b'), big, Buffer.from('c')], 1024);
    expect(mixed.map((chunk) => chunk.length)).toEqual([2, 100, 1]);
    expect(mixed[1]).toBe(big);
    expect(Buffer.concat(mixed).equals(Buffer.concat([Buffer.from('ab'), big, Buffer.from('c')]))).toBe(true);
    expect(chunksOf([], 4)).toEqual([]);
  });

  it('cuts a run of small parts when it reaches the size', () => {
    const parts = Array.from({ length: 6 }, () => Buffer.from('xy'));
    // size 256: large from 4 bytes; two-byte parts are small and joined until 256 bytes
    expect(chunksOf(parts, 256).map((chunk) => chunk.length)).toEqual([12]);
    const many = Array.from({ length: 200 }, () => Buffer.from('xy'));
    expect(chunksOf(many, 256).map((chunk) => chunk.length)).toEqual([256, 144]);
  });
});
