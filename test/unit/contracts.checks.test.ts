import { describe, expect, it } from 'vitest';
import { checkCustomers, checkProvider, checkServiceAddressPlans } from '../../src/contracts/contracts.checks.ts';

describe('checkProvider', () => {
  it('refuses any + in a service address, where the bot puts its reply tokens', () => {
    const problems: string[] = [];
    checkProvider({ addresses: [{ address: 'support+x@trinax.example' }, { address: '+support@trinax.example' }, { address: 'support@trinax.example' }] }, problems);
    expect(problems).toEqual([
      'provider.addresses[0]: support+x@trinax.example has a +tag; the bot adds its own (support+<ticket>.<token>@…)',
      'provider.addresses[1]: +support@trinax.example has a +tag; the bot adds its own (support+<ticket>.<token>@…)',
    ]);
  });

  it('refuses a technician or manager who is a service address, on what could be parsed', () => {
    const problems: string[] = [];
    checkProvider({ addresses: [{ address: 'support@trinax.example' }], technicians: [{ email: 'support@trinax.example' }, undefined], managers: [undefined, 'support@trinax.example'] }, problems);
    expect(problems).toEqual([
      'provider.technicians[0].email: support@trinax.example is a service address; a technician needs an address of their own',
      'provider.managers[1]: support@trinax.example is a service address (reports to it would loop)',
    ]);
  });
});

describe('checkServiceAddressPlans', () => {
  it('refuses a service address naming an unknown plan or the default plan, with the plans of the file', () => {
    const problems: string[] = [];
    checkServiceAddressPlans(
      { addresses: [{ address: 'support@mystore.example' }, { address: 'serviceteam@mystore.example', plan: 'servcie' }, { address: 'x@mystore.example', plan: 'none' }, { address: 'y@mystore.example', plan: 'service' }] },
      ['none', 'support', 'service'],
      'none',
      problems,
    );
    expect(problems).toEqual([
      'provider.addresses[1].plan: unknown plan "servcie" (plans: none, support, service)',
      'provider.addresses[2].plan: "none" is the default plan; a service address names a plan for customers with a contract',
    ]);
  });
});

describe('checkCustomers', () => {
  it('suggests the address without its tag for a tagged contact, and refuses the provider\'s own domain', () => {
    const problems: string[] = [];
    checkCustomers(
      new Map([[0, { partial: { name: 'A', domains: ['trinax.example'], contacts: [{ email: 'eva+it@acme.se' }] }, raw: {} }]]),
      { provider: { addresses: [{ address: 'support@trinax.example' }] }, planNames: [], plans: new Map() },
      problems,
    );
    expect(problems).toEqual([
      "customers[0].domains[0]: trinax.example is the provider's own domain",
      'customers[0].contacts[0].email: eva+it@acme.se has a +tag; senders are matched without it, so write eva@acme.se',
    ]);
  });
});
