// Dates and durations as the mails show them. Templates get pre-formatted strings, so this is
// the one place that decides how a deadline reads in each language.
import { DateTime } from 'luxon';
import type { Locale } from '../contracts/contracts.types.ts';
import { keptDateTimeFormat } from '../shared/intl.ts';

// `en` means British conventions: a 24-hour clock and day-month order, as our European
// customers expect; plain `en` would give en-US ("March 4, 2026 at 10:00 AM").
const INTL_LOCALE: Readonly<Record<Locale, string>> = { en: 'en-GB', sv: 'sv-SE', nb: 'nb-NO', nl: 'nl-NL' };

const DEADLINE_FORMAT: Intl.DateTimeFormatOptions = {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
};

/**
 * `Wednesday 4 March 2026 at 10:00 (Europe/Stockholm)`, `onsdag 4 mars 2026 kl. 10:00 (Europe/Stockholm)`.
 * The IANA zone is named because the reader may sit in another zone than the calendar.
 */
export function formatDeadline(date: Date, zone: string, locale: Locale): string {
  // A kept formatter (src/shared/intl.ts): luxon's toLocaleString builds one per date, 0.12 s of
  // intake's main thread per 3,000 mails (the digests list every deadline). Same output.
  const formatter = keptDateTimeFormat(INTL_LOCALE[locale], { ...DEADLINE_FORMAT, timeZone: zone });
  if (formatter) return `${formatter.format(date)} (${zone})`;
  const local = DateTime.fromJSDate(date, { zone }).setLocale(INTL_LOCALE[locale]);
  return `${local.toLocaleString(DEADLINE_FORMAT)} (${zone})`;
}


// Hour abbreviations: h (en), tim (sv: timme/timmar), t (nb: time/timer), u (nl: uur).
const HOUR_UNIT: Readonly<Record<Locale, string>> = { en: 'h', sv: 'tim', nb: 't', nl: 'u' };

/**
 * A span such as the time left before, or past, a deadline: `1 h 15 min`, `1 t 15 min`.
 * The sign is ignored (the template says whether it is left or over); whole minutes, rounded
 * down, so time left is never overstated; hours are not folded into days, because "2 d" would
 * read like the business days of the contracts file.
 */
export function formatRemaining(ms: number, locale: Locale): string {
  const totalMinutes = Math.floor(Math.abs(ms) / 60_000);
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  if (hours === 0) return `${minutes} min`;
  if (minutes === 0) return `${hours} ${HOUR_UNIT[locale]}`;
  return `${hours} ${HOUR_UNIT[locale]} ${minutes} min`;
}
