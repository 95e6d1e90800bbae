import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadContractsFile } from '../../src/contracts/contracts.file.ts';
import { parseContractsYaml, validateContracts } from '../../src/contracts/contracts.models.ts';
import { parseMoneyMinor } from '../../src/contracts/contracts.values.ts';
import type { ContractsConfig } from '../../src/contracts/contracts.types.ts';
import { HelpdeskError } from '../../src/shared/errors.ts';

const EXAMPLES = ['trinax', 'mystore', 'telekompetanse', 'brodrene-johnsen', 'mixvoip'] as const;

function examplePath(name: string): string {
  return fileURLToPath(new URL(`../../examples/${name}.yaml`, import.meta.url));
}

function loadExample(name: (typeof EXAMPLES)[number]): ContractsConfig {
  return parseContractsYaml(readFileSync(examplePath(name), 'utf8'), `examples/${name}.yaml`);
}

function problemsOf(text: string): string[] {
  const result = validateContracts(text);
  if (result.ok) throw new Error('expected the file to be refused');
  return result.problems;
}

function configOf(text: string): ContractsConfig {
  const result = validateContracts(text);
  if (!result.ok) throw new Error(`expected the file to pass:\n${result.problems.join('\n')}`);
  return result.config;
}

/** A small valid file; tests append or replace parts of it. */
const PROVIDER = `provider:
  name: Test
  timezone: Europe/Stockholm
  locale: sv
  addresses: [support@test.example]
  technicians:
    - { email: tech@test.example, role: technician }
`;
const CALENDARS = `calendars:
  office:
    holidays: SE
    hours: { mon-fri: "08:00-17:00" }
`;
const PLANS = `plans:
  none:
    calendar: office
    billing: { currency: SEK, rates: { default: 1000 } }
  gold:
    calendar: office
    fee: { amount: 100, currency: SEK, per: month }
    billing: { rates: { default: 1000 } }
defaultPlan: none
`;
const valid = (customers = 'customers: []\n') => PROVIDER + CALENDARS + PLANS + customers;

describe('the example contracts files', () => {
  it.each(EXAMPLES)('examples/%s.yaml passes validation', (name) => {
    const result = validateContracts(readFileSync(examplePath(name), 'utf8'));
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it('loadContractsFile reads an example from disk', async () => {
    const config = await loadContractsFile(examplePath('trinax'));
    expect(config.provider.name).toBe('Trinax');
  });

  it('trinax.yaml normalizes to the numbers on the Trinax page', () => {
    const config = loadExample('trinax');
    const alert = config.plans.alert;
    expect(alert?.sla.response).toEqual({ kind: 'elapsed', ms: 3_600_000 });
    expect(config.plans.attend?.sla.response).toEqual({ kind: 'elapsed', ms: 28_800_000 });
    expect(config.plans.access?.sla.response).toEqual({ kind: 'elapsed', ms: 57_600_000 });
    expect(alert?.fee).toEqual({ amountMinor: 800_000, currency: 'SEK', per: 'month' });
    // the 12-month term renews (ASSUMPTION in the example): the contract is open-ended
    expect(alert?.term).toEqual({ kind: 'months', months: 12, renews: true });
    expect(alert?.timeBank).toEqual({ amountMs: 54_000_000, per: 'quarter', anchor: 'calendar', rollover: false, kinds: null });
    expect(config.plans.access?.timeBank).toEqual({ amountMs: 14_400_000, per: 'year', anchor: 'calendar', rollover: false, kinds: null });
    expect(alert?.reports).toEqual({ every: 'month' });
    expect(config.plans.attend?.reports).toEqual({ every: 'quarter' });
    expect(config.plans.none?.billing.ratesMinor).toEqual({ default: 135_000 });
    expect(config.plans.none?.fee).toBeNull();
    expect(config.defaultPlan).toBe('none');
    expect(alert?.faultCalendar).toBe('office');
    expect(config.calendars.office).toEqual({
      name: 'office',
      timezone: 'Europe/Stockholm',
      holidays: { region: 'SE', closeTypes: ['public', 'bank'] },
      closedDates: [],
      weekly: {
        1: [{ startMinute: 480, endMinute: 1020 }],
        2: [{ startMinute: 480, endMinute: 1020 }],
        3: [{ startMinute: 480, endMinute: 1020 }],
        4: [{ startMinute: 480, endMinute: 1020 }],
        5: [{ startMinute: 480, endMinute: 1020 }],
      },
    });
    const acme = config.customers.find((customer) => customer.name === 'Acme AB');
    expect(acme?.contract).toEqual({ plan: 'alert', start: '2026-01-01', end: null, accountManager: 'william@trinax.example', prepaidLots: [] });
    expect(acme?.contacts[0]).toEqual({ email: 'eva@acme.se', name: 'Eva Lind', superuser: true });
    expect(config.customers.map((customer) => [customer.name, customer.domains, customer.locale])).toEqual([
      ['Acme AB', ['acme.se'], 'sv'],
      ['Nordljus AB', ['nordljus.se'], 'sv'],
      ['Fjord AS', ['fjord.no'], 'nb'],
      ['Molen BV', ['molen.nl'], 'nl'],
    ]);
  });

  it('mixvoip.yaml keeps support hours and fault-handling hours apart', () => {
    const config = loadExample('mixvoip');
    const business = config.plans.business;
    expect(business?.calendar).toBe('weekdays-0730-1800');
    expect(business?.faultCalendar).toBe('all-week-0700-1900');
    const allWeek = [{ startMinute: 420, endMinute: 1140 }];
    expect(config.calendars['all-week-0700-1900']?.weekly).toEqual({ 1: allWeek, 2: allWeek, 3: allWeek, 4: allWeek, 5: allWeek, 6: allWeek, 7: allWeek });
    expect(config.calendars['weekdays-0730-1800']?.weekly[1]).toEqual([{ startMinute: 450, endMinute: 1080 }]);
    expect(config.calendars['weekdays-0730-1800']?.weekly[6]).toBeUndefined();
    expect(business?.sla.response).toEqual({ kind: 'elapsed', ms: 10_800_000 });
    expect(business?.sla.intervention).toEqual({ kind: 'elapsed', ms: 21_600_000 });
    expect(config.plans.standard?.fee).toEqual({ amountMinor: 5_800, currency: 'EUR', per: 'month' });
    expect(business?.billing.ratesMinor).toEqual({ default: 9_600, cabling: 8_700, technician: 9_600, engineer: 11_100, consulting: 13_100 });
    expect(config.plans.none?.billing.ratesMinor.consulting).toBe(14_500);
    expect(business?.billing.incrementMs).toBe(900_000);
    expect(business?.billing.onsiteMinimumMs).toBe(3_600_000);
    expect(business?.billing.outOfHours).toEqual({
      insideCalendar: '__outOfHours:business',
      multiplier: null,
      ratesMinor: { default: 14_400, cabling: 13_050, technician: 14_400, engineer: 16_650, consulting: 19_650 },
    });
    expect(business?.billing.travel).toEqual({ perVisitMinor: 4_500 });
    expect(config.calendars['__outOfHours:business']).toEqual({
      name: '__outOfHours:business',
      timezone: 'Europe/Luxembourg',
      holidays: { region: 'LU', closeTypes: ['public'] },
      closedDates: [],
      weekly: {
        1: [{ startMinute: 480, endMinute: 1200 }],
        2: [{ startMinute: 480, endMinute: 1200 }],
        3: [{ startMinute: 480, endMinute: 1200 }],
        4: [{ startMinute: 480, endMinute: 1200 }],
        5: [{ startMinute: 480, endMinute: 1200 }],
      },
    });
  });

  it('brodrene-johnsen.yaml models the free six months, the prepaid account and the superuser', () => {
    const config = loadExample('brodrene-johnsen');
    expect(config.plans.alt1?.term).toEqual({ kind: 'months', months: 6 });
    expect(config.plans.alt1?.billing.ratesMinor).toEqual({ default: 0 });
    expect(config.plans.alt2?.term).toEqual({ kind: 'prepaid', maxMonths: 12 });
    expect(config.plans.alt2?.timeBank).toEqual({ amountMs: 36_000_000, per: 'term', anchor: 'calendar', rollover: false, kinds: null });
    expect(config.plans.alt2?.requireSuperuser).toBe(true);
    expect(config.defaultPlan).toBe('alt3');
    const presisjon = config.customers.find((customer) => customer.name === 'Presisjon Mekanikk AS');
    expect(presisjon?.contract?.end).toBe('2026-09-01');
    const cnc = config.customers.find((customer) => customer.name === 'Nordic CNC AS');
    expect(cnc?.contract).toEqual({
      plan: 'alt2',
      start: '2025-09-01',
      end: '2026-09-01',
      accountManager: 'lise@bjohnsen.example',
      prepaidLots: [
        { id: '2026-01-10', bought: '2026-01-10', amountMs: 18_000_000, expires: null },
        { id: 'po-4711', bought: '2026-03-01', amountMs: 9_000_000, expires: '2026-12-31' },
      ],
    });
    expect(cnc?.history).toEqual([{ plan: 'alt1', start: '2025-03-01', end: '2025-09-01', accountManager: null, prepaidLots: [] }]);
  });

  it('telekompetanse.yaml models free minutes, requests in 5 business days, NBD and inspections', () => {
    const config = loadExample('telekompetanse');
    const level2 = config.plans.nivaa2;
    expect(config.plans.nivaa1?.sla.response).toEqual({ kind: 'nextBusinessDay' });
    expect(level2?.sla.requests).toEqual({ response: { kind: 'businessDays', days: 5 } });
    expect(level2?.billing.freePerTicketMs).toBe(900_000);
    expect(level2?.billing.freeKinds).toEqual(['request']);
    expect(config.plans.nivaa3?.billing.onsiteFreePerTicketMs).toBe(3_600_000);
    expect(config.plans.nivaa1?.inspections).toEqual({ every: 'year' });
    expect(level2?.inspections).toEqual({ every: 'half-year' });
    expect(config.plans.nivaa3?.inspections).toEqual({ every: 'quarter' });
    expect(config.plans.nivaa1?.requireAccountManager).toBe(true);
    expect(config.plans.nivaa1?.term).toEqual({ kind: 'none' });
    expect(config.customers.every((customer) => customer.contract?.accountManager)).toBe(true);
  });

  it('mystore.yaml models per-started-hour and per-started-15-minute billing, SBD and critical support', () => {
    const config = loadExample('mystore');
    const support = config.plans.support;
    const service = config.plans.service;
    expect(support?.billing).toMatchObject({ incrementMs: 3_600_000, minimumMs: 3_600_000, ratesMinor: { default: 125_000 }, freeKinds: ['incident'] });
    expect(service?.billing).toMatchObject({ incrementMs: 900_000, minimumMs: 900_000, ratesMinor: { default: 100_000 }, quoteAboveMs: 10_800_000 });
    expect(service?.sla.resolution).toEqual({ kind: 'sameBusinessDay' });
    expect(service?.sla.byPriority.P1).toEqual({ response: { kind: 'elapsed', ms: 3_600_000 }, calendar: 'always' });
    expect(service?.billing.outOfHours).toEqual({ insideCalendar: 'office', multiplier: '2' });
    expect(config.calendars.always?.weekly[7]).toEqual([{ startMinute: 0, endMinute: 1440 }]);
    expect(config.calendars.always?.holidays).toBeNull();
    expect(config.provider.addresses).toEqual(['support@mystore.example', 'serviceteam@mystore.example']);
  });
});

describe('defaults and normalization', () => {
  it('fills in defaults from the provider and lower-cases addresses and domains', () => {
    const config = configOf(
      valid(`customers:
  - name: Acme AB
    domains: [ACME.se]
    contacts: [{ email: "  Eva@Acme.SE ", superuser: true }]
    contract: { plan: gold, start: 2026-01-31 }
`),
    );
    expect(config.calendars.office?.timezone).toBe('Europe/Stockholm');
    expect(config.calendars.office?.holidays).toEqual({ region: 'SE', closeTypes: ['public'] });
    expect(config.plans.gold?.faultCalendar).toBe('office');
    expect(config.plans.gold?.billing.currency).toBe('SEK');
    expect(config.plans.gold?.sla).toEqual({ response: null, intervention: null, resolution: null, warnAt: 0.75, byPriority: {}, requests: null });
    expect(config.plans.gold?.queuePriority).toBe(100);
    expect(config.plans.gold?.defaultPriority).toBe('P3');
    expect(config.provider.ackLimitPerHour).toBe(5);
    expect(config.provider.reopenWindowMs).toBe(604_800_000);
    expect(config.customers[0]).toEqual({
      name: 'Acme AB',
      domains: ['acme.se'],
      locale: 'sv',
      timezone: 'Europe/Stockholm',
      contacts: [{ email: 'eva@acme.se', name: null, superuser: true }],
      managers: [],
      contract: { plan: 'gold', start: '2026-01-31', end: null, accountManager: null, prepaidLots: [] },
      history: [],
    });
  });

  it('derives a contract end from the term, keeping an end the file gives', () => {
    const config = configOf(
      valid(`customers:
  - { name: A, domains: [a.se], contract: { plan: gold, start: 2026-01-31 } }
  - { name: B, domains: [b.se], contract: { plan: gold, start: 2026-01-01, end: 2026-06-01 } }
`).replace('billing: { rates: { default: 1000 } }', 'term: 12 months\n    billing: { rates: { default: 1000 } }'),
    );
    expect(config.customers.map((customer) => customer.contract?.end)).toEqual(['2027-01-31', '2026-06-01']);
  });

  it('accepts 24:00 as the end of a range and merges ranges that touch', () => {
    const config = configOf(
      valid().replace('hours: { mon-fri: "08:00-17:00" }', 'hours: { mon-fri: ["08:00-12:00", "13:00-17:00"], sat: ["18:00-24:00", "10:00-14:00"], sun: ["00:00-12:00", "12:00-24:00"] }'),
    );
    expect(config.calendars.office?.weekly).toEqual({
      1: [{ startMinute: 480, endMinute: 720 }, { startMinute: 780, endMinute: 1020 }],
      2: [{ startMinute: 480, endMinute: 720 }, { startMinute: 780, endMinute: 1020 }],
      3: [{ startMinute: 480, endMinute: 720 }, { startMinute: 780, endMinute: 1020 }],
      4: [{ startMinute: 480, endMinute: 720 }, { startMinute: 780, endMinute: 1020 }],
      5: [{ startMinute: 480, endMinute: 720 }, { startMinute: 780, endMinute: 1020 }],
      6: [{ startMinute: 600, endMinute: 840 }, { startMinute: 1080, endMinute: 1440 }],
      7: [{ startMinute: 0, endMinute: 1440 }],
    });
  });

  it('reads provider.backlog, with defaults for the keys left out', () => {
    expect(configOf(valid()).provider.backlog).toEqual({ ackMaxAgeMs: 86_400_000, digestFrom: 5 });
    expect(configOf(valid().replace('locale: sv', 'locale: sv\n  backlog: { ackMaxAge: 90m }')).provider.backlog).toEqual({
      ackMaxAgeMs: 5_400_000,
      digestFrom: 5,
    });
    expect(configOf(valid().replace('locale: sv', 'locale: sv\n  backlog: { ackMaxAge: 1h30m, digestFrom: 2 }')).provider.backlog).toEqual({
      ackMaxAgeMs: 5_400_000,
      digestFrom: 2,
    });
  });

  it('accepts a contact whose address starts with +, which has no tag to strip', () => {
    const config = configOf(valid('customers:\n  - { name: A, contacts: [{ email: "+46701234567@sms.example" }] }\n'));
    expect(config.customers[0]?.contacts[0]?.email).toBe('+46701234567@sms.example');
  });

  it('turns money in major units into exact minor units', () => {
    expect(parseMoneyMinor('8000')).toEqual({ ok: true, minor: 800_000 });
    expect(parseMoneyMinor(58.0)).toEqual({ ok: true, minor: 5_800 });
    expect(parseMoneyMinor('1350.50')).toEqual({ ok: true, minor: 135_050 });
    expect(parseMoneyMinor(0.29)).toEqual({ ok: true, minor: 29 }); // 0.29 * 100 is 28.999999999999996
    expect(parseMoneyMinor(1.1)).toEqual({ ok: true, minor: 110 });
  });
});

describe('problems in a contracts file', () => {
  it('lists every problem of a bad file by path, including references inside broken sections', () => {
    const problems = problemsOf(`provider:
  name: Trinax
  timezone: Europe/Stokholm
  locale: sv
  addresses: [support@trinax.example]
  technicians:
    - { email: william@trinax.example }
calendars:
  office:
    holidays: SE
    hours: { mon-fri: "08:00-17:00" }
plans:
  alert:
    calendar: ofice
    fee: { amount: 8000.505, currency: SEK, per: month }
    sla:
      response: 1 hour
      reponse: 1h
    timeBank: { amount: 15h, per: quarter }
    billing: { currency: SEK, rates: { default: 1350 } }
defaultPlan: none
customers:
  - name: Acme AB
    domains: [acme.se]
    contract: { plan: alert, start: 2026-01-01, accountManager: bob@trinax.example }
  - name: Beta AB
    domains: [beta.se]
    contract: { plan: gold, start: 2026-01-01 }
  - name: Gamma AB
    domains: [ACME.se]
    contract: { plan: gold, start: 2026-01-01 }
`);
    expect(problems).toEqual([
      'provider.timezone: "Europe/Stokholm" is not an IANA time zone (e.g. Europe/Stockholm)',
      'plans.alert.fee.amount: 8000.505 has more than 2 decimals',
      'plans.alert.sla.response: "1 hour" is not a duration (use 1h, 90m, 1h30m, 30s, 2d, SBD, NBD)',
      'plans.alert.sla.reponse: unknown key (did you mean "response"?)',
      'plans.alert.calendar: unknown calendar "ofice" (calendars: office)',
      'defaultPlan: unknown plan "none" (plans: alert)',
      'customers[0].contract.accountManager: bob@trinax.example is not one of provider.technicians (william@trinax.example)',
      'customers[1].contract.plan: unknown plan "gold" (plans: alert)',
      'customers[2].domains[0]: acme.se is already claimed by customers[0] (Acme AB)',
      'customers[2].contract.plan: unknown plan "gold" (plans: alert)',
    ]);
  });

  it('reports a YAML syntax error with its line and column', () => {
    expect(problemsOf('provider:\n  name: [Trinax\ncalendars: {}\n')).toEqual([
      'line 3, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('reports a key written twice with its line and column', () => {
    expect(problemsOf(`${valid()}defaultPlan: gold\n`)).toEqual(['line 22, column 1: Map keys must be unique']);
  });

  it('refuses unknown keys at every level', () => {
    const problems = problemsOf(
      valid()
        .replace('billing: { currency: SEK, rates: { default: 1000 } }', 'billing: { currency: SEK, rates: { default: 1000 }, incremnt: 15m }')
        .replace('locale: sv', 'locale: sv\n  colour: blue') + 'extra: 1\n',
    );
    expect(problems).toEqual(['extra: unknown key', 'provider.colour: unknown key', 'plans.none.billing.incremnt: unknown key (did you mean "increment"?)']);
  });

  it('refuses bad provider.backlog values by path, with a did-you-mean for a misspelt key', () => {
    const problems = problemsOf(valid().replace('locale: sv', 'locale: sv\n  backlog: { ackMaxAge: 2d, digestFrom: 1, ackMaxAges: 3h }'));
    expect(problems).toEqual([
      'provider.backlog.ackMaxAge: "2d" is a deadline, not an amount of time (use 15m, 1h, 1h30m, 1.5h, 30s)',
      'provider.backlog.digestFrom: 1 is below the minimum of 2',
      'provider.backlog.ackMaxAges: unknown key (did you mean "ackMaxAge"?)',
    ]);
    expect(problemsOf(valid().replace('locale: sv', 'locale: sv\n  backlog: { ackMaxAge: 0m, digestFrom: 2.5 }'))).toEqual([
      'provider.backlog.ackMaxAge: "0m" must be more than zero',
      'provider.backlog.digestFrom: expected a whole number, got 2.5',
    ]);
    expect(problemsOf(valid().replace('locale: sv', 'locale: sv\n  backlog: 24h'))).toEqual([
      'provider.backlog: expected a mapping (key: value), got "24h"',
    ]);
    expect(problemsOf(valid().replace('locale: sv', 'locale: sv\n  backlogg: {}'))).toEqual(['provider.backlogg: unknown key (did you mean "backlog"?)']);
  });

  it('refuses a domain claimed by two customers and a contact listed twice', () => {
    const problems = problemsOf(
      valid(`customers:
  - { name: Acme AB, domains: [acme.se], contacts: [{ email: eva@acme.se }] }
  - { name: Other AB, domains: [other.se, Acme.SE], contacts: [{ email: EVA@acme.se }] }
`),
    );
    expect(problems).toEqual([
      'customers[1].domains[1]: acme.se is already claimed by customers[0] (Acme AB)',
      'customers[1].contacts[0].email: eva@acme.se is already a contact of customers[0] (Acme AB)',
    ]);
  });

  it('refuses money with more than two decimals, as a number or as text', () => {
    const problems = problemsOf(
      valid()
        .replace('rates: { default: 1000 } }\n  gold', 'rates: { default: "1350.505" } }\n  gold')
        .replace('amount: 100,', 'amount: 99.999,'),
    );
    expect(problems).toEqual(['plans.none.billing.rates.default: "1350.505" has more than 2 decimals', 'plans.gold.fee.amount: 99.999 has more than 2 decimals']);
  });

  it('refuses a number literal that only a float rounding would make look like two decimals', () => {
    expect(problemsOf(valid().replace('amount: 100,', 'amount: 100.0000000000000001,'))).toEqual([
      'plans.gold.fee.amount: "100.0000000000000001" has more than 2 decimals',
    ]);
  });

  it('refuses overlapping opening ranges, within one key and across keys', () => {
    const problems = problemsOf(
      valid().replace('hours: { mon-fri: "08:00-17:00" }', 'hours: { mon-fri: ["08:00-12:00", "11:00-17:00"], wed: "07:00-09:00" }'),
    );
    expect(problems).toEqual([
      'calendars.office.hours.mon-fri[1]: "11:00-17:00" overlaps "08:00-12:00" on mon',
      'calendars.office.hours.wed: "07:00-09:00" overlaps "08:00-12:00" of mon-fri on wed',
    ]);
  });

  it('refuses bad hours, holiday codes and time zones in a calendar', () => {
    const problems = problemsOf(
      valid()
        .replace('holidays: SE', 'holidays: DE-XX\n    timezone: Mars/Olympus')
        .replace('hours: { mon-fri: "08:00-17:00" }', 'hours: { fri-mon: "08:00-17:00", sat: "8-12", sun: "17:00-08:00", tue: "08:00-24:30" }'),
    );
    expect(problems).toEqual([
      'calendars.office.timezone: "Mars/Olympus" is not an IANA time zone (e.g. Europe/Stockholm)',
      'calendars.office.holidays: "DE-XX": DE has no region XX (regions: BB, BE, BW, BY, HB, HE, HH, MV, NI, NW, RP, SH, SL, SN, ST, TH)',
      'calendars.office.hours.fri-mon: "fri-mon" runs backwards (a range goes from mon towards sun; list the days separately)',
      'calendars.office.hours.sat: "8-12" is not a time range (write e.g. "08:00-17:00")',
      'calendars.office.hours.sun: "17:00-08:00" ends before it starts (a night is two ranges, e.g. "17:00-24:00" and "00:00-08:00" the next day)',
      'calendars.office.hours.tue: "08:00-24:30" has a time outside 00:00-24:00',
    ]);
  });

  it('enforces the plan-level requirements: account manager and one superuser', () => {
    const problems = problemsOf(
      valid(`customers:
  - { name: A, domains: [a.se], contacts: [{ email: x@a.se }], contract: { plan: gold, start: 2026-01-01 } }
  - { name: B, domains: [b.se], contacts: [{ email: x@b.se, superuser: true }, { email: y@b.se, superuser: true }] }
`).replace('fee: { amount: 100', 'requireAccountManager: true\n    requireSuperuser: true\n    fee: { amount: 100'),
    );
    expect(problems).toEqual([
      'customers[0].contract.accountManager: required by plan "gold" (requireAccountManager: true)',
      'customers[0].contacts: plan "gold" requires one contact with superuser: true',
      'customers[1].contacts: 2 contacts have superuser: true (x@b.se, y@b.se); name one primary contact',
    ]);
  });

  it('requires a prepaid term to come with a time bank for the whole term', () => {
    const problems = problemsOf(valid().replace('fee: { amount: 100', 'term: { prepaid: { until: exhausted, maxMonths: 12 } }\n    fee: { amount: 100'));
    expect(problems).toEqual(['plans.gold.timeBank: required by the prepaid term: give the prepaid account, e.g. { amount: 10h, per: term }']);
  });

  it('refuses overlapping contract history', () => {
    const problems = problemsOf(
      valid(`customers:
  - name: A
    domains: [a.se]
    history: [{ plan: gold, start: 2025-01-01, end: 2026-02-01 }]
    contract: { plan: gold, start: 2026-01-01 }
`),
    );
    expect(problems).toEqual(['customers[0].contract: overlaps history[0] (2025-01-01 to 2026-02-01)']);
  });

  it('says what is missing from an empty file and from a file without sections', () => {
    expect(problemsOf('')).toEqual(['(file): the file is empty (expected provider, calendars, plans, defaultPlan, customers)']);
    expect(problemsOf('customers: []\n')).toEqual([
      'provider: required',
      'calendars: required',
      'plans: required',
      'defaultPlan: required (the plan for senders without a contract)',
    ]);
  });

  it('parseContractsYaml throws a typed error carrying every problem', () => {
    let caught: unknown;
    try {
      parseContractsYaml(valid().replace('defaultPlan: none', 'defaultPlan: gold2').replace('timezone: Europe/Stockholm', 'timezone: Nowhere'), 'contracts.yaml');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(HelpdeskError);
    const error = caught as HelpdeskError;
    expect(error.code).toBe('contract.invalid_file');
    expect(error.message).toBe('contracts.yaml: 2 problems');
    expect(error.details).toEqual([
      'provider.timezone: "Nowhere" is not an IANA time zone (e.g. Europe/Stockholm)',
      'defaultPlan: unknown plan "gold2" (plans: none, gold)',
    ]);
  });

  it('loadContractsFile names a file it cannot read', async () => {
    await expect(loadContractsFile('/nonexistent/contracts.yaml')).rejects.toMatchObject({
      code: 'contract.invalid_file',
      message: '/nonexistent/contracts.yaml: cannot be read (no such file)',
    });
  });
});

describe('billing terms of the billing engine', () => {
  const withNoneBilling = (billing: string) => valid().replace('billing: { currency: SEK, rates: { default: 1000 } }', `billing: ${billing}`);

  it('defaults roundPer to entry and travel to none, and reads roundPer: ticket and a travel charge per visit', () => {
    const defaults = configOf(valid()).plans.none?.billing;
    expect(defaults?.roundPer).toBe('entry');
    expect(defaults?.travel).toBeNull();
    const billing = configOf(withNoneBilling('{ currency: SEK, rates: { default: 1000 }, roundPer: ticket, travel: { perVisit: "450.50" } }')).plans.none?.billing;
    expect(billing?.roundPer).toBe('ticket');
    expect(billing?.travel).toEqual({ perVisitMinor: 45_050 });
  });

  it('reads out-of-hours rates per role beside or instead of a multiplier', () => {
    const both = configOf(
      withNoneBilling('{ currency: SEK, rates: { default: 1000, engineer: 1200 }, outOfHours: { inside: "mon-fri 08:00-20:00", multiplier: 1.5, rates: { engineer: 2100 } } }'),
    ).plans.none?.billing.outOfHours;
    expect(both).toEqual({ insideCalendar: '__outOfHours:none', multiplier: '1.5', ratesMinor: { engineer: 210_000 } });
    const ratesOnly = configOf(
      withNoneBilling('{ currency: SEK, rates: { default: 1000, engineer: 1200 }, outOfHours: { inside: office, rates: { default: 1850, engineer: 2100 } } }'),
    ).plans.none?.billing.outOfHours;
    expect(ratesOnly).toEqual({ insideCalendar: 'office', multiplier: null, ratesMinor: { default: 185_000, engineer: 210_000 } });
  });

  it('refuses out-of-hours terms that leave a role without a price, price an unknown role, or price nothing', () => {
    expect(problemsOf(withNoneBilling('{ currency: SEK, rates: { default: 1000, engineer: 1200 }, outOfHours: { inside: office, rates: { default: 1850 } } }'))).toEqual([
      'plans.none.billing.outOfHours.rates: has no rate for engineer; give one each or a multiplier for the roles left out',
    ]);
    expect(problemsOf(withNoneBilling('{ currency: SEK, rates: { default: 1000 }, outOfHours: { inside: office, multiplier: 2, rates: { cabling: 1850 } } }'))).toEqual([
      'plans.none.billing.outOfHours.rates.cabling: the plan has no normal rate for cabling (billing.rates: default)',
    ]);
    expect(problemsOf(withNoneBilling('{ currency: SEK, rates: { default: 1000 }, outOfHours: { inside: office } }'))).toEqual([
      'plans.none.billing.outOfHours: give a multiplier (e.g. multiplier: 1.5), out-of-hours rates per role (rates: { default: 2025 }), or both',
    ]);
  });

  it('refuses a bad roundPer, a bad travel amount and an unknown travel key by path', () => {
    expect(problemsOf(withNoneBilling('{ currency: SEK, rates: { default: 1000 }, roundPer: case, travel: { perVisit: -5, perVist: 2 } }'))).toEqual([
      'plans.none.billing.roundPer: "case" is not one of entry, ticket',
      'plans.none.billing.travel.perVisit: -5 is negative',
      'plans.none.billing.travel.perVist: unknown key (did you mean "perVisit"?)',
    ]);
  });

  it('reads quoteRequires, approval by default, and refuses it without quoteAbove', () => {
    expect(configOf(valid()).plans.none?.billing.quoteRequires).toBe('approval');
    expect(loadExample('mystore').plans.service?.billing).toMatchObject({ quoteAboveMs: 10_800_000, quoteRequires: 'notice' });
    expect(problemsOf(withNoneBilling('{ currency: SEK, rates: { default: 1000 }, quoteRequires: notice }'))).toEqual([
      'plans.none.billing.quoteRequires: has no effect without quoteAbove (give e.g. quoteAbove: 3h)',
    ]);
    expect(problemsOf(withNoneBilling('{ currency: SEK, rates: { default: 1000 }, quoteAbove: 3h, quoteRequires: yes }'))).toEqual([
      'plans.none.billing.quoteRequires: "yes" is not one of approval, notice',
    ]);
  });

  it('mystore.yaml rounds per case and mixvoip.yaml charges travel per visit', () => {
    expect(loadExample('mystore').plans.support?.billing.roundPer).toBe('ticket');
    expect(loadExample('mystore').plans.service?.billing.roundPer).toBe('ticket');
    expect(loadExample('trinax').plans.alert?.billing.roundPer).toBe('entry');
    expect(loadExample('mixvoip').plans.standard?.billing.travel).toEqual({ perVisitMinor: 4_500 });
    expect(loadExample('telekompetanse').plans.nivaa3?.billing.travel).toBeNull();
    expect(loadExample('telekompetanse').plans.nivaa1?.billing.travel).toEqual({ perVisitMinor: 65_000 });
  });
});
