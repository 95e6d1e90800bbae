// `helpdesk timebank CUSTOMER`: what a customer's time bank holds, computed from the stored time
// entries and the contracts file (docs/commands.md). The ledger is src/tickets/time-bank.usecases.ts;
// this file reads the options and prints.
import type { Command } from 'commander';
import type { DateTime } from 'luxon';
import type { EntryDrawChange } from '../billing/time-bank.types.ts';
import { HelpdeskError } from '../shared/errors.ts';
import type { TimeBankReport } from '../tickets/time-bank.usecases.ts';
import { withDatabase } from './database.ts';

interface TimeBankOptions {
  at?: string;
  file?: string;
  json?: boolean;
  recompute?: boolean;
  apply?: boolean;
}

function parseAt(text: string | undefined, dateTime: typeof DateTime): Date {
  if (text === undefined) return new Date();
  const at = dateTime.fromISO(text, { setZone: true });
  if (!at.isValid) throw new HelpdeskError('usage.invalid', `--at: "${text}" is not an ISO 8601 instant`);
  return at.toJSDate();
}

function describeChange(change: EntryDrawChange): string {
  const side = (draws: EntryDrawChange['before']) =>
    draws === null ? 'none' : `bank ${draws.fromBankMinutes}m, lots ${draws.fromLots.reduce((t, lot) => t + lot.minutes, 0)}m, overage ${draws.overageMinutes}m`;
  return `  ${change.entryId}: ${side(change.before)} → ${side(change.after)}`;
}

function printReport(report: TimeBankReport, recompute: boolean, apply: boolean, formatMinutes: (minutes: number) => string): void {
  const { status } = report;
  console.log(`customer   ${status.customer}`);
  console.log(`plan       ${status.plan}`);
  console.log(`period     ${status.period ? `${status.period.start} to ${status.period.end ?? 'open end'}` : '–'}`);
  console.log(`allowance  ${formatMinutes(status.allowanceMinutes)}${status.rolledInMinutes ? ` + ${formatMinutes(status.rolledInMinutes)} rolled in` : ''}`);
  console.log(`used       ${formatMinutes(status.usedMinutes)}`);
  console.log(`remaining  ${formatMinutes(status.remainingMinutes)}`);
  console.log(`overage    ${formatMinutes(status.overageMinutes)} = ${status.overageAmount} ${status.currency}`);
  for (const lot of status.lots ?? []) {
    console.log(`lot        ${lot.id}: ${formatMinutes(lot.remainingMinutes)} of ${formatMinutes(lot.minutes)} left, expires ${lot.expires}${lot.expired ? ' (expired)' : ''}`);
  }
  if (status.expiry?.ended) console.log(`ended      ${status.expiry.ended.reason} at ${status.expiry.ended.at}`);
  if (!recompute) return;
  const changes = report.changes ?? [];
  if (changes.length === 0) {
    console.log('recompute: the stored draws match the ledger');
    return;
  }
  console.log(`recompute: ${changes.length} entr${changes.length === 1 ? 'y differs' : 'ies differ'}${apply ? ' (applied)' : ' (not applied: add --apply)'}`);
  for (const change of changes) console.log(describeChange(change));
}

export function registerTimeBankCommands(program: Command): void {
  program
    .command('timebank')
    .argument('<customer>', "a customer's name or one of its domains (case-insensitive)")
    .description("what a customer's time bank holds in the period of --at, from the time entries and the contracts file")
    .option('--at <iso>', 'the moment whose period to show, ISO 8601 (default: now)')
    .option('--file <file>', 'contracts YAML file (default: CONTRACTS_FILE)')
    .option('--json', 'machine-readable output')
    .option('--recompute', 'compute the ledger again and list the entries whose stored draws differ')
    .option('--apply', 'with --recompute: store the recomputed draws')
    .action(async (customer: string, opts: TimeBankOptions) => {
      if (opts.apply && !opts.recompute) throw new HelpdeskError('usage.invalid', '--apply only goes with --recompute');
      // loaded here, not at start-up: `helpdesk --help` must not pay for them
      const [{ DateTime }, { loadDatabaseEnv }, { loadContractsFile }, { formatMinutes }, { timeBankReport }] = await Promise.all([
        import('luxon'),
        import('../config/env.ts'),
        import('../contracts/contracts.file.ts'),
        import('../tickets/time-bank-terms.models.ts'),
        import('../tickets/time-bank.usecases.ts'),
      ]);
      const at = parseAt(opts.at, DateTime);
      const config = await loadContractsFile(opts.file ?? loadDatabaseEnv().contractsFile);
      const recompute = opts.recompute ?? false;
      const apply = opts.apply ?? false;
      // One transaction: a recompute that applies writes every changed entry or none.
      const report = await withDatabase((db) => db.transaction((tx) => timeBankReport(tx, config, { customer, at, recompute, apply })));
      if (opts.json) console.log(JSON.stringify(report.changes ? { ...report.status, changes: report.changes } : report.status, null, 2));
      else printReport(report, opts.recompute ?? false, opts.apply ?? false, formatMinutes);
    });
}
