// The normalized, validated contracts file (docs/CONTRACTS.md). Everything downstream (sync,
// routing, SLA, billing, reports) reads this shape, never the raw YAML.
import type { CalendarDefinition } from '../calendar/calendar.types.ts';
import type { SlaDuration } from '../shared/duration.ts';

// The lists are readonly tuples so that table files can type columns with them
// (`text('locale', { enum: LOCALES })`) and each type is derived from its list.
export const LOCALES = ['en', 'sv', 'nb', 'nl'] as const;
export type Locale = (typeof LOCALES)[number];
export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const SLA_TARGETS = ['response', 'intervention', 'resolution'] as const;
export type SlaTargetName = (typeof SLA_TARGETS)[number];
export type Cadence = 'month' | 'quarter' | 'year';
/**
 * Extension (docs/CONTRACTS.md, Extensions): a ticket is an incident (a fault: measured on the
 * plan's faultCalendar) or a request (planned work, questions: measured on the plan's calendar).
 */
export const TICKET_KINDS = ['incident', 'request'] as const;
export type TicketKind = (typeof TICKET_KINDS)[number];

/** Money is kept in minor units (öre, øre, cent) as integers: never floating point. */
export interface Money {
  amountMinor: number;
  currency: string;
}

export interface Technician {
  email: string; // lower-case
  name: string | null;
  role: string; // default rate role, e.g. technician, engineer
  locale: Locale | null;
}

export interface ProviderConfig {
  name: string;
  timezone: string;
  locale: Locale;
  addresses: string[]; // lower-case service addresses
  /**
   * Extension `provider.addresses[].plan`: service address → the plan a new ticket written to it
   * is served on, for a sender with a contract in force (Mystore: serviceteam@ for the service
   * agreement). Parser: {} when no address names a plan; optional only for hand-built configs.
   */
  addressPlans?: Record<string, string>;
  managers: string[];
  technicians: Technician[];
  ackLimitPerHour: number;
  /** a customer reply within this window reopens a resolved ticket (ms) */
  reopenWindowMs: number;
  /**
   * Extension `provider.technicianAuthentication`: when set, a technician's tags also need
   * DKIM or DMARC to pass for their domain in the receiving server's Authentication-Results.
   * Parser: null when absent; optional only so hand-built configs in tests need not name it.
   */
  technicianAuthentication?: { require: 'authentication-results'; authservId: string } | null;
  /** Extension `provider.backlog`: how a backlog of old mail stays quiet. */
  backlog: BacklogSettings;
}

export interface BacklogSettings {
  /** mail older than this (ms) when the bot first sees it opens its ticket without an acknowledgement */
  ackMaxAgeMs: number;
  /** when one intake batch opens this many tickets or more, each technician gets one digest instead of one notice per ticket */
  digestFrom: number;
}

export interface SlaTargets {
  response: SlaDuration | null;
  intervention: SlaDuration | null;
  resolution: SlaDuration | null;
}

export interface PrioritySla extends Partial<SlaTargets> {
  /** calendar key overriding the plan's calendar for this priority */
  calendar?: string;
}

export interface PlanSla extends SlaTargets {
  /** share of the target at which the warning goes out, 0 < warnAt < 1 */
  warnAt: number;
  byPriority: Partial<Record<Priority, PrioritySla>>;
  /**
   * Extension `sla.requests`: overrides for tickets classified as requests, applied after
   * byPriority: plan targets < `byPriority[P]` < `requests` (a request keeps these targets
   * whatever its priority; sla.models.ts resolveTarget). A target given as null means "no
   * promise"; a target left out keeps the value below it. Calendar of a request:
   * requests.calendar ?? byPriority[P].calendar ?? plan.calendar. Always set by the parser
   * (null when the file has none); optional only so hand-built configs in tests need not name it.
   */
  requests?: PrioritySla | null;
}

export type TermConfig =
  | { kind: 'none' }
  /**
   * a fixed term; `renews` (extension): it renews for the same length unless the contract gives
   * an `end` (notice given), so the contract is open-ended and a `per: term` bank restarts each term
   */
  | { kind: 'months'; months: number; renews?: boolean }
  /** prepaid account: ends when the bank is used up or after maxMonths, whichever comes first */
  | { kind: 'prepaid'; maxMonths: number };

export interface TimeBankConfig {
  amountMs: number;
  per: 'month' | 'quarter' | 'year' | 'term';
  /** false: unused time is lost at the period's end; true: all of it carries over; { capMs }: at most that much */
  rollover: boolean | { capMs: number };
  /**
   * Extension `timeBank.anchor`: `calendar` cuts calendar months/quarters/years (a contract starting
   * inside one gets a short first period, pro rata); `contract` counts from the contract's start.
   * Parser: 'calendar' when absent.
   */
  anchor?: 'calendar' | 'contract';
  /** Extension `timeBank.kinds`: the ticket kinds that may draw prepaid time; null (parser default): every kind */
  kinds?: TicketKind[] | null;
}

/** Extension `plans.*.prepaidLots`: how the plan sells prepaid time. */
export interface PrepaidLotsConfig {
  /** lots are bought in multiples of this (ms) */
  stepMs: number;
  /** a lot is valid this many months from the day it was bought, unless it names its own expiry */
  validMonths: number;
}

/** Extension `customers[].contract.prepaidLots[]`: prepaid time a customer bought. */
export interface PrepaidLotConfig {
  /** unique within the contract; default the date it was bought (`2026-01-10`, `2026-01-10#2` for a second that day) */
  id: string;
  /** local date of the provider's zone */
  bought: string;
  amountMs: number;
  /** local date it is no longer valid (exclusive); null: bought + the plan's validMonths */
  expires: string | null;
}

export interface BillingConfig {
  currency: string;
  incrementMs: number;
  minimumMs: number;
  onsiteMinimumMs: number;
  freePerTicketMs: number;
  /** hourly rate per role in minor units; `default` always present */
  ratesMinor: Record<string, number>;
  outOfHours: OutOfHoursConfig | null;
  quoteAboveMs: number | null;
  /**
   * Extension `billing.freeKinds`: time logged on tickets of these kinds is recorded but never
   * billed and never drawn from the time bank (Mystore: general support is free, requested
   * work is billed; Telekompetanse: daily-operations requests are included). Parser: [] when absent.
   */
  freeKinds?: TicketKind[];
  /**
   * Extension `billing.onsiteFreePerTicket`: the first this-many ms of on-site work per ticket
   * are free (Telekompetanse: "Oppmøte og første arbeidstime er inkludert"). Parser: 0 when absent.
   */
  onsiteFreePerTicketMs?: number;
  /**
   * Extension `billing.roundPer`: `entry` rounds each time entry up to increment and minimum;
   * `ticket` rounds the ticket's running total, each entry billing the difference it makes
   * (45m + 45m + 5m at 1h steps bills 2h, not 3h). Parser: 'entry' when absent.
   */
  roundPer?: RoundPer;
  /**
   * Extension `billing.travel`: a charge per on-site visit (one on-site time entry is one visit),
   * in minor units (Mixvoip: "Reiskosten zijn van toepassing op bezoeken op locatie"). Parser:
   * null when absent.
   */
  travel?: { perVisitMinor: number } | null;
  /**
   * Extension `billing.quoteRequires`: what an estimate above `quoteAbove` asks of the customer
   * before the work: `approval` (the work waits for a yes) or `notice` (the customer is told; Mystore:
   * "vil du få beskjed om dette før jobben starter"). Parser: 'approval' when absent.
   */
  quoteRequires?: QuoteRequires;
}

export const QUOTE_REQUIRES = ['approval', 'notice'] as const;
export type QuoteRequires = (typeof QUOTE_REQUIRES)[number];

export const ROUND_PER = ['entry', 'ticket'] as const;
export type RoundPer = (typeof ROUND_PER)[number];

/**
 * `billing.outOfHours`: work outside the `insideCalendar`'s open time (its holidays and closed
 * days count as outside) bills at `ratesMinor[role]` where the plan gives an out-of-hours rate
 * for the role (extension: Mixvoip publishes separate rates), else at the normal rate times
 * `multiplier` (decimal text such as "1.5", never a float). The validator guarantees one of the
 * two prices every role of `ratesMinor` of the plan.
 */
export interface OutOfHoursConfig {
  insideCalendar: string;
  /** null only when `ratesMinor` prices every role of the plan */
  multiplier: string | null;
  /** out-of-hours hourly rate per role in minor units; absent when the file gives none */
  ratesMinor?: Record<string, number>;
}

export interface PlanConfig {
  key: string;
  title: string;
  fee: (Money & { per: Cadence }) | null;
  term: TermConfig;
  calendar: string;
  faultCalendar: string;
  queuePriority: number;
  defaultPriority: Priority;
  sla: PlanSla;
  timeBank: TimeBankConfig | null;
  /** Extension `prepaidLots`: parser default { stepMs: 15 min, validMonths: 12 }; optional for hand-built configs */
  prepaidLots?: PrepaidLotsConfig;
  billing: BillingConfig;
  reports: { every: Cadence } | null;
  inspections: { every: Cadence | 'half-year' } | null;
  /**
   * Extension: every customer on this plan must name contract.accountManager (a technician):
   * Telekompetanse's "Dedikert kontaktperson". Parser: false when absent.
   */
  requireAccountManager?: boolean;
  /**
   * Extension: every customer on this plan must have exactly one contact with superuser: true
   * (Brødrene Johnsen: "Bedriften plikter å opprette en superbruker"). Parser: false when absent.
   */
  requireSuperuser?: boolean;
}

export interface ContactConfig {
  email: string; // lower-case
  name: string | null;
  superuser: boolean;
}

export interface ContractConfig {
  /** plan key; for `history` entries too (validated against `plans`) */
  plan: string;
  start: string; // YYYY-MM-DD
  end: string | null; // YYYY-MM-DD, exclusive; derived from term when the file gives none
  accountManager: string | null;
  /** Extension: prepaid lots the customer bought under this contract; parser: [] when absent */
  prepaidLots?: PrepaidLotConfig[];
}

export interface CustomerConfig {
  name: string;
  domains: string[]; // lower-case
  locale: Locale;
  timezone: string;
  contacts: ContactConfig[];
  managers: string[];
  /** current contract; null: the customer's mail is handled on defaultPlan */
  contract: ContractConfig | null;
  /** Extension `history`: past contracts (each with an end), oldest first; never overlapping */
  history: ContractConfig[];
}

export interface ContractsConfig {
  provider: ProviderConfig;
  calendars: Record<string, CalendarDefinition>;
  plans: Record<string, PlanConfig>;
  defaultPlan: string;
  customers: CustomerConfig[];
}
