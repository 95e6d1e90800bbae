// What `helpdesk quarantine` shows of a held mail without parsing it: the header block, and From
// and Subject read from it with their encoded words decoded.
import { describe, expect, it } from 'vitest';
import { decodeEncodedWords, headerValue, rawHeaderBlock } from '../../src/tickets/quarantine.models.ts';

const raw = Buffer.from(
  [
    'Received: from mx.acme.se',
    '\tby mail.trinax.example; Mon, 2 Mar 2026 08:00:00 +0100',
    'From: =?UTF-8?Q?Eva_=C3=85berg?= <eva@acme.se>',
    'Subject: =?utf-8?B?S2Fzc2FuIMOkciBuZXJl?=',
    '  =?iso-8859-1?Q?_igen_=E5?=',
    'Message-ID: <1@acme.se>',
    '',
    'Subject: not a header, the body',
  ].join('\r\n'),
);

describe('quarantine headers', () => {
  it('keeps the header block only, with LF line ends', () => {
    const block = rawHeaderBlock(raw);
    expect(block.split('\n')).toHaveLength(6);
    expect(block).not.toContain('the body');
  });

  it('reads From and a folded Subject in two charsets', () => {
    const block = rawHeaderBlock(raw);
    expect(headerValue(block, 'from')).toBe('Eva Åberg <eva@acme.se>');
    expect(headerValue(block, 'Subject')).toBe('Kassan är nere igen å');
    expect(headerValue(block, 'x-missing')).toBeNull();
  });

  it('leaves a word in an unknown charset as it was written', () => {
    expect(decodeEncodedWords('=?x-unknown?Q?abc?= ok')).toBe('=?x-unknown?Q?abc?= ok');
  });
});
