// `helpdesk quarantine`: mail held back by intake (unparseable, too large, failed on its own),
// one in full, and releasing one into the service mailbox again (docs/commands.md).
// Registering loads nothing heavy: each action imports what it uses when it runs.
import type { Command } from 'commander';
import type { AppEnv } from '../config/env.ts';
import { HelpdeskError } from '../shared/errors.ts';
import type { QuarantineEntry } from '../tickets/quarantine.queries.ts';
import { withDatabase } from './database.ts';

async function connect() {
  const [{ loadEnv }, { connectDatabase }, queries] = await Promise.all([import('../config/env.ts'), import('../db/client.ts'), import('../tickets/quarantine.queries.ts')]);
  const env = loadEnv();
  const handle = connectDatabase(env.databaseUrl, { max: 2 });
  return { env, handle, queries: queries.createQuarantineQueries({ db: handle.db }), ticketOfMail: queries.ticketOfMail };
}

function parseId(text: string): number {
  const id = Number(text.replace(/^#/, ''));
  if (!Number.isSafeInteger(id) || id <= 0) throw new HelpdeskError('usage.invalid', `"${text}" is not a quarantine id`);
  return id;
}

function printList(list: readonly QuarantineEntry[]): void {
  if (list.length === 0) {
    console.log('no quarantined mail');
    return;
  }
  const header = ['id', 'received', 'from', 'subject', 'size', 'reason', 'released'];
  const rows = list.map((e) => [String(e.id), e.receivedAt ?? e.quarantinedAt, e.from ?? '-', (e.subject ?? '-').slice(0, 40), String(e.size), `${e.reasonCode}: ${e.reason}`.slice(0, 70), e.releasedAt ?? '-']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

/** APPENDs to the INBOX of the service mailbox named in IMAP_URL. */
async function appendToInbox(env: AppEnv, mailbox: string, raw: Buffer, receivedAt: Date): Promise<void> {
  const { createImapClient } = await import('../adapters/imap/imap-client.ts');
  // the same login as the bot's poller: a password, or an OAuth2 token (IMAP_AUTH=oauth2)
  const [{ loadMailAuthEnv }, { mailLogins }] = await Promise.all([import('../config/mail-auth-env.ts'), import('../adapters/oauth/mail-logins.ts')]);
  const endpoint = mailLogins(env, loadMailAuthEnv(env)).imapMailboxes.find((m) => m.user.toLowerCase() === mailbox.toLowerCase());
  if (!endpoint) throw new HelpdeskError('quarantine.not_releasable', `mailbox ${mailbox} is not in IMAP_URL; cannot put the mail back`);
  const client = createImapClient(endpoint);
  client.on('error', (err: Error) => console.error(`warning: IMAP connection error: ${err.message}`));
  await client.connect();
  try {
    // false: the server refused it (imapflow does not throw on every refusal)
    const appended = await client.append(endpoint.mailbox, raw, [], receivedAt);
    if (!appended) throw new HelpdeskError('imap.unavailable', `the IMAP server refused to put the mail into ${endpoint.mailbox} of ${mailbox}`);
  } finally {
    await client.logout();
  }
}

export function registerQuarantineCommands(program: Command): void {
  const quarantine = program
    .command('quarantine')
    .description('mail intake held back (unparseable, too large, failed on its own)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const { createQuarantineQueries } = await import('../tickets/quarantine.queries.ts');
      const list = await withDatabase((db) => createQuarantineQueries({ db }).list());
      if (opts.json) console.log(JSON.stringify(list, null, 2));
      else printList(list);
    });
  quarantine
    .command('show')
    .argument('<id>', 'quarantine id (from `helpdesk quarantine`)')
    .option('--json', 'machine-readable output')
    .description('one quarantined mail: reason, sender, subject, size, when, and its raw headers')
    .action(async (idText: string, _opts: unknown, command: Command) => {
      // `--json` after `show ID` is parsed by the parent `quarantine` command, which has it too
      const opts = command.optsWithGlobals<{ json?: boolean }>();
      const id = parseId(idText);
      const { createQuarantineQueries } = await import('../tickets/quarantine.queries.ts');
      const entry = await withDatabase((db) => createQuarantineQueries({ db }).get(id));
      if (!entry) throw new HelpdeskError('quarantine.not_found', `quarantined mail ${id} not found`);
      if (opts.json) {
        console.log(JSON.stringify(entry, null, 2));
        return;
      }
      console.log(`quarantine ${entry.id}: ${entry.reasonCode}`);
      console.log(`  reason      ${entry.reason}`);
      console.log(`  mailbox     ${entry.mailbox ?? '-'}`);
      console.log(`  from        ${entry.from ?? '-'}`);
      console.log(`  subject     ${entry.subject ?? '-'}`);
      console.log(`  size        ${entry.size} bytes`);
      console.log(`  received    ${entry.receivedAt ?? '-'}`);
      console.log(`  quarantined ${entry.quarantinedAt}`);
      console.log(`  released    ${entry.releasedAt ?? '-'}${entry.ticket !== null ? ` (on ticket #${entry.ticket})` : ''}`);
      console.log('  headers:');
      for (const line of entry.headers.split('\n')) console.log(`    ${line}`);
    });
  quarantine
    .command('release')
    .argument('<id>', 'quarantine id')
    .option('--wait <seconds>', 'wait this long for the running bot to take the mail (0: do not wait)', '30')
    .description('put the kept mail back into the service mailbox; the bot takes it as a new mail')
    .action(async (idText: string, opts: { wait: string }) => {
      const id = parseId(idText);
      const waitSeconds = Number(opts.wait);
      if (!Number.isFinite(waitSeconds) || waitSeconds < 0) throw new HelpdeskError('usage.invalid', `--wait: "${opts.wait}" is not a number of seconds`);
      const [{ releaseQuarantined }, { systemClock }] = await Promise.all([import('../tickets/quarantine.usecases.ts'), import('../shared/clock.ts')]);
      const { env, handle, queries, ticketOfMail } = await connect();
      try {
        const release = await releaseQuarantined({ db: handle.db, clock: systemClock, appendToInbox: (mailbox, raw, at) => appendToInbox(env, mailbox, raw, at) }, id);
        console.log(`released ${id}: back in the INBOX of ${release.mailbox}`);
        const deadline = Date.now() + waitSeconds * 1000;
        while (Date.now() < deadline) {
          const ticket = await ticketOfMail(handle.db, release.sha256);
          if (ticket !== null) {
            console.log(`on ticket #${ticket}`);
            return;
          }
          const entry = await queries.get(id);
          if (entry && entry.releasedAt === null) {
            console.log(`quarantined again: ${entry.reasonCode}: ${entry.reason}`);
            process.exitCode = 1;
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        if (waitSeconds > 0) console.log(`no ticket yet after ${waitSeconds} s: is \`helpdesk start\` running for ${release.mailbox}? (\`helpdesk quarantine show ${id}\` tells later)`);
      } finally {
        await handle.close();
      }
    });
}
