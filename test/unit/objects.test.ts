import { describe, expect, it } from 'vitest';
import { isPlainObject } from '../../src/shared/objects.ts';

describe('isPlainObject', () => {
  it('accepts a mapping, also an empty one', () => {
    expect(isPlainObject({ a: 1 })).toBe(true);
    expect(isPlainObject({})).toBe(true);
  });

  it('refuses null, lists and scalars', () => {
    expect(isPlainObject(null)).toBe(false);
    expect(isPlainObject(undefined)).toBe(false);
    expect(isPlainObject([1])).toBe(false);
    expect(isPlainObject('a')).toBe(false);
    expect(isPlainObject(3)).toBe(false);
  });
});
