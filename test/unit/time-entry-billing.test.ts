// The pure parts between a `#time` line and the ledger: the contracts file mapped onto the ledger's
// terms, a ticket's stored entries priced again for a new entry or a correction, the explanation's
// bank part, and which line of a reply each time tag came from.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPlanPricing, type PlanPricing } from '../../src/billing/billing.models.ts';
import { validateContracts } from '../../src/contracts/contracts.models.ts';
import type { ContractsConfig } from '../../src/contracts/contracts.types.ts';
import { explanationWithDraws, formatMinutes, ledgerSetupOf, overageAmountMinor } from '../../src/tickets/time-bank-terms.models.ts';
import { timeTagLines } from '../../src/tickets/time-entries.usecases.ts';
import {
  adjustmentExplanation,
  netOrdinaryEntries,
  priceCorrection,
  priceNewEntry,
  recordedPrices,
  ticketTotalNote,
  type EntryForPricing,
  type PriceAdjustment,
} from '../../src/tickets/time-entry-pricing.models.ts';

function example(name: string): ContractsConfig {
  const result = validateContracts(readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8'));
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.config;
}

const brodreneJohnsen = example('brodrene-johnsen.yaml');
const trinax = example('trinax.yaml');
const mystore = example('mystore.yaml');
const telekompetanse = example('telekompetanse.yaml');

describe('ledgerSetupOf', () => {
  it('maps Brødrene Johnsen alt 2: a prepaid term bank, 15-minute lots bought and expiring at Oslo midnight', () => {
    const nordic = brodreneJohnsen.customers.find((customer) => customer.name === 'Nordic CNC AS')!;
    const setup = ledgerSetupOf(brodreneJohnsen.plans.alt2!, nordic.contract!, 'Europe/Oslo');
    expect(setup).toEqual({
      terms: { bank: { allowanceMinutes: 600, per: 'term', anchor: 'calendar', rollover: { kind: 'none' } }, drawKinds: null, prepaid: true, lotStepMinutes: 15 },
      contract: { start: '2025-09-01', end: '2026-09-01', timeZone: 'Europe/Oslo' },
      lots: [
        // 2026-01-10 00:00 CET, valid 12 months; po-4711 until its own expiry, 2026-12-31 00:00 CET
        { id: '2026-01-10', boughtAt: Date.parse('2026-01-09T23:00:00Z'), minutes: 300, expiresAt: Date.parse('2027-01-09T23:00:00Z') },
        { id: 'po-4711', boughtAt: Date.parse('2026-02-28T23:00:00Z'), minutes: 150, expiresAt: Date.parse('2026-12-30T23:00:00Z') },
      ],
    });
  });

  it('maps Trinax Alert!: 15h per calendar quarter, nothing rolls over, every kind draws', () => {
    const acme = trinax.customers.find((customer) => customer.name === 'Acme AB')!;
    expect(ledgerSetupOf(trinax.plans.alert!, acme.contract!, 'Europe/Stockholm')?.terms).toEqual({
      bank: { allowanceMinutes: 900, per: 'quarter', anchor: 'calendar', rollover: { kind: 'none' } },
      drawKinds: null,
      prepaid: false,
      lotStepMinutes: 15,
    });
  });

  it('maps a capped rollover and the kinds that draw', () => {
    const plan = { ...trinax.plans.alert!, timeBank: { amountMs: 54_000_000, per: 'quarter' as const, anchor: 'contract' as const, rollover: { capMs: 18_000_000 }, kinds: ['incident' as const] } };
    const terms = ledgerSetupOf(plan, trinax.customers[0]!.contract!, 'Europe/Stockholm')?.terms;
    expect(terms?.bank).toEqual({ allowanceMinutes: 900, per: 'quarter', anchor: 'contract', rollover: { kind: 'capped', capMinutes: 300 } });
    expect(terms?.drawKinds).toEqual(['incident']);
  });

  it('keeps no ledger for a contract without a bank or lots', () => {
    const offshore = brodreneJohnsen.customers.find((customer) => customer.name === 'Offshore Design Group AS')!;
    expect(ledgerSetupOf(brodreneJohnsen.plans.alt3!, offshore.contract!, 'Europe/Oslo')).toBeNull();
  });
});

describe('the explanation and amounts of the draws', () => {
  const line = '47m remote → 60m (per started 15m) × 1 350 SEK/h = 1 350.00 SEK';
  it('appends what the bank, the lots and overage took', () => {
    expect(explanationWithDraws(line, { fromBankMinutes: 60, lotMinutes: 0, overageMinutes: 0 }, true)).toBe(`${line}, 60m from bank`);
    expect(explanationWithDraws(line, { fromBankMinutes: 15, lotMinutes: 30, overageMinutes: 15 }, true)).toBe(`${line}, 15m from bank, 30m from prepaid lots, 15m over the bank`);
    expect(explanationWithDraws(line, { fromBankMinutes: 0, lotMinutes: 0, overageMinutes: 60 }, true)).toBe(`${line}, 60m over the bank (none left)`);
    expect(explanationWithDraws(line, { fromBankMinutes: 0, lotMinutes: 0, overageMinutes: 60 }, false)).toBe(line);
  });

  it('bills the overage share of an entry, and a free entry\'s charges whole', () => {
    expect(overageAmountMinor({ amountMinor: 135_000, billableMinutes: 60, overageMinutes: 15 })).toBe(33_750);
    expect(overageAmountMinor({ amountMinor: 135_000, billableMinutes: 60, overageMinutes: 0 })).toBe(0);
    expect(overageAmountMinor({ amountMinor: 4_500, billableMinutes: 0, overageMinutes: 0 })).toBe(4_500);
    expect(overageAmountMinor({ amountMinor: -67_500, billableMinutes: -30, overageMinutes: -10 })).toBe(-22_500);
  });

  it('writes amounts of minutes for people', () => {
    expect([formatMinutes(45), formatMinutes(120), formatMinutes(675), formatMinutes(-30)]).toEqual(['45m', '2h', '11h 15m', '-30m']);
  });
});

const at = (iso: string) => new Date(iso);
/** A stored row; `price` is what it recorded (an ordinary entry's own price, a correction's difference). */
function stored(
  id: string,
  minutes: number,
  endIso: string,
  reverses: string | null = null,
  price: { billableMinutes: number; freeMinutes?: number; amountMinor: number } = { billableMinutes: 0, amountMinor: 0 },
  kind: 'incident' | 'request' = 'incident',
): EntryForPricing {
  const workEnd = at(endIso);
  return {
    id,
    minutes,
    role: 'default',
    onsite: false,
    kind,
    workStart: new Date(workEnd.getTime() - Math.abs(minutes) * 60_000),
    workEnd,
    reversesEntryId: reverses,
    at: workEnd,
    billableMinutes: price.billableMinutes,
    freeMinutes: price.freeMinutes ?? 0,
    amountMinor: price.amountMinor,
  };
}

/**
 * A ticket as the use case stores it: each change adds its own row and one adjustment row per
 * re-priced entry, every row keeping what it recorded.
 */
class PricedTicket {
  rows: EntryForPricing[] = [];
  private serial = 0;
  constructor(private readonly pricing: PlanPricing, private readonly kind: 'incident' | 'request') {}

  log(id: string, minutes: number, workEndIso: string, loggedIso = workEndIso) {
    const workEnd = at(workEndIso);
    const result = priceNewEntry(this.pricing, this.rows, { minutes, workEnd, onsite: false, kind: this.kind, taggedRole: null, technicianRole: null }, at(loggedIso));
    this.rows.push({ ...stored(id, minutes, workEndIso, null, { billableMinutes: result.priced.billableMinutes, freeMinutes: minutes - result.priced.chargeableMinutes, amountMinor: result.priced.amountMinor }, this.kind), at: at(loggedIso) });
    this.adjust(result.adjustments, loggedIso);
    return result;
  }

  correct(targetId: string, change: number, whenIso: string) {
    const result = priceCorrection(this.pricing, this.rows, targetId, change)!;
    this.rows.push(stored(`fix${++this.serial}`, result.minutes, whenIso, targetId, result, this.kind));
    this.adjust(result.adjustments, whenIso);
    return result;
  }

  private adjust(adjustments: PriceAdjustment[], whenIso: string) {
    for (const adjustment of adjustments) this.rows.push(stored(`adj${++this.serial}`, 0, whenIso, adjustment.rootId, adjustment.difference, this.kind));
  }

  total() {
    return this.rows.reduce((sum, row) => ({ billable: sum.billable + row.billableMinutes, free: sum.free + row.freeMinutes, amount: sum.amount + row.amountMinor }), { billable: 0, free: 0, amount: 0 });
  }

  /** billed minutes of each ordinary entry over all its rows */
  billedBy(id: string) {
    return [...recordedPrices(this.rows)].find(([root]) => root === id)?.[1].billableMinutes ?? 0;
  }
}

describe('pricing a ticket again for a new entry or a correction', () => {
  const alert = createPlanPricing(trinax, 'alert');
  const mystoreSupport = createPlanPricing(mystore, 'support');
  const teleKey = Object.keys(telekompetanse.plans).find((key) => telekompetanse.plans[key]!.billing.freePerTicketMs === 15 * 60_000 && (telekompetanse.plans[key]!.billing.freeKinds ?? []).length === 0)!;
  const teleFreeQuarter = createPlanPricing(telekompetanse, teleKey);

  it('bills 45m + 45m + 5m on a roundPer-ticket plan as 2h: the 5m entry bills nothing', () => {
    const ticket = new PricedTicket(mystoreSupport, 'request');
    ticket.log('a', 45, '2026-11-30T08:00:00Z');
    ticket.log('b', 45, '2026-11-30T09:00:00Z');
    const c = ticket.log('c', 5, '2026-11-30T10:00:00Z');
    expect(c.priced.billableMinutes).toBe(0);
    expect(c.adjustments).toEqual([]);
    expect(ticket.total()).toMatchObject({ billable: 120, amount: 250_000 });
  });

  it('undoing the middle of 45m + 45m + 5m leaves 1h billed: the undo records -1h', () => {
    const ticket = new PricedTicket(mystoreSupport, 'request');
    ticket.log('a', 45, '2026-11-30T08:00:00Z');
    ticket.log('b', 45, '2026-11-30T09:00:00Z');
    ticket.log('c', 5, '2026-11-30T10:00:00Z');
    const undo = ticket.correct('b', -45, '2026-11-30T11:00:00Z');
    expect(undo).toMatchObject({ minutes: -45, billableMinutes: -60, amountMinor: -125_000, netAfter: 0 });
    expect(ticket.total()).toMatchObject({ billable: 60, amount: 125_000 });
  });

  it('undoing the first of 30m + 30m + 30m re-prices the later two: the second bills the hour, the third nothing', () => {
    const ticket = new PricedTicket(mystoreSupport, 'request');
    ticket.log('a', 30, '2026-11-30T08:00:00Z');
    ticket.log('b', 30, '2026-11-30T09:00:00Z');
    ticket.log('c', 30, '2026-11-30T10:00:00Z');
    expect([ticket.billedBy('a'), ticket.billedBy('b'), ticket.billedBy('c')]).toEqual([60, 0, 60]);
    const undo = ticket.correct('a', -30, '2026-11-30T11:00:00Z');
    expect(undo.billableMinutes).toBe(-60);
    expect(undo.adjustments.map(({ rootId, difference }) => [rootId, difference.billableMinutes, difference.amountMinor])).toEqual([
      ['b', 60, 125_000],
      ['c', -60, -125_000],
    ]);
    expect(undo.totalBefore.billableMinutes).toBe(120);
    expect(undo.totalAfter.billableMinutes).toBe(60);
    expect([ticket.billedBy('a'), ticket.billedBy('b'), ticket.billedBy('c')]).toEqual([0, 60, 0]);
    expect(ticket.total()).toMatchObject({ billable: 60, amount: 125_000 });
    // priced again with nothing changed, nothing more moves
    expect(priceCorrection(mystoreSupport, ticket.rows, 'c', 0)!.adjustments).toEqual([]);
  });

  it('gives back the free minutes an undone entry used: the next incident entry gets them', () => {
    // 15 free minutes per incident, 15-minute steps, 1 195 NOK/h
    const ticket = new PricedTicket(teleFreeQuarter, 'incident');
    ticket.log('a', 10, '2026-11-30T08:00:00Z');
    ticket.log('b', 30, '2026-11-30T09:00:00Z');
    expect(ticket.total()).toMatchObject({ billable: 30, free: 15, amount: 59_750 });
    const undo = ticket.correct('a', -10, '2026-11-30T10:00:00Z');
    expect(undo).toMatchObject({ billableMinutes: 0, freeMinutes: -10, amountMinor: 0 });
    expect(undo.adjustments).toEqual([
      expect.objectContaining({
        rootId: 'b',
        before: { billableMinutes: 30, freeMinutes: 5, amountMinor: 59_750 },
        after: { billableMinutes: 15, freeMinutes: 15, amountMinor: 29_875 },
        difference: { billableMinutes: -15, freeMinutes: 10, amountMinor: -29_875 },
      }),
    ]);
    expect(ticket.total()).toMatchObject({ billable: 15, free: 15, amount: 29_875 });
    expect(adjustmentExplanation(undo.adjustments[0]!, '#undo of 10m', 'NOK')).toBe(
      're-priced after #undo of 10m: 30m → 15m billed, 15m free (was 5m), 597.50 NOK → 298.75 NOK (-298.75 NOK)',
    );
    expect(ticketTotalNote(undo, 'NOK')).toBe('; 1 other entry re-priced in work order, ticket 30m → 15m billed = 597.50 NOK → 298.75 NOK');
  });

  it('prices a back-dated entry in work order: it takes the free minutes, and the later entry bills what it no longer gets', () => {
    const ticket = new PricedTicket(teleFreeQuarter, 'incident');
    ticket.log('a', 30, '2026-11-30T12:00:00Z');
    expect(ticket.total()).toMatchObject({ billable: 15, free: 15 });
    // logged at 13:00 for work that ended at 09:00
    const backDated = ticket.log('b', 10, '2026-11-30T09:00:00Z', '2026-11-30T13:00:00Z');
    expect(backDated.priced).toMatchObject({ freeAllowanceMinutes: 10, billableMinutes: 0 });
    expect(backDated.adjustments.map(({ rootId, difference }) => [rootId, difference])).toEqual([['a', { billableMinutes: 15, freeMinutes: -10, amountMinor: 29_875 }]]);
    expect([ticket.billedBy('b'), ticket.billedBy('a')]).toEqual([0, 30]);
    expect(ticket.total()).toMatchObject({ billable: 30, free: 15, amount: 59_750 });
  });

  it('takes 30 minutes back from a 2h entry: 30 billable minutes and 675.00 SEK less', () => {
    const entries = [stored('a', 120, '2026-11-30T10:00:00Z', null, { billableMinutes: 120, amountMinor: 270_000 })];
    expect(priceCorrection(alert, entries, 'a', -30)).toMatchObject({
      rootId: 'a',
      minutes: -30,
      billableMinutes: -30,
      amountMinor: -67_500,
      netBefore: 120,
      netAfter: 90,
      adjustments: [],
    });
  });

  it('undoes an entry already corrected only by what it has left, and an undo of the correction restores it', () => {
    const entries = [
      stored('a', 120, '2026-11-30T10:00:00Z', null, { billableMinutes: 120, amountMinor: 270_000 }),
      stored('c', -30, '2026-11-30T11:00:00Z', 'a', { billableMinutes: -30, amountMinor: -67_500 }),
    ];
    expect(netOrdinaryEntries(entries).map(({ netMinutes }) => netMinutes)).toEqual([90]);
    expect(priceCorrection(alert, entries, 'a', -120)).toMatchObject({ minutes: -90, billableMinutes: -90, amountMinor: -202_500, netAfter: 0 });
    expect(priceCorrection(alert, entries, 'c', 30)).toMatchObject({ rootId: 'a', minutes: 30, billableMinutes: 30, netAfter: 120 });
  });

  it('refuses nothing and prices nothing for an entry that is not on the ticket', () => {
    expect(priceCorrection(alert, [stored('a', 60, '2026-11-30T10:00:00Z')], 'zzz', -30)).toBeNull();
  });
});

describe('timeTagLines', () => {
  it('finds the line of each #time, correction and the first #undo, in the technician\'s own text only', () => {
    const text = ['Klart.', '#time 45m', '#status resolved', '#time -15m fel', '#undo', '#undo', '', 'Den 30 nov. 2026 skrev Eva:', '> #time 10h'].join('\n');
    expect(timeTagLines(text)).toEqual([
      { line: '#time 45m', lineNumber: 2 },
      { line: '#time -15m fel', lineNumber: 4 },
      { line: '#undo', lineNumber: 5 },
    ]);
  });
});
