// docs/tags.md is what technicians read: every keyword and value it lists must be one the parser
// takes, in the form the page shows.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTechnicianReply } from '../../src/tickets/tags.models.ts';

const page = readFileSync(new URL('../../docs/tags.md', import.meta.url), 'utf8');
/** The text under a heading, up to the next heading (code blocks hold lines that start with #). */
function section(heading: string): string {
  const start = page.indexOf(heading) + heading.length;
  const next = page.slice(start).search(/\n##+ /);
  return page.slice(start, next < 0 ? undefined : start + next);
}
const codeWords = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

/** The keywords of one row of "The tags" table (the cells with backquoted #words). */
function keywordsOfRow(label: string): string[] {
  const row = page.split('\n').find((line) => line.startsWith(`| ${label} |`));
  if (!row) throw new Error(`no row "${label}" in docs/tags.md`);
  return codeWords(row.split('|')[2]!).filter((w) => w.startsWith('#'));
}

const tagsOf = (line: string) => parseTechnicianReply(`${line}\n\nthanks`);

describe('docs/tags.md', () => {
  it.each([
    ['time worked', '45m', 'time'],
    ['undo', '', 'undo'],
    ['status', 'resolved', 'status'],
    ['priority', '2', 'priority'],
    ['kind', 'incident', 'kind'],
    ['internal note', '', 'internal'],
    ['estimate', '5h', 'estimate'],
    ['take the ticket', '', 'take'],
    ['assign the ticket', 'sara@trinax.example', 'assign'],
  ] as const)('lists keywords for "%s" that the parser takes', (label, value, type) => {
    const keywords = keywordsOfRow(label);
    expect(keywords.length).toBeGreaterThan(0);
    for (const keyword of keywords) {
      const parsed = tagsOf(`${keyword} ${value}`.trim());
      expect(parsed.errors, keyword).toEqual([]);
      expect(parsed.tags.map((t) => t.type), keyword).toEqual([type]);
    }
  });

  it('lists status and kind words that the parser takes', () => {
    for (const word of codeWords(section('### `#status` values'))) expect(tagsOf(`#status ${word}`).errors, word).toEqual([]);
    for (const word of codeWords(section('### `#kind` values'))) expect(tagsOf(`#kind ${word}`).errors, word).toEqual([]);
  });

  it('shows #time examples that parse', () => {
    const examples = section('### `#time`').split('```')[1]!.trim().split('\n').map((line) => line.split(/\s{3,}/)[0]!.trim());
    expect(examples.length).toBeGreaterThan(4);
    for (const example of examples) expect(tagsOf(example).errors, example).toEqual([]);
  });
});
