import { describe, expect, it } from 'vitest';
import Holidays from 'date-holidays';
import {
  checkHolidayRegion,
  holidayCountries,
  holidayRegionsOf,
  holidayStatesOf,
  holidayTypesOfYear,
  parseHolidayRegion,
} from '../../src/calendar/holidays.models.ts';

describe('holiday codes read from date-holidays data file', () => {
  // The check reads the data file instead of loading the library (start-up time); these are the
  // library's own answers, so a new date-holidays with another layout fails here, not in a user's check.
  const library = new Holidays();

  it('lists exactly the countries, states and regions the library lists', () => {
    const countries = Object.keys(library.getCountries()).sort();
    expect([...holidayCountries()].sort()).toEqual(countries);
    expect(countries.length).toBeGreaterThan(100);
    let regionsSeen = 0;
    for (const country of countries) {
      const states = Object.keys(library.getStates(country) ?? {}).sort();
      expect([...holidayStatesOf(country)].sort(), country).toEqual(states);
      for (const state of states) {
        const regions = Object.keys(library.getRegions(country, state) ?? {}).sort();
        regionsSeen += regions.length;
        expect([...holidayRegionsOf(country, state)].sort(), `${country}-${state}`).toEqual(regions);
      }
    }
    expect(regionsSeen).toBeGreaterThan(0);
  });

  it('knows no code that is an inherited object property', () => {
    expect(checkHolidayRegion('CONSTRUCTOR')).toMatch(/not a date-holidays country/);
    expect(holidayStatesOf('toString')).toEqual([]);
    expect(holidayRegionsOf('DE', '__proto__')).toEqual([]);
  });
});

describe('checkHolidayRegion', () => {
  it('accepts a country, a country-state and a country-state-region code', () => {
    expect(checkHolidayRegion('SE')).toBeNull();
    expect(checkHolidayRegion('DE-BY')).toBeNull();
    expect(checkHolidayRegion('DE-BY-A')).toBeNull();
  });

  it('names what is unknown', () => {
    expect(checkHolidayRegion('XX')).toBe('"XX" is not a date-holidays country or region (e.g. SE, NO, NL, BE, LU, DE-BY)');
    expect(checkHolidayRegion('NO-03')).toBe('"NO-03": NO has no region 03');
    expect(checkHolidayRegion('DE-BY-ZZ')).toBe('"DE-BY-ZZ": DE-BY has no region ZZ');
  });
});

describe('parseHolidayRegion', () => {
  it('splits a code of any case into its parts', () => {
    expect(parseHolidayRegion(' de-by ')).toEqual({ country: 'DE', state: 'BY', region: undefined });
  });

  it('throws calendar.invalid for a code date-holidays does not know', () => {
    expect(() => parseHolidayRegion('DE-ZZ')).toThrow(expect.objectContaining({ code: 'calendar.invalid' }));
    expect(() => parseHolidayRegion('')).toThrow(expect.objectContaining({ code: 'calendar.invalid' }));
  });
});

describe('holidayTypesOfYear', () => {
  it('lists the Swedish public holidays and bank holidays by local date', () => {
    const types = holidayTypesOfYear({ country: 'SE', state: undefined, region: undefined }, 2026);
    expect(types.get('2026-12-25')).toContain('public');
    expect(types.get('2026-06-19')).toContain('bank'); // midsommarafton
    expect(types.get('2026-03-04')).toBeUndefined();
  });
});
