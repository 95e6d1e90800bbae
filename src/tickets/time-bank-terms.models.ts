// The contracts file's `timeBank`, `prepaidLots` and a contract, mapped onto the time-bank ledger's
// own input (src/billing/time-bank.types.ts), and the ledger's draws written into an entry's
// explanation. Pure: the ledger is recomputable from the entries and the contracts file alone.
import { localDatePlusMonths } from '../billing/periods.models.ts';
import type { ContractWindow, PrepaidLot, Rollover, TimeBankTerms } from '../billing/time-bank.types.ts';
import { DEFAULT_LOT_STEP_MS, DEFAULT_LOT_VALID_MONTHS } from '../contracts/contracts.normalize.ts';
import type { ContractConfig, PlanConfig, TimeBankConfig } from '../contracts/contracts.types.ts';

const MINUTE_MS = 60_000;

export interface LedgerSetup {
  terms: TimeBankTerms;
  contract: ContractWindow;
  lots: PrepaidLot[];
}

function rolloverOf(rollover: TimeBankConfig['rollover']): Rollover {
  if (rollover === false) return { kind: 'none' };
  if (rollover === true) return { kind: 'all' };
  return { kind: 'capped', capMinutes: Math.floor(rollover.capMs / MINUTE_MS) };
}

/**
 * What the ledger needs for one contract of a plan, in the provider's zone (contract dates are
 * the provider's). Null when the plan has no bank and the contract bought no lots: its time is
 * all overage and no ledger is kept.
 */
export function ledgerSetupOf(plan: PlanConfig, contract: ContractConfig, providerTimeZone: string): LedgerSetup | null {
  const bank = plan.timeBank;
  const lotsConfig = contract.prepaidLots ?? [];
  if (bank === null && lotsConfig.length === 0) return null;
  const stepMs = plan.prepaidLots?.stepMs ?? DEFAULT_LOT_STEP_MS;
  const validMonths = plan.prepaidLots?.validMonths ?? DEFAULT_LOT_VALID_MONTHS;
  const terms: TimeBankTerms = {
    bank:
      bank === null
        ? null
        : {
            allowanceMinutes: Math.floor(bank.amountMs / MINUTE_MS),
            ...bankPeriod(plan, bank),
            rollover: rolloverOf(bank.rollover),
          },
    drawKinds: bank?.kinds ?? null,
    prepaid: plan.term.kind === 'prepaid',
    lotStepMinutes: Math.max(1, Math.floor(stepMs / MINUTE_MS)),
  };
  const lots = lotsConfig.map(
    (lot): PrepaidLot => ({
      id: lot.id,
      boughtAt: localDatePlusMonths(lot.bought, 0, providerTimeZone),
      minutes: Math.floor(lot.amountMs / MINUTE_MS),
      expiresAt: lot.expires === null ? localDatePlusMonths(lot.bought, validMonths, providerTimeZone) : localDatePlusMonths(lot.expires, 0, providerTimeZone),
    }),
  );
  return { terms, contract: { start: contract.start, end: contract.end, timeZone: providerTimeZone }, lots };
}

/**
 * A bank `per: term` of a term that renews restarts with each renewal: the ledger counts those
 * terms as contract-anchored months, quarters or years (the contracts check allows no other length).
 */
function bankPeriod(plan: PlanConfig, bank: TimeBankConfig): { per: TimeBankConfig['per']; anchor: 'calendar' | 'contract' } {
  if (bank.per === 'term' && plan.term.kind === 'months' && plan.term.renews) {
    const per = plan.term.months === 1 ? 'month' : plan.term.months === 3 ? 'quarter' : 'year';
    return { per, anchor: 'contract' };
  }
  return { per: bank.per, anchor: bank.anchor ?? 'calendar' };
}

/** An amount of minutes for people: 45m, 2h, 11h 15m, -30m. */
export function formatMinutes(minutes: number): string {
  const sign = minutes < 0 ? '-' : '';
  const abs = Math.abs(minutes);
  const hours = Math.floor(abs / 60);
  const rest = abs % 60;
  if (hours === 0) return `${sign}${rest}m`;
  return rest === 0 ? `${sign}${hours}h` : `${sign}${hours}h ${rest}m`;
}

/**
 * The draws (`fromBankMinutes`: the period's bank only; `lotMinutes`: prepaid lots) appended to a priced entry's explanation: `…, 60m from bank`, `…, 15m from bank, 45m
 * over the bank`, `…, 30m from prepaid lots`. Only for a contract with a ledger (`withBank`);
 * nothing for an entry that bills no minutes.
 */
export function explanationWithDraws(
  explanation: string,
  draws: { fromBankMinutes: number; lotMinutes: number; overageMinutes: number },
  withBank: boolean,
): string {
  if (!withBank) return explanation;
  // Minutes as the engine's line writes them (`60m`), so the whole line reads in one unit.
  const parts: string[] = [];
  if (draws.fromBankMinutes !== 0) parts.push(`${draws.fromBankMinutes}m from bank`);
  if (draws.lotMinutes !== 0) parts.push(`${draws.lotMinutes}m from prepaid lots`);
  if (draws.overageMinutes !== 0) parts.push(`${draws.overageMinutes}m over the bank${parts.length === 0 ? ' (none left)' : ''}`);
  return parts.length === 0 ? explanation : `${explanation}, ${parts.join(', ')}`;
}

/**
 * The part of an entry's amount that is billed beyond the bank: the amount times the share of its
 * billable minutes that went to overage, rounded half-up to a minor unit. An entry that bills no
 * minutes (a travel charge on free time) is billed whole.
 */
export function overageAmountMinor(entry: { amountMinor: number; billableMinutes: number; overageMinutes: number }): number {
  if (entry.billableMinutes === 0) return entry.amountMinor;
  if (entry.overageMinutes === entry.billableMinutes) return entry.amountMinor;
  const exact = (entry.amountMinor * entry.overageMinutes) / entry.billableMinutes;
  return Math.sign(exact) * Math.round(Math.abs(exact));
}
