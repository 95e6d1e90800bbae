// What a recompute would change: the entries whose draws differ between the stored ledger and a
// freshly computed one, for `helpdesk timebank CUSTOMER --recompute` to show before it writes.
import type { EntryDraws, EntryDrawChange, LotDraw, TimeBankLedger } from './time-bank.types.ts';

function sameLots(a: readonly LotDraw[], b: readonly LotDraw[]): boolean {
  return a.length === b.length && a.every((draw, index) => draw.lotId === b[index]?.lotId && draw.minutes === b[index]?.minutes);
}

export function sameDraws(a: EntryDraws, b: EntryDraws): boolean {
  return (
    a.periodIndex === b.periodIndex &&
    a.billableMinutes === b.billableMinutes &&
    a.freeMinutes === b.freeMinutes &&
    a.fromBankMinutes === b.fromBankMinutes &&
    a.overageMinutes === b.overageMinutes &&
    a.unappliedMinutes === b.unappliedMinutes &&
    sameLots(a.fromLots, b.fromLots)
  );
}

/**
 * Entries whose draws differ, in the new ledger's order, then entries only the old one has
 * (`after: null`). New entries appear with `before: null`. Empty when nothing would change.
 */
export function diffLedgers(before: Pick<TimeBankLedger, 'entries'>, after: Pick<TimeBankLedger, 'entries'>): EntryDrawChange[] {
  const old = new Map(before.entries.map((draws) => [draws.entryId, draws]));
  const changes: EntryDrawChange[] = [];
  for (const draws of after.entries) {
    const previous = old.get(draws.entryId);
    old.delete(draws.entryId);
    if (previous === undefined) changes.push({ entryId: draws.entryId, before: null, after: draws });
    else if (!sameDraws(previous, draws)) changes.push({ entryId: draws.entryId, before: previous, after: draws });
  }
  for (const [entryId, previous] of old) changes.push({ entryId, before: previous, after: null });
  return changes;
}
