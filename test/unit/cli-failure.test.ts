import { describe, expect, it } from 'vitest';
import { describeFailure, EXIT_CODES } from '../../src/cli/cli-failure.ts';
import { HelpdeskError } from '../../src/shared/errors.ts';

const withCode = (message: string, fields: Record<string, unknown>) => Object.assign(new Error(message), fields);

describe('describeFailure', () => {
  it('says a refused connection in one line, with where, and exits 4', () => {
    const err = withCode('connect ECONNREFUSED 127.0.0.1:5999', { code: 'ECONNREFUSED', address: '127.0.0.1', port: 5999 });
    expect(describeFailure(err)).toEqual({ lines: ['cannot reach the server at 127.0.0.1:5999: connection refused'], exitCode: EXIT_CODES.unreachable });
  });
  it('gives the cause of a failed query, never its SQL', () => {
    const cause = withCode('relation "tickets" does not exist', { code: '42P01' });
    const err = new Error('Failed query: select "id" from "tickets"\nparams: ', { cause });
    expect(describeFailure(err)).toEqual({ lines: ['the database is not migrated to this version: run `helpdesk migrate`'], exitCode: EXIT_CODES.error });
    expect(describeFailure(withCode('column tickets.owner does not exist', { code: '42703' })).lines[0]).toMatch(/not migrated to this version/);
  });
  it('names a failed login and a missing database', () => {
    expect(describeFailure(withCode('password authentication failed for user "x"', { code: '28P01' })).lines[0]).toMatch(/authentication failed/);
    expect(describeFailure(withCode('database "nope" does not exist', { code: '3D000' })).lines[0]).toMatch(/does not exist/);
  });
  it('says a timeout and an unknown host as unreachable', () => {
    expect(describeFailure(withCode('write CONNECT_TIMEOUT db.example:5432', { code: 'CONNECT_TIMEOUT', address: 'db.example', port: 5432 }))).toEqual({
      lines: ['cannot reach the server at db.example:5432: no answer before the connect timeout'],
      exitCode: EXIT_CODES.unreachable,
    });
    expect(describeFailure(withCode('getaddrinfo ENOTFOUND db.nowhere', { code: 'ENOTFOUND', hostname: 'db.nowhere' })).exitCode).toBe(EXIT_CODES.unreachable);
  });
  it('keeps a typed error and its problems, and exits 2 for usage', () => {
    expect(describeFailure(new HelpdeskError('config.invalid', 'contracts.yaml is invalid', { details: ['plans.a: unknown calendar'] }))).toEqual({
      lines: ['contracts.yaml is invalid', '  plans.a: unknown calendar'],
      exitCode: EXIT_CODES.error,
    });
    expect(describeFailure(new HelpdeskError('usage.invalid', '"x" is not a ticket number')).exitCode).toBe(EXIT_CODES.usage);
    expect(describeFailure(new HelpdeskError('db.unavailable', 'cannot reach Postgres')).exitCode).toBe(EXIT_CODES.unreachable);
  });
  it('prints only the first line of an unknown error', () => {
    expect(describeFailure(new Error('boom\n    at somewhere')).lines).toEqual(['boom']);
  });
});
