import { describe, expect, it } from 'vitest';
import { errorMessage, HelpdeskError } from '../../src/shared/errors.ts';

describe('errorMessage', () => {
  it('gives the cause of a query wrapper, never its SQL and parameters', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const wrapped = new Error('Failed query: update "outbound_mails" set "state" = $1\nparams: sent,jane@example.com', { cause });
    expect(errorMessage(wrapped)).toBe('connect ECONNREFUSED 127.0.0.1:5432');
  });
  it('keeps an ordinary message, and a query wrapper without a cause as it is', () => {
    expect(errorMessage(new HelpdeskError('imap.unavailable', 'IMAP connection closed'))).toBe('IMAP connection closed');
    expect(errorMessage(new Error('Failed query: select 1'))).toBe('Failed query: select 1');
    expect(errorMessage('plain')).toBe('plain');
  });
});
