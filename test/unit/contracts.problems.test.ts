import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { didYouMean, formatPath, parseNamedSection, parseSection } from '../../src/contracts/contracts.problems.ts';

describe('formatPath', () => {
  it('writes a path as the user would point at it', () => {
    expect(formatPath(['customers', 2, 'contract', 'plan'])).toBe('customers[2].contract.plan');
    expect(formatPath(['plans', 'gold', 'billing', 'rates', 'bad role'])).toBe('plans.gold.billing.rates["bad role"]');
    expect(formatPath([])).toBe('(file)');
  });
});

describe('didYouMean', () => {
  it('suggests a known key one or two edits away, and nothing for a word far from every key', () => {
    expect(didYouMean('reponse')).toBe(' (did you mean "response"?)');
    expect(didYouMean('colour')).toBe('');
  });
});

describe('parseSection', () => {
  const schema = z.strictObject({ name: z.string(), count: z.number().int() });

  it('lists every problem with the base path and salvages the fields that parse', () => {
    const problems: string[] = [];
    const section = parseSection(schema, { name: 'x', count: 1.5, extra: true }, ['things', 0], problems);
    expect(problems).toEqual(['things[0].count: expected a whole number, got 1.5', 'things[0].extra: unknown key']);
    expect(section).toEqual({ data: undefined, partial: { name: 'x' } });
  });
});

describe('parseNamedSection', () => {
  it('refuses names that cannot be referenced and parses each entry alone', () => {
    const problems: string[] = [];
    const { names, entries } = parseNamedSection({ plans: { gold: { name: 'g', count: 1 }, _x: { name: 'x', count: 2 } } }, 'plans', z.strictObject({ name: z.string(), count: z.number() }), problems);
    expect(names).toEqual(['gold', '_x']);
    expect(problems).toEqual(['plans._x: a name is letters, digits and - _ . (starting with a letter or digit)']);
    expect(entries.get('gold')?.data).toEqual({ name: 'g', count: 1 });
  });
});
