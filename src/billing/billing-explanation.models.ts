// The one-line explanation of a priced entry that a customer can check with pen and paper:
//   47m remote → 60m (per started 15m) × 1 350 SEK/h = 1 350.00 SEK
// Amounts are written locale-neutrally: thousands grouped by a space, a dot before the minor
// units, the ISO currency code after. The line ends with the amount, so callers compose by
// appending (the time bank adds `, 60m from bank`).
import type { PricedEntry, PricedTime, RoundingApplied } from './billing.types.ts';

/** Integer digits grouped by three with a space: 1350 → "1 350". */
function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** Minor units as a plain decimal string with two decimals and no grouping: 135000 → "1350.00". */
export function decimalAmount(amountMinor: number): string {
  const sign = amountMinor < 0 ? '-' : '';
  const abs = Math.abs(amountMinor);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** An amount for people: 135000, SEK → "1 350.00 SEK". */
export function formatAmount(amountMinor: number, currency: string): string {
  const [whole = '0', fraction = '00'] = decimalAmount(amountMinor).split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  return `${sign}${groupThousands(whole.replace('-', ''))}.${fraction} ${currency}`;
}

/** An hourly rate: whole amounts without decimals ("1 350 SEK/h"), others with ("87.50 EUR/h"). */
export function formatRate(rateMinor: number, currency: string): string {
  const amount = formatAmount(rateMinor, currency).replace(` ${currency}`, '');
  return `${amount.endsWith('.00') ? amount.slice(0, -3) : amount} ${currency}/h`;
}

function roundingRule(rounding: RoundingApplied): string {
  const steps = rounding.incrementMinutes <= 1 ? 'per minute' : `per started ${rounding.incrementMinutes}m`;
  const rule = rounding.onsiteMinimumMinutes > 0 ? `first ${rounding.onsiteMinimumMinutes}m on site, then ${steps}` : steps;
  const floor = Math.max(rounding.onsiteMinimumMinutes, rounding.incrementMinutes);
  return rounding.minimumMinutes > floor ? `${rule}, at least ${rounding.minimumMinutes}m` : rule;
}

function billedMinutes(entry: Omit<PricedEntry, 'explanation'>): string {
  const { rounding } = entry;
  if (rounding.roundPer === 'ticket') {
    const before = rounding.ticketRoundedBefore > 0 ? `, ${rounding.ticketRoundedBefore}m billed before` : '';
    return ` → ${entry.billableMinutes}m (ticket total ${rounding.ticketTotalAfter}m rounds to ${rounding.ticketRoundedAfter}m${before}; ${roundingRule(rounding)})`;
  }
  return ` → ${entry.billableMinutes}m (${roundingRule(rounding)})`;
}

function timePart(part: PricedTime, entry: Omit<PricedEntry, 'explanation'>, withMinutes: boolean): string {
  const minutes = withMinutes ? `${part.minutes}m ` : '';
  const where = part.hours === 'outOfHours' ? 'out of hours ' : '';
  const multiplier = part.multiplier === null ? '' : ` × ${part.multiplier}`;
  const role = entry.role === 'default' ? '' : ` (${entry.role})`;
  return `${minutes}${where}× ${formatRate(part.rateMinor, entry.currency)}${multiplier}${role}`;
}

/**
 * The explanation of a priced entry (billing.models.ts sets it as `explanation`):
 * - free kind: `47m remote, requests are free on this plan = 0.00 NOK`
 * - free allowance: `47m remote − 15m free per incident = 32m → 45m (per started 15m) × 1 195 NOK/h = 896.25 NOK`
 * - on site with travel: `70m on site → 75m (first 60m on site, then per started 15m) × 104 EUR/h + travel 45.00 EUR = 175.00 EUR`
 * - out of hours: `30m remote → 30m (per started 15m) out of hours × 1 350 SEK/h × 1.5 = 1 012.50 SEK`
 * - split: `… → 60m (per started 15m): 13m × 1 350 SEK/h + 47m out of hours × 1 350 SEK/h × 1.5 = …`
 */
export function explainPricedEntry(entry: Omit<PricedEntry, 'explanation'>): string {
  const total = ` = ${formatAmount(entry.amountMinor, entry.currency)}`;
  let line = `${entry.loggedMinutes}m ${entry.onsite ? 'on site' : 'remote'}`;
  if (entry.freeKindMinutes > 0) return `${line}, ${entry.kind}s are free on this plan${total}`;
  const free: string[] = [];
  if (entry.freeAllowanceMinutes > 0) free.push(`${entry.freeAllowanceMinutes}m free per incident`);
  if (entry.onsiteFreeMinutes > 0) free.push(`${entry.onsiteFreeMinutes}m on site free per ticket`);
  if (free.length > 0) line += ` − ${free.join(' − ')} = ${entry.chargeableMinutes}m`;
  if (entry.chargeableMinutes === 0) return `${line}${total}`;
  line += billedMinutes(entry);
  if (entry.time.length === 1 && entry.time[0]) line += ` ${timePart(entry.time[0], entry, false)}`;
  else if (entry.time.length > 1) line += `: ${entry.time.map((part) => timePart(part, entry, true)).join(' + ')}`;
  for (const charge of entry.charges) line += ` + ${charge.charge} ${formatAmount(charge.amountMinor, entry.currency)}`;
  return `${line}${total}`;
}
