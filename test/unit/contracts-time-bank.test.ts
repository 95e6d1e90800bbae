// The contracts file's time-bank and prepaid-lot fields (docs/CONTRACTS.md, "Time bank").
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateContracts } from '../../src/contracts/contracts.models.ts';

const example = readFileSync(new URL('../../examples/brodrene-johnsen.yaml', import.meta.url), 'utf8');

describe('time bank and prepaid lots in the contracts file', () => {
  it('reads Brødrene Johnsen alt 2: a term bank, 15-minute lots valid 12 months, the customer lots with their ids', () => {
    const result = validateContracts(example);
    if (!result.ok) throw new Error(result.problems.join('\n'));
    const plan = result.config.plans.alt2!;
    expect(plan.timeBank).toEqual({ amountMs: 36_000_000, per: 'term', rollover: false, anchor: 'calendar', kinds: null });
    expect(plan.prepaidLots).toEqual({ stepMs: 900_000, validMonths: 12 });
    const nordic = result.config.customers.find((customer) => customer.name === 'Nordic CNC AS')!;
    expect(nordic.contract?.prepaidLots).toEqual([
      { id: '2026-01-10', bought: '2026-01-10', amountMs: 18_000_000, expires: null },
      { id: 'po-4711', bought: '2026-03-01', amountMs: 9_000_000, expires: '2026-12-31' },
    ]);
    expect(result.config.plans.alt1!.prepaidLots).toEqual({ stepMs: 900_000, validMonths: 12 });
  });

  it('reads a capped rollover, a contract anchor and the kinds that draw', () => {
    const text = example.replace(
      'rates: { default: 0 }                     # "Fri" (free) for the whole term',
      'rates: { default: 0 }\n    timeBank: { amount: 15h, per: quarter, anchor: contract, rollover: 5h, kinds: [incident] }',
    );
    const result = validateContracts(text);
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.config.plans.alt1!.timeBank).toEqual({ amountMs: 54_000_000, per: 'quarter', anchor: 'contract', rollover: { capMs: 18_000_000 }, kinds: ['incident'] });
  });

  it('lists every problem of the new fields by path', () => {
    const text = example
      .replace('timeBank: { amount: 10h, per: term }', 'timeBank: { amount: 10h, per: term, rollover: 2h, anchor: week, kinds: [bug] }')
      .replace('amount: 2h30m, expires: 2026-12-31', 'amount: 2h20m, expires: 2026-01-01')
      .replace('- { bought: 2026-01-10, amount: 5h }', '- { id: po-4711, bought: 2026-01-10, amount: 5h, price: 10 }');
    const result = validateContracts(text);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems).toEqual([
      'plans.alt2.timeBank.anchor: "week" is not one of calendar, contract',
      'plans.alt2.timeBank.kinds[0]: "bug" is not one of incident, request',
      'plans.alt2.timeBank.rollover: a bank per term has no next period to roll over into (write rollover: false or leave it out)',
      'customers[1].contract.prepaidLots[0].price: unknown key',
      'customers[1].contract.prepaidLots[1].amount: prepaid time is bought in steps of 15m (plans.alt2.prepaidLots.step)',
      'customers[1].contract.prepaidLots[1].expires: 2026-01-01 is not after bought 2026-03-01',
      'customers[1].contract.prepaidLots[1].id: po-4711 already names prepaidLots[0]',
    ]);
  });

  it('refuses a rollover that is neither true, false nor an amount of time', () => {
    const result = validateContracts(example.replace('timeBank: { amount: 10h, per: term }', 'timeBank: { amount: 10h, per: term, rollover: yes please }'));
    expect(result.ok ? [] : result.problems).toEqual([
      'plans.alt2.timeBank.rollover: "yes please" is not false, true or an amount of time (use 15m, 1h, 1h30m, 1.5h, 30s)',
    ]);
  });
});
