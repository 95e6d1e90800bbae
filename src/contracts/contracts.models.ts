// Validation of a contracts file (docs/CONTRACTS.md): YAML text in, ContractsConfig or the full
// list of problems out, each as `path: message` with the user's own path. Pure: no I/O.
//
// The file is parsed section by section (provider, each calendar, each plan, each customer)
// so that the cross-reference checks still run on the parts that are fine: one typo must not
// hide the other twelve problems of the file.
import { parseDocument, visit, type YAMLError } from 'yaml';
import { z } from 'zod';
import { HelpdeskError } from '../shared/errors.ts';
import {
  KNOWN_KEYS,
  NAME_PATTERN,
  ROLE_PATTERN,
  calendarSchema,
  customerSchema,
  deriveContractEnd,
  describeValue,
  normalizeContracts,
  planSchema,
  providerSchema,
  type RawContract,
  type RawCustomer,
  type RawPlan,
  type RawProvider,
} from './contracts.schema.ts';
import type { ContractsConfig } from './contracts.types.ts';

export type ContractsValidation = { ok: true; config: ContractsConfig } | { ok: false; problems: string[] };

type Path = readonly (string | number)[];

const TOP_LEVEL_KEYS = ['provider', 'calendars', 'plans', 'defaultPlan', 'customers'] as const;

/** `['customers', 2, 'contract', 'plan']` → `customers[2].contract.plan`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z0-9_-]+$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out === '' ? '(file)' : out;
}

function problem(path: Path, message: string): string {
  return `${formatPath(path)}: ${message}`;
}

// --- YAML --------------------------------------------------------------------------------------

function yamlProblem(error: YAMLError): string {
  const firstLine = error.message.split('\n')[0] ?? error.message;
  const message = firstLine.replace(/ at line \d+, column \d+:?$/, '');
  const position = error.linePos?.[0];
  return position ? `line ${position.line}, column ${position.col}: ${message}` : `(file): ${message}`;
}

/**
 * True when a YAML number reads back as the decimal the user wrote. Money must be exact, so a
 * literal that a double cannot hold (1350.5000000000001) is handed on as its text and the
 * money parser rejects it instead of silently rounding it.
 */
function survivesAsNumber(source: string, value: number): boolean {
  const match = /^([-+]?)(\d+)(?:\.(\d*))?$/.exec(source.trim());
  if (!match) return true; // exponents, hex, .inf: not decimals anyone writes for money
  const whole = (match[2] ?? '').replace(/^0+(?=\d)/, '');
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  const canonical = `${match[1] === '-' ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
  return canonical === String(value) || (canonical === '-0' && value === 0);
}

// --- zod issues → problems -------------------------------------------------------------------

const EXPECTED: Record<string, string> = {
  string: 'a text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  array: 'a list',
};

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j] ?? 0;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}

function didYouMean(key: string): string {
  let best: { key: string; distance: number } | null = null;
  for (const known of KNOWN_KEYS) {
    const distance = editDistance(key, known);
    if (distance > 0 && distance <= 2 && distance < known.length / 2 && (!best || distance < best.distance)) best = { key: known, distance };
  }
  return best ? ` (did you mean "${best.key}"?)` : '';
}

function issueProblems(issue: z.core.$ZodIssue, base: Path): string[] {
  const path = [...base, ...issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment))];
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => problem([...path, key], `unknown key${didYouMean(key)}`));
    case 'invalid_type':
      if (issue.input === undefined) return [problem(path, 'required')];
      return [problem(path, `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeValue(issue.input)}`)];
    case 'invalid_value':
      return [problem(path, `${describeValue(issue.input)} is not one of ${issue.values.map(String).join(', ')}`)];
    case 'too_small':
      if (issue.origin === 'array') {
        return [problem(path, Number(issue.minimum) === 1 ? 'must list at least one entry' : `must list at least ${issue.minimum} entries`)];
      }
      return [problem(path, `${describeValue(issue.input)} is below the minimum of ${issue.minimum}`)];
    case 'too_big':
      return [problem(path, `${describeValue(issue.input)} is above the maximum of ${issue.maximum}`)];
    default:
      return [problem(path, issue.message)];
  }
}

/** Deep-partial view of a section that failed: the parts that parse on their own. */
type Salvaged<T> = T extends readonly (infer U)[]
  ? (Salvaged<U> | undefined)[]
  : T extends object
    ? { [K in keyof T]?: Salvaged<T[K]> }
    : T;

/**
 * Best-effort output of a schema for a value that fails as a whole: every field, element and
 * entry that parses on its own. The cross-reference checks run on this, so a bad amount in a
 * plan does not hide that the same plan names an unknown calendar.
 */
function salvage(schema: z.ZodType, value: unknown): unknown {
  const whole = schema.safeParse(value);
  if (whole.success) return whole.data;
  let inner: z.ZodType = schema;
  while (inner instanceof z.ZodOptional || inner instanceof z.ZodNullable || inner instanceof z.ZodDefault) {
    inner = inner.unwrap() as z.ZodType;
  }
  if (inner instanceof z.ZodObject && isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
      const part = salvage(field, value[key]);
      if (part !== undefined) out[key] = part;
    }
    return out;
  }
  if (inner instanceof z.ZodArray && Array.isArray(value)) {
    const element = inner.element as z.ZodType;
    return value.map((item) => salvage(element, item));
  }
  if (inner instanceof z.ZodRecord && isPlainObject(value)) {
    const entry = inner.valueType as z.ZodType;
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, salvage(entry, item)]));
  }
  return undefined;
}

interface Section<T> {
  /** the parsed section when it has no problem at all */
  data: T | undefined;
  /** what could be parsed, for the cross-reference checks */
  partial: Salvaged<T> | undefined;
}

function parseSection<S extends z.ZodType>(schema: S, value: unknown, path: Path, problems: string[]): Section<z.output<S>> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return { data: result.data, partial: result.data as Salvaged<z.output<S>> };
  for (const issue of result.error.issues) problems.push(...issueProblems(issue, path));
  return { data: undefined, partial: salvage(schema, value) as Salvaged<z.output<S>> | undefined };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unknownName(kind: string, name: string, known: readonly string[]): string {
  return `unknown ${kind} ${JSON.stringify(name)} (${kind === 'calendar' ? 'calendars' : 'plans'}: ${known.length ? known.join(', ') : 'none'})`;
}

/** A mapping section (`calendars`, `plans`): each entry parsed alone, every key kept. */
function parseNamedSection<T>(
  data: Record<string, unknown>,
  section: 'calendars' | 'plans',
  schema: z.ZodType<T>,
  problems: string[],
): { names: string[]; entries: Map<string, Section<T>> } {
  const value = data[section];
  const entries = new Map<string, Section<T>>();
  if (value === undefined || value === null) {
    problems.push(problem([section], 'required'));
    return { names: [], entries };
  }
  if (!isPlainObject(value)) {
    problems.push(problem([section], `expected a mapping of names to ${section}, got ${describeValue(value)}`));
    return { names: [], entries };
  }
  const names = Object.keys(value);
  if (names.length === 0) problems.push(problem([section], `define at least one ${section === 'plans' ? 'plan' : 'calendar'}`));
  for (const name of names) {
    if (!NAME_PATTERN.test(name)) {
      problems.push(problem([section, name], 'a name is letters, digits and - _ . (starting with a letter or digit)'));
    }
    entries.set(name, parseSection(schema, value[name], [section, name], problems));
  }
  return { names, entries };
}

// --- cross-reference checks (on salvaged sections: any field may be missing) --------------------

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

function localPart(address: string): string {
  return address.split('@')[0] ?? '';
}

function checkProvider(provider: PartialProvider, problems: string[]): void {
  const addresses = new Set<string>();
  provider.addresses?.forEach((address, index) => {
    if (address === undefined) return;
    if (addresses.has(address)) {
      problems.push(problem(['provider', 'addresses', index], `${address} is listed twice`));
      return;
    }
    addresses.add(address);
    if (localPart(address).includes('+')) {
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

function checkCalendar(name: string, raw: unknown, problems: string[]): void {
  if (written(raw, 'holidayTypes') && !written(raw, 'holidays')) {
    problems.push(problem(['calendars', name, 'holidayTypes'], 'has no effect without holidays (give e.g. holidays: SE)'));
  }
}

function checkPlan(key: string, plan: PartialPlan, raw: unknown, calendarNames: string[], problems: string[]): void {
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
  }
}

function checkDefaultPlan(key: string, plan: PartialPlan, problems: string[]): void {
  const why = 'the defaultPlan serves senders without a contract';
  if (plan.fee) problems.push(problem(['plans', key, 'fee'], `${why}, so it has no fee`));
  if (plan.term) problems.push(problem(['plans', key, 'term'], `${why}, so it has no term`));
  if (plan.timeBank) problems.push(problem(['plans', key, 'timeBank'], `${why}, so it has no time bank`));
}

interface CustomerContext {
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
}

function checkCustomers(
  customers: Map<number, { partial: PartialCustomer | undefined; raw: unknown }>,
  context: CustomerContext,
  problems: string[],
): void {
  const names = new Map<string, number>();
  const domains = new Map<string, number>();
  const contacts = new Map<string, number>();
  const provider = context.provider;
  const providerAddresses = (provider?.addresses ?? []).filter((address): address is string => address !== undefined);
  const ownAddresses = new Set([
    ...providerAddresses,
    ...(technicianAddresses(provider) ?? []),
    ...(provider?.managers ?? []).filter((address): address is string => address !== undefined),
  ]);
  const ownDomains = new Set(providerAddresses.map((address) => address.split('@')[1] ?? ''));
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
      if (localPart(address).includes('+')) {
        problems.push(problem(path, `${address} has a +tag; senders are matched without it, so write ${address.replace(/\+[^@]*/, '')}`));
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

// --- entry points ----------------------------------------------------------------------------

/** Validates a contracts file's text; lists every problem, each as `path: message`. */
export function validateContracts(text: string): ContractsValidation {
  const problems: string[] = [];
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  for (const error of [...doc.errors, ...doc.warnings]) problems.push(yamlProblem(error));
  if (problems.length > 0) return { ok: false, problems };

  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'number' && node.type === 'PLAIN' && node.source && !survivesAsNumber(node.source, node.value)) {
        node.value = node.source;
      }
    },
  });
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // toJS throws only for alias bombs (ReferenceError: excessive alias count)
    return { ok: false, problems: [problem([], error instanceof Error ? error.message : String(error))] };
  }
  if (data === null || data === undefined) {
    return { ok: false, problems: [problem([], `the file is empty (expected ${TOP_LEVEL_KEYS.join(', ')})`)] };
  }
  if (!isPlainObject(data)) {
    return { ok: false, problems: [problem([], `expected a mapping with ${TOP_LEVEL_KEYS.join(', ')}, got ${describeValue(data)}`)] };
  }
  for (const key of Object.keys(data)) {
    if (!(TOP_LEVEL_KEYS as readonly string[]).includes(key)) problems.push(problem([key], `unknown key${didYouMean(key)}`));
  }

  let provider: Section<RawProvider> = { data: undefined, partial: undefined };
  if (data.provider === undefined || data.provider === null) problems.push(problem(['provider'], 'required'));
  else provider = parseSection(providerSchema, data.provider, ['provider'], problems);
  if (provider.partial) checkProvider(provider.partial, problems);

  const calendars = parseNamedSection(data, 'calendars', calendarSchema, problems);
  for (const name of calendars.entries.keys()) checkCalendar(name, rawEntry(data, 'calendars', name), problems);

  const plans = parseNamedSection(data, 'plans', planSchema, problems);
  for (const [key, plan] of plans.entries) if (plan.partial) checkPlan(key, plan.partial, rawEntry(data, 'plans', key), calendars.names, problems);

  const defaultPlan = data.defaultPlan;
  if (defaultPlan === undefined || defaultPlan === null) {
    problems.push(problem(['defaultPlan'], 'required (the plan for senders without a contract)'));
  } else if (typeof defaultPlan !== 'string') {
    problems.push(problem(['defaultPlan'], `expected the name of a plan, got ${describeValue(defaultPlan)}`));
  } else if (!plans.names.includes(defaultPlan)) {
    problems.push(problem(['defaultPlan'], unknownName('plan', defaultPlan, plans.names)));
  } else {
    const plan = plans.entries.get(defaultPlan)?.partial;
    if (plan) checkDefaultPlan(defaultPlan, plan, problems);
  }

  const customers = new Map<number, Section<RawCustomer>>();
  if (data.customers !== undefined && data.customers !== null && !Array.isArray(data.customers)) {
    problems.push(problem(['customers'], `expected a list of customers, got ${describeValue(data.customers)}`));
  } else {
    const list: unknown[] = Array.isArray(data.customers) ? data.customers : [];
    list.forEach((value, index) => customers.set(index, parseSection(customerSchema, value, ['customers', index], problems)));
  }
  const rawCustomers: unknown[] = Array.isArray(data.customers) ? data.customers : [];
  checkCustomers(
    new Map([...customers].map(([index, customer]) => [index, { partial: customer.partial, raw: rawCustomers[index] }])),
    {
      provider: provider.partial,
      planNames: plans.names,
      plans: new Map([...plans.entries].map(([key, plan]) => [key, plan.partial])),
    },
    problems,
  );

  if (problems.length > 0 || !provider.data || typeof defaultPlan !== 'string') return { ok: false, problems };
  return {
    ok: true,
    config: normalizeContracts({
      provider: provider.data,
      calendars: completeEntries(calendars.entries),
      plans: completeEntries(plans.entries),
      defaultPlan,
      customers: [...customers.values()].flatMap((customer) => (customer.data ? [customer.data] : [])),
    }),
  };
}

function rawEntry(data: Record<string, unknown>, section: string, key: string): unknown {
  const value = data[section];
  return isPlainObject(value) ? value[key] : undefined;
}

function completeEntries<T>(entries: Map<string, Section<T>>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [key, entry] of entries) if (entry.data !== undefined) out[key] = entry.data;
  return out;
}

/** Parses a contracts file's text or throws HelpdeskError('contract.invalid_file') with every problem in `details`. */
export function parseContractsYaml(text: string, sourceName: string): ContractsConfig {
  const result = validateContracts(text);
  if (result.ok) return result.config;
  const count = result.problems.length;
  throw new HelpdeskError('contract.invalid_file', `${sourceName}: ${count} ${count === 1 ? 'problem' : 'problems'}`, {
    details: result.problems,
  });
}
