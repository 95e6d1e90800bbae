import { describe, expect, it } from 'vitest';
import {
  bareAddress,
  domainOf,
  isSameMailbox,
  localPartOf,
  normalizeAddress,
  plusTagOf,
  splitAddress,
  splitPlusTag,
} from '../../src/shared/address.ts';

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

describe('splitAddress and splitPlusTag', () => {
  it('split at the last @, so a quoted local part may hold one', () => {
    expect(splitAddress('"a@b"@acme.se')).toEqual({ localPart: '"a@b"', domain: 'acme.se' });
    expect(splitAddress('nobody')).toBeNull();
  });

  it('split the tag off after the first +', () => {
    expect(splitPlusTag('support+17.abcdefghij')).toEqual({ mailbox: 'support', tag: '17.abcdefghij' });
    expect(splitPlusTag('eva+a+b')).toEqual({ mailbox: 'eva', tag: 'a+b' });
    expect(splitPlusTag('eva')).toEqual({ mailbox: 'eva', tag: null });
  });

  it('treat a local part that starts with + as a mailbox without tag', () => {
    expect(splitPlusTag('+46701234567')).toEqual({ mailbox: '+46701234567', tag: null });
  });
});

describe('plusTagOf', () => {
  it('returns the lower-case tag of any address form, or null', () => {
    expect(plusTagOf('Eva <Eva+Printer@acme.se>')).toBe('printer');
    expect(plusTagOf('eva@acme.se')).toBeNull();
    expect(plusTagOf('+46701234567@sms.example')).toBeNull();
    expect(plusTagOf('undisclosed-recipients')).toBeNull();
  });
});
