// Technician tag lines (docs/domain.md, "Technician tag lines"): `#time 45m engineer onsite`,
// `#status resolved`, `#undo`, … one per line, in the technician's own text only. Quoted text is never
// read for tags: a technician replying to the new-ticket notification quotes our own tag
// examples, and a customer's `#time 10h` must never count. A malformed tag is never dropped
// silently: it lands in `errors` so the technician can be told which line and why.
import { PRIORITIES, type Priority, type TicketKind } from '../contracts/contracts.types.ts';
import { normalizeAddress, splitAddress } from '../shared/address.ts';
import { findQuotedRegion, signatureStart } from './reply-quoting.models.ts';
import { fail, parseDurationArgs, type Failure, type Outcome, type TagErrorCode } from './tag-values.models.ts';
import { parseTimeArgs, type TimeTag } from './time-tag.models.ts';

export type { TagErrorCode } from './tag-values.models.ts';
export { resolveWorkInterval, type WrittenStart } from './time-tag.models.ts';

export type TagStatus = 'open' | 'waiting' | 'resolved' | 'closed';

export type Tag =
  | TimeTag
  /** take back the time entry of the receipt this mail answers (the caller finds which) */
  | { type: 'undo' }
  | { type: 'status'; status: TagStatus }
  | { type: 'priority'; priority: Priority }
  | { type: 'internal' }
  | { type: 'estimate'; ms: number }
  | { type: 'kind'; kind: TicketKind }
  /** the writer becomes the ticket's owner */
  | { type: 'take' }
  /** the ticket's owner becomes this technician (the caller checks it is one of the provider's) */
  | { type: 'assign'; address: string };

export interface TagError {
  /** the line as the technician wrote it */
  line: string;
  /** 1-based, counted in the text given to the parser */
  lineNumber: number;
  /** English, for the tag-errors mail */
  reason: string;
  code: TagErrorCode;
}

export interface ParsedTechnicianReply {
  /** the technician's own text: without tag lines and without quoted text; signature kept */
  body: string;
  tags: Tag[];
  errors: TagError[];
}

/** the keyword's type; `#time -30m …` is a `time` keyword that makes a `correction` tag */
type TagType = Exclude<Tag['type'], 'correction'>;

// Keywords per type; the English one works in every language, the others are the words a
// technician writing to a customer in that language reaches for.
const KEYWORDS: ReadonlyMap<string, TagType> = new Map<string, TagType>([
  ...(['time', 'tid', 'tijd', 'zeit', 'temps'] as const).map((k) => [k, 'time'] as const),
  ['status', 'status'],
  ...(['priority', 'prio', 'prioritet', 'prioriteit', 'priorität', 'priorité'] as const).map((k) => [k, 'priority'] as const),
  ...(['internal', 'intern', 'internt', 'interne'] as const).map((k) => [k, 'internal'] as const),
  ...(['estimate', 'uppskattning', 'estimat', 'schatting', 'schätzung', 'estimation'] as const).map(
    (k) => [k, 'estimate'] as const,
  ),
  ...(['kind', 'typ', 'type'] as const).map((k) => [k, 'kind'] as const),
  ...(['undo', 'ångra', 'angre', 'ongedaan', 'rückgängig', 'annuler'] as const).map((k) => [k, 'undo'] as const),
  ...(['take', 'ta', 'tar', 'neem', 'overnemen', 'übernehmen', 'prendre'] as const).map((k) => [k, 'take'] as const),
  ...(['assign', 'tilldela', 'tildel', 'tildele', 'toewijzen', 'zuweisen', 'assigner'] as const).map((k) => [k, 'assign'] as const),
]);

const STATUS_WORDS: ReadonlyMap<string, TagStatus> = new Map<string, TagStatus>([
  ...(['open', 'öppen', 'öppet', 'åpen', 'åben', 'offen'] as const).map((w) => [w, 'open'] as const),
  ...(['waiting', 'pending', 'väntar', 'venter', 'afventer', 'wachtend', 'wachten', 'wartend'] as const).map(
    (w) => [w, 'waiting'] as const,
  ),
  ...(['resolved', 'solved', 'löst', 'løst', 'opgelost', 'gelöst'] as const).map((w) => [w, 'resolved'] as const),
  ...(['closed', 'stängd', 'stängt', 'lukket', 'gesloten', 'geschlossen'] as const).map((w) => [w, 'closed'] as const),
]);

const KIND_WORDS: ReadonlyMap<string, TicketKind> = new Map<string, TicketKind>([
  ...(['incident', 'störning', 'hendelse', 'storing'] as const).map((w) => [w, 'incident'] as const),
  ...(['request', 'begäran', 'förfrågan', 'beställning', 'forespørsel', 'bestilling', 'verzoek', 'aanvraag'] as const).map(
    (w) => [w, 'request'] as const,
  ),
]);

/** `#priority 2` and `#priority p2` alike */
const PRIORITY_WORDS: ReadonlyMap<string, Priority> = new Map(PRIORITIES.flatMap((p) => [[p.toLowerCase(), p], [p.slice(1), p]] as const));

function parseSingleWord<T>(
  keyword: string,
  args: readonly string[],
  lookup: (word: string) => T | null,
  missing: string,
  invalid: (word: string) => Failure,
): Outcome<T> {
  const [word, ...extra] = args;
  if (word === undefined) return fail('missing-value', missing);
  const value = lookup(word.toLowerCase());
  if (value === null) return invalid(word);
  if (extra.length > 0) return fail('unexpected-value', `#${keyword} takes one value, remove "${extra.join(' ')}"`);
  return { ok: true, value };
}

function parseTagArgs(type: TagType, keyword: string, args: readonly string[]): Outcome<Tag> {
  switch (type) {
    case 'time':
      return parseTimeArgs(keyword, args);
    case 'undo':
      if (args.length > 0) return fail('unexpected-value', `#${keyword} takes no value: reply #${keyword} to the receipt of the entry to take back`);
      return { ok: true, value: { type: 'undo' } };
    case 'estimate': {
      const duration = parseDurationArgs(keyword, args);
      if (!duration.ok) return duration;
      const extra = args.slice(duration.value.used);
      if (extra.length > 0) return fail('unexpected-value', `#${keyword} takes one duration, remove "${extra.join(' ')}"`);
      return { ok: true, value: { type: 'estimate', ms: duration.value.ms } };
    }
    case 'status':
      return parseSingleWord<Tag>(
        keyword,
        args,
        (word) => {
          const status = STATUS_WORDS.get(word);
          return status === undefined ? null : { type: 'status', status };
        },
        `#${keyword} needs a value: open, waiting, resolved or closed`,
        (word) => fail('invalid-status', `"${word}" is not a status (open, waiting, resolved or closed)`),
      );
    case 'priority':
      return parseSingleWord<Tag>(
        keyword,
        args,
        (word) => {
          const priority = PRIORITY_WORDS.get(word);
          return priority === undefined ? null : { type: 'priority', priority };
        },
        `#${keyword} needs a value from 1 (highest) to 4`,
        (word) => fail('invalid-priority', `"${word}" is not a priority (1, 2, 3, 4 or P1–P4)`),
      );
    case 'kind':
      return parseSingleWord<Tag>(
        keyword,
        args,
        (word) => {
          const kind = KIND_WORDS.get(word);
          return kind === undefined ? null : { type: 'kind', kind };
        },
        `#${keyword} needs a value: incident or request`,
        (word) => fail('invalid-kind', `"${word}" is not a kind (incident or request)`),
      );
    case 'internal':
      return { ok: true, value: { type: 'internal' } };
    case 'take':
      if (args.length > 0) return fail('unexpected-value', `#${keyword} takes no value (to give the ticket to someone else: #assign ADDRESS)`);
      return { ok: true, value: { type: 'take' } };
    case 'assign': {
      const [word, ...extra] = args;
      if (word === undefined) return fail('missing-value', `#${keyword} needs a technician's address, e.g. #${keyword} sara@example.com`);
      // `<sara@x>` and `mailto:sara@x` as mail clients paste them; the same person whatever the case.
      const address = normalizeAddress(word);
      const parts = splitAddress(address);
      if (parts === null || parts.localPart === '' || !parts.domain.includes('.')) return fail('invalid-address', `"${word}" is not a mail address`);
      if (extra.length > 0) return fail('unexpected-value', `#${keyword} takes one address, remove "${extra.join(' ')}"`);
      return { ok: true, value: { type: 'assign', address } };
    }
  }
}

interface TagLine {
  keyword: string;
  args: string[];
  /** text after `#internal`, kept as part of the note */
  rest: string;
}

/**
 * `#keyword args…` when the line is tag-shaped; null for ordinary text, including `#123`
 * (a ticket reference), `# heading`, `##` and hashtags that do not start the line.
 */
function splitTagLine(line: string): TagLine | null {
  const match = /^\s*#(\S+)(.*)$/.exec(line);
  if (!match) return null;
  let word = match[1] ?? '';
  let rest = match[2] ?? '';
  const colon = word.indexOf(':');
  if (colon !== -1) {
    // `#time: 45m` and `#time:45m`
    rest = `${word.slice(colon + 1)} ${rest}`;
    word = word.slice(0, colon);
  }
  if (!/^\p{L}/u.test(word)) return null;
  const args = rest.trim() === '' ? [] : rest.trim().split(/\s+/);
  return { keyword: word.toLowerCase(), args, rest: rest.trim() };
}

/**
 * Splits a technician's plain-text reply into the text for the customer, the tags, and the
 * malformed tag lines. Quoted text (`> ` lines with the "On … wrote:" / "Den … skrev:" /
 * "Op … schreef:" line above them, and everything from an unprefixed quote such as an Outlook
 * header block on) is neither relayed nor read for tags; answers written between `>` lines are. Tags below the signature delimiter still count (some technicians put them last); there
 * a `#word` that is no keyword is taken for a signature hashtag and left as text.
 */
export interface ParseTechnicianReplyOptions {
  /** the provider's technicians: `#assign` to anyone else is a tag error (`unknown-technician`) */
  technicians?: readonly string[];
}

export function parseTechnicianReply(text: string, options: ParseTechnicianReplyOptions = {}): ParsedTechnicianReply {
  const technicians = options.technicians ? new Set(options.technicians.map((address) => normalizeAddress(address))) : null;
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const { end, headerLines } = findQuotedRegion(lines);
  const signature = signatureStart(lines, end);
  const body: string[] = [];
  const tags: Tag[] = [];
  const errors: TagError[] = [];
  const firstLineOf = new Map<TagType, number>();

  for (let index = 0; index < end; index += 1) {
    const line = lines[index] ?? '';
    const lineNumber = index + 1;
    if (headerLines.has(index) || line.trimStart().startsWith('>')) continue;
    const tagLine = splitTagLine(line);
    if (tagLine === null) {
      body.push(line);
      continue;
    }
    const type = KEYWORDS.get(tagLine.keyword);
    if (type === undefined) {
      if (index >= signature) {
        body.push(line);
      } else {
        errors.push({ line, lineNumber, code: 'unknown-tag', reason: `unknown tag #${tagLine.keyword}` });
      }
      continue;
    }
    if (type === 'internal') {
      // Marking the mail internal is the safe reading whatever follows the keyword, and the
      // words after it belong to the note, so they stay in the body.
      if (!firstLineOf.has('internal')) tags.push({ type: 'internal' });
      firstLineOf.set('internal', firstLineOf.get('internal') ?? lineNumber);
      if (tagLine.rest !== '') body.push(tagLine.rest);
      continue;
    }
    const parsed = parseTagArgs(type, tagLine.keyword, tagLine.args);
    if (!parsed.ok) {
      errors.push({ line, lineNumber, code: parsed.code, reason: parsed.reason });
      continue;
    }
    if (parsed.value.type === 'assign' && technicians !== null && !technicians.has(parsed.value.address)) {
      errors.push({ line, lineNumber, code: 'unknown-technician', reason: `${parsed.value.address} is not one of our technicians` });
      continue;
    }
    // `#take` and `#assign` both name the owner: a second one of either is a duplicate.
    const family: TagType = type === 'take' ? 'assign' : type;
    const first = firstLineOf.get(family);
    if (type !== 'time' && first !== undefined) {
      errors.push({ line, lineNumber, code: 'duplicate-tag', reason: `#${tagLine.keyword} given twice (first on line ${first}); only the first counts` });
      continue;
    }
    firstLineOf.set(family, lineNumber);
    tags.push(parsed.value);
  }

  return { body: tidyBody(body), tags, errors };
}

/** Drops leading/trailing blank lines and the blank runs that removed tag lines leave behind. */
function tidyBody(lines: readonly string[]): string {
  const out: string[] = [];
  for (const line of lines) {
    const blank = line.trim() === '';
    if (blank && (out.length === 0 || (out[out.length - 1] ?? '').trim() === '')) continue;
    out.push(blank ? '' : line.trimEnd());
  }
  while (out.length > 0 && (out[out.length - 1] ?? '') === '') out.pop();
  return out.join('\n');
}
