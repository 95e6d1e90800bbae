// How one entry's minutes are split over the prepaid sources available at its moment, and how
// corrections give minutes back. Both are greedy over ONE ordered list of sources, which is what
// makes a correction exact: an entry that bills m minutes takes the first m minutes of the list
// (the period's bank, then lots oldest first, then overage), so taking back k of them returns
// the LAST k it took: overage first, then the newest lot drawn, …, the bank last.
import type { LotDraw } from './time-bank.types.ts';

export type DrawSource = { kind: 'bank'; available: number } | { kind: 'lot'; lotId: string; available: number };

export interface Split {
  bank: number;
  lots: LotDraw[];
  overage: number;
}

/** The first `minutes` (≥ 0) of the sources, in their order; what they cannot cover is overage. */
export function splitGreedy(sources: readonly DrawSource[], minutes: number): Split {
  let rest = minutes;
  let bank = 0;
  const lots: LotDraw[] = [];
  for (const source of sources) {
    const take = Math.min(rest, Math.max(0, source.available));
    rest -= take;
    if (source.kind === 'bank') bank += take;
    else lots.push({ lotId: source.lotId, minutes: take });
    if (rest === 0) break;
  }
  return { bank, lots: lots.filter((lot) => lot.minutes !== 0), overage: rest };
}

/** `after - before`, source by source (negative where minutes were given back). */
export function splitDifference(after: Split, before: Split): Split {
  const byLot = new Map<string, number>();
  for (const lot of after.lots) byLot.set(lot.lotId, (byLot.get(lot.lotId) ?? 0) + lot.minutes);
  for (const lot of before.lots) byLot.set(lot.lotId, (byLot.get(lot.lotId) ?? 0) - lot.minutes);
  return {
    bank: after.bank - before.bank,
    lots: [...byLot].filter(([, minutes]) => minutes !== 0).map(([lotId, minutes]) => ({ lotId, minutes })),
    overage: after.overage - before.overage,
  };
}

export interface CorrectionStep {
  entryId: string;
  /** the corrected entry's billable minutes before and after this correction */
  netBefore: number;
  netAfter: number;
  /** minutes of the correction that found nothing left to give back */
  unapplied: number;
}

/**
 * Applies the signed corrections, in the ledger's order, to an entry's billable minutes. The
 * running total never goes below zero: a correction that would take back more than is left takes
 * what is left and reports the rest as unapplied (a later correction that adds minutes starts
 * from zero again).
 */
export function applyCorrections(
  billableMinutes: number,
  corrections: ReadonlyArray<{ id: string; billableMinutes: number }>,
): { net: number; steps: CorrectionStep[] } {
  let net = billableMinutes;
  const steps: CorrectionStep[] = [];
  for (const correction of corrections) {
    const raw = net + correction.billableMinutes;
    const next = Math.max(0, raw);
    steps.push({ entryId: correction.id, netBefore: net, netAfter: next, unapplied: next - raw });
    net = next;
  }
  return { net, steps };
}
