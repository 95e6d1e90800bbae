import { describe, expect, it } from 'vitest';
import { customersNewText, mayAnswerUnverified, technicianReplyVerdict } from '../../src/tickets/intake/follow-up-notices.models.ts';

describe('technicianReplyVerdict', () => {
  it('verifies a mail that came by a valid reply address and passed authentication', () => {
    expect(technicianReplyVerdict({ via: 'token', invalidToken: false, authenticated: true })).toEqual({ verified: true });
  });

  it('says why it cannot verify the others', () => {
    expect(technicianReplyVerdict({ via: 'token', invalidToken: false, authenticated: false })).toEqual({ verified: false, reason: 'unauthenticated' });
    expect(technicianReplyVerdict({ via: null, invalidToken: true, authenticated: true })).toEqual({ verified: false, reason: 'invalid-reply-address' });
    expect(technicianReplyVerdict({ via: 'reference', invalidToken: true, authenticated: true })).toEqual({ verified: false, reason: 'invalid-reply-address' });
    expect(technicianReplyVerdict({ via: 'reference', invalidToken: false, authenticated: true })).toEqual({ verified: false, reason: 'no-reply-address' });
    expect(technicianReplyVerdict({ via: 'subject', invalidToken: false, authenticated: false })).toEqual({ verified: false, reason: 'no-reply-address' });
    expect(technicianReplyVerdict({ via: null, invalidToken: false, authenticated: true })).toEqual({ verified: false, reason: 'no-reply-address' });
  });
});

describe('mayAnswerUnverified', () => {
  const at = new Date('2026-11-30T10:00:00Z');
  it('answers once per hour at most', () => {
    expect(mayAnswerUnverified(null, at)).toBe(true);
    expect(mayAnswerUnverified(new Date('2026-11-30T09:00:01Z'), at)).toBe(false);
    expect(mayAnswerUnverified(new Date('2026-11-30T09:00:00Z'), at)).toBe(true);
  });
});

describe('customersNewText', () => {
  it('keeps what the customer wrote above the quoted history', () => {
    expect(customersNewText('Still broken.\n\nThanks\n\nOn Mon, 30 Nov 2026 at 10:15, Sara <support@trinax.example> wrote:\n> Did you restart it?\n')).toBe('Still broken.\n\nThanks');
  });

  it('drops an Outlook header block and everything below it', () => {
    expect(customersNewText('Ja.\n\nFrån: Sara Holm <support@trinax.example>\nSkickat: den 30 november 2026 10:15\nTill: Eva\nÄmne: Re: [#5] Skrivare\n\nHar ni startat om?')).toBe('Ja.');
  });

  it('keeps an answer written between quoted lines, and the whole text when nothing is above the quote', () => {
    expect(customersNewText('On Mon, 30 Nov 2026 at 10:15, Sara <s@x.se> wrote:\n> Which printer?\nThe one on floor 3.\n')).toBe('The one on floor 3.');
    expect(customersNewText('> quoted only\n')).toBe('> quoted only');
  });
});
