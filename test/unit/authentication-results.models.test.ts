import { describe, expect, it } from 'vitest';
import { parseAuthenticationResults, senderDomainAuthenticated } from '../../src/mail/authentication-results.models.ts';

const ours = 'mx.trinax.example';

describe('parseAuthenticationResults', () => {
  it('reads the authserv-id, each method with its result and properties, and ignores comments', () => {
    expect(
      parseAuthenticationResults('mx.trinax.example (Postfix); dkim=pass (2048-bit key) header.d=trinax.example header.s=sel1; spf=fail smtp.mailfrom=x@y.example; dmarc=pass header.from=trinax.example'),
    ).toEqual({
      authservId: 'mx.trinax.example',
      results: [
        { method: 'dkim', result: 'pass', properties: { 'header.d': 'trinax.example', 'header.s': 'sel1' } },
        { method: 'spf', result: 'fail', properties: { 'smtp.mailfrom': 'x@y.example' } },
        { method: 'dmarc', result: 'pass', properties: { 'header.from': 'trinax.example' } },
      ],
    });
  });

  it('gives no results for `none`', () => {
    expect(parseAuthenticationResults('mx.trinax.example; none')).toEqual({ authservId: 'mx.trinax.example', results: [] });
  });
});

describe('senderDomainAuthenticated', () => {
  it('accepts DKIM passing for the sender’s domain from our own server', () => {
    expect(senderDomainAuthenticated({ headerValues: [`${ours}; dkim=pass header.d=trinax.example`], authservId: ours, fromDomain: 'trinax.example' })).toBe(true);
  });

  it('accepts a DKIM signature of a parent domain (relaxed alignment) and DMARC pass', () => {
    expect(senderDomainAuthenticated({ headerValues: [`${ours}; dkim=pass header.d=trinax.example`], authservId: ours, fromDomain: 'mail.trinax.example' })).toBe(true);
    expect(senderDomainAuthenticated({ headerValues: [`${ours}; dmarc=pass header.from=trinax.example`], authservId: ours, fromDomain: 'trinax.example' })).toBe(true);
  });

  it('ignores a passing header written by anyone but our server', () => {
    expect(senderDomainAuthenticated({ headerValues: ['evil.example; dkim=pass header.d=trinax.example'], authservId: ours, fromDomain: 'trinax.example' })).toBe(false);
  });

  it('refuses DKIM that failed, or passed for another domain', () => {
    expect(senderDomainAuthenticated({ headerValues: [`${ours}; dkim=fail header.d=trinax.example`], authservId: ours, fromDomain: 'trinax.example' })).toBe(false);
    expect(senderDomainAuthenticated({ headerValues: [`${ours}; dkim=pass header.d=gmail.example`], authservId: ours, fromDomain: 'trinax.example' })).toBe(false);
    expect(senderDomainAuthenticated({ headerValues: [`${ours}; dkim=pass header.d=xtrinax.example`], authservId: ours, fromDomain: 'trinax.example' })).toBe(false);
  });
});
