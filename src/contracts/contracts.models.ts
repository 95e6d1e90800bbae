// Validation of a contracts file (docs/CONTRACTS.md): YAML text in, ContractsConfig or the full
// list of problems out, each as `path: message` with the user's own path. Pure: no I/O.
//
// The file is parsed section by section (provider, each calendar, each plan, each customer)
// so that the cross-reference checks (contracts.checks.ts) still run on the parts that are fine:
// one typo must not hide the other twelve problems of the file.
import { parseDocument, visit, type YAMLError } from '../shared/vendor/yaml.ts';
import { HelpdeskError } from '../shared/errors.ts';
import { isPlainObject } from '../shared/objects.ts';
import { checkCalendar, checkCustomers, checkDefaultPlan, checkPlan, checkProvider, checkServiceAddressPlans } from './contracts.checks.ts';
import { normalizeContracts } from './contracts.normalize.ts';
import { didYouMean, parseNamedSection, parseSection, problem, unknownName, type Section } from './contracts.problems.ts';
import { calendarSchema, customerSchema, planSchema, providerSchema, type RawCustomer, type RawProvider } from './contracts.schema.ts';
import { describeValue } from './contracts.values.ts';
import type { ContractsConfig } from './contracts.types.ts';

export type ContractsValidation = { ok: true; config: ContractsConfig } | { ok: false; problems: string[] };

const TOP_LEVEL_KEYS = ['provider', 'calendars', 'plans', 'defaultPlan', 'customers'] as const;

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

  checkServiceAddressPlans(data.provider, plans.names, defaultPlan, problems);

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
