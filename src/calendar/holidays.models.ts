// Holiday regions and dates from date-holidays, for the calendar arithmetic and for the
// contracts file's validation (one rule for which codes exist). date-holidays takes ~20 ms per
// country-year, so results are cached per region and year for the whole process (the data is
// static; the cache is memoization, not state).
//
// Loading date-holidays costs ~0.2 s (its parser, moment-timezone and astronomia), which alone
// would put `helpdesk contracts check` over its 0.5 s start-up target (bench/cli-startup.ts). The
// check only asks which codes exist, so it reads the package's own data file (JSON.parse, ~25 ms),
// and the library itself is loaded on the first holiday date asked for.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type Holidays from 'date-holidays';
import { HelpdeskError } from '../shared/errors.ts';

export interface HolidayRegion {
  country: string;
  state: string | undefined;
  region: string | undefined;
}

const requireFromHere = createRequire(import.meta.url);
const holidayCache = new Map<string, ReadonlyMap<string, readonly string[]>>();

/** date-holidays' class, loaded on first use (see the top of this file). */
let holidaysClass: typeof Holidays | null = null;
function holidaysLibrary(): typeof Holidays {
  holidaysClass ??= requireFromHere('date-holidays') as typeof Holidays;
  return holidaysClass;
}

/** A country, state or region of date-holidays' data: only the codes below it matter here. */
interface RegionNode {
  states?: Record<string, RegionNode>;
  regions?: Record<string, RegionNode>;
}

let regionCodes: Record<string, RegionNode> | null = null;

/**
 * The countries of date-holidays' data file (`data/holidays.json`, the file its own getCountries,
 * getStates and getRegions read; test/unit/holidays.test.ts checks every code against them).
 */
function countryCodes(): Record<string, RegionNode> {
  if (regionCodes === null) {
    const packageDir = path.dirname(requireFromHere.resolve('date-holidays/package.json'));
    const data = JSON.parse(readFileSync(path.join(packageDir, 'data', 'holidays.json'), 'utf8')) as { holidays?: Record<string, RegionNode> };
    if (data.holidays === undefined) throw new HelpdeskError('calendar.invalid', `date-holidays' data file in ${packageDir} has no holidays`);
    regionCodes = data.holidays;
  }
  return regionCodes;
}

/** A country's states as date-holidays lists them (`states`, else `regions` for countries without states). */
export function holidayStatesOf(country: string): readonly string[] {
  const node = Object.hasOwn(countryCodes(), country) ? countryCodes()[country] : undefined;
  return Object.keys(node?.states ?? node?.regions ?? {});
}

/** A state's regions as date-holidays lists them. */
export function holidayRegionsOf(country: string, state: string): readonly string[] {
  const states = Object.hasOwn(countryCodes(), country) ? countryCodes()[country]?.states : undefined;
  const node = states && Object.hasOwn(states, state) ? states[state] : undefined;
  return Object.keys(node?.regions ?? {});
}

/** Every country code date-holidays knows. */
export function holidayCountries(): readonly string[] {
  return Object.keys(countryCodes());
}

/**
 * Checks a date-holidays code (`SE`, `DE-BY`, `DE-BY-A`, upper-case); returns a message for the
 * contracts file when the country, state or region is unknown, null when the code is fine.
 */
export function checkHolidayRegion(code: string): string | null {
  const [country = '', state, region, ...rest] = code.split('-');
  if (!Object.hasOwn(countryCodes(), country) || rest.length > 0) {
    return `${JSON.stringify(code)} is not a date-holidays country or region (e.g. SE, NO, NL, BE, LU, DE-BY)`;
  }
  if (state === undefined) return null;
  const known = holidayStatesOf(country);
  if (!known.includes(state)) {
    return `${JSON.stringify(code)}: ${country} has no region ${state}${known.length ? ` (regions: ${known.join(', ')})` : ''}`;
  }
  if (region === undefined) return null;
  if (!holidayRegionsOf(country, state).includes(region)) {
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
  const HolidaysLibrary = holidaysLibrary();
  const source = new HolidaysLibrary(region.country, region.state ?? '', region.region ?? '');
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
