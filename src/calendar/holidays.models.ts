// Holiday regions and dates from date-holidays, for the calendar arithmetic and for the
// contracts file's validation (one rule for which codes exist). date-holidays takes ~20 ms per
// country-year, so results are cached per region and year for the whole process (the data is
// static; the cache is memoization, not state).
import Holidays from 'date-holidays';
import { HelpdeskError } from '../shared/errors.ts';

export interface HolidayRegion {
  country: string;
  state: string | undefined;
  region: string | undefined;
}

let holidayCatalog: Holidays | null = null;
const holidayCache = new Map<string, ReadonlyMap<string, readonly string[]>>();

function catalog(): Holidays {
  holidayCatalog ??= new Holidays();
  return holidayCatalog;
}

/**
 * Checks a date-holidays code (`SE`, `DE-BY`, `DE-BY-A`, upper-case); returns a message for the
 * contracts file when the country, state or region is unknown, null when the code is fine.
 */
export function checkHolidayRegion(code: string): string | null {
  const [country = '', state, region, ...rest] = code.split('-');
  const countries = catalog().getCountries();
  if (!(country in countries) || rest.length > 0) {
    return `${JSON.stringify(code)} is not a date-holidays country or region (e.g. SE, NO, NL, BE, LU, DE-BY)`;
  }
  if (state === undefined) return null;
  const states = catalog().getStates(country) ?? {};
  if (!(state in states)) {
    const known = Object.keys(states);
    return `${JSON.stringify(code)}: ${country} has no region ${state}${known.length ? ` (regions: ${known.join(', ')})` : ''}`;
  }
  if (region === undefined) return null;
  const regions = catalog().getRegions(country, state) ?? {};
  if (!(region in regions)) {
    return `${JSON.stringify(code)}: ${country}-${state} has no region ${region}`;
  }
  return null;
}

/** Splits a holiday code (any case) into its parts; throws `calendar.invalid` when date-holidays does not know it. */
export function parseHolidayRegion(code: string): HolidayRegion {
  const upper = code.trim().toUpperCase();
  if (upper === '' || checkHolidayRegion(upper) !== null) {
    throw new HelpdeskError('calendar.invalid', `"${upper}" is not a holiday region known to date-holidays (e.g. SE, NO, DE-BY)`);
  }
  const [country = '', state, region] = upper.split('-');
  return { country, state, region };
}

/** Holiday types by local date `YYYY-MM-DD` (the country's own dates) for one region and year. */
export function holidayTypesOfYear(region: HolidayRegion, year: number): ReadonlyMap<string, readonly string[]> {
  const key = `${region.country}-${region.state ?? ''}-${region.region ?? ''}|${year}`;
  const cached = holidayCache.get(key);
  if (cached) return cached;
  const source = new Holidays(region.country, region.state ?? '', region.region ?? '');
  const byDate = new Map<string, string[]>();
  for (const holiday of source.getHolidays(year)) {
    // `date` is local to the country ("2026-12-31 14:00:00" for an eve that starts at 14:00);
    // a closing holiday closes the whole local date, so only the date part matters.
    const date = holiday.date.slice(0, 10);
    const types = byDate.get(date);
    if (types) types.push(holiday.type);
    else byDate.set(date, [holiday.type]);
  }
  holidayCache.set(key, byDate);
  return byDate;
}
