// The contracts file as the user writes it (docs/CONTRACTS.md), as zod schemas, plus the pure
// normalization of a schema-valid, cross-checked file into ContractsConfig.
//
// Leaf values (durations, money, hours, time zones, holiday codes) are parsed right here in the
// schema so that every bad value is reported with its path by the same mechanism; checks that
// need two places of the file (references, uniqueness) live in contracts.models.ts, which also
// parses the file part by part so that one bad plan does not hide the problems of the others.
import Holidays from 'date-holidays';
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import type { CalendarDefinition, HolidayType, IsoWeekday, OpeningRange } from '../calendar/calendar.types.ts';
import { DURATION_HINT, parseElapsed, parseSlaDuration, type SlaDuration } from '../shared/duration.ts';
import {
  LOCALES,
  PRIORITIES,
  TICKET_KINDS,
  type BillingConfig,
  type Cadence,
  type ContractConfig,
  type ContractsConfig,
  type CustomerConfig,
  type Locale,
  type PlanConfig,
  type PrioritySla,
  type Priority,
  type ProviderConfig,
  type TermConfig,
  type TicketKind,
} from './contracts.types.ts';

// ---------------------------------------------------------------------------------------------
// Leaf parsers. Each takes the YAML value (unknown) and returns the parsed value or reports a
// message (optionally at a sub-path). A missing key reaches the parser as undefined: "required".
// ---------------------------------------------------------------------------------------------

type IssuePath = (string | number)[];
type Report = (message: string, path?: IssuePath) => void;
const INVALID = Symbol('invalid');
type Parsed<T> = T | typeof INVALID;

function leaf<T>(parse: (value: unknown, report: Report) => Parsed<T>) {
  return z.unknown().transform((value, ctx): T => {
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: 'required' });
      return z.NEVER;
    }
    let reported = false;
    const report: Report = (message, path = []) => {
      reported = true;
      ctx.addIssue({ code: 'custom', message, path });
    };
    const parsed = parse(value, report);
    if (parsed === INVALID || reported) return z.NEVER;
    return parsed;
  });
}

/** How a YAML value is named in a message: strings quoted, collections by kind. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

const text = () =>
  leaf<string>((value, report) => {
    if (typeof value !== 'string') {
      report(`expected a text, got ${describeValue(value)}`);
      return INVALID;
    }
    const trimmed = value.trim();
    if (trimmed === '') {
      report('must not be empty');
      return INVALID;
    }
    return trimmed;
  });

const EMAIL = /^[^\s@<>()",;:]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

/** Addresses are compared lower-cased and trimmed everywhere, so they are stored that way. */
export function normalizeEmail(value: string): string {
  return value.trim().toLowerCase();
}

const email = () =>
  leaf<string>((value, report) => {
    if (typeof value !== 'string') {
      report(`expected an e-mail address, got ${describeValue(value)}`);
      return INVALID;
    }
    const address = normalizeEmail(value);
    const bracketed = /<([^<>]+)>\s*$/.exec(address);
    if (bracketed) {
      report(`write the bare address (${bracketed[1]}), not ${JSON.stringify(value.trim())}`);
      return INVALID;
    }
    if (!EMAIL.test(address)) {
      report(`${JSON.stringify(value)} is not an e-mail address`);
      return INVALID;
    }
    return address;
  });

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/;

const domain = () =>
  leaf<string>((value, report) => {
    if (typeof value !== 'string') {
      report(`expected a domain such as acme.se, got ${describeValue(value)}`);
      return INVALID;
    }
    const name = value.trim().toLowerCase();
    if (name.includes('@')) {
      report(`${JSON.stringify(value)} is not a domain (write acme.se, not an address or @acme.se)`);
      return INVALID;
    }
    if (!DOMAIN.test(name)) {
      report(`${JSON.stringify(value)} is not a domain`);
      return INVALID;
    }
    return name;
  });

const timezone = () =>
  leaf<string>((value, report) => {
    if (typeof value !== 'string' || !IANAZone.isValidZone(value.trim())) {
      report(`${describeValue(value)} is not an IANA time zone (e.g. Europe/Stockholm)`);
      return INVALID;
    }
    return value.trim();
  });

const locale = () =>
  leaf<Locale>((value, report) => {
    const code = typeof value === 'string' ? value.trim().toLowerCase() : '';
    if (!(LOCALES as readonly string[]).includes(code)) {
      report(`${describeValue(value)} is not one of ${LOCALES.join(', ')}`);
      return INVALID;
    }
    return code as Locale;
  });

function oneOf<T extends string>(values: readonly T[]) {
  return leaf<T>((value, report) => {
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value.trim())) {
      report(`${describeValue(value)} is not one of ${values.join(', ')}`);
      return INVALID;
    }
    return value.trim() as T;
  });
}

/** Keys of calendars and plans as they are referenced elsewhere in the file. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const reference = (what: string) =>
  leaf<string>((value, report) => {
    if (typeof value !== 'string' || value.trim() === '') {
      report(`expected the name of a ${what}, got ${describeValue(value)}`);
      return INVALID;
    }
    return value.trim();
  });

const localDate = () =>
  leaf<string>((value, report) => {
    const source = typeof value === 'string' ? value.trim() : '';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(source) || !DateTime.fromISO(source).isValid) {
      report(`${describeValue(value)} is not a date (write YYYY-MM-DD, e.g. 2026-01-01)`);
      return INVALID;
    }
    return source;
  });

const slaDuration = () =>
  leaf<SlaDuration>((value, report) => {
    const parsed = typeof value === 'string' ? parseSlaDuration(value) : null;
    if (!parsed) {
      report(`${describeValue(value)} is not a duration (${DURATION_HINT})`);
      return INVALID;
    }
    return parsed;
  });

const ELAPSED_HINT = 'use 15m, 1h, 1h30m, 1.5h, 30s';

/** A fixed amount of working time in ms (no business days: these are not deadlines). */
const elapsed = (options: { allowZero: boolean }) =>
  leaf<number>((value, report) => {
    const ms = typeof value === 'string' ? parseElapsed(value) : null;
    if (ms === null) {
      const isDeadline = typeof value === 'string' && parseSlaDuration(value) !== null;
      report(
        isDeadline
          ? `${describeValue(value)} is a deadline, not an amount of time (${ELAPSED_HINT})`
          : `${describeValue(value)} is not a duration (${ELAPSED_HINT})`,
      );
      return INVALID;
    }
    if (ms === 0 && !options.allowZero) {
      report(`${describeValue(value)} must be more than zero`);
      return INVALID;
    }
    return ms;
  });

/**
 * Money is written in major units ("8000", 58.00, "1350.50") and kept in integer minor units.
 * The decimal text is parsed digit by digit; a float is never multiplied. (A YAML number reaches
 * us as a JS number: String(n) gives back the shortest decimal that reads as n, which is the
 * literal the user wrote whenever it has at most 15 significant digits; contracts.models.ts turns
 * number literals that do not survive that round trip back into their source text.)
 */
export function parseMoneyMinor(value: unknown): { ok: true; minor: number } | { ok: false; message: string } {
  let source: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { ok: false, message: `${describeValue(value)} is not an amount` };
    source = String(value);
  } else if (typeof value === 'string') {
    source = value.trim();
  } else {
    return { ok: false, message: `expected an amount such as 1350 or 1350.50, got ${describeValue(value)}` };
  }
  const match = /^(\d+)(?:\.(\d+))?$/.exec(source);
  if (!match) {
    if (/^-/.test(source)) return { ok: false, message: `${describeValue(value)} is negative` };
    return {
      ok: false,
      message: `${describeValue(value)} is not an amount (write 1350 or 1350.50: a dot for decimals, no spaces or thousands separators)`,
    };
  }
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  if (fraction.length > 2) {
    return { ok: false, message: `${describeValue(value)} has more than 2 decimals` };
  }
  const minor = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, message: `${describeValue(value)} is too large` };
  return { ok: true, minor: Number(minor) };
}

const money = () =>
  leaf<number>((value, report) => {
    const parsed = parseMoneyMinor(value);
    if (!parsed.ok) {
      report(parsed.message);
      return INVALID;
    }
    return parsed.minor;
  });

const currency = () =>
  leaf<string>((value, report) => {
    const code = typeof value === 'string' ? value.trim().toUpperCase() : '';
    if (!/^[A-Z]{3}$/.test(code)) {
      report(`${describeValue(value)} is not a currency code (ISO 4217, e.g. SEK, NOK, EUR)`);
      return INVALID;
    }
    return code;
  });

/** A decimal factor such as 1.5, kept as its decimal text so that billing stays exact. */
const multiplier = () =>
  leaf<string>((value, report) => {
    const source = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? value.trim() : '';
    if (!/^\d+(\.\d+)?$/.test(source) || !/[1-9]/.test(source)) {
      report(`${describeValue(value)} is not a multiplier (write a decimal above zero, e.g. 1.5)`);
      return INVALID;
    }
    return source;
  });

/** `75%` or a fraction such as 0.75; the result is a fraction strictly between 0 and 1. */
const share = () =>
  leaf<number>((value, report) => {
    let fraction: number | null = null;
    if (typeof value === 'string') {
      const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(value.trim());
      if (percent) fraction = Number(percent[1]) / 100;
    } else if (typeof value === 'number') {
      fraction = value;
    }
    if (fraction === null || !(fraction > 0 && fraction < 1)) {
      report(`${describeValue(value)} is not a share between 0% and 100% (write e.g. 75%)`);
      return INVALID;
    }
    return fraction;
  });

const roleName = () =>
  leaf<string>((value, report) => {
    const role = typeof value === 'string' ? value.trim().toLowerCase() : '';
    if (!ROLE_PATTERN.test(role)) {
      report(`${describeValue(value)} is not a role name (a word such as technician, engineer, cabling)`);
      return INVALID;
    }
    return role;
  });

export const ROLE_PATTERN = /^[a-z][a-z0-9_-]*$/;

// --- holidays ---------------------------------------------------------------------------------

const HOLIDAY_TYPES: readonly HolidayType[] = ['public', 'bank', 'school', 'optional', 'observance'];
const holidayCatalog = new Holidays();

/** Checks a date-holidays code (`SE`, `DE-BY`, `DE-BY-A`); returns a message when unknown. */
export function checkHolidayRegion(code: string): string | null {
  const [country = '', state, region, ...rest] = code.split('-');
  const countries = holidayCatalog.getCountries();
  if (!(country in countries) || rest.length > 0) {
    return `${JSON.stringify(code)} is not a date-holidays country or region (e.g. SE, NO, NL, BE, LU, DE-BY)`;
  }
  if (state === undefined) return null;
  const states = holidayCatalog.getStates(country) ?? {};
  if (!(state in states)) {
    const known = Object.keys(states);
    return `${JSON.stringify(code)}: ${country} has no region ${state}${known.length ? ` (regions: ${known.join(', ')})` : ''}`;
  }
  if (region === undefined) return null;
  const regions = holidayCatalog.getRegions(country, state) ?? {};
  if (!(region in regions)) {
    return `${JSON.stringify(code)}: ${country}-${state} has no region ${region}`;
  }
  return null;
}

const holidayRegion = () =>
  leaf<string>((value, report) => {
    const code = typeof value === 'string' ? value.trim().toUpperCase() : '';
    const problem = code === '' ? `expected a date-holidays code such as SE, got ${describeValue(value)}` : checkHolidayRegion(code);
    if (problem) {
      report(problem);
      return INVALID;
    }
    return code;
  });

// --- opening hours ----------------------------------------------------------------------------

const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const DAY_HINT = 'use mon, tue, wed, thu, fri, sat, sun or a range such as mon-fri';

/** `mon`, `mon-fri`, `mon-sun` → ISO weekdays; a message when it is not such a key. */
export function parseDayKey(key: string): IsoWeekday[] | string {
  const match = /^([a-z]+)(?:\s*-\s*([a-z]+))?$/.exec(key.trim().toLowerCase());
  if (!match) return `${JSON.stringify(key)} is not a day or day range (${DAY_HINT})`;
  const from = DAY_NAMES.indexOf(match[1] as (typeof DAY_NAMES)[number]);
  const to = match[2] === undefined ? from : DAY_NAMES.indexOf(match[2] as (typeof DAY_NAMES)[number]);
  if (from < 0 || to < 0) return `${JSON.stringify(key)} is not a day or day range (${DAY_HINT})`;
  if (to < from) return `${JSON.stringify(key)} runs backwards (a range goes from mon towards sun; list the days separately)`;
  const days: IsoWeekday[] = [];
  for (let index = from; index <= to; index += 1) days.push((index + 1) as IsoWeekday);
  return days;
}

/** `08:00-17:00` (end may be 24:00) → minutes after midnight; a message when it is not one. */
export function parseTimeRange(source: string): OpeningRange | string {
  const match = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/.exec(source.trim());
  if (!match) return `${JSON.stringify(source)} is not a time range (write e.g. "08:00-17:00")`;
  const [startHour, startMin, endHour, endMin] = match.slice(1).map(Number) as [number, number, number, number];
  const startOk = startHour <= 23 && startMin <= 59;
  const endOk = (endHour <= 23 && endMin <= 59) || (endHour === 24 && endMin === 0);
  if (!startOk || !endOk) return `${JSON.stringify(source)} has a time outside 00:00-24:00`;
  const range = { startMinute: startHour * 60 + startMin, endMinute: endHour * 60 + endMin };
  if (range.startMinute === range.endMinute) return `${JSON.stringify(source)} is empty`;
  if (range.startMinute > range.endMinute) {
    return `${JSON.stringify(source)} ends before it starts (a night is two ranges, e.g. "17:00-24:00" and "00:00-08:00" the next day)`;
  }
  return range;
}

export type WeeklyHours = CalendarDefinition['weekly'];

interface HoursEntry {
  days: string;
  /** where the day key was written, for messages */
  keyPath: IssuePath;
  ranges: string[];
  /** where each range was written, for messages */
  paths: IssuePath[];
}

function formatMinute(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

function formatRange(range: OpeningRange): string {
  return `${formatMinute(range.startMinute)}-${formatMinute(range.endMinute)}`;
}

/**
 * Compiles `{ mon-fri: [...], sat: "..." }` entries into sorted ranges per weekday. Ranges that
 * overlap on a day are an error (a typo, or two keys meant for different days); ranges that
 * merely touch (12:00-13:00 and 13:00-17:00) are merged.
 */
function compileWeekly(entries: HoursEntry[], report: Report): WeeklyHours {
  const perDay = new Map<IsoWeekday, { range: OpeningRange; label: string }[]>();
  const reported = new Set<string>();
  for (const entry of entries) {
    const days = parseDayKey(entry.days);
    if (typeof days === 'string') {
      report(days, entry.keyPath);
      continue;
    }
    entry.ranges.forEach((source, index) => {
      const path = entry.paths[index] ?? [];
      const range = parseTimeRange(source);
      if (typeof range === 'string') {
        report(range, path);
        return;
      }
      for (const day of days) {
        const list = perDay.get(day) ?? [];
        const clash = list.find((other) => other.range.startMinute < range.endMinute && range.startMinute < other.range.endMinute);
        if (clash) {
          const message = `"${formatRange(range)}" overlaps "${formatRange(clash.range)}"${clash.label === entry.days ? '' : ` of ${clash.label}`} on ${DAY_NAMES[day - 1]}`;
          const key = `${path.join('.')}|${formatRange(range)}|${formatRange(clash.range)}|${clash.label}`;
          if (!reported.has(key)) {
            reported.add(key);
            report(message, path);
          }
          continue;
        }
        list.push({ range, label: entry.days });
        perDay.set(day, list);
      }
    });
  }
  const weekly: WeeklyHours = {};
  for (const day of [1, 2, 3, 4, 5, 6, 7] as const) {
    const ranges = (perDay.get(day) ?? []).map((item) => item.range).sort((a, b) => a.startMinute - b.startMinute);
    const merged: OpeningRange[] = [];
    for (const range of ranges) {
      const last = merged[merged.length - 1];
      if (last && last.endMinute === range.startMinute) last.endMinute = range.endMinute;
      else merged.push({ ...range });
    }
    if (merged.length > 0) weekly[day] = merged;
  }
  return weekly;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `hours: { mon-fri: ["08:00-12:00", "13:00-17:00"], sat: "10:00-14:00" }` */
const weeklyHours = () =>
  leaf<WeeklyHours>((value, reportIssue) => {
    let reported = false;
    const report: Report = (message, path) => {
      reported = true;
      reportIssue(message, path);
    };
    if (!isPlainObject(value)) {
      report(`expected a mapping of days to ranges (e.g. mon-fri: "08:00-17:00"), got ${describeValue(value)}`);
      return INVALID;
    }
    const entries: HoursEntry[] = [];
    for (const [days, ranges] of Object.entries(value)) {
      if (typeof ranges === 'string') {
        entries.push({ days, keyPath: [days], ranges: [ranges], paths: [[days]] });
      } else if (Array.isArray(ranges)) {
        const texts: string[] = [];
        const paths: IssuePath[] = [];
        ranges.forEach((range, index) => {
          if (typeof range === 'string') {
            texts.push(range);
            paths.push([days, index]);
          } else {
            report(`expected a time range such as "08:00-17:00", got ${describeValue(range)}`, [days, index]);
          }
        });
        entries.push({ days, keyPath: [days], ranges: texts, paths });
      } else {
        report(`expected a time range such as "08:00-17:00" or a list of them, got ${describeValue(ranges)}`, [days]);
      }
    }
    const weekly = compileWeekly(entries, report);
    // only when nothing else is wrong: a calendar whose every range is bad needs no second message
    if (Object.keys(weekly).length === 0 && !reported) report('opens on no day (give at least one range, e.g. mon-fri: "08:00-17:00")');
    return weekly;
  });

/**
 * `billing.outOfHours.inside`: the hours that bill at the normal rate, written like
 * `"mon-fri 08:00-20:00"` (several parts separated by `;`, ranges of one part by `,`), or a list
 * of such parts, or the name of a calendar of the file.
 */
export type InsideSpec = { kind: 'calendar'; name: string } | { kind: 'hours'; weekly: WeeklyHours };

const insideSpec = () =>
  leaf<InsideSpec>((value, report) => {
    const parts: { text: string; path: IssuePath }[] = [];
    if (typeof value === 'string') {
      if (NAME_PATTERN.test(value.trim()) && !/\d:\d/.test(value)) return { kind: 'calendar', name: value.trim() };
      for (const part of value.split(';')) parts.push({ text: part.trim(), path: [] });
    } else if (Array.isArray(value)) {
      value.forEach((part, index) => {
        if (typeof part === 'string') parts.push({ text: part.trim(), path: [index] });
        else report(`expected e.g. "mon-fri 08:00-20:00", got ${describeValue(part)}`, [index]);
      });
    } else {
      report(`expected e.g. "mon-fri 08:00-20:00" or a calendar name, got ${describeValue(value)}`);
      return INVALID;
    }
    const entries: HoursEntry[] = [];
    for (const part of parts) {
      const match = /^(\S+)\s+(.+)$/.exec(part.text);
      if (!match) {
        report(`${JSON.stringify(part.text)} is not of the form "mon-fri 08:00-20:00"`, part.path);
        continue;
      }
      const ranges = (match[2] ?? '').split(',').map((range) => range.trim());
      entries.push({ days: match[1] ?? '', keyPath: part.path, ranges, paths: ranges.map(() => part.path) });
    }
    const weekly = compileWeekly(entries, report);
    if (Object.keys(weekly).length === 0) report('covers no time at all');
    return { kind: 'hours', weekly };
  });

// --- term -------------------------------------------------------------------------------------

const TERM_HINT = 'write 12 months, { months: 12 } or { prepaid: { until: exhausted, maxMonths: 12 } }';

function positiveWholeNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : null;
}

/**
 * `term: 12 months` (also `1 month`, `2 years`), `term: { months: 12 }`, or
 * `term: { prepaid: { until: exhausted, maxMonths: 12 } }` (ends when the time bank is used up
 * or after maxMonths, whichever comes first; `until` may be left out, exhausted is the only value).
 */
const term = () =>
  leaf<TermConfig>((value, report) => {
    if (typeof value === 'string') {
      const match = /^(\d+)\s*(months?|years?)$/i.exec(value.trim());
      const count = match ? Number(match[1]) : 0;
      if (!match || count <= 0) {
        report(`${describeValue(value)} is not a term (${TERM_HINT})`);
        return INVALID;
      }
      return { kind: 'months', months: /^y/i.test(match[2] ?? '') ? count * 12 : count };
    }
    if (!isPlainObject(value)) {
      report(`${describeValue(value)} is not a term (${TERM_HINT})`);
      return INVALID;
    }
    const keys = Object.keys(value);
    if (keys.length !== 1 || (keys[0] !== 'months' && keys[0] !== 'prepaid')) {
      report(`expected exactly one of months or prepaid (${TERM_HINT})`);
      return INVALID;
    }
    if ('months' in value) {
      const months = positiveWholeNumber(value.months);
      if (months === null) {
        report(`${describeValue(value.months)} is not a whole number of months above zero`, ['months']);
        return INVALID;
      }
      return { kind: 'months', months };
    }
    const prepaid = value.prepaid;
    if (!isPlainObject(prepaid)) {
      report(`expected { until: exhausted, maxMonths: 12 }, got ${describeValue(prepaid)}`, ['prepaid']);
      return INVALID;
    }
    for (const key of Object.keys(prepaid)) {
      if (key !== 'until' && key !== 'maxMonths') report('unknown key', ['prepaid', key]);
    }
    if (prepaid.until !== undefined && prepaid.until !== 'exhausted') {
      report(`${describeValue(prepaid.until)} is not one of exhausted`, ['prepaid', 'until']);
    }
    const maxMonths = positiveWholeNumber(prepaid.maxMonths);
    if (prepaid.maxMonths === undefined) report('required', ['prepaid', 'maxMonths']);
    else if (maxMonths === null) {
      report(`${describeValue(prepaid.maxMonths)} is not a whole number of months above zero`, ['prepaid', 'maxMonths']);
    }
    return maxMonths === null ? INVALID : { kind: 'prepaid', maxMonths };
  });

// ---------------------------------------------------------------------------------------------
// The file's sections. strictObject everywhere: an unknown key (a typo such as `reponse:`) is
// an error, never silently ignored.
// ---------------------------------------------------------------------------------------------

const HOUR_MS = 3_600_000;

export const technicianSchema = z.strictObject({
  email: email(),
  name: text().optional(),
  /** default rate role of this technician's time entries */
  role: roleName().default('technician'),
  locale: locale().optional(),
});

export const providerSchema = z.strictObject({
  name: text(),
  timezone: timezone(),
  locale: locale().default('en'),
  addresses: z.array(email()).min(1),
  managers: z.array(email()).default([]),
  technicians: z.array(technicianSchema).min(1),
  ackLimitPerHour: z.number().int().min(1).default(5),
  /** Extension: a customer reply within this wall-clock time reopens a resolved ticket. */
  reopenWindow: elapsed({ allowZero: false }).default(168 * HOUR_MS),
  /**
   * Extension: technicians' tags count only when the receiving server's Authentication-Results
   * (RFC 8601, from the server named `authservId`) show DKIM or DMARC passing for the
   * technician's domain. Absent: the reply token plus a known technician address suffice.
   */
  technicianAuthentication: z
    .strictObject({ require: z.literal('authentication-results'), authservId: z.string().trim().min(1) })
    .optional(),
});

export const calendarSchema = z.strictObject({
  timezone: timezone().optional(), // default: provider.timezone
  holidays: holidayRegion().nullable().optional(),
  /** Extension: which date-holidays types close the day; default [public]. */
  holidayTypes: z.array(oneOf(HOLIDAY_TYPES)).min(1).optional(),
  closed: z.array(localDate()).default([]),
  hours: weeklyHours(),
});

const targetShape = {
  response: slaDuration().nullable().optional(),
  intervention: slaDuration().nullable().optional(),
  resolution: slaDuration().nullable().optional(),
};

export const prioritySlaSchema = z.strictObject({ ...targetShape, calendar: reference('calendar').optional() });

export const slaSchema = z.strictObject({
  ...targetShape,
  warnAt: share().default(0.75),
  byPriority: z
    .strictObject({
      P1: prioritySlaSchema.optional(),
      P2: prioritySlaSchema.optional(),
      P3: prioritySlaSchema.optional(),
      P4: prioritySlaSchema.optional(),
    })
    .default({}),
  /** Extension: overrides for tickets classified as requests. */
  requests: prioritySlaSchema.nullable().optional(),
});

const cadence = () => oneOf<Cadence>(['month', 'quarter', 'year']);

export const feeSchema = z.strictObject({ amount: money(), currency: currency(), per: cadence() });

export const timeBankSchema = z.strictObject({
  amount: elapsed({ allowZero: false }),
  per: oneOf(['month', 'quarter', 'year', 'term'] as const),
  rollover: z.boolean().default(false),
});

export const billingSchema = z.strictObject({
  currency: currency().optional(), // default: fee.currency
  increment: elapsed({ allowZero: false }).default(60_000),
  minimum: elapsed({ allowZero: true }).default(0),
  onsiteMinimum: elapsed({ allowZero: true }).default(0),
  freePerTicket: elapsed({ allowZero: true }).default(0),
  /** Extension: free on-site time per ticket. */
  onsiteFreePerTicket: elapsed({ allowZero: true }).default(0),
  /** Extension: ticket kinds whose time is never billed. */
  freeKinds: z.array(oneOf<TicketKind>(TICKET_KINDS)).default([]),
  rates: z.object({ default: money() }).catchall(money()),
  outOfHours: z.strictObject({ inside: insideSpec(), multiplier: multiplier() }).nullable().optional(),
  quoteAbove: elapsed({ allowZero: false }).nullable().optional(),
});

export const planSchema = z.strictObject({
  title: text().optional(), // default: the plan's key
  fee: feeSchema.nullable().optional(),
  term: term().nullable().optional(),
  calendar: reference('calendar'),
  faultCalendar: reference('calendar').optional(), // default: calendar
  queuePriority: z.number().int().min(0).default(100),
  /** Extension: priority of a new ticket until someone sets one. */
  defaultPriority: oneOf<Priority>(PRIORITIES).default('P3'),
  sla: slaSchema.default({ warnAt: 0.75, byPriority: {} }),
  timeBank: timeBankSchema.nullable().optional(),
  billing: billingSchema,
  reports: z.strictObject({ every: cadence() }).nullable().optional(),
  inspections: z.strictObject({ every: oneOf(['month', 'quarter', 'half-year', 'year'] as const) }).nullable().optional(),
  /** Extension: customers on this plan must name an accountManager. */
  requireAccountManager: z.boolean().default(false),
  /** Extension: customers on this plan must name exactly one superuser contact. */
  requireSuperuser: z.boolean().default(false),
});

export const contactSchema = z.strictObject({
  email: email(),
  name: text().optional(),
  superuser: z.boolean().default(false),
});

export const contractSchema = z.strictObject({
  plan: reference('plan'),
  start: localDate(),
  end: localDate().nullable().optional(), // exclusive; default: start + term
  accountManager: email().nullable().optional(),
});

/** Extension `history`: a past contract must say when it ended. */
export const pastContractSchema = contractSchema.extend({ end: localDate() });

export const customerSchema = z.strictObject({
  name: text(),
  domains: z.array(domain()).default([]),
  locale: locale().optional(), // default: provider.locale
  timezone: timezone().optional(), // default: provider.timezone
  contacts: z.array(contactSchema).default([]),
  managers: z.array(email()).default([]),
  contract: contractSchema.nullable().optional(),
  history: z.array(pastContractSchema).default([]),
});

/** The whole file. contracts.models.ts parses it section by section with the same schemas. */
export const contractsFileSchema = z.strictObject({
  provider: providerSchema,
  calendars: z.record(z.string(), calendarSchema),
  plans: z.record(z.string(), planSchema),
  defaultPlan: reference('plan'),
  customers: z.array(customerSchema).default([]),
});

export type RawProvider = z.output<typeof providerSchema>;
export type RawCalendar = z.output<typeof calendarSchema>;
export type RawPlan = z.output<typeof planSchema>;
export type RawPrioritySla = z.output<typeof prioritySlaSchema>;
export type RawCustomer = z.output<typeof customerSchema>;
export type RawContract = z.output<typeof contractSchema>;
export type RawContractsFile = z.output<typeof contractsFileSchema>;

/** Every key the format knows, for "did you mean" hints on unknown keys. */
export const KNOWN_KEYS: readonly string[] = [
  ...new Set(
    [
      technicianSchema,
      providerSchema,
      calendarSchema,
      prioritySlaSchema,
      slaSchema,
      feeSchema,
      timeBankSchema,
      billingSchema,
      planSchema,
      contactSchema,
      contractSchema,
      customerSchema,
      contractsFileSchema,
    ].flatMap((schema) => Object.keys(schema.shape)),
  ),
  'inside',
  'multiplier',
  'every',
  'months',
  'prepaid',
  'until',
  'maxMonths',
  'require',
  'authservId',
  ...PRIORITIES,
];

// ---------------------------------------------------------------------------------------------
// Normalization: schema-valid, cross-checked sections → ContractsConfig.
// ---------------------------------------------------------------------------------------------

/** Key of the calendar compiled from a plan's `billing.outOfHours.inside` hours. */
export function outOfHoursCalendarKey(planKey: string): string {
  return `__outOfHours:${planKey}`;
}

/** Exclusive end date of a contract: as given, else start + the term's months (null if open-ended). */
export function deriveContractEnd(start: string, givenEnd: string | null | undefined, termConfig: TermConfig): string | null {
  if (givenEnd) return givenEnd;
  const months = termConfig.kind === 'months' ? termConfig.months : termConfig.kind === 'prepaid' ? termConfig.maxMonths : null;
  if (months === null) return null;
  return DateTime.fromISO(start, { zone: 'utc' }).plus({ months }).toISODate();
}

function normalizeProvider(raw: RawProvider): ProviderConfig {
  return {
    name: raw.name,
    timezone: raw.timezone,
    locale: raw.locale,
    addresses: unique(raw.addresses),
    managers: unique(raw.managers),
    technicians: raw.technicians.map((technician) => ({
      email: technician.email,
      name: technician.name ?? null,
      role: technician.role,
      locale: technician.locale ?? null,
    })),
    ackLimitPerHour: raw.ackLimitPerHour,
    reopenWindowMs: raw.reopenWindow,
    technicianAuthentication: raw.technicianAuthentication
      ? { require: raw.technicianAuthentication.require, authservId: raw.technicianAuthentication.authservId.toLowerCase() }
      : null,
  };
}

function normalizeCalendar(name: string, raw: RawCalendar, provider: RawProvider): CalendarDefinition {
  return {
    name,
    timezone: raw.timezone ?? provider.timezone,
    holidays: raw.holidays ? { region: raw.holidays, closeTypes: unique(raw.holidayTypes ?? ['public']) } : null,
    closedDates: unique(raw.closed).sort(),
    weekly: raw.hours,
  };
}

function normalizePrioritySla(raw: RawPrioritySla): PrioritySla {
  const result: PrioritySla = {};
  if (raw.response !== undefined) result.response = raw.response;
  if (raw.intervention !== undefined) result.intervention = raw.intervention;
  if (raw.resolution !== undefined) result.resolution = raw.resolution;
  if (raw.calendar !== undefined) result.calendar = raw.calendar;
  return result;
}

function normalizePlan(key: string, raw: RawPlan, calendars: Record<string, CalendarDefinition>): PlanConfig {
  const byPriority: Partial<Record<Priority, PrioritySla>> = {};
  for (const priority of PRIORITIES) {
    const override = raw.sla.byPriority[priority];
    if (override) byPriority[priority] = normalizePrioritySla(override);
  }
  let outOfHours: BillingConfig['outOfHours'] = null;
  const rawOutOfHours = raw.billing.outOfHours;
  if (rawOutOfHours) {
    let insideCalendar: string;
    if (rawOutOfHours.inside.kind === 'calendar') {
      insideCalendar = rawOutOfHours.inside.name;
    } else {
      // The normal-rate hours are local time of the plan's calendar, and its holidays and
      // closed days are outside them: work on a public holiday bills at the out-of-hours rate.
      const base = calendars[raw.calendar];
      insideCalendar = outOfHoursCalendarKey(key);
      calendars[insideCalendar] = {
        name: insideCalendar,
        timezone: base?.timezone ?? 'UTC',
        holidays: base?.holidays ?? null,
        closedDates: base?.closedDates ?? [],
        weekly: rawOutOfHours.inside.weekly,
      };
    }
    outOfHours = { insideCalendar, multiplier: rawOutOfHours.multiplier };
  }
  const currency = raw.billing.currency ?? raw.fee?.currency ?? '';
  return {
    key,
    title: raw.title ?? key,
    fee: raw.fee ? { amountMinor: raw.fee.amount, currency: raw.fee.currency, per: raw.fee.per } : null,
    term: raw.term ?? { kind: 'none' },
    calendar: raw.calendar,
    faultCalendar: raw.faultCalendar ?? raw.calendar,
    queuePriority: raw.queuePriority,
    defaultPriority: raw.defaultPriority,
    sla: {
      response: raw.sla.response ?? null,
      intervention: raw.sla.intervention ?? null,
      resolution: raw.sla.resolution ?? null,
      warnAt: raw.sla.warnAt,
      byPriority,
      requests: raw.sla.requests ? normalizePrioritySla(raw.sla.requests) : null,
    },
    timeBank: raw.timeBank ? { amountMs: raw.timeBank.amount, per: raw.timeBank.per, rollover: raw.timeBank.rollover } : null,
    billing: {
      currency,
      incrementMs: raw.billing.increment,
      minimumMs: raw.billing.minimum,
      onsiteMinimumMs: raw.billing.onsiteMinimum,
      freePerTicketMs: raw.billing.freePerTicket,
      ratesMinor: Object.fromEntries(Object.entries(raw.billing.rates).map(([role, rate]) => [role.toLowerCase(), rate])),
      outOfHours,
      quoteAboveMs: raw.billing.quoteAbove ?? null,
      freeKinds: unique(raw.billing.freeKinds),
      onsiteFreePerTicketMs: raw.billing.onsiteFreePerTicket,
    },
    reports: raw.reports ?? null,
    inspections: raw.inspections ?? null,
    requireAccountManager: raw.requireAccountManager,
    requireSuperuser: raw.requireSuperuser,
  };
}

function normalizeContract(raw: RawContract, plans: Record<string, PlanConfig>): ContractConfig {
  const plan = plans[raw.plan];
  return {
    plan: raw.plan,
    start: raw.start,
    end: deriveContractEnd(raw.start, raw.end, plan?.term ?? { kind: 'none' }),
    accountManager: raw.accountManager ?? null,
  };
}

function normalizeCustomer(raw: RawCustomer, provider: RawProvider, plans: Record<string, PlanConfig>): CustomerConfig {
  return {
    name: raw.name,
    domains: unique(raw.domains),
    locale: raw.locale ?? provider.locale,
    timezone: raw.timezone ?? provider.timezone,
    contacts: raw.contacts.map((contact) => ({ email: contact.email, name: contact.name ?? null, superuser: contact.superuser })),
    managers: unique(raw.managers),
    contract: raw.contract ? normalizeContract(raw.contract, plans) : null,
    history: raw.history
      .map((past) => normalizeContract(past, plans))
      .sort((a, b) => a.start.localeCompare(b.start)),
  };
}

/**
 * Turns a schema-valid file whose references have been checked (contracts.models.ts) into the
 * shape the program runs on: defaults filled in from the provider, contract ends derived, and
 * out-of-hours specs compiled into calendars named `__outOfHours:<plan>`.
 */
export function normalizeContracts(raw: RawContractsFile): ContractsConfig {
  const calendars: Record<string, CalendarDefinition> = {};
  for (const [name, calendar] of Object.entries(raw.calendars)) calendars[name] = normalizeCalendar(name, calendar, raw.provider);
  const plans: Record<string, PlanConfig> = {};
  for (const [key, plan] of Object.entries(raw.plans)) plans[key] = normalizePlan(key, plan, calendars);
  return {
    provider: normalizeProvider(raw.provider),
    calendars,
    plans,
    defaultPlan: raw.defaultPlan,
    customers: raw.customers.map((customer) => normalizeCustomer(customer, raw.provider, plans)),
  };
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
