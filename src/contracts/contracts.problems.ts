// Problems of a contracts file as the user reads them: `path: message`, with the user's own path
// (`customers[2].contract.plan`). Translates zod issues into such lines, with a "did you mean"
// for unknown keys, and parses sections so that a section that fails still yields the parts that
// parse on their own (the cross-reference checks run on those).
import { z } from '../shared/vendor/zod.ts';
import { isPlainObject } from '../shared/objects.ts';
import { KNOWN_KEYS } from './contracts.schema.ts';
import { NAME_PATTERN, describeValue } from './contracts.values.ts';

export type Path = readonly (string | number)[];

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

export function problem(path: Path, message: string): string {
  return `${formatPath(path)}: ${message}`;
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

export function didYouMean(key: string): string {
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
export type Salvaged<T> = T extends readonly (infer U)[]
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

export interface Section<T> {
  /** the parsed section when it has no problem at all */
  data: T | undefined;
  /** what could be parsed, for the cross-reference checks */
  partial: Salvaged<T> | undefined;
}

export function parseSection<S extends z.ZodType>(schema: S, value: unknown, path: Path, problems: string[]): Section<z.output<S>> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return { data: result.data, partial: result.data as Salvaged<z.output<S>> };
  for (const issue of result.error.issues) problems.push(...issueProblems(issue, path));
  return { data: undefined, partial: salvage(schema, value) as Salvaged<z.output<S>> | undefined };
}


export function unknownName(kind: string, name: string, known: readonly string[]): string {
  return `unknown ${kind} ${JSON.stringify(name)} (${kind === 'calendar' ? 'calendars' : 'plans'}: ${known.length ? known.join(', ') : 'none'})`;
}

/** A mapping section (`calendars`, `plans`): each entry parsed alone, every key kept. */
export function parseNamedSection<T>(
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
