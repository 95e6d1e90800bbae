// Opening hours as people write them (`mon-fri: ["08:00-12:00", "13:00-17:00"]`, or
// "mon-fri 08:00-20:00" in billing.outOfHours.inside) compiled into the sorted, merged minute
// ranges per ISO weekday that a CalendarDefinition holds (docs/CONTRACTS.md, "Hours").
// Pure: problems come back as values with the caller's own source path, never thrown.
import type { IsoWeekday, OpeningRange, WeeklyHours } from './calendar.types.ts';

/** Where a value was written in the caller's source (e.g. a YAML path); echoed in problems. */
export type SourcePath = readonly (string | number)[];

export interface HoursProblem {
  message: string;
  path: SourcePath;
}

/** One written day key with its ranges, still as text. */
export interface HoursEntry {
  /** the day key as written: `mon`, `mon-fri` */
  days: string;
  /** where the day key was written, for messages */
  keyPath: SourcePath;
  ranges: string[];
  /** where each range was written, for messages */
  paths: SourcePath[];
}

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

function formatMinute(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

function formatRange(range: OpeningRange): string {
  return `${formatMinute(range.startMinute)}-${formatMinute(range.endMinute)}`;
}

/**
 * Compiles `{ mon-fri: [...], sat: "..." }` entries into sorted ranges per weekday. Ranges that
 * overlap on a day are a problem (a typo, or two keys meant for different days); ranges that
 * merely touch (12:00-13:00 and 13:00-17:00) are merged. Problems come in the order of the
 * entries; the weekly hours hold every range that was fine.
 */
export function compileWeeklyHours(entries: readonly HoursEntry[]): { weekly: WeeklyHours; problems: HoursProblem[] } {
  const problems: HoursProblem[] = [];
  const perDay = new Map<IsoWeekday, { range: OpeningRange; label: string }[]>();
  const reported = new Set<string>();
  for (const entry of entries) {
    const days = parseDayKey(entry.days);
    if (typeof days === 'string') {
      problems.push({ message: days, path: entry.keyPath });
      continue;
    }
    entry.ranges.forEach((source, index) => {
      const path = entry.paths[index] ?? [];
      const range = parseTimeRange(source);
      if (typeof range === 'string') {
        problems.push({ message: range, path });
        return;
      }
      for (const day of days) {
        const list = perDay.get(day) ?? [];
        const clash = list.find((other) => other.range.startMinute < range.endMinute && range.startMinute < other.range.endMinute);
        if (clash) {
          const message = `"${formatRange(range)}" overlaps "${formatRange(clash.range)}"${clash.label === entry.days ? '' : ` of ${clash.label}`} on ${DAY_NAMES[day - 1]}`;
          // one message per clash, not one per weekday of a day range
          const key = `${path.join('.')}|${formatRange(range)}|${formatRange(clash.range)}|${clash.label}`;
          if (!reported.has(key)) {
            reported.add(key);
            problems.push({ message, path });
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
  return { weekly, problems };
}
