// Local dates as ordinals (days since 1970-01-01): cheap map keys and cheap weekday arithmetic
// for the business-time code, which turns each ordinal into absolute instants only once.
import type { IsoWeekday } from './calendar.types.ts';

export const DAY_MS = 86_400_000;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface DateParts {
  year: number;
  month: number;
  day: number;
}

export function ordinalOfParts(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

export function partsOfOrdinal(ordinal: number): DateParts {
  const date = new Date(ordinal * DAY_MS);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** `YYYY-MM-DD` of an ordinal. */
export function formatOrdinal(ordinal: number): string {
  return new Date(ordinal * DAY_MS).toISOString().slice(0, 10);
}

/** 1970-01-01 was a Thursday (ISO 4). */
export function isoWeekdayOfOrdinal(ordinal: number): IsoWeekday {
  return (((((ordinal + 3) % 7) + 7) % 7) + 1) as IsoWeekday;
}

/** Parses `YYYY-MM-DD` into an ordinal; null when it is not a real calendar date. */
export function parseLocalDate(text: string): number | null {
  const match = LOCAL_DATE.exec(text);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const ordinal = ordinalOfParts(year, month, day);
  const back = partsOfOrdinal(ordinal);
  return back.year === year && back.month === month && back.day === day ? ordinal : null;
}
