// The arguments of a `#time` line, and when the work it logs was done (docs/domain.md,
// "Technician tag lines"):
//   #time 45m                      work that ended when the mail was written
//   #time 2h from 18:00            the start on the mail's day (or the day before, see below)
//   #time 1h30m 2026-11-20 07:30   the start's date and time
//   #time -30m wrong ticket        a correction: minutes taken back, with a reason (required)
// with a role and `onsite`/`remote` anywhere after the duration of a positive entry. "from" is
// accepted in each language the other keywords come in (see FROM_WORDS), whatever the ticket's
// language. A time without a date or "from" (`#time 45m 18:00`) is refused: `1:30` is also a
// duration, and a wrong guess bills the customer.
//
// The parser knows no zone and no clock: it returns the start as written (local date and time).
// `resolveWorkInterval` turns it into instants in the provider's zone, relative to the mail's date.
import { instantOfLocalTime, localTimeOf } from '../billing/periods-local-time.models.ts';
import { parseLocalDate, partsOfOrdinal } from '../calendar/local-date.models.ts';
import { fail, parseDurationArgs, type Outcome } from './tag-values.models.ts';

/** A start as the technician wrote it: a local wall-clock time, with the date when one was given. */
export interface WrittenStart {
  /** `YYYY-MM-DD`; null when only a time was written (`from 18:00`) */
  date: string | null;
  hour: number;
  minute: number;
}

export type TimeTag =
  | { type: 'time'; ms: number; role: string | null; onsite: boolean; start: WrittenStart | null }
  /** `#time -30m reason`: `ms` is negative (the minutes taken back) */
  | { type: 'correction'; ms: number; reason: string };

// "from": en, sv, nb/da, nl (vanaf, van), de (ab, von), fr (depuis, à partir de is three words: not offered).
const FROM_WORDS = new Set(['from', 'från', 'fra', 'vanaf', 'van', 'ab', 'von', 'depuis']);
// "at (o'clock)" that people put before a time: sv klockan/kl, nb/da klokka/kl, nl om. Skipped.
const AT_WORDS = new Set(['kl', 'kl.', 'klockan', 'klokka', 'klokken', 'om', 'at']);
const ONSITE_WORDS = new Set(['onsite', 'on-site', 'on_site']);
const REMOTE_WORDS = new Set(['remote']);
const ROLE_WORD = /^\p{L}[\p{L}\p{N}_-]*$/u;
const TIME = /^([01]?\d|2[0-3])[:.]([0-5]\d)$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})t(\d{1,2}[:.]\d{2})$/;
const START_HINT = 'e.g. from 18:00, or 2026-11-20 07:30';

function parseClock(token: string | undefined): { hour: number; minute: number } | null {
  const match = token === undefined ? null : TIME.exec(token);
  return match ? { hour: Number(match[1]), minute: Number(match[2]) } : null;
}

/** The start from `args[index]` on (after "from", or a date); how many arguments it used. */
function parseStart(args: readonly string[], index: number): Outcome<{ start: WrittenStart; used: number }> {
  let at = index;
  const word = (i: number) => args[i]?.toLowerCase();
  if (AT_WORDS.has(word(at) ?? '')) at += 1;
  let date: string | null = null;
  const combined = DATE_TIME.exec(word(at) ?? '');
  let clockToken: string | undefined;
  if (combined) {
    date = combined[1]!;
    clockToken = combined[2];
  } else if (DATE.test(word(at) ?? '')) {
    date = word(at)!;
    at += 1;
    if (AT_WORDS.has(word(at) ?? '')) at += 1;
    clockToken = word(at);
    if (clockToken === undefined) return fail('missing-start', `give the start time after the date (${START_HINT})`);
  } else {
    clockToken = word(at);
    if (clockToken === undefined) return fail('missing-start', `"${args[index - 1] ?? 'from'}" needs a start time (${START_HINT})`);
  }
  if (date !== null && parseLocalDate(date) === null) return fail('invalid-start', `"${date}" is not a date (${START_HINT})`);
  const clock = parseClock(clockToken);
  if (clock === null) return fail('invalid-start', `"${clockToken}" is not a time of day (${START_HINT})`);
  return { ok: true, value: { start: { date, ...clock }, used: at + 1 - index } };
}

function parseCorrection(keyword: string, args: readonly string[]): Outcome<TimeTag> {
  const [first = '', ...rest] = args;
  const duration = parseDurationArgs(keyword, [first.replace(/^[-−]/, ''), ...rest], '-');
  if (!duration.ok) return duration;
  const reason = args.slice(duration.value.used).join(' ').trim();
  if (reason === '') {
    return fail('missing-reason', `say why the time is taken back, e.g. #${keyword} ${first} logged on the wrong ticket`);
  }
  return { ok: true, value: { type: 'correction', ms: -duration.value.ms, reason } };
}

/** The arguments of one `#time` line (the keyword may be `#tid`, `#tijd`, …). */
export function parseTimeArgs(keyword: string, args: readonly string[]): Outcome<TimeTag> {
  if (/^[-−]/.test(args[0] ?? '')) return parseCorrection(keyword, args);
  const duration = parseDurationArgs(keyword, args);
  if (!duration.ok) return duration;
  let role: string | null = null;
  let place: 'onsite' | 'remote' | null = null;
  let start: WrittenStart | null = null;
  for (let index = duration.value.used; index < args.length; index += 1) {
    const arg = args[index]!;
    const word = arg.toLowerCase();
    const startsHere = FROM_WORDS.has(word) || DATE.test(word) || DATE_TIME.test(word);
    if (startsHere) {
      if (start !== null) return fail('several-starts', `one start per line (${START_HINT})`);
      const afterFrom = FROM_WORDS.has(word);
      const parsed = parseStart(args, afterFrom ? index + 1 : index);
      if (!parsed.ok) return parsed;
      start = parsed.value.start;
      index += parsed.value.used - (afterFrom ? 0 : 1);
    } else if (TIME.test(word)) {
      return fail('invalid-start', `write "from ${arg}" to give the start (a time alone could be a second duration)`);
    } else if (ONSITE_WORDS.has(word) || REMOTE_WORDS.has(word)) {
      const next = ONSITE_WORDS.has(word) ? 'onsite' : 'remote';
      if (place !== null && place !== next) return fail('conflicting-place', 'choose onsite or remote, not both');
      place = next;
    } else if (!ROLE_WORD.test(word)) {
      return fail('invalid-role', `"${arg}" is not a role (one duration per #${keyword} line)`);
    } else if (role !== null && role !== word) {
      return fail('several-roles', `one role per line, got ${role} and ${word}`);
    } else {
      // Whether the plan has a rate for this role is billing's check; the parser has no config.
      role = word;
    }
  }
  return { ok: true, value: { type: 'time', ms: duration.value.ms, role, onsite: place === 'onsite', start } };
}

/**
 * When the work of a `#time` line was done, as instants, in the provider's `timeZone`:
 * - no start written: the work ended when the mail was written (`mailDate`);
 * - a time only: that time on the mail's local date, or on the day before when that would be
 *   after the mail (`from 23:00` in a mail written at 00:40 is last night);
 * - a date and time: exactly that; a start after the mail is refused (`start-after-mail`).
 * A local time that a DST change skips or repeats resolves by periods-local-time.models.ts: a
 * skipped time moves forward by the gap, a repeated one is its earlier occurrence. The work may
 * end after the mail's date (a technician rounding up); only the start is checked.
 */
export function resolveWorkInterval(
  tag: { ms: number; start: WrittenStart | null },
  mailDate: Date | number,
  timeZone: string,
): Outcome<{ startMs: number; endMs: number }> {
  const mailMs = typeof mailDate === 'number' ? mailDate : mailDate.getTime();
  if (tag.start === null) return { ok: true, value: { startMs: mailMs - tag.ms, endMs: mailMs } };
  const { hour, minute, date } = tag.start;
  if (date !== null) {
    const ordinal = parseLocalDate(date);
    if (ordinal === null) return fail('invalid-start', `"${date}" is not a date`);
    const startMs = instantOfLocalTime({ ...partsOfOrdinal(ordinal), hour, minute }, timeZone);
    if (startMs > mailMs) return fail('start-after-mail', `the start ${date} ${pad(hour)}:${pad(minute)} is after the mail was written`);
    return { ok: true, value: { startMs, endMs: startMs + tag.ms } };
  }
  const today = localTimeOf(mailMs, timeZone).ordinal;
  let startMs = instantOfLocalTime({ ...partsOfOrdinal(today), hour, minute }, timeZone);
  if (startMs > mailMs) startMs = instantOfLocalTime({ ...partsOfOrdinal(today - 1), hour, minute }, timeZone);
  return { ok: true, value: { startMs, endMs: startMs + tag.ms } };
}

const pad = (n: number): string => String(n).padStart(2, '0');
