// `helpdesk billing quote` as a user runs it: no database, the quote on stdout, one clear line and
// a non-zero exit for what cannot be quoted.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLES_DIR } from '../support/contracts.ts';
import { runCli } from '../support/bot-process.ts';

const mixvoip = path.join(EXAMPLES_DIR, 'mixvoip.yaml');
const trinax = path.join(EXAMPLES_DIR, 'trinax.yaml');

describe('helpdesk billing quote', () => {
  it('prints what 47 minutes of remote work bill on Trinax without a contract', () => {
    const r = runCli({}, ['billing', 'quote', '--file', trinax, '--plan', 'none', '--minutes', '47', '--start', '2026-03-10T10:00:00+01:00']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      [
        'billableMinutes 60',
        'amount          1350.00',
        'currency        SEK',
        'explanation     47m remote → 60m (per started 15m) × 1 350 SEK/h = 1 350.00 SEK',
        '',
      ].join('\n'),
    );
  });

  it('prints JSON with the engineer\'s out-of-hours rate and the travel charge for a Saturday visit', () => {
    const r = runCli({}, [
      'billing', 'quote', '--file', mixvoip, '--plan', 'standard', '--minutes', '70', '--onsite', '--role', 'engineer',
      '--start', '2026-03-07T10:00:00+01:00', '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      billableMinutes: 75,
      // 70 worked minutes at 180 EUR/h out of hours, the 5 minutes of rounding at 120 EUR/h, travel 45
      amount: '265.00',
      currency: 'EUR',
      explanation:
        '70m on site → 75m (first 60m on site, then per started 15m): 5m × 120 EUR/h (engineer) + 70m out of hours × 180 EUR/h (engineer) + travel 45.00 EUR = 265.00 EUR',
      role: 'engineer',
      normalMinutes: 5,
      outOfHoursMinutes: 70,
      freeMinutes: 0,
      charges: [{ charge: 'travel', amount: '45.00' }],
    });
  });

  it('refuses a role the plan does not price, naming the plan\'s roles, with exit 1', () => {
    const r = runCli({}, ['billing', 'quote', '--file', trinax, '--plan', 'alert', '--minutes', '30', '--role', 'engineer']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe('error: plan "alert" has no rate for role "engineer" (roles: default)');
  });

  it('refuses minutes that are not a whole number and an unknown plan with one line each', () => {
    const minutes = runCli({}, ['billing', 'quote', '--file', trinax, '--plan', 'alert', '--minutes', '1.5h']);
    expect(minutes.status).toBe(2); // a usage error
    expect(minutes.stderr.trim()).toBe('error: --minutes: "1.5h" is not a whole number of minutes above zero');
    const plan = runCli({}, ['billing', 'quote', '--file', trinax, '--plan', 'gold', '--minutes', '30']);
    expect(plan.status).toBe(1);
    expect(plan.stderr.trim()).toBe('error: unknown plan "gold" (plans: none, alert, attend, access)');
  });
});
