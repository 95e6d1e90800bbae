// `helpdesk demo` (npm run demo): the product's main flow on local services, for a newcomer.
// Starts the services, migrates, syncs examples/trinax.yaml, runs the bot in-process, mails
// the service address in Swedish, Norwegian and Dutch (plus a stranger and an out-of-office
// reply), then shows the tickets and reads the acknowledgements back from each sender's mailbox.
import { spawnSync } from 'node:child_process';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { eq } from 'drizzle-orm';
import { createBot } from '../app.ts';
import { loadEnv } from '../config/env.ts';
import { loadContractsFile } from '../contracts/contracts.file.ts';
import { createContractsRepository } from '../contracts/contracts.repository.ts';
import type { CustomerConfig, Locale } from '../contracts/contracts.types.ts';
import { runMigrations } from '../db/client.ts';
import { outboundMailsTable } from '../mail/mail.tables.ts';
import { createLogger } from '../shared/logger.ts';
import { PROJECT_ROOT } from '../shared/project-root.ts';
import { createTicketQueries } from '../tickets/tickets.queries.ts';
import { printTicketList } from './render.ts';

const ROOT = PROJECT_ROOT;

const SAMPLES: Record<Locale, { subject: string; text: string }> = {
  sv: { subject: 'Kassasystemet är nere', text: 'Hej!\n\nKassasystemet i butiken är nere sedan i morse, driftstopp i alla kassor.\n\nMvh' },
  nb: { subject: 'Sentralbordet fungerer ikke', text: 'Hei,\n\nSentralbordet er nede og ingen samtaler kommer inn.\n\nHilsen' },
  nl: { subject: 'Vraag over nieuwe gebruiker', text: 'Hallo,\n\nKunnen jullie een nieuwe gebruiker toevoegen aan de telefooncentrale?\n\nGroeten' },
  en: { subject: 'Printer question', text: 'Hello,\n\nHow do I add a printer?\n\nThanks' },
};

function firstContact(customers: CustomerConfig[], locale: Locale): { customer: CustomerConfig; email: string } | null {
  const customer = customers.find((c) => c.locale === locale && c.contacts.length > 0 && c.contract);
  return customer ? { customer, email: customer.contacts[0]!.email } : null;
}

export async function runDemo(options: { keepRunning: boolean }): Promise<void> {
  const services = spawnSync('bash', [`${ROOT}/scripts/services.sh`, 'start'], { stdio: 'inherit' });
  if (services.status !== 0) throw new Error('could not start the local services (see above)');
  const env = loadEnv({ cwd: ROOT });
  await runMigrations(env.databaseUrl);
  const file = `${ROOT}/examples/trinax.yaml`;
  const config = await loadContractsFile(file);
  // Quiet by default: the demo prints its own story; LOG_LEVEL=info shows the bot's log too.
  const logger = createLogger(env.logLevel === 'info' ? 'warn' : env.logLevel);
  const bot = createBot({ env, config, logger, queuePrefix: 'demo', safetyPollMs: 2_000 });
  const summary = await createContractsRepository({ db: bot.db.db }).sync(config);
  console.log(`\n• synced ${file}: ${summary.plans} plans, ${summary.customers} customers`);
  await bot.start();

  const service = config.provider.addresses[0]!;
  const senders: { from: string; who: string; subject: string; text: string; headers?: Record<string, string> }[] = [];
  for (const locale of ['sv', 'nb', 'nl'] as const) {
    const hit = firstContact(config.customers, locale);
    if (hit) senders.push({ from: hit.email, who: `${hit.customer.name} (${locale})`, ...SAMPLES[locale] });
  }
  senders.push({ from: 'stranger@example.net', who: 'a sender without a contract', ...SAMPLES.en });
  senders.push({
    from: 'away@example.net',
    who: 'an out-of-office robot (stored, opens no ticket, gets no ack)',
    subject: 'Out of office',
    text: 'I am away until Monday.',
    headers: { 'Auto-Submitted': 'auto-replied' },
  });

  const smtp = nodemailer.createTransport({ host: env.smtp.host, port: env.smtp.port, secure: false, ignoreTLS: true });
  const stamp = new Date().toISOString().slice(11, 19);
  for (const s of senders) {
    await smtp.sendMail({ from: s.from, to: service, subject: `${s.subject} (${stamp})`, text: s.text, headers: s.headers });
    console.log(`• mailed ${service} from ${s.from}: ${s.who}`);
  }
  smtp.close();

  console.log('\n• waiting for tickets and acknowledgements …');
  const deadline = Date.now() + 60_000;
  const expectedAcks = senders.length - 1;
  let sent: (typeof outboundMailsTable.$inferSelect)[] = [];
  while (Date.now() < deadline) {
    sent = await bot.db.db.select().from(outboundMailsTable).where(eq(outboundMailsTable.kind, 'ack'));
    const fresh = sent.filter((r) => r.state === 'sent' && r.subject.includes(stamp));
    if (fresh.length >= expectedAcks) {
      sent = fresh;
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }

  const tickets = await createTicketQueries({ db: bot.db.db }).list();
  console.log('\n• tickets (`npx helpdesk tickets`):\n');
  printTicketList(tickets.slice(0, 12));

  console.log('\n• acknowledgements, read back over IMAP from each sender’s mailbox:');
  for (const s of senders.slice(0, -1)) {
    const client = new ImapFlow({ host: env.imap.host, port: env.imap.port, secure: false, doSTARTTLS: false, auth: { user: s.from, pass: 'test' }, logger: false });
    await client.connect();
    const lock = await client.getMailboxLock('INBOX');
    try {
      const uids = ((await client.search({ subject: stamp }, { uid: true })) || []) as number[];
      const messages = uids.length ? await client.fetchAll(uids.join(','), { envelope: true, uid: true }, { uid: true }) : [];
      const ack = messages.find((m) => m.envelope?.subject?.includes('[#'));
      console.log(`  ${s.from.padEnd(28)} ${ack ? `"${ack.envelope?.subject}"` : '(no ack yet)'}`);
    } finally {
      lock.release();
      await client.logout();
    }
  }
  const first = sent.find((r) => r.to.includes(senders[0]!.from));
  if (first) {
    console.log(`\n• the acknowledgement ${senders[0]!.from} received (plain-text part):\n`);
    console.log(first.text.replace(/^/gm, '    '));
  }
  console.log(`\n  Read any mailbox yourself: IMAP ${env.imap.host}:${env.imap.port}, user = the address, password = test`);
  console.log('  Try: npx helpdesk ticket <number>   ·   npx helpdesk tickets --json');

  if (options.keepRunning) {
    console.log('\n• the bot keeps running (Ctrl-C to stop); mail support@… over SMTP', `${env.smtp.host}:${env.smtp.port}`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
  }
  await bot.stop();
}
