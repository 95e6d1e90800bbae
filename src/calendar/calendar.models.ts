// Business-time arithmetic: "add 8 business hours to Friday 16:30", exact across nights,
// weekends, holidays and DST. Works on whole days of absolute open intervals (never minute
// stepping): each local date is turned once, with luxon, into epoch-ms intervals and cached, so
// the hot path (SLA deadlines) is plain number comparisons over a handful of cached days.
//
// Conventions (all methods):
// - Instants are accepted as `Date` or epoch ms and returned as `Date`; internally epoch ms.
// - Open intervals are half-open `[start, end)`: the closing instant itself is closed.
// - A business day is a local date (in the calendar's zone) with at least one open interval.
import { DateTime, IANAZone } from 'luxon';
import { HelpdeskError } from '../shared/errors.ts';
import type { BusinessCalendar, CalendarDefinition, HolidayType, Instant, IsoWeekday, OpeningRange } from './calendar.types.ts';
import { holidayTypesOfYear, parseHolidayRegion } from './holidays.models.ts';
import { DAY_MS, formatOrdinal, isoWeekdayOfOrdinal, parseLocalDate, partsOfOrdinal } from './local-date.models.ts';

export type { BusinessCalendar, Instant } from './calendar.types.ts';

const MINUTE_MS = 60_000;
const MINUTES_PER_DAY = 1440;
/** How many consecutive closed days we walk before calling a calendar "never open". */
const MAX_CLOSED_DAYS = 3 * 366 + 1;
const DEFAULT_CLOSE_TYPES: readonly HolidayType[] = ['public'];

/** One cached local date: absolute bounds and open intervals, flattened `[s0, e0, s1, e1, …]`. */
interface Day {
  ordinal: number;
  startMs: number;
  endMs: number;
  open: number[];
  openMs: number;
}

// ---------------------------------------------------------------------------------------------
// Validation of the definition: the contracts loader validates too, but this module is the one
// that would silently compute nonsense from a bad range, so it refuses it itself.

function validateWeekly(def: CalendarDefinition): void {
  for (const [weekday, ranges] of Object.entries(def.weekly)) {
    let previousEnd = -1;
    for (const range of ranges ?? []) {
      const { startMinute, endMinute } = range;
      const valid =
        Number.isInteger(startMinute) &&
        Number.isInteger(endMinute) &&
        startMinute >= 0 &&
        endMinute <= MINUTES_PER_DAY &&
        startMinute < endMinute &&
        startMinute >= previousEnd;
      if (!valid) {
        throw new HelpdeskError(
          'calendar.invalid',
          `calendar ${def.name}: weekday ${weekday} has an invalid or unsorted range ${startMinute}-${endMinute}`,
        );
      }
      previousEnd = endMinute;
    }
  }
}

function toMs(at: Instant, what: string): number {
  const ms = typeof at === 'number' ? at : at.getTime();
  if (!Number.isFinite(ms)) throw new HelpdeskError('usage.invalid', `${what} is not a valid instant`);
  return ms;
}

function neverOpen(def: CalendarDefinition): HelpdeskError {
  return new HelpdeskError(
    'calendar.never_open',
    `calendar ${def.name} has no open time (no weekly hours, or ${MAX_CLOSED_DAYS} closed days in a row)`,
  );
}

// ---------------------------------------------------------------------------------------------

/**
 * Makes the business-time arithmetic of one calendar. Validates the definition (zone, ranges,
 * closed dates, holiday region) and throws `calendar.invalid` when it is wrong. Per-day open
 * intervals are computed lazily and cached for the life of the returned object (a few hundred
 * small entries per year of dates touched), so keep one object per calendar and reuse it.
 *
 * Edge-case rules, chosen so that deadlines are easy to explain and compose:
 * - `addBusinessTime(from, 0)` is `from`, even when `from` is closed; negative amounts throw.
 * - A result that uses up the open time exactly at a closing instant stays at that closing
 *   instant (17:00), it does not jump to the next opening. Adding more then continues at the
 *   next opening, so `add(add(t, a), b) === add(t, a + b)` holds.
 * - `businessTimeBetween(from, to)` is 0 when `to <= from`.
 * - A calendar with no open time anywhere throws `calendar.never_open` from every method that
 *   needs an opening (`nextOpening`, `addBusinessTime` with ms > 0, `endOfBusinessDay`,
 *   `addBusinessDays`, `businessDayOf`); `isOpen`, `openIntervalsOfDay` and
 *   `businessTimeBetween` simply answer closed / [] / 0.
 *
 * @throws HelpdeskError `calendar.invalid` for a bad definition; `usage.invalid` for a NaN instant
 *   or a negative/non-integer amount passed to a method.
 */
export function createBusinessCalendar(def: CalendarDefinition): BusinessCalendar {
  const zone = def.timezone;
  if (!IANAZone.isValidZone(zone)) {
    throw new HelpdeskError('calendar.invalid', `calendar ${def.name}: "${zone}" is not an IANA time zone`);
  }
  validateWeekly(def);
  const closedOrdinals = new Set<number>();
  for (const date of def.closedDates) {
    const ordinal = parseLocalDate(date);
    if (ordinal === null) {
      throw new HelpdeskError('calendar.invalid', `calendar ${def.name}: closed date "${date}" is not a YYYY-MM-DD date`);
    }
    closedOrdinals.add(ordinal);
  }
  const holidayRegion = def.holidays ? parseHolidayRegion(def.holidays.region) : null;
  const closeTypes = new Set<string>(def.holidays?.closeTypes.length ? def.holidays.closeTypes : DEFAULT_CLOSE_TYPES);
  const weekly: Array<readonly OpeningRange[]> = [];
  for (let weekday = 1; weekday <= 7; weekday++) weekly[weekday] = def.weekly[weekday as IsoWeekday] ?? [];
  const hasWeeklyHours = weekly.some((ranges) => ranges.length > 0);
  const ianaZone = IANAZone.create(zone);

  const days = new Map<number, Day>();
  /** Holiday-closed ordinals per year, filled on first use of that year. */
  const holidayYears = new Map<number, ReadonlySet<number>>();
  /** local offset guess (ms) to map an instant to its local date in one step */
  let offsetGuessMs = ianaZone.offset(0) * MINUTE_MS;
  let lastDay: Day | null = null;

  function isHolidayClosed(ordinal: number, year: number): boolean {
    if (!holidayRegion) return false;
    let closed = holidayYears.get(year);
    if (!closed) {
      const set = new Set<number>();
      for (const [date, types] of holidayTypesOfYear(holidayRegion, year)) {
        const dateOrdinal = parseLocalDate(date);
        if (dateOrdinal !== null && types.some((type) => closeTypes.has(type))) set.add(dateOrdinal);
      }
      holidayYears.set(year, set);
      closed = set;
    }
    return closed.has(ordinal);
  }

  function midnightOf(ordinal: number): number {
    // luxon moves a midnight that does not exist (a DST jump at 00:00) forward to the first valid instant
    return DateTime.fromObject(partsOfOrdinal(ordinal), { zone }).toMillis();
  }

  function buildDay(ordinal: number): Day {
    const parts = partsOfOrdinal(ordinal);
    const startMs = midnightOf(ordinal);
    const endMs = midnightOf(ordinal + 1);
    const ranges = closedOrdinals.has(ordinal) || isHolidayClosed(ordinal, parts.year) ? [] : weekly[isoWeekdayOfOrdinal(ordinal)] ?? [];
    // On a day without a DST change local minutes map linearly; only change days need luxon per range end.
    const linear = endMs - startMs === DAY_MS;
    const instantOf = (minute: number): number => {
      if (minute <= 0) return startMs;
      if (minute >= MINUTES_PER_DAY) return endMs;
      if (linear) return startMs + minute * MINUTE_MS;
      return DateTime.fromObject({ ...parts, hour: Math.floor(minute / 60), minute: minute % 60 }, { zone }).toMillis();
    };
    const open: number[] = [];
    let openMs = 0;
    for (const range of ranges) {
      const start = Math.max(startMs, instantOf(range.startMinute));
      const end = Math.min(endMs, instantOf(range.endMinute));
      if (end <= start) continue; // a range swallowed by a DST gap
      const last = open.length - 1;
      if (last > 0 && start <= open[last]!) {
        // adjacent (12:00-13:00 + 13:00-17:00) or overlapping after a DST shift: one interval
        openMs += Math.max(0, end - open[last]!);
        open[last] = Math.max(open[last]!, end);
      } else {
        open.push(start, end);
        openMs += end - start;
      }
    }
    return { ordinal, startMs, endMs, open, openMs };
  }

  function dayAt(ordinal: number): Day {
    let day = days.get(ordinal);
    if (!day) {
      day = buildDay(ordinal);
      days.set(ordinal, day);
    }
    return day;
  }

  function dayContaining(ms: number): Day {
    const last = lastDay;
    if (last !== null && ms >= last.startMs && ms < last.endMs) return last;
    let day = dayAt(Math.floor((ms + offsetGuessMs) / DAY_MS));
    while (ms < day.startMs) day = dayAt(day.ordinal - 1);
    while (ms >= day.endMs) day = dayAt(day.ordinal + 1);
    offsetGuessMs = day.ordinal * DAY_MS - day.startMs;
    lastDay = day;
    return day;
  }

  function requireHours(): void {
    if (!hasWeeklyHours) throw neverOpen(def);
  }

  /** The next business day after `day` (open time > 0). */
  function nextBusinessDay(day: Day): Day {
    let next = dayAt(day.ordinal + 1);
    for (let closed = 0; next.openMs === 0; closed++) {
      if (closed > MAX_CLOSED_DAYS) throw neverOpen(def);
      next = dayAt(next.ordinal + 1);
    }
    return next;
  }

  function lastClose(day: Day): number {
    return day.open[day.open.length - 1]!;
  }

  function isOpenMs(ms: number): boolean {
    const open = dayContaining(ms).open;
    for (let i = 0; i < open.length; i += 2) {
      if (ms < open[i]!) return false;
      if (ms < open[i + 1]!) return true;
    }
    return false;
  }

  function nextOpeningMs(ms: number): number {
    requireHours();
    let day = dayContaining(ms);
    for (let closed = 0; ; closed++) {
      const open = day.open;
      for (let i = 0; i < open.length; i += 2) {
        if (open[i + 1]! > ms) return Math.max(open[i]!, ms);
      }
      if (closed > MAX_CLOSED_DAYS) throw neverOpen(def);
      day = dayAt(day.ordinal + 1);
    }
  }

  function addMs(from: number, amount: number): number {
    if (!(amount >= 0) || !Number.isFinite(amount)) {
      throw new HelpdeskError('usage.invalid', `cannot add ${amount} ms of business time (must be a finite amount >= 0)`);
    }
    if (amount === 0) return from;
    requireHours();
    let remaining = amount;
    let day = dayContaining(from);
    let cursor = from;
    for (let closed = 0; ; ) {
      if (day.openMs === 0) {
        if (++closed > MAX_CLOSED_DAYS) throw neverOpen(def);
      } else if (cursor === day.startMs && remaining > day.openMs) {
        // a whole day is consumed: no need to look at its intervals
        remaining -= day.openMs;
        closed = 0;
      } else {
        const open = day.open;
        for (let i = 0; i < open.length; i += 2) {
          const end = open[i + 1]!;
          if (end <= cursor) continue;
          const start = Math.max(open[i]!, cursor);
          const available = end - start;
          // `<=`: using the open time up exactly at a close returns the close itself
          if (remaining <= available) return start + remaining;
          remaining -= available;
        }
        closed = 0;
      }
      day = dayAt(day.ordinal + 1);
      cursor = day.startMs;
    }
  }

  function betweenMs(from: number, to: number): number {
    if (to <= from) return 0;
    let day = dayContaining(from);
    let total = 0;
    for (;;) {
      if (day.startMs >= from && day.endMs <= to) {
        total += day.openMs;
      } else {
        const open = day.open;
        for (let i = 0; i < open.length; i += 2) {
          const overlap = Math.min(open[i + 1]!, to) - Math.max(open[i]!, from);
          if (overlap > 0) total += overlap;
        }
      }
      if (day.endMs >= to) return total;
      day = dayAt(day.ordinal + 1);
    }
  }

  function checkDayCount(n: number, what: string): void {
    if (!Number.isInteger(n) || n < 0) {
      throw new HelpdeskError('usage.invalid', `${what} must be a whole number >= 0, got ${n}`);
    }
  }

  function endOfBusinessDayMs(ms: number, daysAfter: number): number {
    checkDayCount(daysAfter, 'daysAfter');
    let day = dayContaining(nextOpeningMs(ms));
    for (let k = 0; k < daysAfter; k++) day = nextBusinessDay(day);
    return lastClose(day);
  }

  function addDaysMs(from: number, n: number): number {
    checkDayCount(n, 'business days');
    if (n === 0) return from;
    const start = nextOpeningMs(from);
    let day = dayContaining(start);
    let offset = 0;
    const open = day.open;
    for (let i = 0; i < open.length && open[i]! < start; i += 2) offset += Math.min(open[i + 1]!, start) - open[i]!;
    if (offset === 0) {
      // Starting at a day's first opening (or from a closed night/weekend/holiday): that whole
      // day is day 1, so the result is the close of the n-th business day counting it.
      for (let k = 1; k < n; k++) day = nextBusinessDay(day);
      return lastClose(day);
    }
    for (let k = 0; k < n; k++) day = nextBusinessDay(day);
    // the earliest instant with `offset` of this day's open time behind it; a shorter day clamps to its close
    let remaining = offset;
    const target = day.open;
    for (let i = 0; i < target.length; i += 2) {
      const available = target[i + 1]! - target[i]!;
      if (remaining <= available) return target[i]! + remaining;
      remaining -= available;
    }
    return lastClose(day);
  }

  return {
    definition: def,
    isOpen: (at) => isOpenMs(toMs(at, 'at')),
    nextOpening: (at) => new Date(nextOpeningMs(toMs(at, 'at'))),
    openIntervalsOfDay(localDate) {
      const ordinal = parseLocalDate(localDate);
      if (ordinal === null) throw new HelpdeskError('usage.invalid', `"${localDate}" is not a YYYY-MM-DD date`);
      const open = dayAt(ordinal).open;
      const intervals: Array<readonly [number, number]> = [];
      for (let i = 0; i < open.length; i += 2) intervals.push([open[i]!, open[i + 1]!]);
      return intervals;
    },
    businessDayOf: (at) => formatOrdinal(dayContaining(nextOpeningMs(toMs(at, 'at'))).ordinal),
    addBusinessTime: (from, ms) => new Date(addMs(toMs(from, 'from'), ms)),
    businessTimeBetween: (from, to) => betweenMs(toMs(from, 'from'), toMs(to, 'to')),
    endOfBusinessDay: (at, daysAfter = 0) => new Date(endOfBusinessDayMs(toMs(at, 'at'), daysAfter)),
    addBusinessDays: (from, n) => new Date(addDaysMs(toMs(from, 'from'), n)),
  };
}

