// The `helpdesk` command line (docs/commands.md). Every failure is one clear line on stderr (plus the
// listed problems, if any) and a non-zero exit; --verbose adds the stack.
// Start-up time: a command loads only what it uses. Only commander and plain constant modules are
// imported here; every action imports its implementation when it runs (`--help` and
// `contracts check` answer without loading the bot, the database driver or the mail libraries).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { ALL_ROLES, type Role } from '../config/roles.ts';
import { PRIORITIES, SLA_TARGETS, type Priority, type SlaTargetName } from '../contracts/contracts.types.ts';
import { HelpdeskError } from '../shared/errors.ts';
import { PROJECT_ROOT } from '../shared/project-root.ts';
import { describeFailure, EXIT_CODES } from './cli-failure.ts';
import { TICKET_STATUSES, type TicketStatus } from '../tickets/tickets.models.ts';
import { registerBillingCommands } from './billing-quote.ts';
import { registerCheckCommand } from './check.ts';
import { withDatabase } from './database.ts';
import { registerOutboxCommands } from './outbox.ts';
import { registerQuarantineCommands } from './quarantine.ts';
import { registerTimeBankCommands } from './timebank.ts';

const TICKETS_PER_PAGE = 50;

function positiveInteger(text: string, option: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) throw new HelpdeskError('usage.invalid', `${option}: "${text}" is not a whole number above zero`);
  return n;
}

// `helpdesk … | head` closes our stdout early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(EXIT_CODES.ok);
  throw err;
});

function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

const program = new Command();
program.name('helpdesk').description('Email-driven helpdesk bot that knows support contracts').option('--verbose', 'print stack traces on errors');
program.version(packageVersion(), '-V, --version', 'print the version');
// Usage errors (unknown option, missing argument) throw instead of exiting with 1: they exit 2.
program.exitOverride();

program
  .command('migrate')
  .description('apply the database migrations (idempotent)')
  .action(async () => {
    const [{ loadDatabaseEnv }, { runMigrations }] = await Promise.all([import('../config/env.ts'), import('../db/client.ts')]);
    await runMigrations(loadDatabaseEnv().databaseUrl);
    console.log('migrations applied');
  });

const contracts = program.command('contracts').description('validate or load a contracts file');
contracts
  .command('check')
  .argument('<file>', 'contracts YAML file')
  .description('validate a contracts file; list every problem by path; exit 1 if any')
  .action(async (file: string) => {
    const { loadContractsFile } = await import('../contracts/contracts.file.ts');
    const config = await loadContractsFile(file);
    console.log(`${file}: ok (${Object.keys(config.plans).length} plans, ${config.customers.length} customers, ${Object.keys(config.calendars).length} calendars)`);
  });
contracts
  .command('sync')
  .argument('<file>', 'contracts YAML file')
  .description('validate, then write plans/customers/contracts to the database')
  .action(async (file: string) => {
    const [{ loadContractsFile }, { createContractsRepository }] = await Promise.all([
      import('../contracts/contracts.file.ts'),
      import('../contracts/contracts.repository.ts'),
    ]);
    const config = await loadContractsFile(file);
    const summary = await withDatabase((db) => createContractsRepository({ db }).sync(config));
    console.log(
      `${file}: synced ${summary.plans} plans, ${summary.customers} customers; contracts created ${summary.contractsCreated}, superseded ${summary.contractsSuperseded}; customers deactivated ${summary.customersDeactivated}`,
    );
  });

program
  .command('start')
  .description('run the bot; stops cleanly on SIGTERM/SIGINT, finishing in-flight work')
  .option('--only <roles>', `comma-separated roles (${ALL_ROLES.join(',')})`)
  .action(async (opts: { only?: string }) => {
    const [{ loadEnv }, { loadMailAuthEnv }, { loadHttpEnv }, { loadContractsFile }, { runMigrations }, { createLogger }, { exitOnUnexpectedError }, { createBot }] = await Promise.all([
      import('../config/env.ts'),
      import('../config/mail-auth-env.ts'),
      import('../config/http-env.ts'),
      import('../contracts/contracts.file.ts'),
      import('../db/client.ts'),
      import('../shared/logger.ts'),
      import('../shared/process-guard.ts'),
      import('../app.ts'),
    ]);
    const env = loadEnv({ requireSecret: true });
    // a bad OAuth2 setting fails here, before migrations run
    const mailAuth = loadMailAuthEnv(env);
    const roles = opts.only ? (opts.only.split(',').map((r) => r.trim()) as Role[]) : [...ALL_ROLES];
    const unknown = roles.filter((r) => !ALL_ROLES.includes(r));
    if (unknown.length) throw new HelpdeskError('usage.invalid', `unknown role(s): ${unknown.join(', ')} (roles: ${ALL_ROLES.join(', ')})`);
    const config = await loadContractsFile(env.contractsFile);
    const logger = createLogger(env.logLevel);
    exitOnUnexpectedError(logger);
    if (env.insecureSecret) logger.warn('HELPDESK_SECRET is unset: using the development secret');
    await runMigrations(env.databaseUrl);
    const bot = createBot({ env, config, logger, roles, mailAuth, queuePrefix: env.queuePrefix, stopTimeoutMs: env.stopTimeoutMs, http: loadHttpEnv() });
    await bot.start();
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        logger.info({ signal, timeoutMs: env.stopTimeoutMs }, 'stopping');
        resolve();
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    await bot.stop();
    // bot.stop() ends within its time limit; whatever it had to abandon (a Redis reconnect
    // timer, a socket) must not keep the process alive.
    process.exit(process.exitCode ?? 0);
  });

const sla = program.command('sla').description('SLA arithmetic');
sla
  .command('deadline')
  .description("print a deadline as ISO 8601 with the calendar's offset; needs no database")
  .requiredOption('--file <file>', 'contracts YAML file')
  .requiredOption('--plan <plan>', 'plan key')
  .requiredOption('--from <iso>', 'arrival instant, ISO 8601')
  .addOption(new Option('--target <target>', 'which promise').choices([...SLA_TARGETS]).default('response'))
  .addOption(new Option('--priority <priority>', 'ticket priority').choices([...PRIORITIES]))
  .option('--fault', 'an incident (fault-handling calendar) rather than a request')
  .action(async (opts: { file: string; plan: string; from: string; target: SlaTargetName; priority?: Priority; fault?: boolean }) => {
    const [{ DateTime }, { loadContractsFile }, { deadlineForPlan }] = await Promise.all([
      import('luxon'),
      import('../contracts/contracts.file.ts'),
      import('../sla/sla-deadline.usecases.ts'),
    ]);
    const config = await loadContractsFile(opts.file);
    const from = DateTime.fromISO(opts.from, { setZone: true });
    if (!from.isValid) throw new HelpdeskError('usage.invalid', `--from: "${opts.from}" is not an ISO 8601 instant`);
    const result = deadlineForPlan(config, {
      plan: opts.plan,
      target: opts.target,
      priority: opts.priority,
      kind: opts.fault ? 'incident' : 'request',
      from: from.toJSDate(),
    });
    if (!result) {
      console.log(`plan "${opts.plan}" makes no ${opts.target} promise`);
      process.exitCode = 3;
      return;
    }
    console.log(result.iso);
  });

registerBillingCommands(program);
registerOutboxCommands(program);
registerQuarantineCommands(program);
registerTimeBankCommands(program);
registerCheckCommand(program);

program
  .command('tickets')
  .description('list tickets')
  .addOption(new Option('--status <status>', 'ticket status').choices([...TICKET_STATUSES]))
  .option('--customer <customer>', "a customer's name or one of its domains")
  .option('--owner <address>', "tickets a technician owns (the technician's address)")
  .option('--page <n>', 'which page of --page-size tickets', '1')
  .option('--page-size <n>', 'tickets per page', String(TICKETS_PER_PAGE))
  .option('--all', 'every ticket, no pages')
  .option('--json', 'machine-readable output')
  .action(async (opts: { status?: TicketStatus; customer?: string; owner?: string; page: string; pageSize: string; all?: boolean; json?: boolean }) => {
    const [{ createTicketQueries }, { printTicketList }] = await Promise.all([import('../tickets/tickets.queries.ts'), import('./render.ts')]);
    const page = positiveInteger(opts.page, '--page');
    const size = positiveInteger(opts.pageSize, '--page-size');
    // one more than the page holds: tells whether there is a next page without counting them all
    const window = opts.all ? undefined : { limit: size + 1, offset: (page - 1) * size };
    const found = await withDatabase((db) => createTicketQueries({ db }).list({ status: opts.status, customer: opts.customer, owner: opts.owner, page: window }));
    const list = opts.all ? found : found.slice(0, size);
    if (opts.json) console.log(JSON.stringify(list, null, 2));
    else printTicketList(list);
    if (!opts.all && found.length > size) console.error(`page ${page}: tickets ${(page - 1) * size + 1}-${page * size}; more with --page ${page + 1} (or --all)`);
  });

program
  .command('ticket')
  .argument('<number>', 'ticket number')
  .description('one ticket: messages, time entries, deadlines, breaches')
  .option('--json', 'machine-readable output')
  .action(async (numberText: string, opts: { json?: boolean }) => {
    const number = Number(numberText.replace(/^#/, ''));
    if (!Number.isInteger(number) || number <= 0) throw new HelpdeskError('usage.invalid', `"${numberText}" is not a ticket number`);
    const [{ createTicketQueries }, { createOutboxQueries }, { printTicket }] = await Promise.all([
      import('../tickets/tickets.queries.ts'),
      import('../tickets/outbox.queries.ts'),
      import('./render.ts'),
    ]);
    const ticket = await withDatabase(async (db) => {
      const detail = await createTicketQueries({ db }).get(number);
      return detail && { ...detail, outgoing: await createOutboxQueries({ db }).ofTicket(number) };
    });
    if (!ticket) throw new HelpdeskError('ticket.not_found', `ticket ${number} not found`);
    if (opts.json) console.log(JSON.stringify(ticket, null, 2));
    else printTicket(ticket);
  });

program
  .command('demo')
  .description('the whole flow on local services, for a newcomer')
  .option('--keep-running', 'leave the bot running after the demo mails were answered')
  .action(async (opts: { keepRunning?: boolean }) => {
    const { runDemo } = await import('./demo.ts');
    await runDemo({ keepRunning: opts.keepRunning ?? false });
  });

function fail(err: unknown): never {
  if (err instanceof CommanderError) {
    // commander has printed its message (or the help, or the version) already
    process.exit(err.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage);
  }
  const verbose = program.opts<{ verbose?: boolean }>().verbose || process.argv.includes('--verbose');
  const failure = describeFailure(err);
  console.error(`error: ${failure.lines[0]}`);
  for (const line of failure.lines.slice(1)) console.error(line);
  if (verbose && err instanceof Error && err.stack) console.error(err.stack);
  process.exit(failure.exitCode);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  fail(err);
}
