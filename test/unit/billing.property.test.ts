// Properties of the billing engine over generated plans and entries: rounding never bills less
// than the chargeable time, the minutes add up, and more work never bills less.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBusinessCalendar } from '../../src/calendar/calendar.models.ts';
import type { CalendarDefinition } from '../../src/calendar/calendar.types.ts';
import { priceTicketEntries, priceTimeEntry, type PlanPricing } from '../../src/billing/billing.models.ts';
import { FRESH_TICKET, type TimeEntryToPrice } from '../../src/billing/billing.types.ts';
import type { PlanConfig, TicketKind } from '../../src/contracts/contracts.types.ts';

const MINUTE = 60_000;
const weekday = [{ startMinute: 480, endMinute: 1200 }];
const inside: CalendarDefinition = {
  name: '__outOfHours:test',
  timezone: 'Europe/Stockholm',
  holidays: { region: 'SE', closeTypes: ['public'] },
  closedDates: [],
  weekly: { 1: weekday, 2: weekday, 3: weekday, 4: weekday, 5: weekday },
};
const insideCalendar = createBusinessCalendar(inside);

const planArbitrary = fc.record({
  increment: fc.constantFrom(1, 5, 15, 30, 60),
  minimum: fc.constantFrom(0, 15, 60),
  onsiteMinimum: fc.constantFrom(0, 60, 90),
  freePerTicket: fc.constantFrom(0, 15),
  onsiteFreePerTicket: fc.constantFrom(0, 60),
  freeKinds: fc.subarray<TicketKind>(['incident', 'request']),
  roundPer: fc.constantFrom('entry' as const, 'ticket' as const),
  multiplier: fc.constantFrom('1', '1.5', '2', '2.25'),
  ownOutOfHoursRate: fc.boolean(),
  outOfHours: fc.boolean(),
  travel: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }),
  rate: fc.integer({ min: 0, max: 500_000 }),
});

function pricingOf(terms: TermsValue): PlanPricing {
  const plan: PlanConfig = {
    key: 'test',
    title: 'Test',
    fee: null,
    term: { kind: 'none' },
    calendar: 'office',
    faultCalendar: 'office',
    queuePriority: 1,
    defaultPriority: 'P3',
    sla: { response: null, intervention: null, resolution: null, warnAt: 0.75, byPriority: {} },
    timeBank: null,
    reports: null,
    inspections: null,
    billing: {
      currency: 'SEK',
      incrementMs: terms.increment * MINUTE,
      minimumMs: terms.minimum * MINUTE,
      onsiteMinimumMs: terms.onsiteMinimum * MINUTE,
      freePerTicketMs: terms.freePerTicket * MINUTE,
      onsiteFreePerTicketMs: terms.onsiteFreePerTicket * MINUTE,
      freeKinds: terms.freeKinds,
      roundPer: terms.roundPer,
      ratesMinor: { default: terms.rate },
      outOfHours: terms.outOfHours
        ? {
            insideCalendar: inside.name,
            multiplier: terms.multiplier,
            // an out-of-hours rate of its own, at least the normal rate as every seed has it
            ...(terms.ownOutOfHoursRate ? { ratesMinor: { default: terms.rate + 12_345 } } : {}),
          }
        : null,
      quoteAboveMs: null,
      travel: terms.travel === undefined ? null : { perVisitMinor: terms.travel },
    },
  };
  return { plan, insideCalendar: terms.outOfHours ? insideCalendar : null };
}
type TermsValue = typeof planArbitrary extends fc.Arbitrary<infer T> ? T : never;

// instants across 2026, whole minutes, so DST changes and Swedish holidays come up
const startArbitrary = fc.integer({ min: Date.UTC(2026, 0, 1) / MINUTE, max: Date.UTC(2026, 11, 31) / MINUTE }).map((minute) => minute * MINUTE);
const entryArbitrary = fc.record({
  start: startArbitrary,
  minutes: fc.integer({ min: 1, max: 600 }),
  onsite: fc.boolean(),
  kind: fc.constantFrom<TicketKind>('incident', 'request'),
});
type EntryValue = typeof entryArbitrary extends fc.Arbitrary<infer T> ? T : never;

function toEntry(value: EntryValue): TimeEntryToPrice {
  return {
    minutes: value.minutes,
    workStart: new Date(value.start),
    workEnd: new Date(value.start + value.minutes * MINUTE),
    onsite: value.onsite,
    kind: value.kind,
    taggedRole: null,
    technicianRole: null,
  };
}

describe('billing engine properties', () => {
  it('bills at least the logged minutes outside free allowances under roundPer: entry, and the minutes add up', () => {
    fc.assert(
      fc.property(planArbitrary, fc.array(entryArbitrary, { minLength: 1, maxLength: 6 }), (terms, entries) => {
        const pricing = pricingOf({ ...terms, roundPer: 'entry' });
        for (const priced of priceTicketEntries(pricing, entries.map(toEntry))) {
          const free = priced.freeKindMinutes + priced.freeAllowanceMinutes + priced.onsiteFreeMinutes;
          expect(priced.chargeableMinutes).toBe(priced.loggedMinutes - free);
          expect(priced.billableMinutes).toBeGreaterThanOrEqual(priced.chargeableMinutes);
          expect(priced.normalMinutes + priced.outOfHoursMinutes).toBe(priced.billableMinutes);
          expect(priced.time.reduce((sum, part) => sum + part.minutes, 0)).toBe(priced.billableMinutes);
          const charges = priced.charges.reduce((sum, charge) => sum + charge.amountMinor, 0);
          expect(priced.amountMinor).toBeGreaterThanOrEqual(charges);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('bills a ticket at least its chargeable minutes under roundPer: ticket, and exactly its rounded total', () => {
    fc.assert(
      fc.property(planArbitrary, fc.array(entryArbitrary, { minLength: 1, maxLength: 8 }), (terms, entries) => {
        const pricing = pricingOf({ ...terms, roundPer: 'ticket' });
        const priced = priceTicketEntries(pricing, entries.map(toEntry));
        const billed = priced.reduce((sum, one) => sum + one.billableMinutes, 0);
        const chargeable = priced.reduce((sum, one) => sum + one.chargeableMinutes, 0);
        expect(billed).toBeGreaterThanOrEqual(chargeable);
        const last = priced.at(-1);
        expect(billed).toBe(last?.ticketAfter.billedMinutes);
        expect(billed).toBe(last?.rounding.ticketRoundedAfter);
        for (const one of priced) expect(one.billableMinutes).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it('never bills less for more minutes, whether the work keeps its start or its end', () => {
    fc.assert(
      fc.property(planArbitrary, entryArbitrary, fc.integer({ min: 1, max: 240 }), entryArbitrary, (terms, value, extra, earlier) => {
        const pricing = pricingOf(terms);
        // the same ticket state before, from one earlier entry
        const before = priceTimeEntry(pricing, toEntry(earlier)).ticketAfter;
        const shorter = priceTimeEntry(pricing, toEntry(value), before);
        const laterEnd = priceTimeEntry(pricing, toEntry({ ...value, minutes: value.minutes + extra }), before);
        const earlierStart = priceTimeEntry(pricing, toEntry({ ...value, start: value.start - extra * MINUTE, minutes: value.minutes + extra }), before);
        expect(laterEnd.billableMinutes).toBeGreaterThanOrEqual(shorter.billableMinutes);
        expect(laterEnd.amountMinor).toBeGreaterThanOrEqual(shorter.amountMinor);
        expect(earlierStart.amountMinor).toBeGreaterThanOrEqual(shorter.amountMinor);
      }),
      { numRuns: 400 },
    );
  });

  it('prices a fresh ticket the same whether FRESH_TICKET is passed or left out', () => {
    fc.assert(
      fc.property(planArbitrary, entryArbitrary, (terms, value) => {
        const pricing = pricingOf(terms);
        expect(priceTimeEntry(pricing, toEntry(value), FRESH_TICKET)).toEqual(priceTimeEntry(pricing, toEntry(value)));
      }),
      { numRuns: 50 },
    );
  });
});
