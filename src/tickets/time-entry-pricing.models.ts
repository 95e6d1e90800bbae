// How a ticket's stored time entries are priced again to price one more, or a correction. The
// engine (src/billing/billing.models.ts) folds a ticket's entries in order, because free minutes
// per ticket and `roundPer: ticket` depend on what came before. Entries fold in the order they
// were logged (then id), so a new entry never changes what an earlier one billed. A correction is
// netted onto the entry it finally corrects; what it bills is the difference it makes to that
// entry, everything before it unchanged. Pure.
import { priceTicketEntries, type PlanPricing } from '../billing/billing.models.ts';
import type { PricedEntry, TimeEntryToPrice } from '../billing/billing.types.ts';
import type { TicketKind } from '../contracts/contracts.types.ts';

const MINUTE_MS = 60_000;

/** A stored entry as pricing needs it. */
export interface EntryForPricing {
  id: string;
  /** signed: negative for a correction that takes time back */
  minutes: number;
  /** the role whose rate applied when it was logged */
  role: string;
  onsite: boolean;
  kind: TicketKind;
  workStart: Date;
  workEnd: Date;
  reversesEntryId: string | null;
  at: Date;
}

/** The ordinary entry a correction finally corrects (corrections of corrections followed); itself for ordinary work. */
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

/** Each ordinary entry's minutes after its corrections (never below 0), in logging order. */
export function netOrdinaryEntries(entries: readonly EntryForPricing[]): { entry: EntryForPricing; netMinutes: number }[] {
  const net = new Map<string, number>();
  const ordinary = entries.filter((entry) => entry.reversesEntryId === null);
  for (const entry of ordinary) net.set(entry.id, entry.minutes);
  for (const entry of entries) {
    if (entry.reversesEntryId === null) continue;
    const root = rootEntryId(entries, entry.id);
    net.set(root, (net.get(root) ?? 0) + entry.minutes);
  }
  return [...ordinary]
    .sort((a, b) => a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((entry) => ({ entry, netMinutes: Math.max(0, net.get(entry.id) ?? 0) }));
}

/** The engine's view of a stored entry with `minutes` of work: the same end, the start moved when time was taken back. */
function toPrice(entry: EntryForPricing, minutes: number): TimeEntryToPrice {
  const workStart = minutes === entry.minutes ? entry.workStart : new Date(entry.workEnd.getTime() - minutes * MINUTE_MS);
  // The stored role already passed the plan's check; a plan changed since falls back to `default`.
  return { minutes, workEnd: entry.workEnd, workStart, onsite: entry.onsite, kind: entry.kind, taggedRole: null, technicianRole: entry.role };
}

/** Prices the ticket's ordinary entries at their net minutes, with `override` minutes for one of them; by entry id. */
function priceNet(pricing: PlanPricing, entries: readonly EntryForPricing[], override?: { id: string; minutes: number }): Map<string, PricedEntry> {
  const items = netOrdinaryEntries(entries)
    .map(({ entry, netMinutes }) => ({ entry, minutes: override?.id === entry.id ? override.minutes : netMinutes }))
    .filter(({ minutes }) => minutes > 0);
  const priced = priceTicketEntries(
    pricing,
    items.map(({ entry, minutes }) => toPrice(entry, minutes)),
  );
  return new Map(items.map(({ entry }, index) => [entry.id, priced[index]!]));
}

/**
 * Prices a new entry after the ticket's stored ones.
 * @throws UnknownRateRoleError when the new entry's tagged role is not priced by the plan.
 */
export function priceNewEntry(pricing: PlanPricing, stored: readonly EntryForPricing[], entry: TimeEntryToPrice): PricedEntry {
  const before = netOrdinaryEntries(stored)
    .filter(({ netMinutes }) => netMinutes > 0)
    .map(({ entry: previous, netMinutes }) => toPrice(previous, netMinutes));
  const priced = priceTicketEntries(pricing, [...before, entry]);
  return priced[priced.length - 1]!;
}

export interface PricedCorrection {
  /** the ordinary entry whose minutes change */
  rootId: string;
  /** signed change of logged minutes actually applied (bounded by what the entry has left) */
  minutes: number;
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

const freeOf = (priced: PricedEntry | undefined): number => (priced ? priced.freeKindMinutes + priced.freeAllowanceMinutes + priced.onsiteFreeMinutes : 0);

/**
 * A correction of `change` logged minutes (negative takes time back) to the entry `targetId`
 * finally corrects. Null when the entry is not on the ticket. The change is bounded so that the
 * entry's net minutes stay at 0 or above.
 */
export function priceCorrection(
  pricing: PlanPricing,
  stored: readonly EntryForPricing[],
  targetId: string,
  change: number,
): PricedCorrection | null {
  const rootId = rootEntryId(stored, targetId);
  const net = netOrdinaryEntries(stored).find(({ entry }) => entry.id === rootId);
  if (!net) return null;
  const netAfter = Math.max(0, net.netMinutes + change);
  const before = priceNet(pricing, stored).get(rootId);
  const after = netAfter > 0 ? priceNet(pricing, stored, { id: rootId, minutes: netAfter }).get(rootId) : undefined;
  return {
    rootId,
    minutes: netAfter - net.netMinutes,
    billableMinutes: (after?.billableMinutes ?? 0) - (before?.billableMinutes ?? 0),
    freeMinutes: freeOf(after) - freeOf(before),
    amountMinor: (after?.amountMinor ?? 0) - (before?.amountMinor ?? 0),
    currency: pricing.plan.billing.currency,
    netBefore: net.netMinutes,
    netAfter,
    billableBefore: before?.billableMinutes ?? 0,
    billableAfter: after?.billableMinutes ?? 0,
  };
}
