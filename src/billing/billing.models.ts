// The billing engine: what one time entry of a ticket bills under a plan's `billing` terms
// (docs/CONTRACTS.md, "Billing"). Pure: values in, values out; no I/O, no clock.
//
// The rules apply in this order, each to what the previous one left:
// 1. Free. A ticket of a kind in `freeKinds` bills nothing (no time, no travel). Otherwise an
//    incident takes what is left of `freePerTicket`, then on-site work takes what is left of
//    `onsiteFreePerTicket`; "left" is what the ticket's earlier entries did not use
//    (TicketBillingState). Free minutes are the first minutes of the work interval.
// 2. On-site minimum. An on-site entry is one visit; a visit with chargeable time bills at least
//    `onsiteMinimum`, then increments.
// 3. Rounding. `roundPer: entry` (default): the entry rounds up to `increment` (counted after the
//    on-site minimum) and to at least `minimum`. `roundPer: ticket`: the ticket's running total of
//    chargeable minutes is rounded the same way, and the entry bills the rounded total after it
//    less the rounded total before it (45m + 45m + 5m at 1h steps bills 1h + 1h + 0h).
// 4. Rate. The role written in the tag when the plan prices it (a role it does not price is
//    refused: UnknownRateRoleError, nothing priced), else the technician's own role when the plan
//    prices it, else `default`.
// 5. Out of hours. The minutes of the chargeable part of the work interval (after the free
//    minutes) that lie outside `outOfHours.inside` (its holidays and closed days are outside),
//    rounded half-up to whole minutes and at most the billed minutes, bill at the role's
//    `outOfHours.rates` entry, else at the normal rate × `multiplier`. The rest of the billed
//    minutes, including what the minimums and rounding add, bill at the normal rate: only work
//    done out of hours costs more, and more work never bills less.
// 6. Charges. An on-site entry that bills (not a free kind) adds `travel.perVisit`.
// Money: the time parts (rate × minutes / 60, × multiplier) are summed exactly with decimal.js
// and the sum is rounded once, half-up, to a whole minor unit; charges are whole minor units
// already. Rounding once keeps "more work never bills less" true to the last öre, which rounding
// each part would not.
import { Decimal } from 'decimal.js';
import { createBusinessCalendar, type BusinessCalendar } from '../calendar/calendar.models.ts';
import type { ContractsConfig, PlanConfig } from '../contracts/contracts.types.ts';
import { HelpdeskError } from '../shared/errors.ts';
import { UnknownRateRoleError } from './billing.errors.ts';
import { explainPricedEntry } from './billing-explanation.models.ts';
import {
  FRESH_TICKET,
  type PricedCharge,
  type PricedEntry,
  type PricedTime,
  type RoundingApplied,
  type TicketBillingState,
  type TimeEntryToPrice,
} from './billing.types.ts';

const MINUTE_MS = 60_000;
const MoneyDecimal = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

/** A plan ready to price entries: its terms and the calendar of its normal-rate hours. */
export interface PlanPricing {
  plan: PlanConfig;
  /** the open time of `outOfHours.inside`; null when the plan has no out-of-hours rates */
  insideCalendar: BusinessCalendar | null;
}

/**
 * Prepares a plan of the contracts file for pricing (builds its out-of-hours calendar once; keep
 * the result and reuse it).
 * @throws HelpdeskError `contract.unknown_plan` naming the plans of the file.
 */
export function createPlanPricing(config: ContractsConfig, planKey: string): PlanPricing {
  const plan = config.plans[planKey];
  if (!plan) {
    throw new HelpdeskError('contract.unknown_plan', `unknown plan "${planKey}" (plans: ${Object.keys(config.plans).join(', ')})`);
  }
  const outOfHours = plan.billing.outOfHours;
  if (!outOfHours) return { plan, insideCalendar: null };
  const definition = config.calendars[outOfHours.insideCalendar];
  if (!definition) throw new HelpdeskError('calendar.invalid', `plan "${planKey}": unknown calendar "${outOfHours.insideCalendar}"`);
  return { plan, insideCalendar: createBusinessCalendar(definition) };
}

/**
 * `createPlanPricing` for every plan of one contracts file, each built on first use and kept: what a
 * long-running process holds (one per loaded contracts file) so that out-of-hours calendars, and
 * their cached days, are built once.
 */
export function createPlanPricingCache(config: ContractsConfig): (planKey: string) => PlanPricing {
  const byPlan = new Map<string, PlanPricing>();
  return (planKey) => {
    let pricing = byPlan.get(planKey);
    if (!pricing) {
      pricing = createPlanPricing(config, planKey);
      byPlan.set(planKey, pricing);
    }
    return pricing;
  };
}

/** The plan's priced roles, `default` first: what an unknown role's refusal lists. */
export function pricedRoles(plan: PlanConfig): string[] {
  return ['default', ...Object.keys(plan.billing.ratesMinor).filter((role) => role !== 'default')];
}

/**
 * Step 4's choice of rate role: the tagged role (must be priced), else the technician's own role
 * when priced, else `default`.
 * @throws UnknownRateRoleError for a tagged role the plan does not price.
 */
export function resolveRateRole(plan: PlanConfig, taggedRole: string | null, technicianRole: string | null): string {
  const rates = plan.billing.ratesMinor;
  if (taggedRole !== null) {
    const role = taggedRole.trim().toLowerCase();
    if (!Object.hasOwn(rates, role)) throw new UnknownRateRoleError(role, plan.key, pricedRoles(plan));
    return role;
  }
  const own = technicianRole?.trim().toLowerCase();
  return own && Object.hasOwn(rates, own) ? own : 'default';
}

/** Whole minutes of a configured amount of time; an amount below a minute counts as one minute. */
function wholeMinutes(ms: number | undefined): number {
  return ms ? Math.ceil(ms / MINUTE_MS) : 0;
}

function roundUpTo(minutes: number, step: number): number {
  return step <= 1 ? minutes : Math.ceil(minutes / step) * step;
}

/** Rounded total of a ticket under `roundPer: ticket`: nothing stays nothing. */
function roundedTicketTotal(total: number, increment: number, minimum: number): number {
  return total === 0 ? 0 : Math.max(roundUpTo(total, increment), minimum);
}

/** rate × minutes / 60 (× multiplier) in minor units, exact. */
function exactTimeAmount(part: Pick<PricedTime, 'rateMinor' | 'minutes' | 'multiplier'>): Decimal {
  const amount = new MoneyDecimal(part.rateMinor).times(part.minutes);
  return (part.multiplier === null ? amount : amount.times(part.multiplier)).dividedBy(60);
}

/** An exact amount rounded half-up to a whole minor unit. */
function roundMinor(amount: Decimal): number {
  return amount.toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
}

/** rate × minutes / 60 (× multiplier), exact, rounded half-up to a whole minor unit. */
export function timeAmountMinor(rateMinor: number, minutes: number, multiplier: string | null): number {
  return roundMinor(exactTimeAmount({ rateMinor, minutes, multiplier }));
}

function checkEntry(entry: TimeEntryToPrice): { start: number; end: number } {
  if (!Number.isSafeInteger(entry.minutes) || entry.minutes <= 0) {
    throw new HelpdeskError('usage.invalid', `a time entry to price has a whole number of minutes above zero, got ${entry.minutes}`);
  }
  const end = entry.workEnd.getTime();
  const start = entry.workStart ? entry.workStart.getTime() : end - entry.minutes * MINUTE_MS;
  if (!Number.isFinite(start) || !Number.isFinite(end) || start > end) {
    throw new HelpdeskError('usage.invalid', 'a time entry to price needs a work start at or before its end');
  }
  return { start, end };
}

/**
 * Billed minutes at the out-of-hours price: the whole minutes (rounded half-up) of the chargeable
 * work interval `[chargeStart, end)` outside the normal-rate hours, at most the billed minutes.
 */
function outOfHoursMinutesOf(calendar: BusinessCalendar, chargeStart: number, end: number, billable: number): number {
  const length = Math.max(0, end - chargeStart);
  const outsideMs = length - calendar.businessTimeBetween(chargeStart, end);
  return Math.min(billable, Math.floor((outsideMs + MINUTE_MS / 2) / MINUTE_MS));
}

/**
 * Prices one time entry of a ticket, given what the ticket's earlier entries consumed (`before`;
 * FRESH_TICKET for the first). Applies the rules in the order of this file's header.
 * @throws UnknownRateRoleError for a tagged role the plan does not price (before anything else).
 * @throws HelpdeskError `usage.invalid` for minutes not above zero or a start after the end.
 */
export function priceTimeEntry(pricing: PlanPricing, entry: TimeEntryToPrice, before: TicketBillingState = FRESH_TICKET): PricedEntry {
  const { plan, insideCalendar } = pricing;
  const billing = plan.billing;
  const role = resolveRateRole(plan, entry.taggedRole, entry.technicianRole);
  const rateMinor = billing.ratesMinor[role] ?? 0;
  const { start, end } = checkEntry(entry);
  const logged = entry.minutes;

  // 1. free kinds, then free allowances per ticket
  const freeKind = (billing.freeKinds ?? []).includes(entry.kind);
  const freeKindMinutes = freeKind ? logged : 0;
  const freeAllowanceMinutes =
    !freeKind && entry.kind === 'incident' ? Math.min(logged, Math.max(0, wholeMinutes(billing.freePerTicketMs) - before.freeUsedMinutes)) : 0;
  const onsiteFreeMinutes =
    !freeKind && entry.onsite
      ? Math.min(logged - freeAllowanceMinutes, Math.max(0, wholeMinutes(billing.onsiteFreePerTicketMs) - before.onsiteFreeUsedMinutes))
      : 0;
  const chargeable = logged - freeKindMinutes - freeAllowanceMinutes - onsiteFreeMinutes;

  // 2. on site: the first full hour (or whatever onsiteMinimum says) per visit
  const onsiteMinimum = entry.onsite && chargeable > 0 ? wholeMinutes(billing.onsiteMinimumMs) : 0;
  const afterVisit = Math.max(chargeable, onsiteMinimum);

  // 3. rounding, per entry or per ticket
  const increment = Math.max(1, wholeMinutes(billing.incrementMs));
  const minimum = wholeMinutes(billing.minimumMs);
  const roundPer = billing.roundPer ?? 'entry';
  const ticketRoundedBefore = roundedTicketTotal(before.chargeableMinutes, increment, minimum);
  const ticketRoundedAfter = roundedTicketTotal(before.chargeableMinutes + afterVisit, increment, minimum);
  let billable: number;
  if (chargeable === 0) billable = 0;
  else if (roundPer === 'ticket') billable = ticketRoundedAfter - ticketRoundedBefore;
  else if (onsiteMinimum > 0) billable = Math.max(onsiteMinimum + roundUpTo(afterVisit - onsiteMinimum, increment), minimum);
  else billable = Math.max(roundUpTo(afterVisit, increment), minimum);
  const rounding: RoundingApplied = {
    roundPer,
    incrementMinutes: increment,
    minimumMinutes: minimum,
    onsiteMinimumMinutes: onsiteMinimum,
    ticketTotalAfter: roundPer === 'ticket' ? before.chargeableMinutes + (chargeable > 0 ? afterVisit : 0) : 0,
    ticketRoundedBefore: roundPer === 'ticket' ? ticketRoundedBefore : 0,
    ticketRoundedAfter: roundPer === 'ticket' ? ticketRoundedAfter : 0,
  };

  // 5. out of hours: the chargeable work done outside the normal-rate hours
  const freeMinutes = logged - chargeable;
  const chargeStart = start + Math.round(((end - start) * freeMinutes) / logged);
  const outOfHoursMinutes = billable > 0 && insideCalendar && billing.outOfHours ? outOfHoursMinutesOf(insideCalendar, chargeStart, end, billable) : 0;
  const normalMinutes = billable - outOfHoursMinutes;
  const time: PricedTime[] = [];
  if (normalMinutes > 0) {
    time.push({ hours: 'normal', minutes: normalMinutes, rateMinor, multiplier: null });
  }
  if (outOfHoursMinutes > 0) time.push(outOfHoursTime(plan, role, rateMinor, outOfHoursMinutes));

  // 6. travel or call-out per visit
  const charges: PricedCharge[] = [];
  const travel = billing.travel?.perVisitMinor;
  if (entry.onsite && !freeKind && travel !== undefined) charges.push({ charge: 'travel', amountMinor: travel });

  const timeAmount = time.reduce((sum, part) => sum.plus(exactTimeAmount(part)), new MoneyDecimal(0));
  const amountMinor = roundMinor(timeAmount) + charges.reduce((sum, charge) => sum + charge.amountMinor, 0);
  const priced: Omit<PricedEntry, 'explanation'> = {
    loggedMinutes: logged,
    onsite: entry.onsite,
    kind: entry.kind,
    freeKindMinutes,
    freeAllowanceMinutes,
    onsiteFreeMinutes,
    chargeableMinutes: chargeable,
    billableMinutes: billable,
    normalMinutes,
    outOfHoursMinutes,
    role,
    rateMinor,
    rounding,
    time,
    charges,
    amountMinor,
    currency: billing.currency,
    ticketAfter: {
      freeUsedMinutes: before.freeUsedMinutes + freeAllowanceMinutes,
      onsiteFreeUsedMinutes: before.onsiteFreeUsedMinutes + onsiteFreeMinutes,
      chargeableMinutes: before.chargeableMinutes + (chargeable > 0 ? afterVisit : 0),
      billedMinutes: before.billedMinutes + billable,
    },
  };
  return { ...priced, explanation: explainPricedEntry(priced) };
}

function outOfHoursTime(plan: PlanConfig, role: string, rateMinor: number, minutes: number): PricedTime {
  const outOfHours = plan.billing.outOfHours;
  const ownRate = outOfHours?.ratesMinor?.[role];
  if (ownRate !== undefined) return { hours: 'outOfHours', minutes, rateMinor: ownRate, multiplier: null };
  const multiplier = outOfHours?.multiplier;
  if (!multiplier) {
    // the validator refuses such a plan; a hand-built one must not bill out-of-hours work at 0
    throw new HelpdeskError('config.invalid', `plan "${plan.key}": outOfHours prices no rate for role "${role}" and has no multiplier`);
  }
  return { hours: 'outOfHours', minutes, rateMinor, multiplier };
}

/**
 * Prices a ticket's entries in order (the order they are to be billed in: the caller sorts them,
 * e.g. by work end, then id). Each entry sees what the ones before it consumed. A tagged role the
 * plan does not price throws for the whole ticket.
 */
export function priceTicketEntries(pricing: PlanPricing, entries: readonly TimeEntryToPrice[], before: TicketBillingState = FRESH_TICKET): PricedEntry[] {
  const priced: PricedEntry[] = [];
  let state = before;
  for (const entry of entries) {
    const result = priceTimeEntry(pricing, entry, state);
    priced.push(result);
    state = result.ticketAfter;
  }
  return priced;
}
