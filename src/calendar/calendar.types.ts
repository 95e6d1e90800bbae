// The normalized calendar the contracts file compiles to; the business-time arithmetic in
// calendar.models.ts works on this shape only (no YAML, no I/O).

/** ISO weekday as luxon numbers it: 1 = Monday … 7 = Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** Minutes after local midnight; `end` may be 1440 (24:00). start < end. */
export interface OpeningRange {
  startMinute: number;
  endMinute: number;
}

/** date-holidays types that may close a day. */
export type HolidayType = 'public' | 'bank' | 'school' | 'optional' | 'observance';

/** Sorted, non-overlapping ranges per weekday; a weekday missing or empty is closed. */
export type WeeklyHours = Partial<Record<IsoWeekday, OpeningRange[]>>;

export interface CalendarDefinition {
  /** key in the contracts file, e.g. `office` */
  name: string;
  /** IANA zone, e.g. Europe/Stockholm */
  timezone: string;
  /** date-holidays code (`SE`, `NO`, `DE-BY`) and which holiday types close the day; null for none */
  holidays: { region: string; closeTypes: HolidayType[] } | null;
  /** extra closed local dates, `YYYY-MM-DD` */
  closedDates: string[];
  /** sorted, non-overlapping ranges per weekday; a weekday missing or empty is closed */
  weekly: WeeklyHours;
}

/** An instant as the calendar API accepts it: a `Date` or epoch milliseconds. */
export type Instant = Date | number;

/**
 * Business-time arithmetic over one CalendarDefinition (made by `createBusinessCalendar` in
 * calendar.models.ts). Instants go in as `Date` or epoch ms and come out as `Date`; the
 * absolute intervals of `openIntervalsOfDay` are epoch ms, half-open `[start, end)`.
 * A closing instant (the `end` of an interval) is closed: `isOpen` is false there.
 */
export interface BusinessCalendar {
  readonly definition: CalendarDefinition;
  /** true when `at` lies inside an open interval (`start <= at < end`) */
  isOpen(at: Instant): boolean;
  /** `at` itself when open, else the start of the next open interval */
  nextOpening(at: Instant): Date;
  /** the open intervals of a local date `YYYY-MM-DD` as absolute `[startMs, endMs)`; [] when closed */
  openIntervalsOfDay(localDate: string): Array<readonly [startMs: number, endMs: number]>;
  /** the local date `YYYY-MM-DD` of the business day `at` belongs to: its own if open, else that of the next opening */
  businessDayOf(at: Instant): string;
  /** the instant at which `ms` of open time has elapsed after `from`; `from` itself for 0 */
  addBusinessTime(from: Instant, ms: number): Date;
  /** open time in `[from, to)` in ms; 0 when `to <= from` */
  businessTimeBetween(from: Instant, to: Instant): number;
  /**
   * The last close of the business day of `at` (see `businessDayOf`: a lunch break belongs to
   * its own day, a night/weekend/holiday to the next business day), or of the `daysAfter`-th
   * business day after it. SBD is `endOfBusinessDay(at)`, NBD is `endOfBusinessDay(at, 1)`.
   */
  endOfBusinessDay(at: Instant, daysAfter?: number): Date;
  /**
   * `n` business days after `from`:
   * - counting starts at `nextOpening(from)` (so at `from` itself when open);
   * - when that instant is the first opening of its business day D (a ticket that arrived at
   *   night, at a weekend, on a holiday, or exactly at opening time), D is day 1 and the result
   *   is the close of the n-th business day counting D: Saturday + 1d = Monday's close, and
   *   Monday 08:00 + 1d = Monday 17:00 (the same business moment as Tuesday 08:00, written as
   *   the earlier instant like every result that lands on a boundary);
   * - otherwise, with `offset` = open time of D before that instant, the result is the earliest
   *   instant of the n-th business day after D with `offset` of its open time elapsed
   *   (Monday 10:15 + 2d = Wednesday 10:15), clamped to that day's close when its open time is
   *   shorter; an offset that ends exactly at a lunch break gives the start of the break
   *   (Monday 13:00 + 1d = Tuesday 12:00 with 08-12 + 13-17), the earlier of two equal instants;
   * - `n` = 0 returns `from`. The offset is real open time, so across a DST change a 24/7
   *   calendar's "1d" is 24 real hours, like `addBusinessTime`.
   */
  addBusinessDays(from: Instant, n: number): Date;
}
