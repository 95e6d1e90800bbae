// Leaf values of the contracts file (docs/CONTRACTS.md, "Syntax, precisely"): durations, money,
// dates, addresses, time zones, holiday codes, terms. Each is a zod schema that takes the YAML
// value (unknown) and either returns the parsed value or reports every problem with its path,
// so that contracts.schema.ts reports bad values by the same mechanism as bad structure.
import { DateTime, IANAZone } from 'luxon';
import { z } from '../shared/vendor/zod.ts';
import { checkHolidayRegion } from '../calendar/holidays.models.ts';
import type { HolidayType } from '../calendar/calendar.types.ts';
import { bareAddress } from '../shared/address.ts';
import { DURATION_HINT, parseElapsed, parseSlaDuration, type SlaDuration } from '../shared/duration.ts';
import { isPlainObject } from '../shared/objects.ts';
import { LOCALES, type Locale, type TermConfig } from './contracts.types.ts';

// ---------------------------------------------------------------------------------------------
// Leaf parsers. Each takes the YAML value (unknown) and returns the parsed value or reports a
// message (optionally at a sub-path). A missing key reaches the parser as undefined: "required".
// ---------------------------------------------------------------------------------------------

export type IssuePath = readonly (string | number)[];
export type Report = (message: string, path?: IssuePath) => void;
export const INVALID = Symbol('invalid');
export type Parsed<T> = T | typeof INVALID;

/** A zod schema around a parser of one YAML value; see the section comment above. */
export function leaf<T>(parse: (value: unknown, report: Report) => Parsed<T>) {
  return z.unknown().transform((value, ctx): T => {
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: 'required' });
      return z.NEVER;
    }
    let reported = false;
    const report: Report = (message, path = []) => {
      reported = true;
      ctx.addIssue({ code: 'custom', message, path: [...path] });
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

export const text = () =>
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

/**
 * An address written bare (`eva@acme.se`), kept in the form every comparison uses
 * (src/shared/address.ts): for an address this check lets through, that is the lower-cased text.
 */
export const email = () =>
  leaf<string>((value, report) => {
    if (typeof value !== 'string') {
      report(`expected an e-mail address, got ${describeValue(value)}`);
      return INVALID;
    }
    const written = value.trim().toLowerCase();
    const bracketed = /<([^<>]+)>\s*$/.exec(written);
    if (bracketed) {
      report(`write the bare address (${bracketed[1]}), not ${JSON.stringify(value.trim())}`);
      return INVALID;
    }
    if (!EMAIL.test(written)) {
      report(`${JSON.stringify(value)} is not an e-mail address`);
      return INVALID;
    }
    return bareAddress(written);
  });


const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/;

export const domain = () =>
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

export const timezone = () =>
  leaf<string>((value, report) => {
    if (typeof value !== 'string' || !IANAZone.isValidZone(value.trim())) {
      report(`${describeValue(value)} is not an IANA time zone (e.g. Europe/Stockholm)`);
      return INVALID;
    }
    return value.trim();
  });

export const locale = () =>
  leaf<Locale>((value, report) => {
    const code = typeof value === 'string' ? value.trim().toLowerCase() : '';
    if (!(LOCALES as readonly string[]).includes(code)) {
      report(`${describeValue(value)} is not one of ${LOCALES.join(', ')}`);
      return INVALID;
    }
    return code as Locale;
  });

export function oneOf<T extends string>(values: readonly T[]) {
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

export const reference = (what: string) =>
  leaf<string>((value, report) => {
    if (typeof value !== 'string' || value.trim() === '') {
      report(`expected the name of a ${what}, got ${describeValue(value)}`);
      return INVALID;
    }
    return value.trim();
  });

export const localDate = () =>
  leaf<string>((value, report) => {
    const source = typeof value === 'string' ? value.trim() : '';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(source) || !DateTime.fromISO(source).isValid) {
      report(`${describeValue(value)} is not a date (write YYYY-MM-DD, e.g. 2026-01-01)`);
      return INVALID;
    }
    return source;
  });

export const slaDuration = () =>
  leaf<SlaDuration>((value, report) => {
    const parsed = typeof value === 'string' ? parseSlaDuration(value) : null;
    if (!parsed) {
      report(`${describeValue(value)} is not a duration (${DURATION_HINT})`);
      return INVALID;
    }
    return parsed;
  });

const ELAPSED_HINT = 'use 15m, 1h, 1h30m, 1.5h, 30s';

/**
 * `timeBank.rollover`: false (nothing carries over), true (all of it) or an amount of time, the
 * most that carries into the next period (`5h`). Kept as { capMs } for the amount.
 */
export const rollover = () =>
  leaf<boolean | { capMs: number }>((value, report) => {
    if (typeof value === 'boolean') return value;
    const ms = typeof value === 'string' ? parseElapsed(value) : null;
    if (ms === null) {
      report(`${describeValue(value)} is not false, true or an amount of time (${ELAPSED_HINT})`);
      return INVALID;
    }
    return { capMs: ms };
  });

/** A fixed amount of working time in ms (no business days: these are not deadlines). */
export const elapsed = (options: { allowZero: boolean }) =>
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

export const money = () =>
  leaf<number>((value, report) => {
    const parsed = parseMoneyMinor(value);
    if (!parsed.ok) {
      report(parsed.message);
      return INVALID;
    }
    return parsed.minor;
  });

export const currency = () =>
  leaf<string>((value, report) => {
    const code = typeof value === 'string' ? value.trim().toUpperCase() : '';
    if (!/^[A-Z]{3}$/.test(code)) {
      report(`${describeValue(value)} is not a currency code (ISO 4217, e.g. SEK, NOK, EUR)`);
      return INVALID;
    }
    return code;
  });

/** A decimal factor such as 1.5, kept as its decimal text so that billing stays exact. */
export const multiplier = () =>
  leaf<string>((value, report) => {
    const source = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? value.trim() : '';
    if (!/^\d+(\.\d+)?$/.test(source) || !/[1-9]/.test(source)) {
      report(`${describeValue(value)} is not a multiplier (write a decimal above zero, e.g. 1.5)`);
      return INVALID;
    }
    return source;
  });

/** `75%` or a fraction such as 0.75; the result is a fraction strictly between 0 and 1. */
export const share = () =>
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

export const roleName = () =>
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

export const HOLIDAY_TYPES: readonly HolidayType[] = ['public', 'bank', 'school', 'optional', 'observance'];

export const holidayRegion = () =>
  leaf<string>((value, report) => {
    const code = typeof value === 'string' ? value.trim().toUpperCase() : '';
    const problem = code === '' ? `expected a date-holidays code such as SE, got ${describeValue(value)}` : checkHolidayRegion(code);
    if (problem) {
      report(problem);
      return INVALID;
    }
    return code;
  });

// --- term -------------------------------------------------------------------------------------

const TERM_HINT = 'write 12 months, { months: 12 }, { months: 12, renews: true } or { prepaid: { until: exhausted, maxMonths: 12 } }';

function positiveWholeNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : null;
}

/**
 * `term: 12 months` (also `1 month`, `2 years`), `term: { months: 12 }`, or
 * `term: { prepaid: { until: exhausted, maxMonths: 12 } }` (ends when the time bank is used up
 * or after maxMonths, whichever comes first; `until` may be left out, exhausted is the only value).
 */
export const term = () =>
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
    const renewing = keys.length === 2 && keys.includes('months') && keys.includes('renews');
    if (!renewing && (keys.length !== 1 || (keys[0] !== 'months' && keys[0] !== 'prepaid'))) {
      report(`expected exactly one of months or prepaid (${TERM_HINT})`);
      return INVALID;
    }
    if ('months' in value) {
      const months = positiveWholeNumber(value.months);
      if (months === null) {
        report(`${describeValue(value.months)} is not a whole number of months above zero`, ['months']);
        return INVALID;
      }
      if (!renewing) return { kind: 'months', months };
      if (typeof value.renews !== 'boolean') {
        report(`${describeValue(value.renews)} is not true or false`, ['renews']);
        return INVALID;
      }
      return value.renews ? { kind: 'months', months, renews: true } : { kind: 'months', months };
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
