// How fast does a customer get the acknowledgement, under a steady stream of new mail? Runs the
// real bot (createBot, all roles) on a fresh database, queue prefix and mail domain, sends one
// new-ticket mail per distinct customer through the local SMTP front at a steady rate, and
// measures, per mail, from "delivered" (the SMTP front answered 250: it has handed the mail to
// Dovecot over LMTP) to "acknowledged" (the ack's file appears in that customer's maildir).
// The front's own delivery latency for the same mails is the baseline. Then it measures the
// mailer alone: N stored outbound rows enqueued at once, mails/s until all are `sent`.
// Targets: ack p50 ≤ 0.5 s and p99 ≤ 2 s at 20 mails/s; the mailer ≥ 100 mails/s.
// Run: npm run bench:ack-latency [-- --rate 20 --seconds 30 --mailer-n 2000 --warm-up 20]
// Everything it creates (database, maildirs, queues) is removed at the end.
import { chownSync, mkdirSync, rmSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import { createBot } from '../src/app.ts';
import { loadContractsFile } from '../src/contracts/contracts.file.ts';
import { createContractsRepository } from '../src/contracts/contracts.repository.ts';
import { isolatedExample } from '../test/support/contracts.ts';
import { createTestDatabase, testEnv, uniqueSuffix } from '../test/support/services.ts';
import { argValue, countingLogger, localMailSettings, percentile, positiveNumber } from './bench-support.ts';

const TARGET_P50_MS = 500;
const TARGET_P99_MS = 2000;
const TARGET_MAILER_RATE = 100;
/** how long to wait for the last acks after the last mail was delivered */
const SETTLE_MS = 60_000;



const RATE = positiveNumber(argValue('rate'), 20, '--rate', false);
const SECONDS = positiveNumber(argValue('seconds'), 30, '--seconds', false);
const MAILER_N = positiveNumber(argValue('mailer-n'), 2000, '--mailer-n');
const WARM_UP = Number(argValue('warm-up') ?? 20);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));


function summary(values: readonly number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? Number.NaN };
}

const ms = (v: number) => (Number.isNaN(v) ? '   n/a' : `${v.toFixed(0).padStart(5)} ms`);


interface Customer {
  address: string;
  newDir: string;
  /** performance.now() of the 250 from the SMTP front, and of the ack's arrival */
  sentAt?: number;
  deliveredAt?: number;
  ackedAt?: number;
  /** Date.now() of the 250, to compare with Postgres timestamps */
  deliveredWallMs?: number;
  watcher?: FSWatcher;
}

async function main() {
  const { env, mailRoot, mailUid, mailGid } = localMailSettings();
  const suffix = uniqueSuffix();
  const contracts = isolatedExample('trinax.yaml', suffix);
  const config = await loadContractsFile(contracts.file);
  const service = config.provider.addresses[0]!;
  const customerDomain = `acme-${suffix}.se`;
  const domainDirs = [customerDomain, service.split('@')[1]!].map((d) => path.join(mailRoot, d));
  const database = await createTestDatabase();
  const botEnv = testEnv({ DATABASE_URL: database.url, IMAP_URL: `imap://${encodeURIComponent(service)}:test@${env.imap.host}:${env.imap.port}/INBOX` });
  const log = countingLogger();
  const bot = createBot({ env: botEnv, config, logger: log.logger, queuePrefix: `bench-ack-${suffix}` });
  const transport = nodemailer.createTransport({ host: env.smtp.host, port: env.smtp.port, secure: false, ignoreTLS: true, pool: true, maxConnections: 8, maxMessages: Infinity });
  const total = Math.round(RATE * SECONDS);
  const customers: Customer[] = [];
  /** every customer made, warm-up ones included, so a failure still closes every watcher */
  const watched: Customer[] = [];
  const figures: Record<string, unknown> = { rate: RATE, seconds: SECONDS, mails: total, warmUp: WARM_UP, mailerN: MAILER_N };
  console.log(`ack-latency bench: ${total} new-ticket mails at ${RATE}/s for ${SECONDS} s to ${service}, after ${WARM_UP} warm-up mails; then the mailer alone on ${MAILER_N} rows`);

  // One maildir per customer, made (and watched) before any mail goes out, so the ack's arrival
  // is an inotify event; Dovecot stores mail as HELPDESK_MAIL_UID, so hand the folders over.
  const makeCustomer = (local: string): Customer => {
    const address = `${local}@${customerDomain}`;
    const maildir = path.join(domainDirs[0]!, local, 'Maildir');
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(path.join(maildir, sub), { recursive: true });
    for (const dir of [domainDirs[0]!, path.join(domainDirs[0]!, local), maildir, ...['cur', 'new', 'tmp'].map((s) => path.join(maildir, s))]) chownSync(dir, mailUid, mailGid);
    const customer: Customer = { address, newDir: path.join(maildir, 'new') };
    watched.push(customer);
    customer.watcher = watch(customer.newDir, () => {
      customer.ackedAt ??= performance.now();
    });
    return customer;
  };

  const send = async (customer: Customer, subject: string) => {
    customer.sentAt = performance.now();
    await transport.sendMail({ from: customer.address, to: service, subject, text: `Hello,\n\n${subject}: the printer on floor 2 is down again.\n\nRegards\n` });
    customer.deliveredAt = performance.now();
    customer.deliveredWallMs = Date.now();
  };

  const waitForAcks = async (list: Customer[], timeoutMs: number) => {
    const until = performance.now() + timeoutMs;
    while (performance.now() < until && list.some((c) => c.ackedAt === undefined)) await sleep(50);
  };

  // When each outbound id reached the queue (the intake worker calls this after its commit).
  const enqueuedAt = new Map<string, number>();
  const enqueue = bot.queues.enqueueOutbound.bind(bot.queues);
  bot.queues.enqueueOutbound = async (ids, options) => {
    const at = Date.now();
    for (const id of ids) enqueuedAt.set(id, at);
    await enqueue(ids, options);
  };

  try {
    await createContractsRepository({ db: bot.db.db }).sync(config);
    await bot.start();

    // ---- warm-up: thread boot, JIT, first connections; not measured --------------------------
    const warm = Array.from({ length: WARM_UP }, (_, i) => makeCustomer(`warm${i}`));
    for (const [i, c] of warm.entries()) {
      await send(c, `Warm-up ${i}`);
      await sleep(100);
    }
    await waitForAcks(warm, SETTLE_MS);
    console.log(`warm-up: ${warm.filter((c) => c.ackedAt !== undefined).length} of ${WARM_UP} acknowledged`);

    // ---- steady stream -----------------------------------------------------------------------
    for (let i = 0; i < total; i++) customers.push(makeCustomer(`c${i}`));
    const eluBefore = performance.eventLoopUtilization();
    const start = performance.now();
    const sends: Promise<void>[] = [];
    for (const [i, c] of customers.entries()) {
      // Absolute schedule: a slow send does not shift the ones after it.
      await sleep(start + (i * 1000) / RATE - performance.now());
      sends.push(send(c, `Steady ${i}`));
    }
    const sendResults = await Promise.allSettled(sends);
    const sendFailures = sendResults.filter((r) => r.status === 'rejected');
    const sendSeconds = (performance.now() - start) / 1000;
    await waitForAcks(customers, SETTLE_MS);
    const mainBusy = performance.eventLoopUtilization(eluBefore).utilization;

    const delivered = customers.filter((c) => c.deliveredAt !== undefined);
    const deliveryMs = summary(delivered.map((c) => c.deliveredAt! - c.sentAt!));
    const acked = delivered.filter((c) => c.ackedAt !== undefined);
    const ackMs = summary(acked.map((c) => c.ackedAt! - c.deliveredAt!));
    const missing = delivered.length - acked.length;
    const [ackCount] = await bot.db.sql`select count(*)::int as n from outbound_mails where kind = 'ack' and state = 'sent'`;
    const [allRows] = await bot.db.sql`select count(*)::int as n, count(*) filter (where state = 'sent')::int as sent from outbound_mails`;

    console.log(`sent ${delivered.length} of ${total} in ${sendSeconds.toFixed(1)} s (${(delivered.length / sendSeconds).toFixed(1)}/s)${sendFailures.length ? `, ${sendFailures.length} refused` : ''}`);
    console.log(`outbound rows: ${allRows!.n} (${allRows!.sent} sent, ${ackCount!.n} acks sent); bot main thread busy ${(mainBusy * 100).toFixed(0)}% of wall`);
    console.log('');
    console.log('                                    p50        p99        max');
    console.log(`  delivery (SMTP front, baseline) ${ms(deliveryMs.p50)}   ${ms(deliveryMs.p99)}   ${ms(deliveryMs.max)}`);
    console.log(`  delivered → ack in mailbox      ${ms(ackMs.p50)}   ${ms(ackMs.p99)}   ${ms(ackMs.max)}   (${acked.length} acks${missing ? `, ${missing} MISSING` : ''})`);
    console.log(`  ratio ack / delivery            ${(ackMs.p50 / deliveryMs.p50).toFixed(1).padStart(6)} ×   ${(ackMs.p99 / deliveryMs.p99).toFixed(1).padStart(6)} ×`);
    // Where the time went: delivered → its ack row enqueued (IDLE wake-up, fetch, parse, the
    // intake transaction, waiting for the batch before it) and enqueued → accepted by the SMTP
    // front (queue wait, claim, SMTP + LMTP; sent_at is stamped after the front's 250).
    const ackRows = await bot.db.sql<{ id: string; requester: string; sent: Date | string | null }[]>`
      select o.id, t.requester, o.sent_at as sent from tickets t join outbound_mails o on o.ticket_id = t.id and o.kind = 'ack'
      where t.requester like ${'c%@' + customerDomain}`;
    const byAddress = new Map(ackRows.map((r) => [r.requester, r]));
    const toEnqueued: number[] = [];
    const toAccepted: number[] = [];
    for (const c of acked) {
      const row = byAddress.get(c.address);
      const enqueued = row ? enqueuedAt.get(row.id) : undefined;
      if (!row?.sent || enqueued === undefined) continue;
      toEnqueued.push(enqueued - c.deliveredWallMs!);
      toAccepted.push(new Date(row.sent).getTime() - enqueued);
    }
    const intakePhase = summary(toEnqueued);
    const mailerPhase = summary(toAccepted);
    console.log(`    of which delivered → ack enqueued  ${ms(intakePhase.p50)}   ${ms(intakePhase.p99)}   ${ms(intakePhase.max)}   (IDLE wake-up, fetch, parse, intake transaction)`);
    console.log(`    of which enqueued → ack accepted   ${ms(mailerPhase.p50)}   ${ms(mailerPhase.p99)}   ${ms(mailerPhase.max)}   (queue wait, claim, SMTP + LMTP)`);
    const latencyMet = missing === 0 && ackMs.p50 <= TARGET_P50_MS && ackMs.p99 <= TARGET_P99_MS;
    console.log(`  target p50 ≤ ${TARGET_P50_MS} ms, p99 ≤ ${TARGET_P99_MS} ms: ${latencyMet ? 'met' : 'NOT met'}`);
    Object.assign(figures, { deliveryMs, ackMs, intakePhase, mailerPhase, missingAcks: missing, sendFailures: sendFailures.length, mainThreadBusy: Number(mainBusy.toFixed(2)), latencyTargetMet: latencyMet });
    for (const c of watched) c.watcher?.close();

    // ---- the mailer alone --------------------------------------------------------------------
    // Rows as the outbox stores them (automatic, a Message-ID of ours), all to one mailbox.
    const sink = `mailer-sink@${customerDomain}`;
    const rows = await bot.db.sql<{ id: string }[]>`
      insert into outbound_mails (idempotency_key, kind, from_address, "to", subject, text, message_id, automatic, headers)
      select 'bench:' || g, 'ack', ${service}, array[${sink}]::text[], 'Mailer bench ' || g,
             'Thank you for your mail. This is mailer bench mail ' || g || '.', '<mailer-bench-' || g || '-' || ${suffix} || '@' || ${service.split('@')[1]!} || '>',
             true, '{"Auto-Submitted":"auto-replied"}'::jsonb
      from generate_series(1, ${MAILER_N}::int) g
      returning id`;
    const ids = rows.map((r) => r.id);
    const mailerStart = performance.now();
    await bot.queues.enqueueOutbound(ids);
    let sent = 0;
    const mailerUntil = mailerStart + Math.max(SETTLE_MS, MAILER_N * 50);
    while (performance.now() < mailerUntil) {
      const [row] = await bot.db.sql`select count(*)::int as n from outbound_mails where id = any(${ids}::uuid[]) and state = 'sent'`;
      sent = row!.n as number;
      if (sent >= ids.length) break;
      await sleep(20);
    }
    const mailerSeconds = (performance.now() - mailerStart) / 1000;
    const mailerRate = sent / mailerSeconds;
    const mailerMet = sent === ids.length && mailerRate >= TARGET_MAILER_RATE;
    console.log(`  mailer alone: ${sent} of ${ids.length} rows sent in ${mailerSeconds.toFixed(2)} s = ${mailerRate.toFixed(0)} mails/s (target ≥ ${TARGET_MAILER_RATE}: ${mailerMet ? 'met' : 'NOT met'})`);
    Object.assign(figures, { mailer: { rows: ids.length, sent, seconds: Number(mailerSeconds.toFixed(2)), mailsPerSecond: Math.round(mailerRate) }, mailerTargetMet: mailerMet });

    for (const [key, c] of log.counts) console.log(`log: ${c} × ${key}`);
    for (const s of log.samples) console.log(`log sample: ${s}`);
    console.log(JSON.stringify(figures));
    if (!latencyMet || !mailerMet) process.exitCode = 1;
  } finally {
    for (const c of watched) c.watcher?.close();
    transport.close();
    await bot.queues.outbound.obliterate({ force: true }).catch((err: Error) => console.error(`cleanup: outbound queue: ${err.message}`));
    await bot.queues.slaTimers.obliterate({ force: true }).catch((err: Error) => console.error(`cleanup: sla queue: ${err.message}`));
    const stopping = performance.now();
    await bot.stop().catch((err: Error) => console.error(`cleanup: bot: ${err.message}`));
    console.log(`bot stopped in ${((performance.now() - stopping) / 1000).toFixed(1)} s`);
    await database.drop().catch((err: Error) => console.error(`cleanup: drop database: ${err.message}`));
    for (const dir of domainDirs) rmSync(dir, { recursive: true, force: true });
    rmSync(path.dirname(contracts.file), { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
