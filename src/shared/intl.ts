// Intl.DateTimeFormat objects kept for the life of the process, per locale and options. Building
// one is the expensive part of formatting a date (and luxon builds one per call): intake formats
// a date per mail (routing by the provider's local date) and per ticket (deadlines in digests).

const DATE_TIME_FORMATS = new Map<string, Intl.DateTimeFormat | null>();

/**
 * A kept formatter for `locale` and `options`; null when Intl does not know `options.timeZone`
 * (the caller then reports the zone in its own words).
 */
export function keptDateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat | null {
  const key = `${locale}|${JSON.stringify(options)}`;
  if (!DATE_TIME_FORMATS.has(key)) {
    let format: Intl.DateTimeFormat | null = null;
    try {
      format = new Intl.DateTimeFormat(locale, options);
    } catch (err) {
      // an unknown time zone; anything else is a programming error
      if (!(err instanceof RangeError)) throw err;
    }
    DATE_TIME_FORMATS.set(key, format);
  }
  return DATE_TIME_FORMATS.get(key)!;
}
