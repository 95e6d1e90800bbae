import { describe, expect, it } from 'vitest';
import { localDatePlusMonths } from '../../src/billing/periods.models.ts';
import { diffLedgers } from '../../src/billing/time-bank-diff.models.ts';
import { computeTimeBankLedger } from '../../src/billing/time-bank.models.ts';
import type { LedgerEntryInput, LedgerInput, PrepaidLot, TimeBankTerms } from '../../src/billing/time-bank.types.ts';

const MIN = 60_000;
const at = (iso: string): number => Date.parse(iso);

/** An entry of `minutes` billable minutes whose work ended at `end` (and lasted as long). */
function entry(id: string, end: string, minutes: number, extra: Partial<LedgerEntryInput> = {}): LedgerEntryInput {
  return { id, workStart: at(end) - Math.max(minutes, 0) * MIN, workEnd: at(end), billableMinutes: minutes, freeMinutes: 0, kind: 'incident', reverses: null, ...extra };
}

function undo(id: string, end: string, of: LedgerEntryInput | string, minutes?: number): LedgerEntryInput {
  const target = typeof of === 'string' ? of : of.id;
  const billable = minutes ?? (typeof of === 'string' ? 0 : -of.billableMinutes);
  return { id, workStart: at(end), workEnd: at(end), billableMinutes: billable, freeMinutes: 0, kind: 'incident', reverses: target };
}

/** Trinax Alert!: 15 h per calendar quarter, no rollover, from 2026-01-01 (Stockholm). */
const alertTerms: TimeBankTerms = {
  bank: { allowanceMinutes: 900, per: 'quarter', anchor: 'calendar', rollover: { kind: 'none' } },
  drawKinds: null,
  prepaid: false,
  lotStepMinutes: 15,
};

function ledger(overrides: Partial<LedgerInput>) {
  return computeTimeBankLedger({
    terms: alertTerms,
    contract: { start: '2026-01-01', end: '2027-01-01', timeZone: 'Europe/Stockholm' },
    lots: [],
    entries: [],
    asOf: null,
    ...overrides,
  });
}

const draws = (result: ReturnType<typeof ledger>) =>
  Object.fromEntries(result.entries.map((d) => [d.entryId, { period: d.periodIndex, bank: d.fromBankMinutes, lots: d.fromLots, overage: d.overageMinutes, unapplied: d.unappliedMinutes }]));

describe('time bank: draws from the period bank, then overage', () => {
  it('draws the quarter’s bank and bills what exceeds it as overage (Trinax Alert!, 15 h per quarter)', () => {
    const result = ledger({
      entries: [entry('e1', '2026-02-10T10:00:00Z', 600), entry('e2', '2026-03-20T10:00:00Z', 400), entry('e3', '2026-04-02T10:00:00Z', 60)],
    });
    expect(draws(result)).toEqual({
      e1: { period: 0, bank: 600, lots: [], overage: 0, unapplied: 0 },
      e2: { period: 0, bank: 300, lots: [], overage: 100, unapplied: 0 },
      e3: { period: 1, bank: 60, lots: [], overage: 0, unapplied: 0 },
    });
    expect(result.periods.map((p) => ({ start: p.period.startDate, used: p.usedMinutes, remaining: p.remainingMinutes, overage: p.overageMinutes, exhaustedBy: p.exhaustedBy }))).toEqual([
      { start: '2026-01-01', used: 900, remaining: 0, overage: 100, exhaustedBy: 'e2' },
      { start: '2026-04-01', used: 60, remaining: 840, overage: 0, exhaustedBy: null },
    ]);
    expect(result.account).toBeNull();
  });

  it('draws from the period that holds the work, not the one the entry is logged in', () => {
    // worked 22:00–23:30 local on March 31 (a back-dated entry logged in April): Q1's bank
    const result = ledger({ entries: [entry('late', '2026-03-31T21:30:00Z', 90), entry('april', '2026-03-31T22:30:00Z', 30)] });
    expect(draws(result)).toMatchObject({ late: { period: 0, bank: 90 }, april: { period: 1, bank: 30 } });
  });

  it('gives the short first quarter of a contract starting on Feb 15 half the allowance (45 of 90 days)', () => {
    const result = ledger({
      contract: { start: '2026-02-15', end: '2027-02-15', timeZone: 'Europe/Stockholm' },
      entries: [entry('e1', '2026-03-01T10:00:00Z', 500)],
    });
    expect(result.periods[0]).toMatchObject({ allowanceMinutes: 450, usedMinutes: 450, overageMinutes: 50 });
  });

  it('bills work outside the contract as overage, and work of kinds the plan excludes too', () => {
    const result = ledger({
      terms: { ...alertTerms, drawKinds: ['incident'] },
      entries: [entry('before', '2025-12-31T10:00:00Z', 60), entry('request', '2026-01-05T10:00:00Z', 60, { kind: 'request' }), entry('incident', '2026-01-06T10:00:00Z', 60)],
    });
    expect(draws(result)).toEqual({
      before: { period: null, bank: 0, lots: [], overage: 60, unapplied: 0 },
      request: { period: 0, bank: 0, lots: [], overage: 60, unapplied: 0 },
      incident: { period: 0, bank: 60, lots: [], overage: 0, unapplied: 0 },
    });
  });

  it('is the same ledger whatever order the entries come in; ties on work end go by id', () => {
    const entries = [entry('b', '2026-02-10T10:00:00Z', 500), entry('a', '2026-02-10T10:00:00Z', 500), entry('c', '2026-01-10T10:00:00Z', 15)];
    const forward = ledger({ entries });
    expect(ledger({ entries: [...entries].reverse() })).toEqual(forward);
    expect(forward.entries.map((d) => d.entryId)).toEqual(['c', 'a', 'b']);
    expect(draws(forward)).toMatchObject({ a: { bank: 500 }, b: { bank: 385, overage: 115 } });
  });
});

describe('time bank: rollover', () => {
  const monthly = (rollover: NonNullable<TimeBankTerms['bank']>['rollover']): TimeBankTerms => ({
    ...alertTerms,
    bank: { allowanceMinutes: 120, per: 'month', anchor: 'calendar', rollover },
  });

  it('carries unused minutes up to the cap, also through a month without work', () => {
    const result = ledger({ terms: monthly({ kind: 'capped', capMinutes: 60 }), entries: [entry('jan', '2026-01-20T10:00:00Z', 30), entry('mar', '2026-03-20T10:00:00Z', 200)] });
    expect(result.periods.map((p) => [p.rolledInMinutes, p.availableMinutes, p.usedMinutes, p.rolledOutMinutes])).toEqual([
      [0, 120, 30, 60],
      [60, 180, 0, 60],
      [60, 180, 180, 0],
    ]);
    expect(draws(result).mar).toMatchObject({ bank: 180, overage: 20 });
  });

  it('carries everything with rollover: all, and nothing with none', () => {
    const all = ledger({ terms: monthly({ kind: 'all' }), entries: [entry('mar', '2026-03-20T10:00:00Z', 400)] });
    expect(all.periods.map((p) => p.availableMinutes)).toEqual([120, 240, 360]);
    expect(draws(all).mar).toMatchObject({ bank: 360, overage: 40 });
    const none = ledger({ terms: monthly({ kind: 'none' }), entries: [entry('mar', '2026-03-20T10:00:00Z', 400)] });
    expect(none.periods.map((p) => p.availableMinutes)).toEqual([120, 120, 120]);
  });

  it('summarizes the periods up to asOf even without work in them', () => {
    const result = ledger({ terms: monthly({ kind: 'none' }), asOf: at('2026-04-15T10:00:00Z') });
    expect(result.periods.map((p) => p.period.startDate)).toEqual(['2026-01-01', '2026-02-01', '2026-03-01', '2026-04-01']);
  });
});

describe('time bank: prepaid lots', () => {
  const tz = 'Europe/Oslo';
  const lot = (id: string, bought: string, minutes: number): PrepaidLot => ({
    id,
    boughtAt: localDatePlusMonths(bought, 0, tz),
    minutes,
    expiresAt: localDatePlusMonths(bought, 12, tz),
  });
  const lotsOnly: TimeBankTerms = { bank: null, drawKinds: null, prepaid: false, lotStepMinutes: 15 };

  it('draws the oldest valid lot first, never an expired one nor one bought after the work', () => {
    const result = ledger({
      terms: lotsOnly,
      contract: { start: '2025-01-01', end: null, timeZone: tz },
      lots: [lot('new', '2025-06-01', 60), lot('old', '2025-01-10', 60)],
      entries: [entry('before-any', '2025-01-05T10:00:00Z', 15), entry('e1', '2025-07-01T10:00:00Z', 90), entry('after-old-expired', '2026-02-01T10:00:00Z', 60)],
    });
    expect(draws(result)).toEqual({
      'before-any': { period: null, bank: 0, lots: [], overage: 15, unapplied: 0 },
      e1: { period: null, bank: 0, lots: [{ lotId: 'old', minutes: 60 }, { lotId: 'new', minutes: 30 }], overage: 0, unapplied: 0 },
      'after-old-expired': { period: null, bank: 0, lots: [{ lotId: 'new', minutes: 30 }], overage: 30, unapplied: 0 },
    });
    expect(result.lots.map((l) => [l.lot.id, l.usedMinutes, l.remainingMinutes, l.exhaustedBy])).toEqual([
      ['old', 60, 0, 'e1'],
      ['new', 60, 0, 'after-old-expired'],
    ]);
  });

  it('draws the period bank before any lot, and reports a lot’s forfeited minutes once it expired', () => {
    const result = ledger({
      terms: { ...alertTerms, bank: { allowanceMinutes: 60, per: 'month', anchor: 'calendar', rollover: { kind: 'none' } } },
      contract: { start: '2026-01-01', end: null, timeZone: tz },
      lots: [lot('l1', '2026-01-01', 120)],
      entries: [entry('e1', '2026-01-10T10:00:00Z', 90)],
      asOf: at('2027-01-02T00:00:00Z'),
    });
    expect(draws(result).e1).toEqual({ period: 0, bank: 60, lots: [{ lotId: 'l1', minutes: 30 }], overage: 0, unapplied: 0 });
    expect(result.lots[0]).toMatchObject({ remainingMinutes: 90, expired: true, forfeitedMinutes: 90 });
  });

  it('refuses a lot that is not bought in whole 15-minute steps', () => {
    expect(() => ledger({ terms: lotsOnly, lots: [lot('odd', '2026-01-01', 610)] })).toThrow(/steps of 15 minutes/);
  });
});

describe('time bank: Brødrene Johnsen alt 2, a 10-hour account for 1 year or until used up', () => {
  const contract = { start: '2025-09-01', end: '2026-09-01', timeZone: 'Europe/Oslo' };
  const prepaidTerm: TimeBankTerms = {
    bank: { allowanceMinutes: 600, per: 'term', anchor: 'contract', rollover: { kind: 'none' } },
    drawKinds: null,
    prepaid: true,
    lotStepMinutes: 15,
  };
  // 39 quarter-hours, then 45 minutes: the account has 15 minutes left for the last one
  const quarterHours = Array.from({ length: 39 }, (_, index) => entry(`q${String(index).padStart(2, '0')}`, `2025-10-${String(1 + (index % 28)).padStart(2, '0')}T${String(8 + Math.floor(index / 28)).padStart(2, '0')}:15:00Z`, 15));

  it('ends the account with the entry that used its last minute; the rest of that entry is overage', () => {
    const result = ledger({ terms: prepaidTerm, contract, entries: [...quarterHours, entry('last', '2025-11-03T09:00:00Z', 45), entry('later', '2025-11-04T09:00:00Z', 15)] });
    expect(draws(result).last).toMatchObject({ period: 0, bank: 15, overage: 30 });
    expect(draws(result).later).toMatchObject({ bank: 0, overage: 15 });
    expect(result.periods).toHaveLength(1);
    expect(result.periods[0]).toMatchObject({ allowanceMinutes: 600, usedMinutes: 600, remainingMinutes: 0, overageMinutes: 45, exhaustedBy: 'last' });
    expect(result.account).toEqual({
      exhaustedBy: { entryId: 'last', at: at('2025-11-03T09:00:00Z') },
      expiresAt: at('2026-08-31T22:00:00Z'),
      ended: { reason: 'exhausted', at: at('2025-11-03T09:00:00Z') },
    });
  });

  it('ends the account at the end of its year when time is left', () => {
    const running = ledger({ terms: prepaidTerm, contract, entries: quarterHours, asOf: at('2026-08-31T21:59:59Z') });
    expect(running.account?.ended).toBeNull();
    expect(running.periods[0]).toMatchObject({ usedMinutes: 585, remainingMinutes: 15 });
    const expired = ledger({ terms: prepaidTerm, contract, entries: quarterHours, asOf: at('2026-08-31T22:00:00Z') });
    expect(expired.account?.ended).toEqual({ reason: 'expired', at: at('2026-08-31T22:00:00Z') });
  });

  it('works the same with the account as one 10-hour lot, and gets the account back when the last entry is undone', () => {
    const lot: PrepaidLot = { id: 'account', boughtAt: localDatePlusMonths('2025-09-01', 0, contract.timeZone), minutes: 600, expiresAt: localDatePlusMonths('2025-09-01', 12, contract.timeZone) };
    const terms: TimeBankTerms = { bank: null, drawKinds: null, prepaid: true, lotStepMinutes: 15 };
    const last = entry('last', '2025-11-03T09:00:00Z', 45);
    const used = ledger({ terms, contract, lots: [lot], entries: [...quarterHours, last] });
    expect(used.account?.exhaustedBy?.entryId).toBe('last');
    expect(used.lots[0]).toMatchObject({ remainingMinutes: 0, exhaustedBy: 'last' });
    const undone = ledger({ terms, contract, lots: [lot], entries: [...quarterHours, last, undo('undo-last', '2025-11-03T10:00:00Z', last)] });
    expect(undone.account?.exhaustedBy).toBeNull();
    expect(undone.lots[0]).toMatchObject({ remainingMinutes: 15 });
    expect(draws(undone)['undo-last']).toEqual({ period: null, bank: 0, lots: [{ lotId: 'account', minutes: -15 }], overage: -30, unapplied: 0 });
  });
});

describe('time bank: corrections', () => {
  const small: TimeBankTerms = { ...alertTerms, bank: { allowanceMinutes: 60, per: 'month', anchor: 'calendar', rollover: { kind: 'none' } } };

  it('gives back overage first, then the bank, to what the corrected entry drew', () => {
    const big = entry('big', '2026-01-10T10:00:00Z', 90);
    const result = ledger({ terms: small, entries: [big, entry('fix', '2026-01-11T10:00:00Z', -45, { reverses: 'big' })] });
    expect(draws(result)).toEqual({
      big: { period: 0, bank: 60, lots: [], overage: 30, unapplied: 0 },
      fix: { period: 0, bank: -15, lots: [], overage: -30, unapplied: 0 },
    });
    expect(result.periods[0]).toMatchObject({ usedMinutes: 45, remainingMinutes: 15, overageMinutes: 0 });
  });

  it('returns the minutes to the corrected entry’s period even when the correction is logged in a later one', () => {
    const jan = entry('jan', '2026-01-10T10:00:00Z', 60);
    const result = ledger({ terms: small, entries: [jan, undo('undo', '2026-02-03T10:00:00Z', jan)] });
    expect(draws(result).undo).toMatchObject({ period: 0, bank: -60 });
    expect(result.periods.map((p) => p.usedMinutes)).toEqual([0, 0]);
  });

  it('lets later work of the period use what an undo gave back, and the diff shows that entry moving', () => {
    const first = entry('first', '2026-01-10T10:00:00Z', 60);
    const second = entry('second', '2026-01-12T10:00:00Z', 30);
    const before = ledger({ terms: small, entries: [first, second] });
    expect(draws(before).second).toMatchObject({ bank: 0, overage: 30 });
    const after = ledger({ terms: small, entries: [first, second, undo('undo-first', '2026-01-20T10:00:00Z', first)] });
    expect(draws(after).second).toMatchObject({ bank: 30, overage: 0 });
    expect(diffLedgers(before, after).map((change) => [change.entryId, change.before?.overageMinutes ?? null, change.after?.overageMinutes ?? null])).toEqual([
      ['second', 30, 0],
      ['undo-first', null, 0],
    ]);
    expect(diffLedgers(after, ledger({ terms: small, entries: [second, undo('undo-first', '2026-01-20T10:00:00Z', first), first] }))).toEqual([]);
  });

  it('never gives back more than the entry has left, and an undo of the undo takes the minutes again', () => {
    const work = entry('work', '2026-01-10T10:00:00Z', 30);
    const tooMuch = entry('too-much', '2026-01-11T10:00:00Z', -45, { reverses: 'work' });
    const redo = undo('redo', '2026-01-12T10:00:00Z', 'too-much', 45);
    const result = ledger({ terms: small, entries: [work, tooMuch, redo] });
    expect(draws(result)).toEqual({
      work: { period: 0, bank: 30, lots: [], overage: 0, unapplied: 0 },
      'too-much': { period: 0, bank: -30, lots: [], overage: 0, unapplied: 15 },
      redo: { period: 0, bank: 45, lots: [], overage: 0, unapplied: 0 },
    });
    expect(result.periods[0]).toMatchObject({ usedMinutes: 45 });
  });

  it('refuses a correction of an unknown entry, a cycle, duplicate ids and negative ordinary work', () => {
    expect(() => ledger({ entries: [undo('u', '2026-01-10T10:00:00Z', 'ghost', -15)] })).toThrow(/corrects ghost, which is not in the ledger/);
    expect(() => ledger({ entries: [undo('a', '2026-01-10T10:00:00Z', 'b', -15), undo('b', '2026-01-10T10:00:00Z', 'a', -15)] })).toThrow(/cycle/);
    expect(() => ledger({ entries: [entry('x', '2026-01-10T10:00:00Z', 15), entry('x', '2026-01-11T10:00:00Z', 15)] })).toThrow(/listed twice/);
    expect(() => ledger({ entries: [entry('neg', '2026-01-10T10:00:00Z', -15)] })).toThrow(/only a correction/);
  });
});
