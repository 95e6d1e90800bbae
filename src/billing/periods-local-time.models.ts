// Local wall-clock time ↔ instants in an IANA zone, with ONE rule for the times a daylight-saving
// change makes ambiguous, shared by time-bank periods (which start at local midnight) and the
// `#time … from 18:00` tag (a start written in the provider's local time).
//
// The rule is the "compatible" disambiguation of TC39 Temporal (and of RFC 5545 for DTSTART):
// - a time that occurs twice (the clock is set back: 02:30 on the last Sunday of October in
//   Europe/Stockholm) means its EARLIER occurrence, still on summer time;
// - a time that does not exist (the clock jumps forward: 02:30 on the last Sunday of March) moves
//   forward by the length of the gap (03:30 summer time), so a midnight that a zone skips becomes
//   the first instant of that day.
// luxon's own `fromObject` leaves the choice to an offset guess; doing it here keeps it explicit.
import { IANAZone } from 'luxon';
import { HelpdeskError } from '../shared/errors.ts';
import { DAY_MS, ordinalOfParts, partsOfOrdinal } from '../calendar/local-date.models.ts';

const MINUTE_MS = 60_000;

export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const zones = new Map<string, IANAZone>();

/** The zone, validated; `usage.invalid` for a name that is not an IANA zone. */
export function ianaZone(timeZone: string): IANAZone {
  let zone = zones.get(timeZone);
  if (zone === undefined) {
    zone = IANAZone.create(timeZone);
    if (!zone.isValid) throw new HelpdeskError('usage.invalid', `"${timeZone}" is not an IANA time zone (e.g. Europe/Stockholm)`);
    zones.set(timeZone, zone);
  }
  return zone;
}

/** Offset of the zone at an instant, in ms (UTC+1 → 3 600 000). */
function offsetMs(zone: IANAZone, atMs: number): number {
  return zone.offset(atMs) * MINUTE_MS;
}

/**
 * The instant of a local wall-clock time in `timeZone`, by the rule at the top of this file.
 * Assumes at most one offset change within a day on either side of the time, which holds for
 * every zone in the tz database today.
 */
export function instantOfLocalTime(local: LocalDateTime, timeZone: string): number {
  const zone = ianaZone(timeZone);
  const wallMs = ordinalOfParts(local.year, local.month, local.day) * DAY_MS + (local.hour * 60 + local.minute) * MINUTE_MS;
  const offsetBefore = offsetMs(zone, wallMs - DAY_MS);
  const offsetAfter = offsetMs(zone, wallMs + DAY_MS);
  const candidates = [offsetBefore, offsetAfter]
    .map((offset) => ({ offset, at: wallMs - offset }))
    .filter(({ offset, at }) => offsetMs(zone, at) === offset)
    .map(({ at }) => at);
  // Overlap: both are real, the earlier one wins. Gap: neither is; reading the wall time with the
  // offset in force before the gap lands exactly the gap's length after it.
  return candidates.length > 0 ? Math.min(...candidates) : wallMs - offsetBefore;
}

/** The local date (as an ordinal, days since 1970-01-01) and time of an instant in `timeZone`. */
export function localTimeOf(atMs: number, timeZone: string): LocalDateTime & { ordinal: number } {
  const wallMs = atMs + offsetMs(ianaZone(timeZone), atMs);
  const ordinal = Math.floor(wallMs / DAY_MS);
  const minuteOfDay = Math.floor((wallMs - ordinal * DAY_MS) / MINUTE_MS);
  return { ...partsOfOrdinal(ordinal), hour: Math.floor(minuteOfDay / 60), minute: minuteOfDay % 60, ordinal };
}

/** The first instant of a local date (its midnight, or the end of the gap when midnight is skipped). */
export function startOfLocalDate(ordinal: number, timeZone: string): number {
  return instantOfLocalTime({ ...partsOfOrdinal(ordinal), hour: 0, minute: 0 }, timeZone);
}
