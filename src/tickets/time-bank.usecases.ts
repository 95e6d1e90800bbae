// A customer's time bank: the ledger of one contract computed from its time entries and the
// contracts file (docs/CONTRACTS.md, "Time bank"), each entry's draws stored with it, and what is
// left in a period. The ledger is pure (src/billing/time-bank.models.ts); this file reads the
// entries, writes the draws that changed, and summarizes.
import { DateTime } from 'luxon';
import { diffLedgers } from '../billing/time-bank-diff.models.ts';
import { computeTimeBankLedger } from '../billing/time-bank.models.ts';
import type { EntryDrawChange, EntryDraws, LedgerEntryInput, PeriodSummary, TimeBankLedger } from '../billing/time-bank.types.ts';
import type { ContractConfig, ContractsConfig, CustomerConfig } from '../contracts/contracts.types.ts';
import type { DbOrTx } from '../db/client.ts';
import { HelpdeskError } from '../shared/errors.ts';
import { decimalAmount } from '../billing/billing-explanation.models.ts';
import { explanationWithDraws, formatMinutes, ledgerSetupOf, overageAmountMinor, type LedgerSetup } from './time-bank-terms.models.ts';
import { createTimeEntriesRepository, type TicketContractRef, type TimeEntriesRepository, type TimeEntryWithTicket } from './time-entries.repository.ts';

const MINUTE_MS = 60_000;

/** The customer and contract of the contracts file that a contract row names (the current one, else a past one). */
export function contractConfigOf(config: ContractsConfig, ref: Pick<TicketContractRef, 'customerName' | 'planKey' | 'start'>): { customer: CustomerConfig; contract: ContractConfig } | null {
  const customer = config.customers.find((candidate) => candidate.name.toLowerCase() === ref.customerName.toLowerCase());
  if (!customer) return null;
  const contract = [customer.contract, ...customer.history].find((candidate) => candidate?.plan === ref.planKey && candidate.start === ref.start);
  return contract ? { customer, contract } : null;
}

/** The ledger's setup for a contract row; null when the contract keeps no bank (no time bank, no lots). */
export function ledgerSetupForContract(config: ContractsConfig, ref: TicketContractRef): LedgerSetup | null {
  const found = contractConfigOf(config, ref);
  const plan = config.plans[ref.planKey];
  if (!found || !plan) return null;
  return ledgerSetupOf(plan, found.contract, config.provider.timezone);
}

/** A stored entry as the ledger reads it. Rows from before work times were stored end when they were logged. */
export function ledgerEntryOf(row: TimeEntryWithTicket): LedgerEntryInput {
  const workEnd = (row.workEnd ?? row.at).getTime();
  const workStart = row.workStart?.getTime() ?? workEnd - Math.max(0, row.minutes) * MINUTE_MS;
  return {
    id: row.id,
    workStart: Math.min(workStart, workEnd),
    workEnd,
    billableMinutes: row.billableMinutes,
    freeMinutes: row.freeMinutes,
    kind: row.kind ?? row.ticketKind,
    reverses: row.reversesEntryId,
  };
}

/** The draws as stored on the row, in the ledger's shape (period and unapplied minutes are not stored: taken from `like`). */
function storedDraws(row: TimeEntryWithTicket, like: EntryDraws): EntryDraws {
  return {
    ...like,
    billableMinutes: row.billableMinutes,
    freeMinutes: row.freeMinutes,
    fromBankMinutes: row.fromBankMinutes,
    fromLots: row.fromLots,
    overageMinutes: row.overageMinutes,
  };
}

export interface ContractLedger {
  setup: LedgerSetup;
  ledger: TimeBankLedger;
  rows: TimeEntryWithTicket[];
  /** entries whose stored draws differ from the ledger's */
  changes: EntryDrawChange[];
}

/**
 * Computes the contract's ledger from its entries and the contracts file, and (with `apply`) stores
 * each entry's draws that changed. Null when the contract keeps no bank.
 */
export async function computeContractLedger(
  repository: TimeEntriesRepository,
  config: ContractsConfig,
  ref: TicketContractRef,
  options: { asOf: number | null; apply: boolean },
): Promise<ContractLedger | null> {
  const setup = ledgerSetupForContract(config, ref);
  if (!setup) return null;
  if (options.apply) await repository.lockContractLedger(ref);
  const rows = await repository.listByContract(ref);
  const ledger = computeTimeBankLedger({ ...setup, entries: rows.map(ledgerEntryOf), asOf: options.asOf });
  const byId = new Map(rows.map((row) => [row.id, row]));
  const before = ledger.entries.map((draws) => storedDraws(byId.get(draws.entryId)!, draws));
  const changes = diffLedgers({ entries: before }, ledger);
  if (options.apply) {
    // Every entry whose draws or explanation differ from what is stored (a recompute after a
    // change of the explanation's wording rewrites the lines too).
    const updates = ledger.entries.flatMap((draws) => {
      const row = byId.get(draws.entryId)!;
      const lotMinutes = draws.fromLots.reduce((total, lot) => total + lot.minutes, 0);
      const explanation = explanationWithDraws(row.priceExplanation, { fromBankMinutes: draws.fromBankMinutes, lotMinutes, overageMinutes: draws.overageMinutes }, true);
      const same = explanation === row.explanation && !changes.some((change) => change.entryId === draws.entryId);
      return same ? [] : [{ id: draws.entryId, fromBankMinutes: draws.fromBankMinutes, fromLots: draws.fromLots, overageMinutes: draws.overageMinutes, explanation }];
    });
    await repository.updateDraws(updates);
  }
  return { setup, ledger, rows, changes };
}

export interface TimeBankStatus {
  customer: string;
  plan: string;
  /** the period that holds `at`; null outside the contract or when the plan has no periodic bank */
  period: { start: string; end: string | null } | null;
  allowanceMinutes: number;
  rolledInMinutes: number;
  usedMinutes: number;
  remainingMinutes: number;
  overageMinutes: number;
  /** decimal string, the overage share of the period's entries' amounts */
  overageAmount: string;
  currency: string;
  rollover?: { kind: 'none' | 'all' | 'capped'; capMinutes?: number; rolledOutMinutes: number };
  lots?: { id: string; bought: string; expires: string; minutes: number; usedMinutes: number; remainingMinutes: number; expired: boolean }[];
  expiry?: { contractEnd: string | null; ended: { reason: 'exhausted' | 'expired'; at: string } | null };
}

/** The ledger's period that holds the instant `at`; null outside the contract or without a periodic bank. */
export function periodAtInstant(ledger: TimeBankLedger, at: number): PeriodSummary | null {
  return ledger.periods.find(({ period }) => period.startMs <= at && (period.endMs === null || at < period.endMs)) ?? null;
}

/** What the customer's bank holds at `at`, from a ledger computed with `asOf: at`. */
export function summarizeTimeBank(
  config: ContractsConfig,
  customer: CustomerConfig,
  contract: ContractConfig,
  computed: ContractLedger,
  at: number,
): TimeBankStatus {
  const plan = config.plans[contract.plan]!;
  const { ledger, rows, setup } = computed;
  const summary = periodAtInstant(ledger, at);
  const rowById = new Map(rows.map((row) => [row.id, row]));
  const localDateOf = (ms: number) => DateTime.fromMillis(ms, { zone: config.provider.timezone }).toISODate() ?? '';
  const inPeriod = ledger.entries.filter((draws) => summary !== null && draws.periodIndex === summary.period.index);
  const overageMinor = inPeriod.reduce((total, draws) => {
    const row = rowById.get(draws.entryId)!;
    return total + overageAmountMinor({ amountMinor: row.amountMinor, billableMinutes: draws.billableMinutes, overageMinutes: draws.overageMinutes });
  }, 0);
  const status: TimeBankStatus = {
    customer: customer.name,
    plan: plan.key,
    period: summary ? { start: summary.period.startDate, end: summary.period.endDate } : null,
    allowanceMinutes: summary?.allowanceMinutes ?? 0,
    rolledInMinutes: summary?.rolledInMinutes ?? 0,
    usedMinutes: summary?.usedMinutes ?? 0,
    remainingMinutes: summary?.remainingMinutes ?? 0,
    overageMinutes: summary?.overageMinutes ?? 0,
    overageAmount: decimalAmount(overageMinor),
    currency: plan.billing.currency,
  };
  const bank = setup.terms.bank;
  if (bank && bank.per !== 'term') {
    status.rollover = { kind: bank.rollover.kind, rolledOutMinutes: summary?.rolledOutMinutes ?? 0 };
    if (bank.rollover.kind === 'capped') status.rollover.capMinutes = bank.rollover.capMinutes;
  }
  if (ledger.lots.length > 0) {
    const lotConfigs = new Map((contract.prepaidLots ?? []).map((lot) => [lot.id, lot]));
    status.lots = ledger.lots.map((balance) => ({
      id: balance.lot.id,
      bought: lotConfigs.get(balance.lot.id)?.bought ?? localDateOf(balance.lot.boughtAt),
      // exclusive, like contract ends: the first local date the lot no longer holds
      expires: localDateOf(balance.lot.expiresAt),
      minutes: balance.lot.minutes,
      usedMinutes: balance.usedMinutes,
      remainingMinutes: balance.remainingMinutes,
      expired: balance.expired,
    }));
  }
  if (ledger.account) {
    const ended = ledger.account.ended;
    status.expiry = { contractEnd: contract.end, ended: ended ? { reason: ended.reason, at: new Date(ended.at).toISOString() } : null };
  }
  return status;
}

/** Prepaid minutes left for work at `at`: the period's bank plus the lots valid then. */
export function minutesLeftAt(ledger: TimeBankLedger, at: number): { minutes: number; periodEnd: number | null } {
  const summary = periodAtInstant(ledger, at);
  const lots = ledger.lots.filter(({ lot }) => lot.boughtAt <= at && at < lot.expiresAt).reduce((total, lot) => total + lot.remainingMinutes, 0);
  return { minutes: (summary?.remainingMinutes ?? 0) + lots, periodEnd: summary?.period.endMs ?? null };
}

/** A customer by name or one of its domains, case-insensitive. @throws HelpdeskError `contract.unknown_customer` listing the names. */
export function findCustomer(config: ContractsConfig, text: string): CustomerConfig {
  const wanted = text.trim().toLowerCase();
  const customer = config.customers.find((candidate) => candidate.name.toLowerCase() === wanted || candidate.domains.includes(wanted));
  if (!customer) {
    throw new HelpdeskError('contract.unknown_customer', `no customer "${text}" (customers: ${config.customers.map((candidate) => candidate.name).join(', ')})`);
  }
  return customer;
}

export interface TimeBankReport {
  status: TimeBankStatus;
  /** with `recompute`: entries whose stored draws differ from a fresh ledger (applied only with `apply`) */
  changes?: EntryDrawChange[];
}

/**
 * `helpdesk timebank CUSTOMER`: the customer's current contract's bank at `at`, from the stored
 * entries and the contracts file. With `recompute`, also the entries whose stored draws differ
 * from the ledger computed now; with `apply` those draws are written.
 * @throws HelpdeskError `contract.unknown_customer`, or `usage.invalid` for a customer without a contract or never synced.
 */
export async function timeBankReport(
  db: DbOrTx,
  config: ContractsConfig,
  query: { customer: string; at: Date; recompute: boolean; apply: boolean },
): Promise<TimeBankReport> {
  const customer = findCustomer(config, query.customer);
  const contract = customer.contract;
  if (!contract) throw new HelpdeskError('usage.invalid', `${customer.name} has no contract: its mail is handled on the default plan, which keeps no time bank`);
  const repository = createTimeEntriesRepository({ db });
  const customerId = await repository.customerIdByName(customer.name);
  if (customerId === null) throw new HelpdeskError('usage.invalid', `${customer.name} is not in the database yet (run helpdesk contracts sync FILE)`);
  const ref: TicketContractRef = { customerId, customerName: customer.name, planKey: contract.plan, start: contract.start };
  const computed = await computeContractLedger(repository, config, ref, { asOf: query.at.getTime(), apply: query.recompute && query.apply });
  if (!computed) {
    const plan = config.plans[contract.plan]!;
    const rows = await repository.listByContract(ref);
    const overageMinor = rows.reduce((total, row) => total + row.amountMinor, 0);
    return {
      status: {
        customer: customer.name,
        plan: plan.key,
        period: null,
        allowanceMinutes: 0,
        rolledInMinutes: 0,
        usedMinutes: 0,
        remainingMinutes: 0,
        overageMinutes: rows.reduce((total, row) => total + row.billableMinutes, 0),
        overageAmount: decimalAmount(overageMinor),
        currency: plan.billing.currency,
      },
      ...(query.recompute ? { changes: [] } : {}),
    };
  }
  const status = summarizeTimeBank(config, customer, contract, computed, query.at.getTime());
  return query.recompute ? { status, changes: computed.changes } : { status };
}

/** What an acknowledgement says of the bank: "11h 30m left in your time bank this quarter". */
export interface BankLeftForAck {
  remainingMinutes: number;
  /** formatted (`11h 30m`) */
  remaining: string;
  /** the bank's period unit: `term` for a prepaid account or a bank for the whole contract */
  per: 'month' | 'quarter' | 'year' | 'term';
  /** the period's last local day; null for an open-ended term */
  periodLast: string | null;
}

/**
 * Prepaid minutes a customer's contract has left at `at` (the period's bank plus valid lots), for
 * the ack of a ticket opened then; null when the contract keeps no bank or was never synced.
 */
export async function bankLeftForAck(db: DbOrTx, config: ContractsConfig, route: { customerName: string; contract: ContractConfig }, at: Date): Promise<BankLeftForAck | null> {
  const repository = createTimeEntriesRepository({ db });
  const customerId = await repository.customerIdByName(route.customerName);
  if (customerId === null) return null;
  const ref: TicketContractRef = { customerId, customerName: route.customerName, planKey: route.contract.plan, start: route.contract.start };
  const computed = await computeContractLedger(repository, config, ref, { asOf: at.getTime(), apply: false });
  if (!computed) return null;
  const left = minutesLeftAt(computed.ledger, at.getTime());
  const per = computed.setup.terms.bank?.per ?? 'term';
  const periodLast = left.periodEnd === null ? null : DateTime.fromMillis(left.periodEnd - 1, { zone: config.provider.timezone }).toFormat('yyyy-MM-dd');
  return { remainingMinutes: left.minutes, remaining: formatMinutes(left.minutes), per, periodLast };
}
