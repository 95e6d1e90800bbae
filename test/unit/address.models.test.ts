import { describe, expect, it } from 'vitest';
import { bareAddress, domainOf, isSameMailbox, localPartOf, normalizeAddress } from '../../src/mail/address.models.ts';

describe('normalizeAddress', () => {
  it('trims and lower-cases an address', () => {
    expect(normalizeAddress('  Eva.Svensson@ACME.se ')).toBe('eva.svensson@acme.se');
  });

  it('strips the +tag from the local part', () => {
    expect(normalizeAddress('eva+support@acme.se')).toBe('eva@acme.se');
  });

  it('strips a display name, quoted or not', () => {
    expect(normalizeAddress('Eva Svensson <Eva@Acme.se>')).toBe('eva@acme.se');
    expect(normalizeAddress('"Svensson, Eva" <eva+x@acme.se>')).toBe('eva@acme.se');
  });

  it('drops an old-style comment, a mailto: prefix and a trailing dot of the domain', () => {
    expect(normalizeAddress('eva@acme.se (Eva Svensson)')).toBe('eva@acme.se');
    expect(normalizeAddress('mailto:Eva@acme.se')).toBe('eva@acme.se');
    expect(normalizeAddress('eva@acme.se.')).toBe('eva@acme.se');
  });

  it('keeps a local part that is only a tag rather than inventing an empty mailbox', () => {
    expect(normalizeAddress('+46701234567@sms.example')).toBe('+46701234567@sms.example');
  });
});

describe('bareAddress', () => {
  it('keeps the +tag, where reply tokens live', () => {
    expect(bareAddress('Support <Support+17.abcdefghij@Trinax.example>')).toBe('support+17.abcdefghij@trinax.example');
  });
});

describe('domainOf and localPartOf', () => {
  it('return the lower-case domain and the local part without tag', () => {
    expect(domainOf('Eva <eva+x@IT.Acme.se>')).toBe('it.acme.se');
    expect(localPartOf('Eva <Eva+x@acme.se>')).toBe('eva');
  });

  it('return null for text that is no address', () => {
    expect(domainOf('undisclosed-recipients')).toBeNull();
    expect(domainOf('eva@')).toBeNull();
    expect(localPartOf('nobody')).toBeNull();
  });
});

describe('isSameMailbox', () => {
  it('ignores display names, case and plus tags', () => {
    expect(isSameMailbox('Support <SUPPORT+17.abc@trinax.example>', 'support@trinax.example')).toBe(true);
  });

  it('tells different mailboxes and domains apart', () => {
    expect(isSameMailbox('support@trinax.example', 'support@trinax.example.evil')).toBe(false);
    expect(isSameMailbox('eva@acme.se', 'eve@acme.se')).toBe(false);
  });

  it('never calls two non-addresses the same mailbox', () => {
    expect(isSameMailbox('', '')).toBe(false);
  });
});
