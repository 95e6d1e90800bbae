// `helpdesk billing quote`: what one time entry on a fresh ticket of a plan bills, computed from
// the contracts file alone (docs/commands.md). The pricing is src/billing; this file only reads
// the options and prints.
import { Option, type Command } from 'commander';
import type { DateTime } from 'luxon';
import { TICKET_KINDS, type TicketKind } from '../contracts/contracts.types.ts';
import { HelpdeskError } from '../shared/errors.ts';

interface QuoteOptions {
  file: string;
  plan: string;
  minutes: string;
  role?: string;
  onsite?: boolean;
  kind: TicketKind;
  start?: string;
  json?: boolean;
}

function parseMinutes(text: string): number {
  const minutes = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(minutes) || minutes <= 0) {
    throw new HelpdeskError('usage.invalid', `--minutes: "${text}" is not a whole number of minutes above zero`);
  }
  return minutes;
}

function parseStart(text: string | undefined, dateTime: typeof DateTime): Date {
  if (text === undefined) return new Date();
  const start = dateTime.fromISO(text, { setZone: true });
  if (!start.isValid) throw new HelpdeskError('usage.invalid', `--start: "${text}" is not an ISO 8601 instant`);
  return start.toJSDate();
}

export function registerBillingCommands(program: Command): void {
  const billing = program.command('billing').description('billing arithmetic');
  billing
    .command('quote')
    .description('what one time entry on a fresh ticket of a plan bills; needs no database (the time bank does not enter)')
    .requiredOption('--file <file>', 'contracts YAML file')
    .requiredOption('--plan <plan>', 'plan key')
    .requiredOption('--minutes <n>', 'logged minutes, a whole number')
    .option('--role <role>', "rate role as written in a #time tag (default: the plan's default rate)")
    .option('--onsite', 'on-site work (one visit)')
    .addOption(new Option('--kind <kind>', 'ticket kind').choices([...TICKET_KINDS]).default('request'))
    .option('--start <iso>', 'when the work started, ISO 8601 (default: now); it ends --minutes later')
    .option('--json', 'machine-readable output')
    .action(async (opts: QuoteOptions) => {
      // loaded here, not at start-up: `helpdesk --help` must not pay for them
      const [{ DateTime }, { quoteTimeEntry }, { decimalAmount }, { loadContractsFile }] = await Promise.all([
        import('luxon'),
        import('../billing/billing-quote.usecases.ts'),
        import('../billing/billing-explanation.models.ts'),
        import('../contracts/contracts.file.ts'),
      ]);
      const minutes = parseMinutes(opts.minutes);
      const start = parseStart(opts.start, DateTime);
      const config = await loadContractsFile(opts.file);
      const quote = quoteTimeEntry(config, { plan: opts.plan, minutes, role: opts.role ?? null, onsite: opts.onsite ?? false, kind: opts.kind, start });
      if (opts.json) {
        const { priced } = quote;
        console.log(
          JSON.stringify(
            {
              billableMinutes: quote.billableMinutes,
              amount: quote.amount,
              currency: quote.currency,
              explanation: quote.explanation,
              role: priced.role,
              normalMinutes: priced.normalMinutes,
              outOfHoursMinutes: priced.outOfHoursMinutes,
              freeMinutes: priced.freeKindMinutes + priced.freeAllowanceMinutes + priced.onsiteFreeMinutes,
              charges: priced.charges.map((charge) => ({ charge: charge.charge, amount: decimalAmount(charge.amountMinor) })),
            },
            null,
            2,
          ),
        );
        return;
      }
      console.log(`billableMinutes ${quote.billableMinutes}`);
      console.log(`amount          ${quote.amount}`);
      console.log(`currency        ${quote.currency}`);
      console.log(`explanation     ${quote.explanation}`);
    });
}
