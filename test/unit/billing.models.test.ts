// The billing engine on the five seeds' example files: what one entry, or a ticket's entries,
// bill under each plan's terms. Expected amounts are worked out by hand in the comments.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UnknownRateRoleError } from '../../src/billing/billing.errors.ts';
import { createPlanPricing, createPlanPricingCache, priceTicketEntries, priceTimeEntry, resolveRateRole, timeAmountMinor } from '../../src/billing/billing.models.ts';
import { FRESH_TICKET, type TimeEntryToPrice } from '../../src/billing/billing.types.ts';
import { parseContractsYaml } from '../../src/contracts/contracts.models.ts';
import type { ContractsConfig } from '../../src/contracts/contracts.types.ts';
import { HelpdeskError } from '../../src/shared/errors.ts';

const examples = new Map<string, ContractsConfig>();
function example(name: string): ContractsConfig {
  let config = examples.get(name);
  if (!config) {
    const file = fileURLToPath(new URL(`../../examples/${name}.yaml`, import.meta.url));
    config = parseContractsYaml(readFileSync(file, 'utf8'), name);
    examples.set(name, config);
  }
  return config;
}

/** An entry that starts at `start` (ISO with offset) and lasts `minutes`. */
function entry(start: string, minutes: number, options: Partial<TimeEntryToPrice> = {}): TimeEntryToPrice {
  const workStart = new Date(start);
  return {
    minutes,
    workStart,
    workEnd: new Date(workStart.getTime() + minutes * 60_000),
    onsite: false,
    kind: 'request',
    taggedRole: null,
    technicianRole: null,
    ...options,
  };
}

function price(file: string, plan: string, start: string, minutes: number, options: Partial<TimeEntryToPrice> = {}) {
  return priceTimeEntry(createPlanPricing(example(file), plan), entry(start, minutes, options));
}

// Tuesday 10 March 2026 10:00 and Saturday 7 March 2026 10:00, Central European Time.
const TUESDAY = '2026-03-10T10:00:00+01:00';
const SATURDAY = '2026-03-07T10:00:00+01:00';

describe('priceTimeEntry on the seeds', () => {
  it.each([
    // file, plan, start, minutes, options, billable, amount minor, explanation
    ['trinax', 'none', TUESDAY, 47, {}, 60, 135_000, '47m remote → 60m (per started 15m) × 1 350 SEK/h = 1 350.00 SEK'],
    ['trinax', 'alert', TUESDAY, 70, { onsite: true }, 75, 168_750, '70m on site → 75m (per started 15m) × 1 350 SEK/h = 1 687.50 SEK'],
    // Trinax states no out-of-hours rate: a Saturday bills like a Tuesday
    ['trinax', 'alert', SATURDAY, 30, {}, 30, 67_500, '30m remote → 30m (per started 15m) × 1 350 SEK/h = 675.00 SEK'],
    // Mystore's service agreement: 250 NOK per started 15 minutes of a case
    ['mystore', 'service', TUESDAY, 47, {}, 60, 100_000, '47m remote → 60m (ticket total 47m rounds to 60m; per started 15m) × 1 000 NOK/h = 1 000.00 NOK'],
    // Mystore: general problems (incidents) are free of charge
    ['mystore', 'support', TUESDAY, 47, { kind: 'incident' }, 0, 0, '47m remote, incidents are free on this plan = 0.00 NOK'],
    // Saturday is outside the office calendar: 30 worked minutes at 2 x, the rest of the started hour at 1 x
    ['mystore', 'support', SATURDAY, 30, {}, 60, 187_500, '30m remote → 60m (ticket total 30m rounds to 60m; per started 60m): 30m × 1 250 NOK/h + 30m out of hours × 1 250 NOK/h × 2 = 1 875.00 NOK'],
    // Telekompetanse: 15 free minutes per incident, then 15-minute steps at 1 195 NOK/h: 45m = 896.25
    ['telekompetanse', 'nivaa1', TUESDAY, 47, { kind: 'incident' }, 45, 89_625, '47m remote − 15m free per incident = 32m → 45m (per started 15m) × 1 195 NOK/h = 896.25 NOK'],
    // requests get no free minutes at level 1; on site adds the travel charge
    ['telekompetanse', 'nivaa1', TUESDAY, 70, { onsite: true }, 75, 149_375 + 65_000, '70m on site → 75m (per started 15m) × 1 195 NOK/h + travel 650.00 NOK = 2 143.75 NOK'],
    // level 3: 15 free minutes of the incident, then the first on-site hour: 70m costs nothing, no travel
    ['telekompetanse', 'nivaa3', TUESDAY, 70, { onsite: true, kind: 'incident' }, 0, 0, '70m on site − 15m free per incident − 55m on site free per ticket = 0m = 0.00 NOK'],
    ['telekompetanse', 'nivaa2', TUESDAY, 47, {}, 0, 0, '47m remote, requests are free on this plan = 0.00 NOK'],
    ['brodrene-johnsen', 'alt2', TUESDAY, 47, {}, 60, 115_000, '47m remote → 60m (per started 15m) × 1 150 NOK/h = 1 150.00 NOK'],
    // alt 1 is free for its six months: rate 0, no step
    ['brodrene-johnsen', 'alt1', TUESDAY, 47, {}, 47, 0, '47m remote → 47m (per minute) × 0 NOK/h = 0.00 NOK'],
    // Mixvoip: 15-minute steps; on site the first full hour, then steps, plus travel
    ['mixvoip', 'standard', TUESDAY, 47, {}, 60, 10_400, '47m remote → 60m (per started 15m) × 104 EUR/h = 104.00 EUR'],
    ['mixvoip', 'standard', TUESDAY, 70, { onsite: true }, 75, 13_000 + 4_500, '70m on site → 75m (first 60m on site, then per started 15m) × 104 EUR/h + travel 45.00 EUR = 175.00 EUR'],
    ['mixvoip', 'standard', TUESDAY, 20, { onsite: true }, 60, 10_400 + 4_500, '20m on site → 60m (first 60m on site, then per started 15m) × 104 EUR/h + travel 45.00 EUR = 149.00 EUR'],
    // Saturday at the separate out-of-hours rate: 30m × 156 EUR/h = 78.00
    ['mixvoip', 'standard', SATURDAY, 30, {}, 30, 7_800, '30m remote → 30m (per started 15m) out of hours × 156 EUR/h = 78.00 EUR'],
    ['mixvoip', 'business', SATURDAY, 30, { taggedRole: 'engineer' }, 30, 8_325, '30m remote → 30m (per started 15m) out of hours × 166.50 EUR/h (engineer) = 83.25 EUR'],
    // Luxembourg's National Day, Tuesday 23 June 2026, is a public holiday: out of hours all day
    ['mixvoip', 'office', '2026-06-23T10:00:00+02:00', 30, {}, 30, 7_200, '30m remote → 30m (per started 15m) out of hours × 144 EUR/h = 72.00 EUR'],
  ] as const)('%s %s from %s, %im %o bills %im, %i minor units', (file, plan, start, minutes, options, billable, amountMinor, explanation) => {
    const priced = price(file, plan, start, minutes, options);
    expect(priced.billableMinutes).toBe(billable);
    expect(priced.amountMinor).toBe(amountMinor);
    expect(priced.explanation).toBe(explanation);
  });

  it('bills only the minutes worked after 20:00 at the out-of-hours rate, and the rounding at the normal rate', () => {
    // Tuesday 19:30-20:40 on site: 30m inside, 40m outside; 75m billed = 35m × 104 + 40m × 156 + travel
    const priced = price('mixvoip', 'standard', '2026-03-10T19:30:00+01:00', 70, { onsite: true });
    expect(priced.time).toEqual([
      { hours: 'normal', minutes: 35, rateMinor: 10_400, multiplier: null },
      { hours: 'outOfHours', minutes: 40, rateMinor: 15_600, multiplier: null },
    ]);
    expect(priced.charges).toEqual([{ charge: 'travel', amountMinor: 4_500 }]);
    // 6 066.67 + 10 400 + 4 500 minor units
    expect(priced.amountMinor).toBe(20_967);
    expect(priced.explanation).toBe(
      '70m on site → 75m (first 60m on site, then per started 15m): 35m × 104 EUR/h + 40m out of hours × 156 EUR/h + travel 45.00 EUR = 209.67 EUR',
    );
  });

  it('counts a Norwegian public holiday as out of hours on a plan whose normal hours are the office calendar', () => {
    // Ascension Day, Thursday 14 May 2026: the office is closed, so the whole hour is out of hours at 2 x
    const priced = price('mystore', 'support', '2026-05-14T10:00:00+02:00', 60);
    expect(priced.outOfHoursMinutes).toBe(60);
    expect(priced.amountMinor).toBe(250_000);
  });

  it('uses the tagged role, else the technician\'s own role when the plan prices it, else default', () => {
    const pricing = createPlanPricing(example('mixvoip'), 'standard');
    expect(priceTimeEntry(pricing, entry(TUESDAY, 60, { taggedRole: 'Consulting', technicianRole: 'cabling' })).rateMinor).toBe(13_900);
    expect(priceTimeEntry(pricing, entry(TUESDAY, 60, { technicianRole: 'cabling' })).rateMinor).toBe(8_900);
    const mystore = createPlanPricing(example('mystore'), 'service');
    const priced = priceTimeEntry(mystore, entry(TUESDAY, 60, { technicianRole: 'webdeveloper' }));
    expect([priced.role, priced.rateMinor]).toEqual(['default', 100_000]);
    expect(resolveRateRole(pricing.plan, null, null)).toBe('default');
  });

  it('refuses a tagged role the plan does not price, listing the plan\'s roles', () => {
    const pricing = createPlanPricing(example('telekompetanse'), 'nivaa1');
    const attempt = () => priceTimeEntry(pricing, entry(TUESDAY, 30, { taggedRole: 'cabling' }));
    expect(attempt).toThrow(UnknownRateRoleError);
    expect(attempt).toThrow('plan "nivaa1" has no rate for role "cabling" (roles: default, engineer)');
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({ code: 'billing.unknown_role', role: 'cabling', roles: ['default', 'engineer'] });
    }
  });

  it('builds each plan\'s pricing once per contracts file', () => {
    const pricingOf = createPlanPricingCache(example('mixvoip'));
    expect(pricingOf('standard')).toBe(pricingOf('standard'));
    expect(pricingOf('office').plan.key).toBe('office');
    expect(() => pricingOf('gold')).toThrow('unknown plan "gold"');
  });

  it('refuses minutes that are not a whole number above zero and an unknown plan', () => {
    const pricing = createPlanPricing(example('trinax'), 'none');
    expect(() => priceTimeEntry(pricing, entry(TUESDAY, 0))).toThrow(HelpdeskError);
    expect(() => priceTimeEntry(pricing, entry(TUESDAY, 1.5))).toThrow('whole number of minutes');
    expect(() => createPlanPricing(example('trinax'), 'gold')).toThrow('unknown plan "gold" (plans: none, alert, attend, access)');
  });

  it('takes the work start as end − minutes when the tag gave none', () => {
    const pricing = createPlanPricing(example('mixvoip'), 'standard');
    // ended Tuesday 20:30: 20:00-20:30 is out of hours, 19:45-20:00 inside
    const priced = priceTimeEntry(pricing, {
      minutes: 45,
      workEnd: new Date('2026-03-10T20:30:00+01:00'),
      onsite: false,
      kind: 'request',
      taggedRole: null,
      technicianRole: null,
    });
    expect([priced.normalMinutes, priced.outOfHoursMinutes]).toEqual([15, 30]);
  });
});

describe('free minutes and rounding across a ticket', () => {
  it('uses up the free minutes per incident once per ticket', () => {
    const pricing = createPlanPricing(example('telekompetanse'), 'nivaa1');
    const [first, second] = priceTicketEntries(pricing, [
      entry(TUESDAY, 10, { kind: 'incident' }),
      entry('2026-03-10T11:00:00+01:00', 10, { kind: 'incident' }),
    ]);
    expect(first?.freeAllowanceMinutes).toBe(10);
    expect(first?.amountMinor).toBe(0);
    expect(second?.freeAllowanceMinutes).toBe(5);
    expect(second?.billableMinutes).toBe(15);
    expect(second?.explanation).toBe('10m remote − 5m free per incident = 5m → 15m (per started 15m) × 1 195 NOK/h = 298.75 NOK');
    expect(second?.ticketAfter).toEqual({ freeUsedMinutes: 15, onsiteFreeUsedMinutes: 0, chargeableMinutes: 5, billedMinutes: 15 });
  });

  it('rounds the ticket, not each entry, under roundPer: ticket: 45m + 45m + 5m bill 2h, not 3h', () => {
    const pricing = createPlanPricing(example('mystore'), 'support');
    const priced = priceTicketEntries(pricing, [entry(TUESDAY, 45), entry('2026-03-10T11:00:00+01:00', 45), entry('2026-03-10T13:00:00+01:00', 5)]);
    expect(priced.map((one) => one.billableMinutes)).toEqual([60, 60, 0]);
    expect(priced.map((one) => one.amountMinor)).toEqual([125_000, 125_000, 0]);
    expect(priced[1]?.explanation).toBe('45m remote → 60m (ticket total 90m rounds to 120m, 60m billed before; per started 60m) × 1 250 NOK/h = 1 250.00 NOK');
    expect(priced[2]?.explanation).toBe('5m remote → 0m (ticket total 95m rounds to 120m, 120m billed before; per started 60m) = 0.00 NOK');
  });

  it('rounds each entry under roundPer: entry: the same three entries bill 3 × 15m steps each', () => {
    const pricing = createPlanPricing(example('brodrene-johnsen'), 'alt2');
    const priced = priceTicketEntries(pricing, [entry(TUESDAY, 45), entry('2026-03-10T11:00:00+01:00', 44), entry('2026-03-10T13:00:00+01:00', 5)]);
    expect(priced.map((one) => one.billableMinutes)).toEqual([45, 45, 15]);
  });

  it('starts a ticket from FRESH_TICKET and never changes the state it was given', () => {
    const pricing = createPlanPricing(example('telekompetanse'), 'nivaa3');
    const before = { ...FRESH_TICKET };
    const priced = priceTimeEntry(pricing, entry(TUESDAY, 90, { onsite: true }), before);
    expect(before).toEqual(FRESH_TICKET);
    // a request is free at level 3 (freeKinds), so nothing of the free on-site hour is used
    expect(priced.ticketAfter).toEqual(FRESH_TICKET);
  });
});

describe('money', () => {
  it('rounds the exact sum of an entry\'s time parts once, not each part', () => {
    // Tuesday 07:55-08:05 with normal hours from 08:00: 5m at 3 minor units/h and 5m at 3 × 1.5;
    // exactly 0.25 + 0.375 = 0.625 → 1, where rounding each part would give 0 + 0 = 0
    const pricing = createPlanPricing(example('mixvoip'), 'standard');
    const plan = { ...pricing.plan, billing: { ...pricing.plan.billing, incrementMs: 60_000, minimumMs: 0, ratesMinor: { default: 3 }, outOfHours: { insideCalendar: 'x', multiplier: '1.5' } } };
    const priced = priceTimeEntry({ plan, insideCalendar: pricing.insideCalendar }, entry('2026-03-10T07:55:00+01:00', 10));
    expect([priced.normalMinutes, priced.outOfHoursMinutes, priced.amountMinor]).toEqual([5, 5, 1]);
  });

  it('timeAmountMinor computes rate × minutes / 60 × multiplier exactly and rounds half-up once', () => {
    expect(timeAmountMinor(135_050, 7, '1.5')).toBe(23_634); // 23 633.75
    expect(timeAmountMinor(3, 10, null)).toBe(1); // 0.5
    expect(timeAmountMinor(1, 10, null)).toBe(0); // 0.1666…
    expect(timeAmountMinor(135_000, 47, '1.1')).toBe(116_325); // exactly 116 325, where 0.1 + 1 in floats is not 1.1
    expect(timeAmountMinor(9_007_199_254_740_991, 60, null)).toBe(9_007_199_254_740_991);
  });
});
