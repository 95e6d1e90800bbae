// Extension `term: { months: N, renews: true }` (Trinax's 12-month term that renews): the contract
// stays in force after its first term unless an `end` is given, and a bank per term restarts
// with each renewal.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseContractsYaml, validateContracts } from '../../src/contracts/contracts.models.ts';
import { routeSender } from '../../src/contracts/routing.models.ts';
import { ledgerSetupOf } from '../../src/tickets/time-bank-terms.models.ts';

const trinax = readFileSync(new URL('../../examples/trinax.yaml', import.meta.url), 'utf8');

describe('a term that renews', () => {
  it("keeps Trinax's 12-month contract in force after its first year", () => {
    const config = parseContractsYaml(trinax, 'trinax.yaml');
    expect(config.plans.alert!.term).toEqual({ kind: 'months', months: 12, renews: true });
    const acme = config.customers.find((c) => c.name === 'Acme AB')!;
    expect(acme.contract).toMatchObject({ start: '2026-01-01', end: null });
    expect(routeSender(config, 'eva@acme.se', new Date('2027-03-01T10:00:00Z')).planKey).toBe('alert');
  });

  it('ends where the contract gives an end (notice given)', () => {
    const config = parseContractsYaml(trinax.replace('      start: 2026-01-01', '      start: 2026-01-01\n      end: 2027-01-01'), 'trinax.yaml');
    expect(config.customers.find((c) => c.name === 'Acme AB')!.contract!.end).toBe('2027-01-01');
    expect(routeSender(config, 'eva@acme.se', new Date('2027-03-01T10:00:00Z')).planKey).toBe(config.defaultPlan);
  });

  it('restarts a bank per term with each renewal: the ledger counts contract-anchored years', () => {
    const text = trinax.replace('timeBank: { amount: 15h, per: quarter, anchor: calendar, rollover: false }', 'timeBank: { amount: 40h, per: term }');
    const config = parseContractsYaml(text, 'trinax.yaml');
    const acme = config.customers.find((c) => c.name === 'Acme AB')!;
    const setup = ledgerSetupOf(config.plans.alert!, acme.contract!, 'Europe/Stockholm');
    expect(setup?.terms.bank).toMatchObject({ allowanceMinutes: 2400, per: 'year', anchor: 'contract' });
  });

  it('refuses a bank per term on a renewing term the ledger cannot count, and a renews that is not true or false', () => {
    const sixMonths = trinax.replace(/term: \{ months: 12, renews: true \}([^\n]*\n(?:[^\n]*\n){0,12}?\s+timeBank: )\{ amount: 15h, per: quarter, anchor: calendar, rollover: false \}/, 'term: { months: 6, renews: true }$1{ amount: 15h, per: term }');
    expect(sixMonths).not.toBe(trinax);
    const refused = validateContracts(sixMonths);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.problems.join('\n')).toMatch(/timeBank\.per: a bank per term of a 6-month term that renews is not supported/);
    const badRenews = validateContracts(trinax.replace('term: { months: 12, renews: true }', 'term: { months: 12, renews: yes please }'));
    expect(!badRenews.ok && badRenews.problems.join('\n')).toMatch(/renews: "yes please" is not true or false/);
  });
});
