// `helpdesk billing quote`: what one entry on a fresh ticket of a plan bills, from the contracts
// file alone (no database, no time bank). Pure: the caller passes the start instant.
import type { ContractsConfig, TicketKind } from '../contracts/contracts.types.ts';
import { decimalAmount } from './billing-explanation.models.ts';
import { createPlanPricing, priceTimeEntry } from './billing.models.ts';
import type { PricedEntry } from './billing.types.ts';

export interface QuoteQuery {
  plan: string;
  minutes: number;
  /** a role written as in a tag; null: the plan's `default` rate */
  role: string | null;
  onsite: boolean;
  kind: TicketKind;
  /** when the work starts; it ends `minutes` later */
  start: Date;
}

export interface Quote {
  plan: string;
  billableMinutes: number;
  /** decimal string in major units, e.g. "1350.00" */
  amount: string;
  currency: string;
  explanation: string;
  priced: PricedEntry;
}

/**
 * @throws HelpdeskError `contract.unknown_plan`; UnknownRateRoleError for a role the plan does
 *   not price; `usage.invalid` for minutes that are not a whole number above zero.
 */
export function quoteTimeEntry(config: ContractsConfig, query: QuoteQuery): Quote {
  const pricing = createPlanPricing(config, query.plan);
  const workEnd = new Date(query.start.getTime() + query.minutes * 60_000);
  const priced = priceTimeEntry(pricing, {
    minutes: query.minutes,
    workStart: query.start,
    workEnd,
    onsite: query.onsite,
    kind: query.kind,
    taggedRole: query.role,
    technicianRole: null,
  });
  return {
    plan: query.plan,
    billableMinutes: priced.billableMinutes,
    amount: decimalAmount(priced.amountMinor),
    currency: priced.currency,
    explanation: priced.explanation,
    priced,
  };
}
