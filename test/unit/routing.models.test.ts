import { describe, expect, it } from 'vitest';
import { findTechnician, routeSender } from '../../src/contracts/routing.models.ts';
import type { ContractsConfig, PlanConfig } from '../../src/contracts/contracts.types.ts';

function plan(key: string, title: string): PlanConfig {
  return {
    key,
    title,
    fee: null,
    term: { kind: 'none' },
    calendar: 'office',
    faultCalendar: 'office',
    queuePriority: 0,
    defaultPriority: 'P3',
    sla: { response: null, intervention: null, resolution: null, warnAt: 0.75, byPriority: {} },
    timeBank: null,
    billing: {
      currency: 'SEK',
      incrementMs: 900_000,
      minimumMs: 0,
      onsiteMinimumMs: 0,
      freePerTicketMs: 0,
      ratesMinor: { default: 135_000 },
      outOfHours: null,
      quoteAboveMs: null,
    },
    reports: null,
    inspections: null,
  };
}

const config: ContractsConfig = {
  provider: {
    name: 'Trinax',
    timezone: 'Europe/Stockholm',
    locale: 'sv',
    addresses: ['support@trinax.example'],
    managers: ['boss@trinax.example'],
    technicians: [
      { email: 'tom@trinax.example', name: 'Tom Tekniker', role: 'technician', locale: 'sv' },
      { email: 'ingrid@trinax.example', name: null, role: 'engineer', locale: null },
    ],
    ackLimitPerHour: 5,
    reopenWindowMs: 14 * 86_400_000,
    backlog: { ackMaxAgeMs: 86_400_000, digestFrom: 5 },
  },
  calendars: {
    office: { name: 'office', timezone: 'Europe/Stockholm', holidays: null, closedDates: [], weekly: { 1: [{ startMinute: 480, endMinute: 1020 }] } },
  },
  plans: { alert: plan('alert', 'Alert!'), attend: plan('attend', 'Attend!'), none: plan('none', 'No contract') },
  defaultPlan: 'none',
  customers: [
    {
      name: 'Acme AB',
      domains: ['acme.se'],
      locale: 'sv',
      timezone: 'Europe/Stockholm',
      contacts: [
        { email: 'eva@acme.se', name: 'Eva Svensson', superuser: true },
        // an outside consultant: Acme's contact, but her domain is another customer's
        { email: 'kari@consult.no', name: 'Kari', superuser: false },
      ],
      managers: [],
      contract: { plan: 'alert', start: '2026-01-01', end: '2027-01-01', accountManager: 'boss@trinax.example' },
      history: [{ plan: 'attend', start: '2025-01-01', end: '2026-01-01', accountManager: null }],
    },
    {
      name: 'Consult Partners',
      domains: ['consult.no'],
      locale: 'nb',
      timezone: 'Europe/Oslo',
      contacts: [],
      managers: [],
      contract: { plan: 'attend', start: '2026-03-01', end: null, accountManager: null },
      history: [],
    },
    {
      name: 'Lapsed BV',
      domains: ['lapsed.nl'],
      locale: 'nl',
      timezone: 'Europe/Amsterdam',
      contacts: [],
      managers: [],
      contract: null,
      history: [],
    },
  ],
};

/** Midday UTC: the same calendar date in every European zone. */
function midday(date: string): Date {
  return new Date(`${date}T12:00:00Z`);
}

describe('routeSender', () => {
  it('matches an exact contact address, ignoring display name, case and plus tag', () => {
    const route = routeSender(config, 'EVA SVENSSON <Eva+printer@ACME.se>', midday('2026-03-04'));
    expect(route.matchedBy).toBe('contact');
    expect(route.customer?.name).toBe('Acme AB');
    expect(route.contact?.email).toBe('eva@acme.se');
    expect(route.planKey).toBe('alert');
    expect(route.contract?.plan).toBe('alert');
  });

  it('falls back to the customer domain for other senders of that domain', () => {
    const route = routeSender(config, 'Nils <nils@acme.se>', midday('2026-03-04'));
    expect(route).toMatchObject({ matchedBy: 'domain', contact: null, planKey: 'alert' });
    expect(route.customer?.name).toBe('Acme AB');
  });

  it('prefers a contact over the domain of another customer', () => {
    const route = routeSender(config, 'kari@consult.no', midday('2026-03-04'));
    expect(route.customer?.name).toBe('Acme AB');
    expect(route.matchedBy).toBe('contact');
  });

  it('does not match subdomains: they are listed explicitly or not at all', () => {
    const route = routeSender(config, 'ops@it.acme.se', midday('2026-03-04'));
    expect(route).toEqual({ customer: null, contact: null, planKey: 'none', contract: null, matchedBy: 'default', planFrom: 'default' });
  });

  it('serves unknown senders on the default plan', () => {
    expect(routeSender(config, 'someone@elsewhere.example', midday('2026-03-04'))).toEqual({
      customer: null,
      contact: null,
      planKey: 'none',
      contract: null,
      matchedBy: 'default',
      planFrom: 'default',
    });
  });

  it('does not apply a contract before its start day', () => {
    const route = routeSender(config, 'anna@consult.no', midday('2026-02-28'));
    expect(route.customer?.name).toBe('Consult Partners');
    expect(route).toMatchObject({ planKey: 'none', contract: null, matchedBy: 'domain' });
  });

  it('applies a contract from its start day on', () => {
    expect(routeSender(config, 'anna@consult.no', midday('2026-03-01')).planKey).toBe('attend');
  });

  it('treats the end day as exclusive', () => {
    expect(routeSender(config, 'eva@acme.se', midday('2026-12-31')).planKey).toBe('alert');
    const route = routeSender(config, 'eva@acme.se', midday('2027-01-01'));
    expect(route).toMatchObject({ planKey: 'none', contract: null, matchedBy: 'contact' });
    expect(route.customer?.name).toBe('Acme AB');
  });

  it('finds an earlier contract from the history for an earlier day', () => {
    const route = routeSender(config, 'eva@acme.se', midday('2025-06-15'));
    expect(route.planKey).toBe('attend');
    expect(route.contract).toEqual({ plan: 'attend', start: '2025-01-01', end: '2026-01-01', accountManager: null });
  });

  it('serves a customer without any contract on the default plan', () => {
    const route = routeSender(config, 'jan@lapsed.nl', midday('2026-03-04'));
    expect(route.customer?.name).toBe('Lapsed BV');
    expect(route).toMatchObject({ planKey: 'none', contract: null, matchedBy: 'domain' });
  });

  it('routes text that is no address to the default plan', () => {
    expect(routeSender(config, 'undisclosed-recipients', midday('2026-03-04')).matchedBy).toBe('default');
  });

  it('refuses an instant that is not a valid date', () => {
    expect(() => routeSender(config, 'eva@acme.se', new Date('4.3.2026 nonsense'))).toThrow(expect.objectContaining({ code: 'usage.invalid' }));
  });
});

describe('routeSender by the provider\'s local date', () => {
  const oslo: ContractsConfig = { ...config, provider: { ...config.provider, timezone: 'Europe/Oslo' } };

  it('routes a mail at 00:30 Oslo time on a contract\'s first day to that contract (still the day before in UTC)', () => {
    // Consult Partners' contract starts 2026-03-01; 00:30 in Oslo (UTC+1 in winter) is 23:30 UTC on 28 February.
    const route = routeSender(oslo, 'anna@consult.no', new Date('2026-02-28T23:30:00Z'));
    expect(route).toMatchObject({ planKey: 'attend', matchedBy: 'domain' });
    expect(route.contract?.start).toBe('2026-03-01');
  });

  it('does not route a mail at 23:30 Oslo time on the day before the start to the contract', () => {
    expect(routeSender(oslo, 'anna@consult.no', new Date('2026-02-28T22:30:00Z')).planKey).toBe('none');
  });

  it('still routes a mail at 23:30 Oslo time on a contract\'s last day to that contract', () => {
    // Acme's contract ends 2027-01-01 (exclusive): 2026-12-31 is its last day.
    expect(routeSender(oslo, 'eva@acme.se', new Date('2026-12-31T22:30:00Z')).planKey).toBe('alert');
  });

  it('does not route a mail of the day after the last day to the contract, although it is the last day in UTC', () => {
    // 00:30 on 1 January in Oslo is 23:30 UTC on 31 December.
    const route = routeSender(oslo, 'eva@acme.se', new Date('2026-12-31T23:30:00Z'));
    expect(route).toMatchObject({ planKey: 'none', contract: null, matchedBy: 'contact' });
  });

  it('uses the zone\'s summer time too', () => {
    // A contract that ends 2026-07-01: 00:30 on 1 July in Oslo (UTC+2) is 22:30 UTC on 30 June.
    const summer: ContractsConfig = {
      ...oslo,
      customers: oslo.customers.map((customer) =>
        customer.name === 'Lapsed BV' ? { ...customer, contract: { plan: 'attend', start: '2026-01-01', end: '2026-07-01', accountManager: null } } : customer,
      ),
    };
    expect(routeSender(summer, 'jan@lapsed.nl', new Date('2026-06-30T21:30:00Z')).planKey).toBe('attend');
    expect(routeSender(summer, 'jan@lapsed.nl', new Date('2026-06-30T22:30:00Z')).planKey).toBe('none');
  });
});

describe('findTechnician', () => {
  it('finds a technician by address, ignoring display name, case and plus tag', () => {
    expect(findTechnician(config, 'Tom <TOM+ticket@trinax.example>')?.name).toBe('Tom Tekniker');
  });

  it('returns null for customers and look-alike domains', () => {
    expect(findTechnician(config, 'eva@acme.se')).toBeNull();
    expect(findTechnician(config, 'tom@trinax.example.evil')).toBeNull();
  });
});

describe('providerDateAt', () => {
  it('gives the provider-local date of every hour across a year and its DST changes, as luxon does', async () => {
    const { DateTime } = await import('luxon');
    const { providerDateAt } = await import('../../src/contracts/routing.models.ts');
    for (const timezone of ['Europe/Oslo', 'Europe/Amsterdam', 'America/Santiago', 'Pacific/Kiritimati']) {
      const config = { provider: { timezone } } as Parameters<typeof providerDateAt>[0];
      for (let at = Date.UTC(2026, 0, 1); at < Date.UTC(2027, 0, 1); at += 3_600_000 + 61_000) {
        expect(providerDateAt(config, new Date(at))).toBe(DateTime.fromMillis(at, { zone: timezone }).toISODate());
      }
    }
  });
});
