import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  deriveContractEnd,
  normalizeContracts,
  normalizePlan,
  outOfHoursCalendarOf,
} from '../../src/contracts/contracts.normalize.ts';
import { contractsFileSchema, type RawContractsFile } from '../../src/contracts/contracts.schema.ts';

function parsedExample(name: string): RawContractsFile {
  const text = readFileSync(fileURLToPath(new URL(`../../examples/${name}.yaml`, import.meta.url)), 'utf8');
  return contractsFileSchema.parse(parse(text));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

describe('normalizeContracts', () => {
  it.each(['mixvoip', 'trinax', 'brodrene-johnsen'])('leaves the deep-frozen parsed %s file unchanged', (name) => {
    const raw = parsedExample(name);
    const before = structuredClone(raw);
    deepFreeze(raw);
    const config = normalizeContracts(raw);
    expect(raw).toEqual(before);
    expect(Object.keys(config.plans)).toEqual(Object.keys(raw.plans));
  });

  it('gives a result that shares no object with its input, so changing one cannot change the other', () => {
    const raw = parsedExample('mixvoip');
    const config = normalizeContracts(raw);
    config.calendars['weekdays-0730-1800']?.weekly[1]?.push({ startMinute: 1200, endMinute: 1260 });
    config.calendars['__outOfHours:business']?.weekly[1]?.splice(0);
    expect(raw.calendars['weekdays-0730-1800']?.hours[1]).toEqual([{ startMinute: 450, endMinute: 1080 }]);
    const inside = raw.plans.business?.billing.outOfHours?.inside;
    expect(inside?.kind === 'hours' ? inside.weekly[1] : null).toEqual([{ startMinute: 480, endMinute: 1200 }]);
  });

  it('adds the out-of-hours calendar of a plan after the calendars of the file', () => {
    const config = normalizeContracts(parsedExample('mixvoip'));
    expect(Object.keys(config.calendars).at(-1)).toBe('__outOfHours:business');
  });

  it('fills in the backlog defaults: 24 hours and a digest from five tickets', () => {
    expect(normalizeContracts(parsedExample('trinax')).provider.backlog).toEqual({ ackMaxAgeMs: 86_400_000, digestFrom: 5 });
  });
});

describe('normalizePlan and outOfHoursCalendarOf', () => {
  it('compile the out-of-hours hours into a calendar of their own without writing into the calendars given', () => {
    const raw = deepFreeze(parsedExample('mixvoip'));
    const calendars = deepFreeze({
      'weekdays-0730-1800': {
        name: 'weekdays-0730-1800',
        timezone: 'Europe/Luxembourg',
        holidays: { region: 'LU', closeTypes: ['public' as const] },
        closedDates: ['2026-12-24'],
        weekly: { 1: [{ startMinute: 450, endMinute: 1080 }] },
      },
    });
    const business = raw.plans.business;
    if (!business) throw new Error('mixvoip.yaml has a business plan');
    expect(normalizePlan('business', business).billing.outOfHours).toMatchObject({ insideCalendar: '__outOfHours:business', multiplier: null });
    const inside = outOfHoursCalendarOf('business', business, calendars);
    expect(inside).toMatchObject({
      name: '__outOfHours:business',
      timezone: 'Europe/Luxembourg',
      holidays: { region: 'LU', closeTypes: ['public'] },
      closedDates: ['2026-12-24'],
    });
    expect(inside?.weekly[5]).toEqual([{ startMinute: 480, endMinute: 1200 }]);
    expect(Object.keys(calendars)).toEqual(['weekdays-0730-1800']);
  });

  it('give no calendar for a plan whose out-of-hours names a calendar of the file', () => {
    const raw = parsedExample('mystore');
    const service = raw.plans.service;
    if (!service) throw new Error('mystore.yaml has a service plan');
    expect(outOfHoursCalendarOf('service', service, {})).toBeNull();
    expect(normalizePlan('service', service).billing.outOfHours).toEqual({ insideCalendar: 'office', multiplier: '2' });
  });
});

describe('deriveContractEnd', () => {
  it('keeps a given end, adds the term months otherwise, and leaves an open-ended plan open', () => {
    expect(deriveContractEnd('2026-01-01', '2026-06-01', { kind: 'months', months: 12 })).toBe('2026-06-01');
    expect(deriveContractEnd('2026-01-31', null, { kind: 'months', months: 1 })).toBe('2026-02-28');
    expect(deriveContractEnd('2025-09-01', undefined, { kind: 'prepaid', maxMonths: 12 })).toBe('2026-09-01');
    expect(deriveContractEnd('2026-01-01', null, { kind: 'none' })).toBeNull();
  });
});
