// Checks the ledger's input before anything is computed, and orders it. The ledger's total order
// is (work end, then id by code units): the same entries give the same ledger whatever order the
// caller read them in.
import { TimeBankInputError } from './time-bank.errors.ts';
import type { LedgerEntryInput, LedgerInput, PrepaidLot } from './time-bank.types.ts';

const isWholeNumber = (value: number): boolean => Number.isInteger(value);

export function compareEntries(a: LedgerEntryInput, b: LedgerEntryInput): number {
  if (a.workEnd !== b.workEnd) return a.workEnd - b.workEnd;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Oldest lot first: bought earlier, then by id. */
export function compareLots(a: PrepaidLot, b: PrepaidLot): number {
  if (a.boughtAt !== b.boughtAt) return a.boughtAt - b.boughtAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function checkTerms(input: LedgerInput): void {
  const { bank, lotStepMinutes } = input.terms;
  if (!isWholeNumber(lotStepMinutes) || lotStepMinutes <= 0) {
    throw new TimeBankInputError('invalid-terms', `the lot step must be a whole number of minutes above 0, got ${lotStepMinutes}`);
  }
  if (bank === null) return;
  if (!isWholeNumber(bank.allowanceMinutes) || bank.allowanceMinutes < 0) {
    throw new TimeBankInputError('invalid-terms', `the allowance must be a whole number of minutes, at least 0, got ${bank.allowanceMinutes}`);
  }
  if (bank.rollover.kind === 'capped' && (!isWholeNumber(bank.rollover.capMinutes) || bank.rollover.capMinutes < 0)) {
    throw new TimeBankInputError('invalid-terms', `the rollover cap must be a whole number of minutes, at least 0, got ${bank.rollover.capMinutes}`);
  }
}

function checkLots(input: LedgerInput): void {
  const seen = new Set<string>();
  const step = input.terms.lotStepMinutes;
  for (const lot of input.lots) {
    if (seen.has(lot.id)) throw new TimeBankInputError('duplicate-id', `prepaid lot ${lot.id} is listed twice`);
    seen.add(lot.id);
    if (!Number.isFinite(lot.boughtAt) || !Number.isFinite(lot.expiresAt) || lot.expiresAt <= lot.boughtAt) {
      throw new TimeBankInputError('invalid-lot', `prepaid lot ${lot.id} must expire after it was bought`);
    }
    if (!isWholeNumber(lot.minutes) || lot.minutes <= 0) {
      throw new TimeBankInputError('invalid-lot', `prepaid lot ${lot.id} must hold a whole number of minutes above 0, got ${lot.minutes}`);
    }
    if (lot.minutes % step !== 0) {
      throw new TimeBankInputError('lot-step', `prepaid lot ${lot.id} holds ${lot.minutes} minutes; lots are bought in steps of ${step} minutes`);
    }
  }
}

function checkEntry(entry: LedgerEntryInput): void {
  const where = `time entry ${entry.id}`;
  if (!Number.isFinite(entry.workStart) || !Number.isFinite(entry.workEnd) || entry.workEnd < entry.workStart) {
    throw new TimeBankInputError('invalid-entry', `${where}: its work must end at or after its start`);
  }
  if (!isWholeNumber(entry.billableMinutes) || !isWholeNumber(entry.freeMinutes)) {
    throw new TimeBankInputError('invalid-entry', `${where}: billable and free minutes must be whole numbers`);
  }
  if (entry.reverses === null && (entry.billableMinutes < 0 || entry.freeMinutes < 0)) {
    throw new TimeBankInputError('invalid-entry', `${where}: only a correction (one that names the entry it corrects) may be negative`);
  }
}

/**
 * The entry each correction finally corrects (following corrections of corrections), by id.
 * Refuses unknown targets and cycles.
 */
function rootsOfCorrections(byId: ReadonlyMap<string, LedgerEntryInput>): Map<string, string> {
  const roots = new Map<string, string>();
  for (const entry of byId.values()) {
    if (entry.reverses === null) continue;
    const path = new Set<string>([entry.id]);
    let current = entry;
    while (current.reverses !== null) {
      const target = byId.get(current.reverses);
      if (target === undefined) {
        throw new TimeBankInputError('unknown-corrected-entry', `time entry ${current.id} corrects ${current.reverses}, which is not in the ledger`);
      }
      if (path.has(target.id)) throw new TimeBankInputError('correction-cycle', `time entry ${entry.id} is part of a cycle of corrections`);
      path.add(target.id);
      current = target;
    }
    roots.set(entry.id, current.id);
  }
  return roots;
}

export interface OrderedInput {
  /** every entry in the total order */
  entries: LedgerEntryInput[];
  /** correction id → id of the ordinary entry it finally corrects */
  rootOf: Map<string, string>;
  /** lots, oldest first */
  lots: PrepaidLot[];
}

export function checkAndOrder(input: LedgerInput): OrderedInput {
  checkTerms(input);
  checkLots(input);
  const byId = new Map<string, LedgerEntryInput>();
  for (const entry of input.entries) {
    if (byId.has(entry.id)) throw new TimeBankInputError('duplicate-id', `time entry ${entry.id} is listed twice`);
    checkEntry(entry);
    byId.set(entry.id, entry);
  }
  return {
    entries: [...input.entries].sort(compareEntries),
    rootOf: rootsOfCorrections(byId),
    lots: [...input.lots].sort(compareLots),
  };
}
