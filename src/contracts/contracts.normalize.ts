// Normalisation: a schema-valid, cross-checked contracts file (contracts.schema.ts output) into
// the ContractsConfig the program runs on. Pure, and it never writes into its input: the
// result shares no object with the parsed file, so a caller may keep and reuse both.
import { DateTime } from 'luxon';
import type { CalendarDefinition, WeeklyHours } from '../calendar/calendar.types.ts';
import type { SlaDuration } from '../shared/duration.ts';
import {
  PRIORITIES,
  type BillingConfig,
  type ContractConfig,
  type ContractsConfig,
  type CustomerConfig,
  type PlanConfig,
  type PrepaidLotConfig,
  type PrioritySla,
  type Priority,
  type ProviderConfig,
  type TermConfig,
} from './contracts.types.ts';
import type { RawCalendar, RawContract, RawContractsFile, RawCustomer, RawPlan, RawPrioritySla, RawProvider } from './contracts.schema.ts';

/** `plans.*.prepaidLots` defaults (docs/CONTRACTS.md, "Defaults"). */
export const DEFAULT_LOT_STEP_MS = 15 * 60_000;
export const DEFAULT_LOT_VALID_MONTHS = 12;

/** Key of the calendar compiled from a plan's `billing.outOfHours.inside` hours. */
export function outOfHoursCalendarKey(planKey: string): string {
  return `__outOfHours:${planKey}`;
}

/**
 * Exclusive end date of a contract: as given, else start + the term's months; null when
 * open-ended (no term, or a term that renews until notice is given with an `end`).
 */
export function deriveContractEnd(start: string, givenEnd: string | null | undefined, termConfig: TermConfig): string | null {
  if (givenEnd) return givenEnd;
  if (termConfig.kind === 'months' && termConfig.renews) return null;
  const months = termConfig.kind === 'months' ? termConfig.months : termConfig.kind === 'prepaid' ? termConfig.maxMonths : null;
  if (months === null) return null;
  return DateTime.fromISO(start, { zone: 'utc' }).plus({ months }).toISODate();
}

function copyWeekly(weekly: WeeklyHours): WeeklyHours {
  const copy: WeeklyHours = {};
  for (const day of [1, 2, 3, 4, 5, 6, 7] as const) {
    const ranges = weekly[day];
    if (ranges) copy[day] = ranges.map((range) => ({ ...range }));
  }
  return copy;
}

function copyDuration(duration: SlaDuration | null | undefined): SlaDuration | null {
  return duration ? { ...duration } : null;
}

function normalizeProvider(raw: RawProvider): ProviderConfig {
  return {
    name: raw.name,
    timezone: raw.timezone,
    locale: raw.locale,
    addresses: unique(raw.addresses.map((entry) => entry.address)),
    addressPlans: Object.fromEntries(raw.addresses.flatMap((entry) => (entry.plan === null ? [] : [[entry.address, entry.plan]]))),
    managers: unique(raw.managers),
    technicians: raw.technicians.map((technician) => ({
      email: technician.email,
      name: technician.name ?? null,
      role: technician.role,
      locale: technician.locale ?? null,
    })),
    ackLimitPerHour: raw.ackLimitPerHour,
    reopenWindowMs: raw.reopenWindow,
    technicianAuthentication: raw.technicianAuthentication
      ? { require: raw.technicianAuthentication.require, authservId: raw.technicianAuthentication.authservId.toLowerCase() }
      : null,
    backlog: { ackMaxAgeMs: raw.backlog.ackMaxAge, digestFrom: raw.backlog.digestFrom },
  };
}

function normalizeCalendar(name: string, raw: RawCalendar, provider: RawProvider): CalendarDefinition {
  return {
    name,
    timezone: raw.timezone ?? provider.timezone,
    holidays: raw.holidays ? { region: raw.holidays, closeTypes: unique(raw.holidayTypes ?? ['public']) } : null,
    closedDates: unique(raw.closed).sort(),
    weekly: copyWeekly(raw.hours),
  };
}

function normalizePrioritySla(raw: RawPrioritySla): PrioritySla {
  const result: PrioritySla = {};
  if (raw.response !== undefined) result.response = copyDuration(raw.response);
  if (raw.intervention !== undefined) result.intervention = copyDuration(raw.intervention);
  if (raw.resolution !== undefined) result.resolution = copyDuration(raw.resolution);
  if (raw.calendar !== undefined) result.calendar = raw.calendar;
  return result;
}

/**
 * The calendar compiled from a plan's `billing.outOfHours.inside` hours, null when the plan has
 * none or names a calendar of the file. The normal-rate hours are local time of the plan's
 * calendar, and its holidays and closed days are outside them: work on a public holiday bills
 * at the out-of-hours rate.
 */
export function outOfHoursCalendarOf(key: string, raw: RawPlan, calendars: Readonly<Record<string, CalendarDefinition>>): CalendarDefinition | null {
  const inside = raw.billing.outOfHours?.inside;
  if (!inside || inside.kind !== 'hours') return null;
  const base = calendars[raw.calendar];
  return {
    name: outOfHoursCalendarKey(key),
    timezone: base?.timezone ?? 'UTC',
    holidays: base?.holidays ? { region: base.holidays.region, closeTypes: [...base.holidays.closeTypes] } : null,
    closedDates: [...(base?.closedDates ?? [])],
    weekly: copyWeekly(inside.weekly),
  };
}

/** One plan with its defaults filled in; an out-of-hours hours spec refers to outOfHoursCalendarOf's calendar. */
export function normalizePlan(key: string, raw: RawPlan): PlanConfig {
  const byPriority: Partial<Record<Priority, PrioritySla>> = {};
  for (const priority of PRIORITIES) {
    const override = raw.sla.byPriority[priority];
    if (override) byPriority[priority] = normalizePrioritySla(override);
  }
  let outOfHours: BillingConfig['outOfHours'] = null;
  const rawOutOfHours = raw.billing.outOfHours;
  if (rawOutOfHours) {
    const insideCalendar = rawOutOfHours.inside.kind === 'calendar' ? rawOutOfHours.inside.name : outOfHoursCalendarKey(key);
    outOfHours = { insideCalendar, multiplier: rawOutOfHours.multiplier ?? null };
    if (rawOutOfHours.rates) outOfHours.ratesMinor = lowerCaseKeys(rawOutOfHours.rates);
  }
  const currency = raw.billing.currency ?? raw.fee?.currency ?? '';
  return {
    key,
    title: raw.title ?? key,
    fee: raw.fee ? { amountMinor: raw.fee.amount, currency: raw.fee.currency, per: raw.fee.per } : null,
    term: raw.term ? { ...raw.term } : { kind: 'none' },
    calendar: raw.calendar,
    faultCalendar: raw.faultCalendar ?? raw.calendar,
    queuePriority: raw.queuePriority,
    defaultPriority: raw.defaultPriority,
    sla: {
      response: copyDuration(raw.sla.response),
      intervention: copyDuration(raw.sla.intervention),
      resolution: copyDuration(raw.sla.resolution),
      warnAt: raw.sla.warnAt,
      byPriority,
      requests: raw.sla.requests ? normalizePrioritySla(raw.sla.requests) : null,
    },
    timeBank: raw.timeBank
      ? {
          amountMs: raw.timeBank.amount,
          per: raw.timeBank.per,
          rollover: typeof raw.timeBank.rollover === 'boolean' ? raw.timeBank.rollover : { capMs: raw.timeBank.rollover.capMs },
          anchor: raw.timeBank.anchor,
          kinds: raw.timeBank.kinds ? unique(raw.timeBank.kinds) : null,
        }
      : null,
    prepaidLots: { stepMs: raw.prepaidLots?.step ?? DEFAULT_LOT_STEP_MS, validMonths: raw.prepaidLots?.validMonths ?? DEFAULT_LOT_VALID_MONTHS },
    billing: {
      currency,
      incrementMs: raw.billing.increment,
      minimumMs: raw.billing.minimum,
      onsiteMinimumMs: raw.billing.onsiteMinimum,
      freePerTicketMs: raw.billing.freePerTicket,
      ratesMinor: lowerCaseKeys(raw.billing.rates),
      outOfHours,
      quoteAboveMs: raw.billing.quoteAbove ?? null,
      freeKinds: unique(raw.billing.freeKinds),
      onsiteFreePerTicketMs: raw.billing.onsiteFreePerTicket,
      roundPer: raw.billing.roundPer,
      quoteRequires: raw.billing.quoteRequires,
      travel: raw.billing.travel ? { perVisitMinor: raw.billing.travel.perVisit } : null,
    },
    reports: raw.reports ? { every: raw.reports.every } : null,
    inspections: raw.inspections ? { every: raw.inspections.every } : null,
    requireAccountManager: raw.requireAccountManager,
    requireSuperuser: raw.requireSuperuser,
  };
}

function normalizeContract(raw: RawContract, plans: Readonly<Record<string, PlanConfig>>): ContractConfig {
  const plan = plans[raw.plan];
  return {
    plan: raw.plan,
    start: raw.start,
    end: deriveContractEnd(raw.start, raw.end, plan?.term ?? { kind: 'none' }),
    accountManager: raw.accountManager ?? null,
    prepaidLots: normalizePrepaidLots(raw.prepaidLots ?? []),
  };
}

/** Lots keep their order; a lot without an id is named by its purchase date (`#2` for a second lot that day). */
export function normalizePrepaidLots(raw: readonly RawContract['prepaidLots'][number][]): PrepaidLotConfig[] {
  const seen = new Map<string, number>();
  return raw.map((lot) => {
    let id = lot.id;
    if (id === undefined) {
      const count = (seen.get(lot.bought) ?? 0) + 1;
      seen.set(lot.bought, count);
      id = count === 1 ? lot.bought : `${lot.bought}#${count}`;
    }
    return { id, bought: lot.bought, amountMs: lot.amount, expires: lot.expires ?? null };
  });
}

function normalizeCustomer(raw: RawCustomer, provider: RawProvider, plans: Readonly<Record<string, PlanConfig>>): CustomerConfig {
  return {
    name: raw.name,
    domains: unique(raw.domains),
    locale: raw.locale ?? provider.locale,
    timezone: raw.timezone ?? provider.timezone,
    contacts: raw.contacts.map((contact) => ({ email: contact.email, name: contact.name ?? null, superuser: contact.superuser })),
    managers: unique(raw.managers),
    contract: raw.contract ? normalizeContract(raw.contract, plans) : null,
    history: raw.history
      .map((past) => normalizeContract(past, plans))
      .sort((a, b) => a.start.localeCompare(b.start)),
  };
}

/**
 * Turns a schema-valid file whose references have been checked (contracts.checks.ts) into the
 * shape the program runs on: defaults filled in from the provider, contract ends derived, and
 * out-of-hours specs compiled into calendars named `__outOfHours:<plan>`.
 */
export function normalizeContracts(raw: RawContractsFile): ContractsConfig {
  const calendars: Record<string, CalendarDefinition> = {};
  for (const [name, calendar] of Object.entries(raw.calendars)) calendars[name] = normalizeCalendar(name, calendar, raw.provider);
  const plans: Record<string, PlanConfig> = {};
  const outOfHoursCalendars: CalendarDefinition[] = [];
  for (const [key, plan] of Object.entries(raw.plans)) {
    plans[key] = normalizePlan(key, plan);
    const inside = outOfHoursCalendarOf(key, plan, calendars);
    if (inside) outOfHoursCalendars.push(inside);
  }
  for (const calendar of outOfHoursCalendars) calendars[calendar.name] = calendar;
  return {
    provider: normalizeProvider(raw.provider),
    calendars,
    plans,
    defaultPlan: raw.defaultPlan,
    customers: raw.customers.map((customer) => normalizeCustomer(customer, raw.provider, plans)),
  };
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/** Rate tables by role: role names are compared lower-case. */
function lowerCaseKeys(rates: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(rates).map(([role, rate]) => [role.toLowerCase(), rate]));
}
