import { describe, expect, it } from 'vitest';
import { isHelpdeskError } from '../../src/shared/errors.ts';
import { createReplyAddress, parseReplyToken, replySecretList, replyTokenCandidates } from '../../src/mail/reply-token.models.ts';

const secret = 'test-secret';
const serviceAddresses = ['support@trinax.example', 'helpdesk@trinax.example'];
// HMAC-SHA256('test-secret', 'support:17'), base32, first 10 characters, computed outside this code base.
const TICKET_17 = 'support+17.7ob2kgz4gk@trinax.example';

describe('createReplyAddress', () => {
  it('puts the ticket number and a 10-character MAC in the plus tag', () => {
    expect(createReplyAddress({ serviceAddress: 'support@trinax.example', ticketNumber: 17, secret })).toBe(TICKET_17);
  });

  it('derives a different MAC per ticket and per service address', () => {
    expect(createReplyAddress({ serviceAddress: 'support@trinax.example', ticketNumber: 18, secret })).toBe(
      'support+18.s2e5x3dd4x@trinax.example',
    );
    expect(createReplyAddress({ serviceAddress: 'Helpdesk@Trinax.example', ticketNumber: 17, secret })).toBe(
      'helpdesk+17.myl4scyj5w@trinax.example',
    );
  });

  it('refuses a service address that already has a plus tag', () => {
    expect(() => createReplyAddress({ serviceAddress: 'support+x@trinax.example', ticketNumber: 17, secret })).toThrow(
      expect.objectContaining({ code: 'config.invalid' }),
    );
  });

  it('refuses ticket numbers that are not positive integers and an empty secret', () => {
    for (const ticketNumber of [0, -1, 1.5, Number.NaN]) {
      let caught: unknown;
      try {
        createReplyAddress({ serviceAddress: 'support@trinax.example', ticketNumber, secret });
      } catch (error) {
        caught = error;
      }
      expect(isHelpdeskError(caught, 'usage.invalid'), String(ticketNumber)).toBe(true);
    }
    expect(() => createReplyAddress({ serviceAddress: 'support@trinax.example', ticketNumber: 17, secret: '' })).toThrow(
      expect.objectContaining({ code: 'config.invalid' }),
    );
  });
});

describe('parseReplyToken', () => {
  it('finds the ticket among all recipients', () => {
    expect(parseReplyToken({ addresses: ['eva@acme.se', `Trinax Support <${TICKET_17}>`], serviceAddresses, secret })).toBe(17);
  });

  it('accepts the address in any case, as some MTAs change it', () => {
    expect(parseReplyToken({ addresses: [TICKET_17.toUpperCase()], serviceAddresses, secret })).toBe(17);
  });

  it('rejects an altered MAC', () => {
    expect(parseReplyToken({ addresses: ['support+17.7ob2kgz4gl@trinax.example'], serviceAddresses, secret })).toBeNull();
  });

  it('rejects a valid MAC moved to another ticket number', () => {
    expect(parseReplyToken({ addresses: ['support+18.7ob2kgz4gk@trinax.example'], serviceAddresses, secret })).toBeNull();
  });

  it('rejects a token made with another secret', () => {
    expect(parseReplyToken({ addresses: [TICKET_17], serviceAddresses, secret: 'other-secret' })).toBeNull();
  });

  it('rejects a token on a domain or mailbox that is not ours', () => {
    expect(parseReplyToken({ addresses: ['support+17.7ob2kgz4gk@evil.example'], serviceAddresses, secret })).toBeNull();
    expect(parseReplyToken({ addresses: ['helpdesk+17.7ob2kgz4gk@trinax.example'], serviceAddresses, secret })).toBeNull();
  });

  it('rejects malformed tags: no MAC, a short MAC, leading zeros', () => {
    for (const address of [
      'support+17@trinax.example',
      'support+17.7ob2kgz4g@trinax.example',
      'support+017.7ob2kgz4gk@trinax.example',
      'support@trinax.example',
    ]) {
      expect(parseReplyToken({ addresses: [address], serviceAddresses, secret }), address).toBeNull();
    }
  });

  it('returns the first valid token when several tickets are addressed', () => {
    expect(
      parseReplyToken({ addresses: ['support+18.s2e5x3dd4x@trinax.example', TICKET_17], serviceAddresses, secret }),
    ).toBe(18);
  });

  it('round-trips whatever createReplyAddress made', () => {
    const address = createReplyAddress({ serviceAddress: 'helpdesk@trinax.example', ticketNumber: 123456, secret });
    expect(parseReplyToken({ addresses: [address], serviceAddresses, secret })).toBe(123456);
  });
});

describe('a secret rotation', () => {
  const serviceAddresses = ['support@trinax.example'];
  const NEW = 'new-secret-0123456789abcdef';
  const OLD = 'old-secret-0123456789abcdef';

  it('signs with the first secret and verifies every one listed, as a list or as HELPDESK_SECRET writes it', () => {
    const signed = createReplyAddress({ serviceAddress: 'support@trinax.example', ticketNumber: 17, secret: `${NEW},${OLD}` });
    expect(signed).toBe(createReplyAddress({ serviceAddress: 'support@trinax.example', ticketNumber: 17, secret: NEW }));
    const old = createReplyAddress({ serviceAddress: 'support@trinax.example', ticketNumber: 17, secret: OLD });
    expect(parseReplyToken({ addresses: [old], serviceAddresses, secret: [NEW, OLD] })).toBe(17);
    expect(parseReplyToken({ addresses: [old], serviceAddresses, secret: `${NEW},${OLD}` })).toBe(17);
    expect(parseReplyToken({ addresses: [old], serviceAddresses, secret: NEW })).toBeNull();
  });

  it('names the ticket of a reply address whose code does not verify, as not valid', () => {
    const old = createReplyAddress({ serviceAddress: 'support@trinax.example', ticketNumber: 17, secret: OLD });
    expect(replyTokenCandidates({ addresses: ['eva@acme.se', old, 'support+18.zz@trinax.example'], serviceAddresses, secret: NEW })).toEqual([
      { ticketNumber: 17, valid: false, action: null },
      { ticketNumber: 18, valid: false, action: null },
    ]);
  });

  it('refuses an empty secret in the list', () => {
    expect(() => replySecretList(`${NEW},`)).toThrow(/HELPDESK_SECRET/);
  });
});

describe('approve and decline addresses', () => {
  // HMAC-SHA256('test-secret', 'support:17:a' / 'support:17:d'), base32, first 10 characters, computed outside this code base.
  const APPROVE_17 = 'support+17.a.b2zgk2vqw6@trinax.example';
  const DECLINE_17 = 'support+17.d.erun3qpjld@trinax.example';

  it('puts the action letter before a MAC that covers it', () => {
    expect(createReplyAddress({ serviceAddress: 'support@trinax.example', ticketNumber: 17, secret, action: 'approve' })).toBe(APPROVE_17);
    expect(createReplyAddress({ serviceAddress: 'support@trinax.example', ticketNumber: 17, secret, action: 'decline' })).toBe(DECLINE_17);
    expect(createReplyAddress({ serviceAddress: 'support@trinax.example', ticketNumber: 17, secret, action: null })).toBe(TICKET_17);
  });

  it('reads back the ticket and the action, in any case and with a display name', () => {
    expect(replyTokenCandidates({ addresses: [APPROVE_17], serviceAddresses, secret })).toEqual([{ ticketNumber: 17, valid: true, action: 'approve' }]);
    expect(replyTokenCandidates({ addresses: [`Trinax <${DECLINE_17.toUpperCase()}>`], serviceAddresses, secret })).toEqual([
      { ticketNumber: 17, valid: true, action: 'decline' },
    ]);
    expect(parseReplyToken({ addresses: [APPROVE_17], serviceAddresses, secret })).toBe(17);
  });

  it('refuses an address whose action letter was edited, swapped, dropped or unknown', () => {
    const forged = [
      'support+17.d.b2zgk2vqw6@trinax.example', // approve's MAC with the decline letter
      'support+17.a.erun3qpjld@trinax.example', // decline's MAC with the approve letter
      'support+17.b2zgk2vqw6@trinax.example', // approve's MAC without its letter
      'support+17.a.7ob2kgz4gk@trinax.example', // the plain MAC with a letter added
      'support+17.x.b2zgk2vqw6@trinax.example', // a letter that means nothing
      'support+18.a.b2zgk2vqw6@trinax.example', // another ticket
    ];
    for (const address of forged) {
      expect(replyTokenCandidates({ addresses: [address], serviceAddresses, secret })[0]?.valid, address).toBe(false);
      expect(parseReplyToken({ addresses: [address], serviceAddresses, secret }), address).toBeNull();
    }
  });

  it('keeps plain reply addresses as they were: no action, still valid', () => {
    expect(replyTokenCandidates({ addresses: [TICKET_17], serviceAddresses, secret })).toEqual([{ ticketNumber: 17, valid: true, action: null }]);
  });

  it('verifies an action address signed with a secret of a rotation', () => {
    const old = createReplyAddress({ serviceAddress: 'support@trinax.example', ticketNumber: 17, secret: 'old-secret', action: 'decline' });
    expect(replyTokenCandidates({ addresses: [old], serviceAddresses, secret: ['new-secret', 'old-secret'] })).toEqual([{ ticketNumber: 17, valid: true, action: 'decline' }]);
  });
});
