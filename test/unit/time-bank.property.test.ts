import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffLedgers } from '../../src/billing/time-bank-diff.models.ts';
import { computeTimeBankLedger } from '../../src/billing/time-bank.models.ts';
import type { LedgerEntryInput, LedgerInput, PrepaidLot, TimeBankTerms } from '../../src/billing/time-bank.types.ts';

const MIN = 60_000;
const DAY = 86_400_000;
const YEAR_START = Date.parse('2026-01-01T00:00:00Z');

const arbTerms: fc.Arbitrary<TimeBankTerms> = fc.record({
  bank: fc.option(
    fc.record({
      allowanceMinutes: fc.integer({ min: 0, max: 20 }).map((n) => n * 30),
      per: fc.constantFrom('month' as const, 'quarter' as const, 'year' as const, 'term' as const),
      anchor: fc.constantFrom('calendar' as const, 'contract' as const),
      rollover: fc.oneof(
        fc.constant({ kind: 'none' as const }),
        fc.constant({ kind: 'all' as const }),
        fc.integer({ min: 0, max: 300 }).map((capMinutes) => ({ kind: 'capped' as const, capMinutes })),
      ),
    }),
    { nil: null },
  ),
  drawKinds: fc.constantFrom(null, ['incident' as const], ['request' as const]),
  prepaid: fc.boolean(),
  lotStepMinutes: fc.constant(15),
});

const arbLots: fc.Arbitrary<PrepaidLot[]> = fc
  .array(fc.record({ boughtDay: fc.integer({ min: -30, max: 300 }), steps: fc.integer({ min: 1, max: 20 }), validDays: fc.integer({ min: 30, max: 365 }) }), { maxLength: 3 })
  .map((lots) => lots.map((lot, index) => ({ id: `lot${index}`, boughtAt: YEAR_START + lot.boughtDay * DAY, minutes: lot.steps * 15, expiresAt: YEAR_START + (lot.boughtDay + lot.validDays) * DAY })));

/** Ordinary work spread over 2026 (some before the contract), then corrections of earlier entries. */
const arbEntries: fc.Arbitrary<LedgerEntryInput[]> = fc
  .tuple(
    fc.array(fc.record({ endMinute: fc.integer({ min: -20 * 1440, max: 400 * 1440 }), quarters: fc.integer({ min: 0, max: 16 }), request: fc.boolean(), free: fc.integer({ min: 0, max: 30 }) }), {
      minLength: 1,
      maxLength: 25,
    }),
    fc.array(fc.record({ target: fc.nat(), minutes: fc.integer({ min: -120, max: 60 }), afterMinutes: fc.integer({ min: 0, max: 90 * 1440 }) }), { maxLength: 6 }),
  )
  .map(([work, corrections]) => {
    const entries: LedgerEntryInput[] = work.map((w, index) => ({
      id: `e${index}`,
      workStart: YEAR_START + (w.endMinute - w.quarters * 15) * MIN,
      workEnd: YEAR_START + w.endMinute * MIN,
      billableMinutes: w.quarters * 15,
      freeMinutes: w.free,
      kind: w.request ? 'request' : 'incident',
      reverses: null,
    }));
    corrections.forEach((c, index) => {
      const target = entries[c.target % entries.length]!;
      const end = target.workEnd + c.afterMinutes * MIN;
      entries.push({ id: `c${index}`, workStart: end, workEnd: end, billableMinutes: c.minutes, freeMinutes: 0, kind: target.kind, reverses: target.id });
    });
    return entries;
  });

const arbInput: fc.Arbitrary<LedgerInput> = fc.record({
  terms: arbTerms,
  contract: fc.record({
    start: fc.constantFrom('2026-01-01', '2026-02-15', '2026-01-31'),
    end: fc.constantFrom(null, '2027-01-01', '2026-08-15'),
    timeZone: fc.constantFrom('Europe/Stockholm', 'Europe/Amsterdam'),
  }),
  lots: arbLots,
  entries: arbEntries,
  asOf: fc.option(fc.integer({ min: 0, max: 500 }).map((days) => YEAR_START + days * DAY), { nil: null }),
});

const lotSum = (draws: { fromLots: { minutes: number }[] }): number => draws.fromLots.reduce((total, lot) => total + lot.minutes, 0);

describe('time bank ledger: properties', () => {
  it('splits every entry exactly: bank + lots + overage = billable (+ what a correction could not give back)', () => {
    fc.assert(
      fc.property(arbInput, (input) => {
        for (const draws of computeTimeBankLedger(input).entries) {
          expect(draws.fromBankMinutes + lotSum(draws) + draws.overageMinutes).toBe(draws.billableMinutes + draws.unappliedMinutes);
          expect(draws.unappliedMinutes).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never leaves a period bank or a lot below zero, and period totals equal the sum of their entries', () => {
    fc.assert(
      fc.property(arbInput, (input) => {
        const ledger = computeTimeBankLedger(input);
        for (const period of ledger.periods) {
          expect(period.remainingMinutes).toBeGreaterThanOrEqual(0);
          const fromBank = ledger.entries.filter((d) => d.periodIndex === period.period.index).reduce((total, d) => total + d.fromBankMinutes, 0);
          expect(fromBank).toBe(period.usedMinutes);
          expect(period.usedMinutes).toBeLessThanOrEqual(period.availableMinutes);
        }
        for (const lot of ledger.lots) {
          expect(lot.remainingMinutes).toBeGreaterThanOrEqual(0);
          const drawn = ledger.entries.flatMap((d) => d.fromLots).filter((d) => d.lotId === lot.lot.id).reduce((total, d) => total + d.minutes, 0);
          expect(drawn).toBe(lot.usedMinutes);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is idempotent and independent of the order the entries and lots are given in', () => {
    fc.assert(
      fc.property(arbInput, fc.integer(), (input, seed) => {
        const ledger = computeTimeBankLedger(input);
        expect(computeTimeBankLedger(input)).toEqual(ledger);
        const shuffle = <T,>(items: readonly T[]): T[] => [...items].map((item, index) => ({ item, key: (index * 7919 + seed) % 104_729 })).sort((a, b) => a.key - b.key).map(({ item }) => item);
        const shuffled = computeTimeBankLedger({ ...input, entries: shuffle(input.entries), lots: shuffle(input.lots) });
        expect(diffLedgers(ledger, shuffled)).toEqual([]);
        expect(shuffled.periods).toEqual(ledger.periods);
      }),
      { numRuns: 200 },
    );
  });

  it('never changes the draws of earlier work when work is added after it', () => {
    fc.assert(
      fc.property(arbInput, fc.integer({ min: 1, max: 60 * 1440 }), fc.integer({ min: 1, max: 16 }), (input, gapMinutes, quarters) => {
        const latest = Math.max(...input.entries.map((e) => e.workEnd));
        const added: LedgerEntryInput = {
          id: 'added',
          workStart: latest + gapMinutes * MIN - quarters * 15 * MIN,
          workEnd: latest + gapMinutes * MIN,
          billableMinutes: quarters * 15,
          freeMinutes: 0,
          kind: 'incident',
          reverses: null,
        };
        const before = computeTimeBankLedger(input);
        const after = computeTimeBankLedger({ ...input, entries: [...input.entries, added] });
        expect(diffLedgers(before, after).map((change) => change.entryId)).toEqual(['added']);
      }),
      { numRuns: 200 },
    );
  });
});
