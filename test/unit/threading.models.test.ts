import { describe, expect, it } from 'vitest';
import {
  decideThread,
  extractSubjectTicketNumber,
  MAX_REFERENCED_IDS,
  referencedMessageIds,
  stripSubjectPrefixes,
  ticketSubject,
} from '../../src/mail/threading.models.ts';

describe('extractSubjectTicketNumber', () => {
  it('finds [#123] anywhere in the subject', () => {
    expect(extractSubjectTicketNumber('[#123] Printer')).toBe(123);
    expect(extractSubjectTicketNumber('Re: Sv: AW: [#123] Printer')).toBe(123);
    expect(extractSubjectTicketNumber('Printer still broken [#7]')).toBe(7);
  });

  it('ignores #123 without brackets and empty subjects', () => {
    expect(extractSubjectTicketNumber('About invoice #123')).toBeNull();
    expect(extractSubjectTicketNumber('[123] no hash')).toBeNull();
    expect(extractSubjectTicketNumber('')).toBeNull();
    expect(extractSubjectTicketNumber(null)).toBeNull();
  });

  it('takes the first tag and skips a [#0]', () => {
    expect(extractSubjectTicketNumber('[#0] [#12] [#15]')).toBe(12);
  });
});

describe('referencedMessageIds', () => {
  it('lists In-Reply-To first, then References newest first, without duplicates', () => {
    expect(
      referencedMessageIds({
        inReplyTo: '<c@x>',
        references: '<a@x> <b@x>\r\n <c@x>',
      }),
    ).toEqual(['<c@x>', '<b@x>', '<a@x>']);
  });

  it('accepts References as an array, as mailparser gives it', () => {
    expect(referencedMessageIds({ inReplyTo: null, references: ['<a@x>', '<b@x>'] })).toEqual(['<b@x>', '<a@x>']);
  });

  it('wraps ids that arrive without angle brackets', () => {
    expect(referencedMessageIds({ inReplyTo: 'c@x', references: 'a@x b@x' })).toEqual(['<c@x>', '<b@x>', '<a@x>']);
  });

  it('returns nothing when there is nothing', () => {
    expect(referencedMessageIds({ inReplyTo: undefined, references: undefined })).toEqual([]);
  });

  it('keeps only the newest ids of an oversized References header', () => {
    const references = Array.from({ length: 80 }, (_, index) => `<m${index}@x>`).join(' ');
    const ids = referencedMessageIds({ inReplyTo: null, references });
    expect(ids).toHaveLength(MAX_REFERENCED_IDS);
    expect(ids[0]).toBe('<m79@x>');
    expect(ids[49]).toBe('<m30@x>');
  });
});

describe('stripSubjectPrefixes', () => {
  it('strips reply and forward prefixes of several languages, in any case', () => {
    expect(stripSubjectPrefixes('Re: Sv: SV: Vs: AW: Antw: Fwd: Fw: VB: Doorst: RE: Printer')).toBe('Printer');
  });

  it('strips counted prefixes and tolerates missing spaces', () => {
    expect(stripSubjectPrefixes('Re[2]:Re(3): printer')).toBe('printer');
  });

  it('leaves prefixes in the middle and words that merely start like one', () => {
    expect(stripSubjectPrefixes('Printer Re: toner')).toBe('Printer Re: toner');
    expect(stripSubjectPrefixes('Svar saknas')).toBe('Svar saknas');
    expect(stripSubjectPrefixes('Rest: invoice')).toBe('Rest: invoice');
  });
});

describe('ticketSubject', () => {
  it('puts the tag in front of the subject', () => {
    expect(ticketSubject(17, 'Printer on floor 3')).toBe('[#17] Printer on floor 3');
  });

  it('does not duplicate an existing tag and drops reply prefixes around it', () => {
    expect(ticketSubject(17, 'Re: [#17] Sv: Printer')).toBe('[#17] Printer');
    expect(ticketSubject(17, 'Printer [#17]')).toBe('[#17] Printer');
  });

  it('keeps the tag of another ticket', () => {
    expect(ticketSubject(17, '[#12] Printer')).toBe('[#17] [#12] Printer');
  });

  it('does not confuse ticket 17 with ticket 170', () => {
    expect(ticketSubject(17, '[#170] Printer')).toBe('[#17] [#170] Printer');
  });

  it('keeps the subject on one line and copes with an empty one', () => {
    expect(ticketSubject(17, 'Printer\r\n on floor 3')).toBe('[#17] Printer on floor 3');
    expect(ticketSubject(17, '')).toBe('[#17]');
    expect(ticketSubject(17, null)).toBe('[#17]');
  });
});

describe('decideThread', () => {
  it('prefers the reply token over everything else', () => {
    expect(decideThread({ byToken: 1, byReference: 2, bySubjectTag: { ticket: 3, senderParticipates: true } })).toEqual({
      ticket: 1,
      via: 'token',
    });
  });

  it('uses References when there is no token', () => {
    expect(decideThread({ byToken: null, byReference: 2, bySubjectTag: { ticket: 3, senderParticipates: true } })).toEqual({
      ticket: 2,
      via: 'reference',
    });
  });

  it('uses the subject tag only when the sender takes part in that ticket', () => {
    expect(decideThread({ byToken: null, byReference: null, bySubjectTag: { ticket: 3, senderParticipates: true } })).toEqual({
      ticket: 3,
      via: 'subject',
    });
    expect(decideThread({ byToken: null, byReference: null, bySubjectTag: { ticket: 3, senderParticipates: false } })).toEqual({
      ticket: null,
    });
  });

  it('opens a new ticket when nothing matches', () => {
    expect(decideThread({ byToken: null, byReference: null, bySubjectTag: null })).toEqual({ ticket: null });
  });
});
