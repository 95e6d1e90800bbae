// What the billing engine (billing.models.ts) takes and gives: one time entry of a ticket, the
// ticket's running billing state before it, and the priced entry. Plain values, no I/O.
import type { TicketKind } from '../contracts/contracts.types.ts';

/** One `#time` entry as the engine prices it. */
export interface TimeEntryToPrice {
  /** logged minutes, a whole number above zero (the tag parser rounds up to a whole minute) */
  minutes: number;
  /** when the work ended */
  workEnd: Date;
  /** when the work started; default `workEnd` − `minutes` (the tag gave no start) */
  workStart?: Date;
  onsite: boolean;
  /** the ticket's kind when the entry is priced */
  kind: TicketKind;
  /** the role written in the tag (`#time 1h engineer`); null when the tag named none */
  taggedRole: string | null;
  /** the technician's own role (provider.technicians[].role); null when unknown */
  technicianRole: string | null;
}

/**
 * What the ticket's earlier entries already consumed, in the order they were priced. A fresh
 * ticket starts at FRESH_TICKET; each priced entry returns the state after it (`ticketAfter`),
 * so a ticket is priced by folding its entries in order (priceTicketEntries).
 */
export interface TicketBillingState {
  /** minutes of `freePerTicket` used by earlier incident entries */
  freeUsedMinutes: number;
  /** minutes of `onsiteFreePerTicket` used by earlier on-site entries */
  onsiteFreeUsedMinutes: number;
  /** running total of chargeable minutes (after free time and on-site minimums): what `roundPer: ticket` rounds */
  chargeableMinutes: number;
  /** running total of billed minutes */
  billedMinutes: number;
}

export const FRESH_TICKET: Readonly<TicketBillingState> = Object.freeze({
  freeUsedMinutes: 0,
  onsiteFreeUsedMinutes: 0,
  chargeableMinutes: 0,
  billedMinutes: 0,
});

/** Billed time at one hourly price: normal hours, or out of hours. */
export interface PricedTime {
  hours: 'normal' | 'outOfHours';
  minutes: number;
  /** the hourly rate in minor units before any multiplier */
  rateMinor: number;
  /** decimal text ("1.5") when the out-of-hours price is the normal rate times it; else null */
  multiplier: string | null;
}

/** A charge that is not time: travel or call-out per on-site visit. */
export interface PricedCharge {
  charge: 'travel';
  amountMinor: number;
}

/** How the billed minutes came about, for the explanation and for audits. */
export interface RoundingApplied {
  roundPer: 'entry' | 'ticket';
  incrementMinutes: number;
  minimumMinutes: number;
  /** the on-site first-hour minimum applied to this visit; 0 when none applied */
  onsiteMinimumMinutes: number;
  /** `roundPer: ticket`: the ticket's chargeable total after this entry (0 under `entry`) */
  ticketTotalAfter: number;
  /** `roundPer: ticket`: the ticket's rounded total before and after this entry (0 under `entry`) */
  ticketRoundedBefore: number;
  ticketRoundedAfter: number;
}

export interface PricedEntry {
  loggedMinutes: number;
  onsite: boolean;
  kind: TicketKind;
  /** minutes not billed because the ticket's kind is free on the plan (`freeKinds`) */
  freeKindMinutes: number;
  /** minutes taken from `freePerTicket` (incidents) */
  freeAllowanceMinutes: number;
  /** minutes taken from `onsiteFreePerTicket` */
  onsiteFreeMinutes: number;
  /** logged minutes less all free minutes */
  chargeableMinutes: number;
  /** minutes billed after on-site minimum and rounding; the sum of `time[].minutes` */
  billableMinutes: number;
  normalMinutes: number;
  outOfHoursMinutes: number;
  /** the role whose rate applied (`default` when neither the tag nor the technician named a priced role) */
  role: string;
  /** the normal hourly rate of that role, minor units */
  rateMinor: number;
  rounding: RoundingApplied;
  time: PricedTime[];
  charges: PricedCharge[];
  /** the exact sum of the time parts rounded half-up to a whole minor unit, plus the charges */
  amountMinor: number;
  currency: string;
  /** one line a customer can check, e.g. `47m remote → 60m (per started 15m) × 1 350 SEK/h = 1 350.00 SEK` */
  explanation: string;
  /** the ticket's billing state after this entry */
  ticketAfter: TicketBillingState;
}
