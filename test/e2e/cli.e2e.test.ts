// The CLI as a user runs it: exit codes, one-line errors, every problem listed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLES_DIR } from '../support/contracts.ts';
import { runCli } from '../support/bot-process.ts';

describe('helpdesk contracts check', () => {
  it.each(['trinax.yaml', 'mystore.yaml', 'telekompetanse.yaml', 'brodrene-johnsen.yaml', 'mixvoip.yaml'])('accepts examples/%s', (name) => {
    const r = runCli({}, ['contracts', 'check', path.join(EXAMPLES_DIR, name)]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/: ok \(/);
  });

  it('refuses a bad file with every problem listed by path and no stack trace', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'helpdesk-cli-'));
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(
      file,
      [
        'provider: { name: X, timezone: Europe/Stockholm, locale: sv, addresses: [support@x.example], managers: [], technicians: [], ackLimitPerHour: 5 }',
        'calendars:',
        '  office: { hours: { mon-fri: "08:00-17:00" } }',
        'plans:',
        '  none: { title: None, calendar: office, sla: {}, billing: { increment: 15m, rates: { default: 100 }, currency: SEK } }',
        '  gold: { title: Gold, calendar: nowhere, sla: { response: 1 hour }, billing: { increment: 15m, rates: { default: 100 }, currency: SEK } }',
        'defaultPlan: none',
        'customers: []',
      ].join('\n'),
    );
    const r = runCli({}, ['contracts', 'check', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('plans.gold.sla.response: "1 hour" is not a duration');
    expect(r.stderr).toContain('plans.gold.calendar');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('helpdesk sla deadline', () => {
  const trinax = path.join(EXAMPLES_DIR, 'trinax.yaml');
  it('prints the Alert! response deadline for a Friday-evening mail as Monday 09:00 Stockholm time', () => {
    const r = runCli({}, ['sla', 'deadline', '--file', trinax, '--plan', 'alert', '--from', '2026-03-06T18:30:00+01:00']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('2026-03-09T09:00:00+01:00');
  });

  it('fails with one clear line for an unknown plan', () => {
    const r = runCli({}, ['sla', 'deadline', '--file', trinax, '--plan', 'gold', '--from', '2026-03-06T10:00:00Z']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')[0]).toMatch(/^error: unknown plan "gold"/);
  });
});
