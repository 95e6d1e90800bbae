// The shapes the time-bank ledger (time-bank.models.ts) reads and returns. These are its own input
// types, not the contracts file's: the caller maps a plan's `timeBank`, the contract and the
// customer's prepaid lots onto them. All amounts are whole minutes; instants are epoch ms.
import type { BankPeriod, PeriodAnchor, PeriodUnit } from './periods.models.ts';

/** The ticket kind of an entry (the ticket's kind when the work was logged). */
export type EntryKind = 'incident' | 'request';

/** What happens to a period's unused allowance at its end. Minutes of prepaid lots never roll over. */
export type Rollover = { kind: 'none' } | { kind: 'all' } | { kind: 'capped'; capMinutes: number };

export interface BankTerms {
  /** allowance per full period, before pro rata and rollover */
  allowanceMinutes: number;
  per: PeriodUnit;
  anchor: PeriodAnchor;
  rollover: Rollover;
}

export interface TimeBankTerms {
  /** the recurring allowance; null for a plan with prepaid lots only (or nothing) */
  bank: BankTerms | null;
  /**
   * Kinds of work that may draw prepaid time (the bank AND the lots); null means every kind.
   * Work of another kind goes straight to overage.
   */
  drawKinds: readonly EntryKind[] | null;
  /** a prepaid account: the contract ends when the prepaid time is used up (see `account`) */
  prepaid: boolean;
  /** lots are bought in multiples of this (15 for Brødrene Johnsen's "minste intervall 15 min") */
  lotStepMinutes: number;
}

export interface ContractWindow {
  /** first local date, `YYYY-MM-DD` */
  start: string;
  /** local date the contract ends (exclusive); null when open-ended */
  end: string | null;
  /** IANA zone of the contract dates: the provider's */
  timeZone: string;
}

/** Prepaid time the customer bought; usable for work whose moment lies in `[boughtAt, expiresAt)`. */
export interface PrepaidLot {
  id: string;
  boughtAt: number;
  minutes: number;
  expiresAt: number;
}

/**
 * One time entry as the ledger sees it, after the pricing engine: `billableMinutes` are what the
 * entry bills (increments, minimums applied) and `freeMinutes` what the engine already made free
 * (passed through, never drawn). A correction (`reverses` set: an `#undo`, or a negative `#time`)
 * carries the signed change of billable minutes it makes to the entry it corrects, usually negative.
 */
export interface LedgerEntryInput {
  id: string;
  workStart: number;
  workEnd: number;
  billableMinutes: number;
  freeMinutes: number;
  kind: EntryKind;
  /** id of the entry this one corrects (which may itself be a correction); null for ordinary work */
  reverses: string | null;
}

export interface LedgerInput {
  terms: TimeBankTerms;
  contract: ContractWindow;
  lots: readonly PrepaidLot[];
  entries: readonly LedgerEntryInput[];
  /** "now" for expiry and for which periods to summarize; periods up to the last entry's otherwise */
  asOf: number | null;
}

export interface LotDraw {
  lotId: string;
  minutes: number;
}

/** Where one entry's billable minutes went. For a correction the minutes are what it gave back (negative) or took again. */
export interface EntryDraws {
  entryId: string;
  /** the period whose bank the entry draws from (a correction: that of the entry it corrects); null outside the contract */
  periodIndex: number | null;
  billableMinutes: number;
  freeMinutes: number;
  fromBankMinutes: number;
  fromLots: LotDraw[];
  overageMinutes: number;
  /** corrections only: minutes that could not be given back (the corrected entry had none left); else 0 */
  unappliedMinutes: number;
}

export interface PeriodSummary {
  period: BankPeriod;
  /** this period's allowance, pro rata when short */
  allowanceMinutes: number;
  rolledInMinutes: number;
  /** allowance + rolled in */
  availableMinutes: number;
  /** net minutes drawn from this period's bank (after corrections) */
  usedMinutes: number;
  remainingMinutes: number;
  /** what carries into the next period under the rollover rule */
  rolledOutMinutes: number;
  /** net minutes entries of this period drew from prepaid lots */
  lotMinutes: number;
  overageMinutes: number;
  freeMinutes: number;
  /** the entry that used this period's last bank minute; null while some are left */
  exhaustedBy: string | null;
}

export interface LotBalance {
  lot: PrepaidLot;
  usedMinutes: number;
  remainingMinutes: number;
  exhaustedBy: string | null;
  /** true when `asOf` is at or after the expiry */
  expired: boolean;
  /** minutes lost to expiry (remaining at expiry); 0 while the lot is valid */
  forfeitedMinutes: number;
}

/** A prepaid account ends when its time is used up or when it expires, whichever comes first. */
export interface PrepaidAccountState {
  /** the entry after which no prepaid minute (term bank or lot) was left, with its work end */
  exhaustedBy: { entryId: string; at: number } | null;
  /** the contract's end (a prepaid term's maxMonths) */
  expiresAt: number | null;
  /** the first of the two, once it has happened (`asOf` for expiry); null while the account runs */
  ended: { reason: 'exhausted' | 'expired'; at: number } | null;
}

export interface TimeBankLedger {
  /** in the ledger's total order: work end, then id */
  entries: EntryDraws[];
  periods: PeriodSummary[];
  lots: LotBalance[];
  /** null unless the terms are prepaid */
  account: PrepaidAccountState | null;
}

export interface EntryDrawChange {
  entryId: string;
  before: EntryDraws | null;
  after: EntryDraws | null;
}
