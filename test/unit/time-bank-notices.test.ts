// The pure decisions behind time-bank notices and a prepaid account's end: which thresholds a
// period has reached, when an account ended, who is told in which language, the idempotency keys,
// and routing that skips a contract ended in Postgres.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateContracts } from '../../src/contracts/contracts.models.ts';
import type { ContractsConfig } from '../../src/contracts/contracts.types.ts';
import { routeSender, type EndedContracts } from '../../src/contracts/routing.models.ts';
import type { PeriodSummary } from '../../src/billing/time-bank.types.ts';
import {
  bankNoticeRequests,
  noticeRecipients,
  prepaidEndAt,
  prepaidEndedRequests,
  thresholdsReached,
  type NoticeContext,
} from '../../src/tickets/time-bank-notices.models.ts';

function example(name: string): ContractsConfig {
  const result = validateContracts(readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8'));
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.config;
}

const bj = example('brodrene-johnsen.yaml');
const trinax = example('trinax.yaml');
const nordic = bj.customers.find((customer) => customer.name === 'Nordic CNC AS')!;
const acme = trinax.customers.find((customer) => customer.name === 'Acme AB')!;

describe('thresholdsReached', () => {
  it.each([
    { available: 900, used: 0, reached: [] },
    { available: 900, used: 719, reached: [] },
    { available: 900, used: 720, reached: [80] },
    { available: 900, used: 899, reached: [80] },
    { available: 900, used: 900, reached: [80, 100] },
    // rollover counts: 15h + 5h carried over, 16h used is 80 %
    { available: 1200, used: 960, reached: [80] },
    { available: 1200, used: 959, reached: [] },
    // a short first period with no minutes at all warns of nothing
    { available: 0, used: 0, reached: [] },
  ])('$used of $available minutes reaches $reached', ({ available, used, reached }) => {
    expect(thresholdsReached({ availableMinutes: available, usedMinutes: used })).toEqual(reached);
  });
});

describe('prepaidEndAt', () => {
  const expiresAt = Date.UTC(2026, 7, 31, 22);
  it('is null for a contract that is not prepaid, and while an account runs', () => {
    expect(prepaidEndAt(null, expiresAt)).toBeNull();
    expect(prepaidEndAt({ exhaustedBy: null, expiresAt, ended: null }, expiresAt - 1)).toBeNull();
  });
  it('ends a used-up account at the work end of the entry that used it up, even when asked later', () => {
    const exhaustedBy = { entryId: 'e7', at: Date.UTC(2026, 5, 1, 10) };
    expect(prepaidEndAt({ exhaustedBy, expiresAt, ended: null }, Date.UTC(2026, 5, 2))).toEqual({ reason: 'exhausted', at: exhaustedBy.at });
    expect(prepaidEndAt({ exhaustedBy, expiresAt, ended: null }, expiresAt + 1)).toEqual({ reason: 'exhausted', at: exhaustedBy.at });
  });
  it('expires at the contract end when time passes, also when lots were used up only after it', () => {
    expect(prepaidEndAt({ exhaustedBy: null, expiresAt, ended: null }, expiresAt)).toEqual({ reason: 'expired', at: expiresAt });
    const late = { entryId: 'e9', at: expiresAt + 3_600_000 };
    expect(prepaidEndAt({ exhaustedBy: late, expiresAt, ended: null }, expiresAt + 7_200_000)).toEqual({ reason: 'expired', at: expiresAt });
  });
});

describe('noticeRecipients', () => {
  it('tells Nordic CNC manager in Norwegian and its account manager (a technician without a locale) in the provider\'s', () => {
    expect(noticeRecipients(bj, nordic, nordic.contract!)).toEqual([
      { email: 'hanne@nordiccnc.no', locale: 'nb', side: 'customer' },
      { email: 'lise@bjohnsen.example', locale: 'nb', side: 'account-manager' },
    ]);
  });
  it('falls back to the superuser contacts when a customer names no managers, and the account manager in their own language', () => {
    const noManagers = { ...nordic, managers: [], locale: 'en' as const };
    const config: ContractsConfig = {
      ...bj,
      provider: { ...bj.provider, technicians: bj.provider.technicians.map((tech) => (tech.email === 'lise@bjohnsen.example' ? { ...tech, locale: 'sv' as const } : tech)) },
    };
    expect(noticeRecipients(config, noManagers, nordic.contract!)).toEqual([
      { email: 'hanne@nordiccnc.no', locale: 'en', side: 'customer' },
      { email: 'lise@bjohnsen.example', locale: 'sv', side: 'account-manager' },
    ]);
  });
  it('writes to an address once when the manager is also the account manager', () => {
    const contract = { ...nordic.contract!, accountManager: 'Hanne@NordicCNC.no' };
    expect(noticeRecipients(bj, nordic, contract).map((recipient) => recipient.email)).toEqual(['hanne@nordiccnc.no']);
  });
});

describe('notice requests', () => {
  const at = new Date('2026-11-30T09:00:00Z');
  const context = (config: ContractsConfig, customer: typeof nordic): NoticeContext => ({
    config,
    customer,
    contract: customer.contract!,
    key: { customerId: 7, planKey: customer.contract!.plan, start: customer.contract!.start },
    fromAddress: config.provider.addresses[0]!,
    at,
  });
  const quarter: PeriodSummary = {
    period: { index: 0, startDate: '2026-10-01', endDate: '2027-01-01', startMs: Date.UTC(2026, 8, 30, 22), endMs: Date.UTC(2026, 11, 31, 23), days: 92, fullDays: 92 },
    allowanceMinutes: 900,
    rolledInMinutes: 0,
    availableMinutes: 900,
    usedMinutes: 735,
    remainingMinutes: 165,
    rolledOutMinutes: 0,
    lotMinutes: 0,
    overageMinutes: 0,
    freeMinutes: 0,
    exhaustedBy: null,
  };

  it('keys each threshold notice by contract, period start, threshold and recipient, with the figures for the template', () => {
    const requests = bankNoticeRequests(context(trinax, acme), quarter, [80]);
    expect(requests.map((request) => [request.idempotencyKey, request.kind, request.locale, request.to])).toEqual(
      noticeRecipients(trinax, acme, acme.contract!).map((recipient) => [
        `timebank-threshold:7:alert:${acme.contract!.start}:2026-10-01:80:${recipient.email}`,
        'timebank-threshold',
        recipient.locale,
        [recipient.email],
      ]),
    );
    expect(requests[0]).toMatchObject({
      ticket: null,
      automatic: true,
      at,
      vars: { customerName: 'Acme AB', threshold: 80, periodFirst: '2026-10-01', periodLast: '2026-12-31', available: '15h', used: '12h 15m', remaining: '2h 45m' },
    });
  });

  it('keys the end notice by contract and recipient only: one per contract, whatever ends it', () => {
    const requests = prepaidEndedRequests(context(bj, nordic), { reason: 'exhausted', at: Date.UTC(2026, 5, 1, 10, 30) });
    expect(requests.map((request) => request.idempotencyKey)).toEqual([
      'prepaid-ended:7:alt2:2025-09-01:hanne@nordiccnc.no',
      'prepaid-ended:7:alt2:2025-09-01:lise@bjohnsen.example',
    ]);
    expect(requests[0]!.vars).toMatchObject({ reason: 'exhausted', endedAt: '2026-06-01 12:30', timeZone: 'Europe/Oslo', defaultPlanTitle: bj.plans.alt3!.title, forAccountManager: false });
    expect(requests[1]!.vars).toMatchObject({ forAccountManager: true });
  });
});

describe('routeSender with ended contracts', () => {
  const on = new Date('2026-06-10T08:00:00Z');
  const ended = (endedAt: Date, start = '2025-09-01'): EndedContracts => new Map([['nordic cnc as', [{ planKey: 'alt2', start, endedAt }]]]);

  it('routes a customer whose prepaid account ended before the mail to the default plan, still as that customer', () => {
    expect(routeSender(bj, 'hanne@nordiccnc.no', on, ended(new Date('2026-06-01T10:30:00Z')))).toMatchObject({
      customer: { name: 'Nordic CNC AS' },
      planKey: 'alt3',
      contract: null,
      matchedBy: 'contact',
    });
  });
  it('keeps the contract for mail before the end, and for an end recorded for another contract of the customer', () => {
    expect(routeSender(bj, 'hanne@nordiccnc.no', on, ended(new Date('2026-06-11T00:00:00Z'))).planKey).toBe('alt2');
    expect(routeSender(bj, 'verksted@nordiccnc.no', on, ended(new Date('2026-06-01T00:00:00Z'), '2024-09-01')).planKey).toBe('alt2');
    expect(routeSender(bj, 'hanne@nordiccnc.no', on).planKey).toBe('alt2');
  });
  it('routes to the default plan after the contract end date (a prepaid account expired) without any record', () => {
    expect(routeSender(bj, 'hanne@nordiccnc.no', new Date('2026-09-01T08:00:00Z'))).toMatchObject({ planKey: 'alt3', contract: null });
  });
});
