// How a ticket's time entries are priced when one more is logged or one is corrected
// (docs/domain.md, "Re-pricing"). Free minutes per ticket, on-site free time and first hours and
// `roundPer: ticket` make an entry's price depend on the entries before it, so the ticket is
// priced from scratch, in work-time order (work end, then logging time, then id), at each
// ordinary entry's net minutes (after its corrections). Nothing stored is rewritten: the new
// row records its own price (a new entry) or the difference it makes to the entry it corrects
// (a correction), and every other entry whose from-scratch price differs from what its rows
// recorded gets an adjustment row with the difference. So the sum of a ticket's rows is always
// the ticket priced from scratch, and each entry's rows sum to that entry's price. Pure.
import { priceTicketEntries, type PlanPricing } from '../billing/billing.models.ts';
import { formatAmount } from '../billing/billing-explanation.models.ts';
import type { PricedEntry, TimeEntryToPrice } from '../billing/billing.types.ts';
import type { TicketKind } from '../contracts/contracts.types.ts';

const MINUTE_MS = 60_000;

/** A stored entry as pricing needs it. */
export interface EntryForPricing {
  id: string;
  /** signed: negative for a correction that takes time back; 0 for an adjustment */
  minutes: number;
  /** the role whose rate applied when it was logged */
  role: string;
  onsite: boolean;
  kind: TicketKind;
  workStart: Date;
  workEnd: Date;
  reversesEntryId: string | null;
  at: Date;
  /** what the row recorded; a correction's and an adjustment's are signed differences */
  billableMinutes: number;
  freeMinutes: number;
  amountMinor: number;
}

/** What an entry bills: minutes, free minutes, amount (minor units). */
export interface EntryPrice {
  billableMinutes: number;
  freeMinutes: number;
  amountMinor: number;
}

const NOTHING: EntryPrice = Object.freeze({ billableMinutes: 0, freeMinutes: 0, amountMinor: 0 });

const plus = (a: EntryPrice, b: EntryPrice): EntryPrice => ({
  billableMinutes: a.billableMinutes + b.billableMinutes,
  freeMinutes: a.freeMinutes + b.freeMinutes,
  amountMinor: a.amountMinor + b.amountMinor,
});
const minus = (a: EntryPrice, b: EntryPrice): EntryPrice => plus(a, { billableMinutes: -b.billableMinutes, freeMinutes: -b.freeMinutes, amountMinor: -b.amountMinor });
const isZero = (price: EntryPrice): boolean => price.billableMinutes === 0 && price.freeMinutes === 0 && price.amountMinor === 0;

/** The engine's result as an EntryPrice; nothing for an entry left out (no net minutes). */
export function priceOf(priced: PricedEntry | undefined): EntryPrice {
  if (!priced) return NOTHING;
  return { billableMinutes: priced.billableMinutes, freeMinutes: priced.loggedMinutes - priced.chargeableMinutes, amountMinor: priced.amountMinor };
}

/** The ordinary entry a correction or adjustment finally corrects (corrections of corrections followed); itself for ordinary work. */
export function rootEntryId(entries: readonly EntryForPricing[], id: string): string {
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  let current = byId.get(id);
  const seen = new Set<string>();
  while (current?.reversesEntryId && !seen.has(current.id)) {
    seen.add(current.id);
    const target = byId.get(current.reversesEntryId);
    if (!target) break;
    current = target;
  }
  return current?.id ?? id;
}

/** Work-time order: work end, then when it was logged, then id. */
function byWorkTime(a: { workEnd: Date; at: Date; id: string }, b: { workEnd: Date; at: Date; id: string }): number {
  return a.workEnd.getTime() - b.workEnd.getTime() || a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Each ordinary entry's minutes after its corrections (never below 0), in work-time order. */
export function netOrdinaryEntries(entries: readonly EntryForPricing[]): { entry: EntryForPricing; netMinutes: number }[] {
  const net = new Map<string, number>();
  const ordinary = entries.filter((entry) => entry.reversesEntryId === null);
  for (const entry of ordinary) net.set(entry.id, entry.minutes);
  for (const entry of entries) {
    if (entry.reversesEntryId === null) continue;
    const root = rootEntryId(entries, entry.id);
    net.set(root, (net.get(root) ?? 0) + entry.minutes);
  }
  return [...ordinary].sort(byWorkTime).map((entry) => ({ entry, netMinutes: Math.max(0, net.get(entry.id) ?? 0) }));
}

/** What each ordinary entry's rows (its own, its corrections', its adjustments') recorded together. */
export function recordedPrices(entries: readonly EntryForPricing[]): Map<string, EntryPrice> {
  const recorded = new Map<string, EntryPrice>();
  for (const entry of entries) {
    const root = rootEntryId(entries, entry.id);
    recorded.set(root, plus(recorded.get(root) ?? NOTHING, entry));
  }
  return recorded;
}

/** The engine's view of a stored entry with `minutes` of work: the same end, the start moved when time was taken back. */
function toPrice(entry: EntryForPricing, minutes: number): TimeEntryToPrice {
  const workStart = minutes === entry.minutes ? entry.workStart : new Date(entry.workEnd.getTime() - minutes * MINUTE_MS);
  // The stored role already passed the plan's check; a plan changed since falls back to `default`.
  return { minutes, workEnd: entry.workEnd, workStart, onsite: entry.onsite, kind: entry.kind, taggedRole: null, technicianRole: entry.role };
}

interface ToPrice {
  id: string;
  workEnd: Date;
  at: Date;
  entry: TimeEntryToPrice;
}

/** Prices the items from scratch in work-time order; by id. */
function priceFromScratch(pricing: PlanPricing, items: ToPrice[]): Map<string, PricedEntry> {
  const ordered = [...items].filter((item) => item.entry.minutes > 0).sort(byWorkTime);
  const priced = priceTicketEntries(
    pricing,
    ordered.map((item) => item.entry),
  );
  return new Map(ordered.map((item, index) => [item.id, priced[index]!]));
}

/** An entry whose price changed because another one was logged or corrected. */
export interface PriceAdjustment {
  rootId: string;
  kind: TicketKind;
  role: string;
  onsite: boolean;
  /** what its rows recorded before, and its price from scratch now */
  before: EntryPrice;
  after: EntryPrice;
  difference: EntryPrice;
}

export interface TicketRepricing {
  adjustments: PriceAdjustment[];
  /** the ticket's recorded total before, and its total from scratch after */
  totalBefore: EntryPrice;
  totalAfter: EntryPrice;
}

function repricing(stored: readonly EntryForPricing[], after: Map<string, PricedEntry>, changed: string | null, ownDifference: EntryPrice): TicketRepricing {
  const recorded = recordedPrices(stored);
  const adjustments: PriceAdjustment[] = [];
  for (const { entry } of netOrdinaryEntries(stored)) {
    if (entry.id === changed) continue;
    const before = recorded.get(entry.id) ?? NOTHING;
    const now = priceOf(after.get(entry.id));
    const difference = minus(now, before);
    if (!isZero(difference)) adjustments.push({ rootId: entry.id, kind: entry.kind, role: entry.role, onsite: entry.onsite, before, after: now, difference });
  }
  const totalBefore = [...recorded.values()].reduce(plus, NOTHING);
  const totalAfter = adjustments.reduce((total, adjustment) => plus(total, adjustment.difference), plus(totalBefore, ownDifference));
  return { adjustments, totalBefore, totalAfter };
}

const NEW_ENTRY_ID = '\u0000new';

/**
 * Prices a new entry among the ticket's stored ones: its own price where its work falls in
 * work-time order, and the adjustments of the entries whose price that changes (a back-dated
 * entry that takes the free minutes or the first hour a later one had).
 * @throws UnknownRateRoleError when the new entry's tagged role is not priced by the plan.
 */
export function priceNewEntry(
  pricing: PlanPricing,
  stored: readonly EntryForPricing[],
  entry: TimeEntryToPrice,
  at: Date,
): { priced: PricedEntry } & TicketRepricing {
  const items: ToPrice[] = netOrdinaryEntries(stored).map(({ entry: previous, netMinutes }) => ({ id: previous.id, workEnd: previous.workEnd, at: previous.at, entry: toPrice(previous, netMinutes) }));
  items.push({ id: NEW_ENTRY_ID, workEnd: entry.workEnd, at, entry });
  const after = priceFromScratch(pricing, items);
  const priced = after.get(NEW_ENTRY_ID)!;
  return { priced, ...repricing(stored, after, null, priceOf(priced)) };
}

export interface PricedCorrection extends TicketRepricing {
  /** the ordinary entry whose minutes change */
  rootId: string;
  /** signed change of logged minutes actually applied (bounded by what the entry has left) */
  minutes: number;
  /** the corrected entry's price now less what its rows recorded */
  billableMinutes: number;
  freeMinutes: number;
  amountMinor: number;
  currency: string;
  /** net minutes of the corrected entry before and after */
  netBefore: number;
  netAfter: number;
  billableBefore: number;
  billableAfter: number;
}

/**
 * A correction of `change` logged minutes (negative takes time back) to the entry `targetId`
 * finally corrects, with the adjustments of the other entries whose price that changes (an undone
 * entry gives back the free minutes and the rounding it used). Null when the entry is not on the
 * ticket. The change is bounded so that the entry's net minutes stay at 0 or above.
 */
export function priceCorrection(pricing: PlanPricing, stored: readonly EntryForPricing[], targetId: string, change: number): PricedCorrection | null {
  const rootId = rootEntryId(stored, targetId);
  const net = netOrdinaryEntries(stored).find(({ entry }) => entry.id === rootId);
  if (!net) return null;
  const netAfter = Math.max(0, net.netMinutes + change);
  const items: ToPrice[] = netOrdinaryEntries(stored).map(({ entry, netMinutes }) => {
    const minutes = entry.id === rootId ? netAfter : netMinutes;
    return { id: entry.id, workEnd: entry.workEnd, at: entry.at, entry: toPrice(entry, minutes) };
  });
  const after = priceFromScratch(pricing, items);
  const before = recordedPrices(stored).get(rootId) ?? NOTHING;
  const now = priceOf(after.get(rootId));
  const own = minus(now, before);
  return {
    rootId,
    minutes: netAfter - net.netMinutes,
    ...own,
    currency: pricing.plan.billing.currency,
    netBefore: net.netMinutes,
    netAfter,
    billableBefore: before.billableMinutes,
    billableAfter: now.billableMinutes,
    ...repricing(stored, after, rootId, own),
  };
}

/**
 * The explanation of an adjustment row: which change caused it and what the entry bills now,
 * e.g. `re-priced after #undo of 45m: 60m → 0m billed, 1 250.00 NOK → 0.00 NOK (-1 250.00 NOK)`.
 */
export function adjustmentExplanation(adjustment: PriceAdjustment, cause: string, currency: string): string {
  const { before, after, difference } = adjustment;
  const free = difference.freeMinutes === 0 ? '' : `, ${after.freeMinutes}m free (was ${before.freeMinutes}m)`;
  return (
    `re-priced after ${cause}: ${before.billableMinutes}m → ${after.billableMinutes}m billed${free}, ` +
    `${formatAmount(before.amountMinor, currency)} → ${formatAmount(after.amountMinor, currency)} (${formatAmount(difference.amountMinor, currency)})`
  );
}

/** What a change that re-priced other entries adds to its own explanation: the ticket's totals. */
export function ticketTotalNote(repriced: TicketRepricing, currency: string): string {
  if (repriced.adjustments.length === 0) return '';
  const count = repriced.adjustments.length;
  return (
    `; ${count} other entr${count === 1 ? 'y' : 'ies'} re-priced in work order, ticket ` +
    `${repriced.totalBefore.billableMinutes}m → ${repriced.totalAfter.billableMinutes}m billed = ` +
    `${formatAmount(repriced.totalBefore.amountMinor, currency)} → ${formatAmount(repriced.totalAfter.amountMinor, currency)}`
  );
}
