import { describe, expect, it } from 'vitest';
import { isTransientDatabaseError } from '../../src/db/errors.ts';

describe('isTransientDatabaseError', () => {
  it('recognises a lost connection, a refused connection and a server shutting down', () => {
    expect(isTransientDatabaseError(Object.assign(new Error('write CONNECTION_CLOSED'), { code: 'CONNECTION_CLOSED' }))).toBe(true);
    expect(isTransientDatabaseError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransientDatabaseError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isTransientDatabaseError(Object.assign(new Error('could not serialize access'), { code: '40001' }))).toBe(true);
  });

  it('looks through an error’s causes (drizzle wraps driver errors)', () => {
    const driver = Object.assign(new Error('connection refused'), { code: '08006' });
    expect(isTransientDatabaseError(new Error('Failed query: insert …', { cause: driver }))).toBe(true);
  });

  it('does not take a bad statement or bad data for an outage', () => {
    expect(isTransientDatabaseError(Object.assign(new Error('invalid byte sequence'), { code: '22021' }))).toBe(false);
    expect(isTransientDatabaseError(Object.assign(new Error('violates check constraint'), { code: '23514' }))).toBe(false);
    expect(isTransientDatabaseError(new Error('plain'))).toBe(false);
    expect(isTransientDatabaseError(null)).toBe(false);
  });
});
