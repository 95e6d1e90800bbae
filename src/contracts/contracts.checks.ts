// The checks of a contracts file that need two places of it: references between sections,
// uniqueness of names, domains and addresses, and the plans' requirements on their customers
// (docs/CONTRACTS.md, "What the validator refuses"). They run on salvaged sections, where any
// field may be missing, so that one bad value does not hide the problems around it.
import { domainOf, normalizeAddress, plusTagOf, splitAddress } from '../shared/address.ts';
import { isPlainObject } from '../shared/objects.ts';
import { DEFAULT_LOT_STEP_MS, deriveContractEnd, normalizePrepaidLots } from './contracts.normalize.ts';
import { problem, unknownName, type Path, type Salvaged } from './contracts.problems.ts';
import type { RawContract, RawCustomer, RawPlan, RawProvider } from './contracts.schema.ts';
import { ROLE_PATTERN } from './contracts.values.ts';

/** Term lengths whose renewals the time-bank ledger can count as its own periods (month, quarter, year). */
const RENEWING_TERM_PERIODS: ReadonlySet<number> = new Set([1, 3, 12]);

type PartialProvider = Salvaged<RawProvider>;
type PartialPlan = Salvaged<RawPlan>;
type PartialCustomer = Salvaged<RawCustomer>;
type PartialContract = Salvaged<RawContract>;

/** True when the user wrote something (even something invalid) at this path of a raw section. */
function written(raw: unknown, ...path: string[]): boolean {
  let value = raw;
  for (const key of path) value = isPlainObject(value) ? value[key] : undefined;
  return value !== undefined && value !== null;
}

/** The service addresses written in a (salvaged) provider section, plain or `{ address, plan }`. */
function serviceAddresses(provider: PartialProvider | undefined): (string | undefined)[] {
  return (provider?.addresses ?? []).map((entry) => entry?.address);
}

export function checkProvider(provider: PartialProvider, problems: string[]): void {
  const addresses = new Set<string>();
  serviceAddresses(provider).forEach((address, index) => {
    if (address === undefined) return;
    if (addresses.has(address)) {
      problems.push(problem(['provider', 'addresses', index], `${address} is listed twice`));
      return;
    }
    addresses.add(address);
    // Any + at all, also a leading one: reply addresses are <local>+<ticket>.<token>@… and must parse back.
    if (splitAddress(address)?.localPart.includes('+')) {
      problems.push(problem(['provider', 'addresses', index], `${address} has a +tag; the bot adds its own (support+<ticket>.<token>@…)`));
    }
  });
  const technicians = new Set<string>();
  provider.technicians?.forEach((technician, index) => {
    const address = technician?.email;
    if (address === undefined) return;
    const path = ['provider', 'technicians', index, 'email'];
    if (technicians.has(address)) problems.push(problem(path, `${address} is listed twice`));
    technicians.add(address);
    if (addresses.has(address)) problems.push(problem(path, `${address} is a service address; a technician needs an address of their own`));
  });
  provider.managers?.forEach((manager, index) => {
    if (manager !== undefined && addresses.has(manager)) {
      problems.push(problem(['provider', 'managers', index], `${manager} is a service address (reports to it would loop)`));
    }
  });
}

/**
 * A service address that names a plan (`{ address, plan }`) must name a plan of the file, and not
 * the default plan (which every sender without a contract gets anyway: it would change nothing).
 * Reads the provider as written, so an entry with another problem still has its plan checked.
 */
export function checkServiceAddressPlans(rawProvider: unknown, planNames: readonly string[], defaultPlan: unknown, problems: string[]): void {
  const entries = isPlainObject(rawProvider) && Array.isArray(rawProvider.addresses) ? (rawProvider.addresses as unknown[]) : [];
  entries.forEach((entry, index) => {
    const plan = isPlainObject(entry) && typeof entry.plan === 'string' ? entry.plan.trim() : null;
    if (plan === null || plan === '') return;
    const path = ['provider', 'addresses', index, 'plan'];
    if (!planNames.includes(plan)) problems.push(problem(path, unknownName('plan', plan, [...planNames])));
    else if (plan === defaultPlan) problems.push(problem(path, `"${plan}" is the default plan; a service address names a plan for customers with a contract`));
  });
}

export function checkCalendar(name: string, raw: unknown, problems: string[]): void {
  if (written(raw, 'holidayTypes') && !written(raw, 'holidays')) {
    problems.push(problem(['calendars', name, 'holidayTypes'], 'has no effect without holidays (give e.g. holidays: SE)'));
  }
}

export function checkPlan(key: string, plan: PartialPlan, raw: unknown, calendarNames: string[], problems: string[]): void {
  const base = ['plans', key];
  const checkCalendarRef = (name: string | undefined, path: Path) => {
    if (name !== undefined && !calendarNames.includes(name)) problems.push(problem(path, unknownName('calendar', name, calendarNames)));
  };
  checkCalendarRef(plan.calendar, [...base, 'calendar']);
  checkCalendarRef(plan.faultCalendar, [...base, 'faultCalendar']);
  for (const [priority, override] of Object.entries(plan.sla?.byPriority ?? {})) {
    checkCalendarRef(override?.calendar, [...base, 'sla', 'byPriority', priority, 'calendar']);
  }
  checkCalendarRef(plan.sla?.requests?.calendar, [...base, 'sla', 'requests', 'calendar']);
  const inside = plan.billing?.outOfHours?.inside;
  if (inside?.kind === 'calendar') checkCalendarRef(inside.name, [...base, 'billing', 'outOfHours', 'inside']);

  if (plan.term?.kind === 'prepaid' && plan.timeBank?.per !== 'term' && (plan.timeBank?.per || !written(raw, 'timeBank'))) {
    problems.push(
      problem(
        [...base, 'timeBank'],
        plan.timeBank?.per
          ? `per: ${plan.timeBank.per} does not fit a prepaid term; the prepaid account is one bank for the whole term (per: term)`
          : 'required by the prepaid term: give the prepaid account, e.g. { amount: 10h, per: term }',
      ),
    );
  }
  const renewingMonths = plan.term?.kind === 'months' && plan.term.renews ? plan.term.months : undefined;
  if (renewingMonths !== undefined && plan.timeBank?.per === 'term' && !RENEWING_TERM_PERIODS.has(renewingMonths)) {
    problems.push(
      problem([...base, 'timeBank', 'per'], `a bank per term of a ${renewingMonths}-month term that renews is not supported: use a term of 1, 3 or 12 months, or per: month, quarter or year`),
    );
  }
  if (plan.timeBank?.per === 'term' && plan.timeBank.rollover !== undefined && plan.timeBank.rollover !== false) {
    problems.push(problem([...base, 'timeBank', 'rollover'], 'a bank per term has no next period to roll over into (write rollover: false or leave it out)'));
  }
  const billing = plan.billing;
  if (billing) {
    const rawFee = plan.fee;
    if (!written(raw, 'billing', 'currency') && !written(raw, 'fee', 'currency')) {
      problems.push(problem([...base, 'billing', 'currency'], 'required (an ISO 4217 code such as SEK, NOK, EUR)'));
    } else if (billing.currency && rawFee?.currency && billing.currency !== rawFee.currency) {
      problems.push(problem([...base, 'billing', 'currency'], `${billing.currency} differs from fee.currency ${rawFee.currency}; a plan bills in one currency`));
    }
    for (const role of Object.keys(billing.rates ?? {})) {
      if (!ROLE_PATTERN.test(role)) {
        problems.push(problem([...base, 'billing', 'rates', role], 'a role name is a lower-case word such as technician, engineer, cabling'));
      }
    }
    checkOutOfHours(base, billing, raw, problems);
    if (written(raw, 'billing', 'quoteRequires') && !written(raw, 'billing', 'quoteAbove')) {
      problems.push(problem([...base, 'billing', 'quoteRequires'], 'has no effect without quoteAbove (give e.g. quoteAbove: 3h)'));
    }
  }
}

/**
 * `billing.outOfHours` must price every role the plan prices: by a rate of its own in
 * `outOfHours.rates`, else by `multiplier`. A role priced only out of hours is a typo.
 */
function checkOutOfHours(base: Path, billing: NonNullable<PartialPlan['billing']>, raw: unknown, problems: string[]): void {
  const outOfHours = billing.outOfHours;
  if (!outOfHours || !written(raw, 'billing', 'outOfHours')) return;
  const path = [...base, 'billing', 'outOfHours'];
  const hasMultiplier = written(raw, 'billing', 'outOfHours', 'multiplier');
  const hasRates = written(raw, 'billing', 'outOfHours', 'rates');
  if (!hasMultiplier && !hasRates) {
    problems.push(problem(path, 'give a multiplier (e.g. multiplier: 1.5), out-of-hours rates per role (rates: { default: 2025 }), or both'));
    return;
  }
  const planRoles = Object.keys(billing.rates ?? {});
  const ownRates = Object.keys(outOfHours.rates ?? {});
  for (const role of ownRates) {
    if (!ROLE_PATTERN.test(role)) {
      problems.push(problem([...path, 'rates', role], 'a role name is a lower-case word such as technician, engineer, cabling'));
    } else if (billing.rates && !planRoles.includes(role)) {
      problems.push(problem([...path, 'rates', role], `the plan has no normal rate for ${role} (billing.rates: ${planRoles.join(', ')})`));
    }
  }
  if (!hasMultiplier && outOfHours.rates && billing.rates) {
    const unpriced = planRoles.filter((role) => !ownRates.includes(role));
    if (unpriced.length > 0) {
      problems.push(problem([...path, 'rates'], `has no rate for ${unpriced.join(', ')}; give one each or a multiplier for the roles left out`));
    }
  }
}

export function checkDefaultPlan(key: string, plan: PartialPlan, problems: string[]): void {
  const why = 'the defaultPlan serves senders without a contract';
  if (plan.fee) problems.push(problem(['plans', key, 'fee'], `${why}, so it has no fee`));
  if (plan.term) problems.push(problem(['plans', key, 'term'], `${why}, so it has no term`));
  if (plan.timeBank) problems.push(problem(['plans', key, 'timeBank'], `${why}, so it has no time bank`));
}

export interface CustomerContext {
  provider: PartialProvider | undefined;
  planNames: string[];
  plans: Map<string, PartialPlan | undefined>;
}

function technicianAddresses(provider: PartialProvider | undefined): string[] | null {
  if (!provider?.technicians) return null;
  return provider.technicians.flatMap((technician) => (technician?.email ? [technician.email] : []));
}

function checkContract(contract: PartialContract, path: Path, context: CustomerContext, problems: string[]): void {
  if (contract.plan !== undefined && !context.planNames.includes(contract.plan)) {
    problems.push(problem([...path, 'plan'], unknownName('plan', contract.plan, context.planNames)));
  }
  if (contract.start && contract.end && contract.end <= contract.start) {
    problems.push(problem([...path, 'end'], `${contract.end} is not after start ${contract.start}`));
  }
  const manager = contract.accountManager;
  const technicians = technicianAddresses(context.provider);
  if (manager && technicians && !technicians.includes(manager)) {
    problems.push(problem([...path, 'accountManager'], `${manager} is not one of provider.technicians (${technicians.join(', ')})`));
  }
  checkPrepaidLots(contract, path, context, problems);
}

/**
 * A contract's prepaid lots: whole steps of the plan's `prepaidLots.step` (the time-bank ledger
 * refuses anything else, and a refusal at run time would stop billing), an expiry after the
 * purchase, and ids that name one lot each.
 */
function checkPrepaidLots(contract: PartialContract, path: Path, context: CustomerContext, problems: string[]): void {
  const lots = contract.prepaidLots ?? [];
  if (lots.length === 0) return;
  const plan = contract.plan === undefined ? undefined : context.plans.get(contract.plan);
  const stepMs = plan?.prepaidLots?.step ?? DEFAULT_LOT_STEP_MS;
  const stepText = `${stepMs / 60_000}m`;
  const complete = lots.filter((lot): lot is NonNullable<typeof lot> & { bought: string; amount: number } => lot?.bought !== undefined && lot.amount !== undefined);
  const ids = new Map<string, number>();
  lots.forEach((lot, index) => {
    if (!lot) return;
    const lotPath = [...path, 'prepaidLots', index];
    if (lot.amount !== undefined && (lot.amount % 60_000 !== 0 || lot.amount % stepMs !== 0)) {
      problems.push(problem([...lotPath, 'amount'], `prepaid time is bought in steps of ${stepText} (plans.${contract.plan ?? '?'}.prepaidLots.step)`));
    }
    if (lot.bought && lot.expires && lot.expires <= lot.bought) {
      problems.push(problem([...lotPath, 'expires'], `${lot.expires} is not after bought ${lot.bought}`));
    }
  });
  if (complete.length !== lots.length) return;
  normalizePrepaidLots(complete.map((lot) => ({ id: lot.id, bought: lot.bought, amount: lot.amount, expires: lot.expires }))).forEach((lot, index) => {
    const first = ids.get(lot.id);
    if (first !== undefined) problems.push(problem([...path, 'prepaidLots', index, 'id'], `${lot.id} already names prepaidLots[${first}]`));
    else ids.set(lot.id, index);
  });
}

export function checkCustomers(
  customers: Map<number, { partial: PartialCustomer | undefined; raw: unknown }>,
  context: CustomerContext,
  problems: string[],
): void {
  const names = new Map<string, number>();
  const domains = new Map<string, number>();
  const contacts = new Map<string, number>();
  const provider = context.provider;
  const providerAddresses = serviceAddresses(provider).filter((address): address is string => address !== undefined);
  const ownAddresses = new Set([
    ...providerAddresses,
    ...(technicianAddresses(provider) ?? []),
    ...(provider?.managers ?? []).filter((address): address is string => address !== undefined),
  ]);
  const ownDomains = new Set(providerAddresses.map((address) => domainOf(address) ?? ''));
  const label = (index: number) => {
    const name = customers.get(index)?.partial?.name;
    return name ? `customers[${index}] (${name})` : `customers[${index}]`;
  };

  for (const [index, { partial: customer, raw }] of customers) {
    if (!customer) continue;
    const base = ['customers', index];
    if (customer.name !== undefined) {
      const nameKey = customer.name.toLowerCase();
      const sameName = names.get(nameKey);
      if (sameName !== undefined) problems.push(problem([...base, 'name'], `${JSON.stringify(customer.name)} is already the name of customers[${sameName}]`));
      else names.set(nameKey, index);
    }

    if (customer.domains?.length === 0 && customer.contacts?.length === 0) {
      problems.push(problem(base, 'has no domains and no contacts, so no mail can reach it'));
    }
    customer.domains?.forEach((domain, domainIndex) => {
      if (domain === undefined) return;
      const path = [...base, 'domains', domainIndex];
      const owner = domains.get(domain);
      if (owner === index) problems.push(problem(path, `${domain} is listed twice`));
      else if (owner !== undefined) problems.push(problem(path, `${domain} is already claimed by ${label(owner)}`));
      else domains.set(domain, index);
      if (ownDomains.has(domain)) problems.push(problem(path, `${domain} is the provider's own domain`));
    });

    const superusers: string[] = [];
    customer.contacts?.forEach((contact, contactIndex) => {
      const address = contact?.email;
      if (contact?.superuser) superusers.push(address ?? `contacts[${contactIndex}]`);
      if (address === undefined) return;
      const path = [...base, 'contacts', contactIndex, 'email'];
      const owner = contacts.get(address);
      if (owner === index) problems.push(problem(path, `${address} is listed twice`));
      else if (owner !== undefined) problems.push(problem(path, `${address} is already a contact of ${label(owner)}`));
      else contacts.set(address, index);
      if (ownAddresses.has(address)) problems.push(problem(path, `${address} is one of the provider's own addresses`));
      if (plusTagOf(address) !== null) {
        problems.push(problem(path, `${address} has a +tag; senders are matched without it, so write ${normalizeAddress(address)}`));
      }
    });
    if (superusers.length > 1) {
      problems.push(problem([...base, 'contacts'], `${superusers.length} contacts have superuser: true (${superusers.join(', ')}); name one primary contact`));
    }

    const spans: { path: Path; label: string; start: string; end: string | null }[] = [];
    customer.history?.forEach((past, historyIndex) => {
      if (!past) return;
      const path = [...base, 'history', historyIndex];
      checkContract(past, path, context, problems);
      if (past.start && past.end) spans.push({ path, label: `history[${historyIndex}]`, start: past.start, end: past.end });
    });
    const contract = customer.contract;
    if (contract) {
      const path = [...base, 'contract'];
      checkContract(contract, path, context, problems);
      const plan = contract.plan === undefined ? undefined : context.plans.get(contract.plan);
      if (plan?.requireAccountManager && !written(raw, 'contract', 'accountManager')) {
        problems.push(problem([...path, 'accountManager'], `required by plan "${contract.plan}" (requireAccountManager: true)`));
      }
      if (plan?.requireSuperuser && customer.contacts && superusers.length === 0) {
        problems.push(problem([...base, 'contacts'], `plan "${contract.plan}" requires one contact with superuser: true`));
      }
      const planTerm = plan?.term?.kind === undefined ? undefined : (plan.term as RawPlan['term']);
      if (contract.start) {
        const end = deriveContractEnd(contract.start, contract.end, planTerm ?? { kind: 'none' });
        spans.push({ path, label: 'contract', start: contract.start, end });
      }
    }
    spans.forEach((span, spanIndex) => {
      for (const other of spans.slice(0, spanIndex)) {
        const overlaps = span.start < (other.end ?? '9999-12-31') && other.start < (span.end ?? '9999-12-31');
        if (overlaps) problems.push(problem(span.path, `overlaps ${other.label} (${other.start} to ${other.end ?? 'open end'})`));
      }
    });
  }
}
