// The contracts file as the user writes it (docs/CONTRACTS.md), as zod schemas: its sections and
// which keys each may hold. Leaf values are parsed by contracts.values.ts and
// opening-hours.values.ts, so every bad value is reported with its path by the same mechanism;
// checks that need two places of the file (references, uniqueness) live in contracts.checks.ts,
// and contracts.normalize.ts turns the parsed file into the ContractsConfig the program runs on.
import { z } from '../shared/vendor/zod.ts';
import {
  PRIORITIES,
  QUOTE_REQUIRES,
  ROUND_PER,
  TICKET_KINDS,
  type Cadence,
  type Priority,
  type QuoteRequires,
  type RoundPer,
  type TicketKind,
} from './contracts.types.ts';
import {
  HOLIDAY_TYPES,
  currency,
  elapsed,
  email,
  domain,
  holidayRegion,
  localDate,
  locale,
  money,
  multiplier,
  oneOf,
  reference,
  roleName,
  rollover,
  share,
  slaDuration,
  term,
  text,
  timezone,
} from './contracts.values.ts';
import { insideSpec, weeklyHours } from './opening-hours.values.ts';
import { isPlainObject } from '../shared/objects.ts';

// ---------------------------------------------------------------------------------------------
// The file's sections. strictObject everywhere: an unknown key (a typo such as `reponse:`) is
// an error, never silently ignored.
// ---------------------------------------------------------------------------------------------

const HOUR_MS = 3_600_000;

export const technicianSchema = z.strictObject({
  email: email(),
  name: text().optional(),
  /** default rate role of this technician's time entries */
  role: roleName().default('technician'),
  locale: locale().optional(),
});

/**
 * Extension: how a backlog stays quiet (a mailbox connected with thousands of old mails, or a bot
 * back after a long outage). Defaults as in docs/CONTRACTS.md, "Defaults".
 */
export const backlogSchema = z.strictObject({
  /** mail older than this when first seen opens its ticket without an acknowledgement */
  ackMaxAge: elapsed({ allowZero: false }).default(24 * HOUR_MS),
  /** one intake batch opening this many tickets or more sends each technician one digest */
  digestFrom: z.number().int().min(2).default(5),
});

/**
 * Extension: a service address written as `{ address, plan }` names the plan a new ticket written
 * to it is served on (docs/CONTRACTS.md, "Extensions"); a plain address names none.
 */
export const serviceAddressEntrySchema = z.strictObject({
  address: email(),
  plan: reference('plan'),
});

/** One entry of `provider.addresses`: a plain address or `{ address, plan }`, each problem at its own path. */
const serviceAddress = () =>
  z.unknown().transform((value, ctx): { address: string; plan: string | null } => {
    const parsed = isPlainObject(value) ? serviceAddressEntrySchema.safeParse(value, { reportInput: true }) : email().safeParse(value, { reportInput: true });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ ...issue });
      return z.NEVER;
    }
    return typeof parsed.data === 'string' ? { address: parsed.data, plan: null } : parsed.data;
  });

export const providerSchema = z.strictObject({
  name: text(),
  timezone: timezone(),
  locale: locale().default('en'),
  addresses: z.array(serviceAddress()).min(1),
  managers: z.array(email()).default([]),
  technicians: z.array(technicianSchema).min(1),
  ackLimitPerHour: z.number().int().min(1).default(5),
  /** Extension: a customer reply within this wall-clock time reopens a resolved ticket. */
  reopenWindow: elapsed({ allowZero: false }).default(168 * HOUR_MS),
  /**
   * Extension: technicians' tags count only when the receiving server's Authentication-Results
   * (RFC 8601, from the server named `authservId`) show DKIM or DMARC passing for the
   * technician's domain. Absent: the reply token plus a known technician address suffice.
   */
  technicianAuthentication: z
    .strictObject({ require: z.literal('authentication-results'), authservId: z.string().trim().min(1) })
    .optional(),
  backlog: backlogSchema.default({ ackMaxAge: 24 * HOUR_MS, digestFrom: 5 }),
});

export const calendarSchema = z.strictObject({
  timezone: timezone().optional(), // default: provider.timezone
  holidays: holidayRegion().nullable().optional(),
  /** Extension: which date-holidays types close the day; default [public]. */
  holidayTypes: z.array(oneOf(HOLIDAY_TYPES)).min(1).optional(),
  closed: z.array(localDate()).default([]),
  hours: weeklyHours(),
});

const targetShape = {
  response: slaDuration().nullable().optional(),
  intervention: slaDuration().nullable().optional(),
  resolution: slaDuration().nullable().optional(),
};

export const prioritySlaSchema = z.strictObject({ ...targetShape, calendar: reference('calendar').optional() });

export const slaSchema = z.strictObject({
  ...targetShape,
  warnAt: share().default(0.75),
  byPriority: z
    .strictObject({
      P1: prioritySlaSchema.optional(),
      P2: prioritySlaSchema.optional(),
      P3: prioritySlaSchema.optional(),
      P4: prioritySlaSchema.optional(),
    })
    .default({}),
  /** Extension: overrides for tickets classified as requests. */
  requests: prioritySlaSchema.nullable().optional(),
});

const cadence = () => oneOf<Cadence>(['month', 'quarter', 'year']);

export const feeSchema = z.strictObject({ amount: money(), currency: currency(), per: cadence() });

export const timeBankSchema = z.strictObject({
  amount: elapsed({ allowZero: false }),
  per: oneOf(['month', 'quarter', 'year', 'term'] as const),
  /** Extension: periods cut at calendar months/quarters/years (default) or counted from the contract's start. */
  anchor: oneOf(['calendar', 'contract'] as const).default('calendar'),
  /** false, true, or (extension) an amount: the most that carries into the next period */
  rollover: rollover().default(false),
  /** Extension: the ticket kinds whose time may draw prepaid time; default every kind. */
  kinds: z.array(oneOf<TicketKind>(TICKET_KINDS)).min(1).optional(),
});

/** Extension `plans.*.prepaidLots`: how the plan sells prepaid time (lots) to its customers. */
export const prepaidLotsSchema = z.strictObject({
  /** lots are bought in multiples of this */
  step: elapsed({ allowZero: false }).default(15 * 60_000),
  /** a lot is valid this many months from the day it was bought (unless it names its own expiry) */
  validMonths: z.number().int().min(1).default(12),
});

/** Extension `customers[].contract.prepaidLots[]`: one lot of prepaid time the customer bought. */
export const prepaidLotSchema = z.strictObject({
  /** the customer's order number or any stable name; default the date it was bought */
  id: text().optional(),
  bought: localDate(),
  amount: elapsed({ allowZero: false }),
  /** the local date the lot is no longer valid (exclusive); default bought + the plan's validMonths */
  expires: localDate().optional(),
});

/** Extension `billing.travel`: travel or call-out, charged once per on-site visit. */
export const travelSchema = z.strictObject({ perVisit: money() });

export const billingSchema = z.strictObject({
  currency: currency().optional(), // default: fee.currency
  increment: elapsed({ allowZero: false }).default(60_000),
  minimum: elapsed({ allowZero: true }).default(0),
  onsiteMinimum: elapsed({ allowZero: true }).default(0),
  freePerTicket: elapsed({ allowZero: true }).default(0),
  /** Extension: free on-site time per ticket. */
  onsiteFreePerTicket: elapsed({ allowZero: true }).default(0),
  /** Extension: ticket kinds whose time is never billed. */
  freeKinds: z.array(oneOf<TicketKind>(TICKET_KINDS)).default([]),
  rates: z.object({ default: money() }).catchall(money()),
  /**
   * `multiplier` and (extension) `rates`, an out-of-hours rate per role: at least one, and
   * together they must price every role of `billing.rates` (contracts.checks.ts).
   */
  outOfHours: z
    .strictObject({ inside: insideSpec(), multiplier: multiplier().optional(), rates: z.record(z.string(), money()).optional() })
    .nullable()
    .optional(),
  quoteAbove: elapsed({ allowZero: false }).nullable().optional(),
  /** Extension: an estimate above quoteAbove needs the customer's approval, or only a notice. */
  quoteRequires: oneOf<QuoteRequires>(QUOTE_REQUIRES).default('approval'),
  /** Extension: round each entry, or the ticket's running total. */
  roundPer: oneOf<RoundPer>(ROUND_PER).default('entry'),
  /** Extension: a charge per on-site visit. */
  travel: travelSchema.nullable().optional(),
});

export const planSchema = z.strictObject({
  title: text().optional(), // default: the plan's key
  fee: feeSchema.nullable().optional(),
  term: term().nullable().optional(),
  calendar: reference('calendar'),
  faultCalendar: reference('calendar').optional(), // default: calendar
  queuePriority: z.number().int().min(0).default(100),
  /** Extension: priority of a new ticket until someone sets one. */
  defaultPriority: oneOf<Priority>(PRIORITIES).default('P3'),
  sla: slaSchema.default({ warnAt: 0.75, byPriority: {} }),
  timeBank: timeBankSchema.nullable().optional(),
  prepaidLots: prepaidLotsSchema.nullable().optional(),
  billing: billingSchema,
  reports: z.strictObject({ every: cadence() }).nullable().optional(),
  inspections: z.strictObject({ every: oneOf(['month', 'quarter', 'half-year', 'year'] as const) }).nullable().optional(),
  /** Extension: customers on this plan must name an accountManager. */
  requireAccountManager: z.boolean().default(false),
  /** Extension: customers on this plan must name exactly one superuser contact. */
  requireSuperuser: z.boolean().default(false),
});

export const contactSchema = z.strictObject({
  email: email(),
  name: text().optional(),
  superuser: z.boolean().default(false),
});

export const contractSchema = z.strictObject({
  plan: reference('plan'),
  start: localDate(),
  end: localDate().nullable().optional(), // exclusive; default: start + term
  accountManager: email().nullable().optional(),
  /** Extension: prepaid time the customer bought, oldest drawn first */
  prepaidLots: z.array(prepaidLotSchema).default([]),
});

/** Extension `history`: a past contract must say when it ended. */
export const pastContractSchema = contractSchema.extend({ end: localDate() });

export const customerSchema = z.strictObject({
  name: text(),
  domains: z.array(domain()).default([]),
  locale: locale().optional(), // default: provider.locale
  timezone: timezone().optional(), // default: provider.timezone
  contacts: z.array(contactSchema).default([]),
  managers: z.array(email()).default([]),
  contract: contractSchema.nullable().optional(),
  history: z.array(pastContractSchema).default([]),
});

/** The whole file. contracts.models.ts parses it section by section with the same schemas. */
export const contractsFileSchema = z.strictObject({
  provider: providerSchema,
  calendars: z.record(z.string(), calendarSchema),
  plans: z.record(z.string(), planSchema),
  defaultPlan: reference('plan'),
  customers: z.array(customerSchema).default([]),
});

export type RawProvider = z.output<typeof providerSchema>;
export type RawCalendar = z.output<typeof calendarSchema>;
export type RawPlan = z.output<typeof planSchema>;
export type RawPrioritySla = z.output<typeof prioritySlaSchema>;
export type RawCustomer = z.output<typeof customerSchema>;
export type RawContract = z.output<typeof contractSchema>;
export type RawContractsFile = z.output<typeof contractsFileSchema>;

/** Every key the format knows, for "did you mean" hints on unknown keys. */
export const KNOWN_KEYS: readonly string[] = [
  ...new Set(
    [
      technicianSchema,
      providerSchema,
      serviceAddressEntrySchema,
      backlogSchema,
      calendarSchema,
      prioritySlaSchema,
      slaSchema,
      feeSchema,
      timeBankSchema,
      prepaidLotsSchema,
      prepaidLotSchema,
      billingSchema,
      travelSchema,
      planSchema,
      contactSchema,
      contractSchema,
      customerSchema,
      contractsFileSchema,
    ].flatMap((schema) => Object.keys(schema.shape)),
  ),
  'inside',
  'multiplier',
  'every',
  'months',
  'prepaid',
  'until',
  'maxMonths',
  'require',
  'authservId',
  ...PRIORITIES,
];
