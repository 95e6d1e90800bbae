import { describe, expect, it } from 'vitest';
import { parseTechnicianReply } from '../../src/tickets/tags.models.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('parseTechnicianReply: tags', () => {
  it('reads tag lines, removes them from the body and keeps the rest of the text', () => {
    const reply = parseTechnicianReply(
      ['Hi Eva,', '', 'I replaced the toner.', '#time 45m engineer onsite', '#status resolved', '', 'Regards,', 'Tom'].join('\n'),
    );
    expect(reply).toEqual({
      body: 'Hi Eva,\n\nI replaced the toner.\n\nRegards,\nTom',
      tags: [
        { type: 'time', ms: 45 * MIN, role: 'engineer', onsite: true, start: null },
        { type: 'status', status: 'resolved' },
      ],
      errors: [],
    });
  });

  it('is case-insensitive and allows leading whitespace and a colon after the keyword', () => {
    const reply = parseTechnicianReply('  #TIME 45M Cabling REMOTE\n#Status: Waiting\n#priority:2');
    expect(reply.tags).toEqual([
      { type: 'time', ms: 45 * MIN, role: 'cabling', onsite: false, start: null },
      { type: 'status', status: 'waiting' },
      { type: 'priority', priority: 'P2' },
    ]);
    expect(reply.errors).toEqual([]);
  });

  it('accepts the localized time keywords', () => {
    const reply = parseTechnicianReply('#tid 30m\n#tijd 15m\n#zeit 10m\n#temps 5m');
    expect(reply.tags).toEqual([
      { type: 'time', ms: 30 * MIN, role: null, onsite: false, start: null },
      { type: 'time', ms: 15 * MIN, role: null, onsite: false, start: null },
      { type: 'time', ms: 10 * MIN, role: null, onsite: false, start: null },
      { type: 'time', ms: 5 * MIN, role: null, onsite: false, start: null },
    ]);
  });

  it('accepts the duration forms technicians type', () => {
    const reply = parseTechnicianReply(
      ['#time 1h30', '#time 1h30m', '#time 1.5h', '#time 1,5h', '#time 1:30', '#time 90 min', '#time 2t', '#time 2u', '#time 30s'].join('\n'),
    );
    expect(reply.errors).toEqual([]);
    expect(reply.tags.map((tag) => (tag.type === 'time' ? tag.ms : null))).toEqual([
      90 * MIN,
      90 * MIN,
      90 * MIN,
      90 * MIN,
      90 * MIN,
      90 * MIN,
      2 * HOUR,
      2 * HOUR,
      30_000,
    ]);
  });

  it('keeps several time lines, one entry each', () => {
    const reply = parseTechnicianReply('#time 1h engineer\n#time 30m cabling onsite');
    expect(reply.tags).toEqual([
      { type: 'time', ms: HOUR, role: 'engineer', onsite: false, start: null },
      { type: 'time', ms: 30 * MIN, role: 'cabling', onsite: true, start: null },
    ]);
  });

  it('takes any word as a role; the rate card is checked by billing', () => {
    expect(parseTechnicianReply('#time 20m projektledare').tags).toEqual([{ type: 'time', ms: 20 * MIN, role: 'projektledare', onsite: false, start: null }]);
  });

  it('reads status words in Swedish, Norwegian and Dutch', () => {
    const statuses = ['öppen', 'åpen', 'väntar', 'venter', 'wachtend', 'löst', 'løst', 'opgelost', 'stängd', 'lukket', 'gesloten'].map(
      (word) => parseTechnicianReply(`#status ${word}`).tags[0],
    );
    expect(statuses).toEqual([
      { type: 'status', status: 'open' },
      { type: 'status', status: 'open' },
      { type: 'status', status: 'waiting' },
      { type: 'status', status: 'waiting' },
      { type: 'status', status: 'waiting' },
      { type: 'status', status: 'resolved' },
      { type: 'status', status: 'resolved' },
      { type: 'status', status: 'resolved' },
      { type: 'status', status: 'closed' },
      { type: 'status', status: 'closed' },
      { type: 'status', status: 'closed' },
    ]);
  });

  it('reads priorities as 1..4 or P1..P4 under every keyword', () => {
    expect(parseTechnicianReply('#priority 1').tags).toEqual([{ type: 'priority', priority: 'P1' }]);
    expect(parseTechnicianReply('#prioritet P4').tags).toEqual([{ type: 'priority', priority: 'P4' }]);
    expect(parseTechnicianReply('#prioriteit p3').tags).toEqual([{ type: 'priority', priority: 'P3' }]);
  });

  it('reads #internal and #intern', () => {
    expect(parseTechnicianReply('Note to self\n#internal').tags).toEqual([{ type: 'internal' }]);
    expect(parseTechnicianReply('#intern').tags).toEqual([{ type: 'internal' }]);
  });

  it('keeps the words after #internal as part of the note', () => {
    expect(parseTechnicianReply('#internal: customer is difficult')).toEqual({
      body: 'customer is difficult',
      tags: [{ type: 'internal' }],
      errors: [],
    });
  });

  it('reads estimates under every keyword', () => {
    const reply = parseTechnicianReply('#estimate 5h');
    expect(reply.tags).toEqual([{ type: 'estimate', ms: 5 * HOUR }]);
    expect(parseTechnicianReply('#uppskattning 3h').tags).toEqual([{ type: 'estimate', ms: 3 * HOUR }]);
    expect(parseTechnicianReply('#estimat 2h').tags).toEqual([{ type: 'estimate', ms: 2 * HOUR }]);
    expect(parseTechnicianReply('#schatting 1h').tags).toEqual([{ type: 'estimate', ms: HOUR }]);
  });

  it('reads the kind, also in the customer’s words', () => {
    expect(parseTechnicianReply('#kind request').tags).toEqual([{ type: 'kind', kind: 'request' }]);
    expect(parseTechnicianReply('#typ förfrågan').tags).toEqual([{ type: 'kind', kind: 'request' }]);
    expect(parseTechnicianReply('#kind Incident').tags).toEqual([{ type: 'kind', kind: 'incident' }]);
  });

  it('leaves hashtags inside sentences, ticket references and headings in the text', () => {
    const text = 'See #123 for details.\n#123 is related\nWe love #printers here\n# Summary\n## Steps';
    expect(parseTechnicianReply(text)).toEqual({ body: text, tags: [], errors: [] });
  });
});

describe('parseTechnicianReply: errors', () => {
  function errorsOf(text: string) {
    return parseTechnicianReply(text).errors.map(({ lineNumber, code, reason }) => ({ lineNumber, code, reason }));
  }

  it('asks for a unit instead of guessing what a bare number means', () => {
    expect(errorsOf('#time 90')).toEqual([{ lineNumber: 1, code: 'bare-number', reason: 'add a unit: 90m' }]);
  });

  it('names the line of every malformed tag and never relays it', () => {
    const reply = parseTechnicianReply('Fixed it.\r\n#time abc\r\n#foo bar');
    expect(reply.body).toBe('Fixed it.');
    expect(reply.tags).toEqual([]);
    expect(reply.errors).toEqual([
      { line: '#time abc', lineNumber: 2, code: 'invalid-duration', reason: '"abc" is not a duration (use e.g. 45m, 1h30m or 1.5h)' },
      { line: '#foo bar', lineNumber: 3, code: 'unknown-tag', reason: 'unknown tag #foo' },
    ]);
  });

  it('reports a missing duration and a zero duration', () => {
    expect(errorsOf('#time')).toEqual([{ lineNumber: 1, code: 'missing-value', reason: '#time needs a duration, e.g. #time 45m' }]);
    expect(errorsOf('#tid 0m')).toEqual([{ lineNumber: 1, code: 'zero-duration', reason: 'the duration must be more than zero' }]);
  });

  it('reports two roles, onsite with remote, and a second duration on one line', () => {
    expect(errorsOf('#time 45m engineer cabling')).toEqual([
      { lineNumber: 1, code: 'several-roles', reason: 'one role per line, got engineer and cabling' },
    ]);
    expect(errorsOf('#time 45m onsite remote')).toEqual([
      { lineNumber: 1, code: 'conflicting-place', reason: 'choose onsite or remote, not both' },
    ]);
    expect(errorsOf('#time 45m 30m')).toEqual([
      { lineNumber: 1, code: 'invalid-role', reason: '"30m" is not a role (one duration per #time line)' },
    ]);
  });

  it('reports bad status, priority and kind values and missing ones', () => {
    expect(errorsOf('#status maybe\n#status\n#status resolved now')).toEqual([
      { lineNumber: 1, code: 'invalid-status', reason: '"maybe" is not a status (open, waiting, resolved or closed)' },
      { lineNumber: 2, code: 'missing-value', reason: '#status needs a value: open, waiting, resolved or closed' },
      { lineNumber: 3, code: 'unexpected-value', reason: '#status takes one value, remove "now"' },
    ]);
    expect(errorsOf('#priority 5\n#prioritet')).toEqual([
      { lineNumber: 1, code: 'invalid-priority', reason: '"5" is not a priority (1, 2, 3, 4 or P1–P4)' },
      { lineNumber: 2, code: 'missing-value', reason: '#prioritet needs a value from 1 (highest) to 4' },
    ]);
    expect(errorsOf('#kind bug\n#kind')).toEqual([
      { lineNumber: 1, code: 'invalid-kind', reason: '"bug" is not a kind (incident or request)' },
      { lineNumber: 2, code: 'missing-value', reason: '#kind needs a value: incident or request' },
    ]);
  });

  it('reports an estimate without a duration or with extra words', () => {
    expect(errorsOf('#estimate\n#estimate 5h maybe')).toEqual([
      { lineNumber: 1, code: 'missing-value', reason: '#estimate needs a duration, e.g. #estimate 45m' },
      { lineNumber: 2, code: 'unexpected-value', reason: '#estimate takes one duration, remove "maybe"' },
    ]);
  });

  it('keeps the first of two status lines and reports the second', () => {
    const reply = parseTechnicianReply('#status open\n#status closed');
    expect(reply.tags).toEqual([{ type: 'status', status: 'open' }]);
    expect(reply.errors).toEqual([
      { line: '#status closed', lineNumber: 2, code: 'duplicate-tag', reason: '#status given twice (first on line 1); only the first counts' },
    ]);
  });

  it('treats an unknown #word below the signature delimiter as signature text', () => {
    const reply = parseTechnicianReply('Done.\n#time 30m\n-- \nTom, Trinax\n#TeamTrinax');
    expect(reply).toEqual({
      body: 'Done.\n--\nTom, Trinax\n#TeamTrinax',
      tags: [{ type: 'time', ms: 30 * MIN, role: null, onsite: false, start: null }],
      errors: [],
    });
  });

  it('still reports an unknown tag after a mere sign-off, where a typo is likelier than a hashtag', () => {
    expect(errorsOf('Done.\nThanks!\n#tiem 30m')).toEqual([{ lineNumber: 3, code: 'unknown-tag', reason: 'unknown tag #tiem' }]);
  });
});

describe('parseTechnicianReply: quoted text is never read', () => {
  it('ignores tags in > quoted lines and drops them from the body', () => {
    const reply = parseTechnicianReply('> #time 10h\n> #status closed\nDone.\n#time 30m\n>> #priority 1');
    expect(reply).toEqual({ body: 'Done.', tags: [{ type: 'time', ms: 30 * MIN, role: null, onsite: false, start: null }], errors: [] });
  });

  it.each([
    ['en (Gmail)', 'On Wed, 4 Mar 2026 at 10:15, Eva Svensson <eva@acme.se> wrote:'],
    ['sv (Gmail)', 'Den ons 4 mars 2026 kl 10:15 skrev Eva Svensson <eva@acme.se>:'],
    ['sv (Apple Mail)', '4 mars 2026 kl. 10:15 skrev Eva Svensson <eva@acme.se>:'],
    ['nb (Gmail)', 'ons. 4. mar. 2026 kl. 10:15 skrev Eva Svensson <eva@acme.se>:'],
    ['nl (Gmail)', 'Op wo 4 mrt 2026 om 10:15 schreef Eva Svensson <eva@acme.se>:'],
    ['de', 'Am 04.03.2026 um 10:15 schrieb Eva Svensson <eva@acme.se>:'],
    ['fr', 'Le mer. 4 mars 2026 à 10:15, Eva Svensson <eva@acme.se> a écrit :'],
    ['pl (known to email-reply-parser only)', 'W dniu 4.03.2026 o 10:15, Eva Svensson <eva@acme.se> pisze:'],
    ['Outlook separator', '-----Original Message-----'],
    ['Outlook separator (sv)', '-----Ursprungligt meddelande-----'],
  ])('ignores everything after the %s attribution line, even without > quoting', (_name, header) => {
    const reply = parseTechnicianReply(`Done.\n#time 30m\n\n${header}\n#time 10h\n#foo\nThe printer is broken.`);
    expect(reply).toEqual({ body: 'Done.', tags: [{ type: 'time', ms: 30 * MIN, role: null, onsite: false, start: null }], errors: [] });
  });

  it('recognises an attribution that the mail client wrapped over two lines', () => {
    const reply = parseTechnicianReply('Done.\n#time 30m\nOn Wed, 4 Mar 2026 at 10:15, Eva Svensson <\neva@acme.se> wrote:\n#time 10h');
    expect(reply.body).toBe('Done.');
    expect(reply.tags).toHaveLength(1);
  });

  it('recognises an Outlook header block in Swedish, Norwegian and Dutch', () => {
    for (const block of [
      '________________________________\nFrån: Eva Svensson <eva@acme.se>\nSkickat: den 4 mars 2026 10:15\nTill: support@trinax.example',
      'Fra: Eva Svensson <eva@acme.se>\nSendt: onsdag 4. mars 2026 10:15\nTil: support@trinax.example',
      'Van: Eva Svensson <eva@acme.se>\nVerzonden: woensdag 4 maart 2026 10:15\nAan: support@trinax.example',
    ]) {
      const reply = parseTechnicianReply(`Done.\n#time 30m\n\n${block}\nOnderwerp: x\n\n#status closed`);
      expect(reply.tags, block).toEqual([{ type: 'time', ms: 30 * MIN, role: null, onsite: false, start: null }]);
      expect(reply.body, block).toBe('Done.');
    }
  });

  it('does not read the tag examples of our own notification when a technician replies above it', () => {
    const notification = [
      'On Wed, 4 Mar 2026 at 10:16, Trinax Support <support+17.7ob2kgz4gk@trinax.example> wrote:',
      '> New ticket #17: Printer',
      '>   - log time: #time 45m [technician|engineer|cabling|consulting] [onsite|remote]',
      '> #status open|waiting|resolved|closed',
    ].join('\n');
    expect(parseTechnicianReply(`On it.\n#status waiting\n\n${notification}`)).toEqual({
      body: 'On it.',
      tags: [{ type: 'status', status: 'waiting' }],
      errors: [],
    });
  });

  it('reads answers written between > quoted lines, but not the quote or its header', () => {
    const reply = parseTechnicianReply(
      [
        'On Wed, 4 Mar 2026 at 10:15, Eva Svensson <eva@acme.se> wrote:',
        '> Is the printer fixed?',
        '> #time 10h',
        'Yes, the toner is replaced.',
        '',
        '> And the scanner?',
        'Not yet, I will come by tomorrow.',
        '#time 30m onsite',
      ].join('\n'),
    );
    expect(reply).toEqual({
      body: 'Yes, the toner is replaced.\n\nNot yet, I will come by tomorrow.',
      tags: [{ type: 'time', ms: 30 * MIN, role: null, onsite: true, start: null }],
      errors: [],
    });
  });

  it('stays fast on a long mail', () => {
    const quoted = Array.from({ length: 5000 }, (_, index) => `> line ${index} of an old thread, Eva <eva@acme.se>`).join('\n');
    const own = Array.from({ length: 2000 }, (_, index) => `Step ${index}: checked the cabling on floor ${index % 7}.`).join('\n');
    const started = performance.now();
    const reply = parseTechnicianReply(`${own}\n#time 30m\nOn Wed, 4 Mar 2026 at 10:15, Eva <eva@acme.se> wrote:\n${quoted}`);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(reply.tags).toHaveLength(1);
  });

  it('does not take an ordinary sentence ending in "wrote:" for a quote header', () => {
    const reply = parseTechnicianReply('As I wrote:\n#time 30m');
    expect(reply.tags).toEqual([{ type: 'time', ms: 30 * MIN, role: null, onsite: false, start: null }]);
    expect(reply.body).toBe('As I wrote:');
  });
});
