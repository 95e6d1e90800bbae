// The pure parts between a `#time` line and the ledger: the contracts file mapped onto the ledger's
// terms, a ticket's stored entries priced again for a new entry or a correction, the explanation's
// bank part, and which line of a reply each time tag came from.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPlanPricing } from '../../src/billing/billing.models.ts';
import { validateContracts } from '../../src/contracts/contracts.models.ts';
import type { ContractsConfig } from '../../src/contracts/contracts.types.ts';
import { explanationWithDraws, formatMinutes, ledgerSetupOf, overageAmountMinor } from '../../src/tickets/time-bank-terms.models.ts';
import { timeTagLines } from '../../src/tickets/time-entries.usecases.ts';
import { netOrdinaryEntries, priceCorrection, priceNewEntry, type EntryForPricing } from '../../src/tickets/time-entry-pricing.models.ts';

function example(name: string): ContractsConfig {
  const result = validateContracts(readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8'));
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.config;
}

const brodreneJohnsen = example('brodrene-johnsen.yaml');
const trinax = example('trinax.yaml');
const mystore = example('mystore.yaml');

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
function stored(id: string, minutes: number, endIso: string, reverses: string | null = null): EntryForPricing {
  const workEnd = at(endIso);
  return {
    id,
    minutes,
    role: 'default',
    onsite: false,
    kind: 'incident',
    workStart: new Date(workEnd.getTime() - Math.abs(minutes) * 60_000),
    workEnd,
    reversesEntryId: reverses,
    at: workEnd,
  };
}

describe('pricing a ticket again for a new entry or a correction', () => {
  const alert = createPlanPricing(trinax, 'alert');
  const mystoreSupport = createPlanPricing(mystore, Object.keys(mystore.plans).find((key) => mystore.plans[key]!.billing.roundPer === 'ticket')!);

  it('prices a new entry after the ticket\'s net entries: per-ticket rounding sees 45m + 45m before 5m', () => {
    const entries = [stored('a', 45, '2026-11-30T08:00:00Z'), stored('b', 45, '2026-11-30T09:00:00Z')];
    const priced = priceNewEntry(mystoreSupport, entries, {
      minutes: 5,
      workEnd: at('2026-11-30T10:00:00Z'),
      onsite: false,
      kind: 'request',
      taggedRole: null,
      technicianRole: 'technician',
    });
    expect(priced.billableMinutes).toBe(0);
  });

  it('takes 30 minutes back from a 2h entry: 30 billable minutes and 675.00 SEK less', () => {
    const entries = [stored('a', 120, '2026-11-30T10:00:00Z')];
    expect(priceCorrection(alert, entries, 'a', -30)).toMatchObject({
      rootId: 'a',
      minutes: -30,
      billableMinutes: -30,
      amountMinor: -67_500,
      netBefore: 120,
      netAfter: 90,
    });
  });

  it('undoes an entry already corrected only by what it has left, and an undo of the correction restores it', () => {
    const entries = [stored('a', 120, '2026-11-30T10:00:00Z'), stored('c', -30, '2026-11-30T11:00:00Z', 'a')];
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
