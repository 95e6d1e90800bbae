// How fast does intake turn a full mailbox into tickets, compared with the bare cost of
// fetching and parsing it? Seeds N realistic mails straight into the Dovecot maildir of a fresh
// service mailbox, then measures (a) fetch + parse only on a worker-thread pool, and (b) the
// real pipeline (poller → intake.commitBatch → outbound ids + SLA timers queued → moves), wired
// as workers/intake.ts wires it but with no mailer (acks are queued, not sent). Target: b/a ≥ 0.6.
// Run: npm run bench:ingest [-- --n 2000]   (or BENCH_N=2000). Options: `--seed S` other mails;
// `--profile-b FILE` main-thread CPU profile of (b); `--loud` treats the backlog as fresh mail
// (every ticket acknowledged, a notice per ticket to each technician: the intake path of mail
// that arrives while the bot runs). Everything it creates (database, maildir, queues) is
// removed at the end.
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { ImapFlow } from 'imapflow';
import { createMailboxPoller, PROCESSED_FOLDER, QUARANTINE_FOLDER } from '../src/adapters/imap/mailbox-poller.ts';
import { createQueues } from '../src/adapters/queue/queues.ts';
import { TEMPLATES_DIR } from '../src/app.ts';
import type { ImapEndpoint } from '../src/config/env.ts';
import { loadContractsFile } from '../src/contracts/contracts.file.ts';
import { createContractsRepository } from '../src/contracts/contracts.repository.ts';
import { connectDatabase } from '../src/db/client.ts';
import { createOutbox } from '../src/mail/outbox.usecases.ts';
import { loadLanguageDetector } from '../src/mail/language-detector.ts';
import { createParsePool } from '../src/mail/parse-pool.ts';
import { createTemplateRenderer } from '../src/mail/templates.ts';
import { createSlaClocks } from '../src/sla/sla-clocks.usecases.ts';
import { listSlaTimers } from '../src/tickets/sla-escalation.usecases.ts';
import { createIntake, dispositionsOf } from '../src/tickets/intake.usecases.ts';
import { isolatedExample } from '../test/support/contracts.ts';
import { createTestDatabase, uniqueSuffix } from '../test/support/services.ts';
import { generateMails, type GeneratedKind } from './mail-generator.ts';
import { argValue, countingLogger, localMailSettings, percentile, positiveNumber } from './bench-support.ts';

/** as the poller's batches, so (a) and (b) fetch alike */
const FETCH_BATCH = 250;
const WARM_UP_MAILS = 300;
/** the mails arrive over the week before this (a Friday, 17:00 in Stockholm) */
const MAIL_WINDOW_END = new Date('2026-11-20T16:00:00Z');
const TARGET_RATIO = 0.6;



const N = positiveNumber(argValue('n') ?? process.env.BENCH_N, 10_000, '--n / BENCH_N');
const SEED = positiveNumber(argValue('seed'), 20261122, '--seed');
const THREADS = availableParallelism();

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const mb = (bytes: number) => (bytes / 1_048_576).toFixed(1);
const rate = (count: number, ms: number) => count / (ms / 1000);



interface CpuSnapshot {
  /** all cores: busy and total jiffies (from /proc/stat) */
  machineBusy: number;
  machineTotal: number;
  /** the IMAP server's processes */
  dovecotTicks: number;
  /** Postgres backends serving the bench database (their process title names it) */
  postgresTicks: number;
  /** this process, all threads (µs) */
  nodeMicros: number;
}

/** Linux-only CPU accounting, so (b)'s wall time can be split into who was busy. */
function cpuSnapshot(databaseName: string): CpuSnapshot | null {
  if (!existsSync('/proc/stat')) return null;
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  const total = cpu.reduce((a, b) => a + b, 0);
  let postgresTicks = 0;
  let dovecotTicks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
      const ours = databaseName !== '' && cmdline.includes(databaseName);
      // the IMAP server's processes (imap, lmtp, indexer…) name the services' instance
      const dovecot = cmdline.includes('dovecot');
      if (!ours && !dovecot) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      if (ours) postgresTicks += ticks;
      // An IMAP session's process ends with its session: its time then shows in its parent's
      // reaped-children time (cutime, cstime), counted here too.
      else dovecotTicks += ticks + Number(fields[13]) + Number(fields[14]);
    } catch {
      continue; // the process ended between readdir and read: it was not ours to count
    }
  }
  const usage = process.cpuUsage();
  return { machineBusy: total - idle, machineTotal: total, postgresTicks, dovecotTicks, nodeMicros: usage.user + usage.system };
}

function post(session: inspector.Session, method: string): Promise<unknown> {
  return new Promise((resolve, reject) => session.post(method, (err, result) => (err ? reject(err) : resolve(result))));
}

async function openImap(endpoint: ImapEndpoint): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: endpoint.host,
    port: endpoint.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: endpoint.user, pass: endpoint.password },
    logger: false,
  });
  client.on('error', (err: Error) => console.error(`imap error: ${err.message}`));
  await client.connect();
  return client;
}

async function main() {
  const { env, mailRoot, mailUid, mailGid } = localMailSettings();
  const suffix = uniqueSuffix();
  const serviceAddress = `support@trinax-${suffix}.example`;
  const [localPart, domain] = serviceAddress.split('@') as [string, string];
  const domainDir = path.join(mailRoot, domain);
  const maildir = path.join(domainDir, localPart, 'Maildir');
  const endpoint: ImapEndpoint = { ...env.imap, user: serviceAddress, password: 'test', mailbox: 'INBOX' };
  const queuePrefix = `bench-ingest-${suffix}`;
  const figures: Record<string, unknown> = { n: N, seed: SEED, threads: THREADS };

  console.log(`ingest bench: ${N} mails into ${serviceAddress} (seed ${SEED}, ${THREADS} parse threads${process.argv.includes('--loud') ? ', --loud: every mail acknowledged' : ''})`);
  const contracts = isolatedExample('trinax.yaml', suffix);
  const database = await createTestDatabase();
  const handle = connectDatabase(database.url, { max: 12 });
  const queues = createQueues({ redisUrl: env.redisUrl, prefix: queuePrefix });
  const pool = createParsePool({ maxBytes: env.maxMailBytes, threads: THREADS });
  const log = countingLogger();
  try {
    // as `helpdesk start` does before its first batch (src/app.ts): not part of (b)
    await loadLanguageDetector();
    const loaded = await loadContractsFile(contracts.file);
    // The generated mails are days old: by default they are a backlog (no acks, digests).
    const loud = process.argv.includes('--loud');
    const config = loud
      ? { ...loaded, provider: { ...loaded.provider, backlog: { ackMaxAgeMs: Number.MAX_SAFE_INTEGER, digestFrom: Number.MAX_SAFE_INTEGER } } }
      : loaded;
    figures.loud = loud;
    await createContractsRepository({ db: handle.db }).sync(config);

    // ---- seed -------------------------------------------------------------------------------
    let t0 = performance.now();
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(path.join(maildir, sub), { recursive: true });
    for (const dir of [domainDir, path.join(domainDir, localPart), maildir, ...['cur', 'new', 'tmp'].map((s) => path.join(maildir, s))]) {
      chownSync(dir, mailUid, mailGid);
    }
    const sizes: number[] = [];
    const kinds: Record<GeneratedKind, number> = { new: 0, reply: 0, 'auto-reply': 0, malformed: 0 };
    let attachments = 0;
    let nonUtf8 = 0;
    let html = 0;
    let n = 0;
    // A fixed week of traffic (not "now"), so every run gets the same mails and the same routing.
    const end = MAIL_WINDOW_END;
    for (const mail of generateMails({ count: N, suffix, serviceAddress, seed: SEED, end })) {
      const unix = Math.floor(mail.date.getTime() / 1000);
      const file = path.join(maildir, 'new', `${unix}.M${n}P${process.pid}.bench,S=${mail.raw.length}`);
      writeFileSync(file, mail.raw);
      chownSync(file, mailUid, mailGid);
      // Dovecot takes a maildir mail's INTERNALDATE from the file's mtime.
      utimesSync(file, mail.date, mail.date);
      sizes.push(mail.raw.length);
      kinds[mail.kind]++;
      if (mail.attachment) attachments++;
      if (mail.charset !== 'utf-8') nonUtf8++;
      if (mail.html) html++;
      n++;
    }
    const seedMs = performance.now() - t0;
    sizes.sort((a, b) => a - b);
    const totalBytes = sizes.reduce((a, b) => a + b, 0);
    Object.assign(figures, {
      totalMB: Number(mb(totalBytes)),
      p50Bytes: percentile(sizes, 0.5),
      minBytes: sizes[0],
      maxBytes: sizes.at(-1),
      mix: { ...kinds, attachments, nonUtf8, html },
      seedSeconds: Number(seconds(seedMs)),
    });
    console.log(
      `seeded: ${mb(totalBytes)} MB, mail size p50 ${(percentile(sizes, 0.5) / 1024).toFixed(1)} KB ` +
        `(min ${((sizes[0] ?? 0) / 1024).toFixed(1)}, p90 ${(percentile(sizes, 0.9) / 1024).toFixed(1)}, max ${((sizes.at(-1) ?? 0) / 1024).toFixed(1)} KB); ` +
        `${kinds.new} new, ${kinds.reply} replies, ${kinds['auto-reply']} auto-replies, ${kinds.malformed} malformed; ` +
        `${attachments} with attachments, ${nonUtf8} non-UTF-8, ${html} with HTML (${seconds(seedMs)} s)`,
    );

    // ---- index: Dovecot's first SELECT syncs new/ into cur/ and assigns UIDs ------------------
    t0 = performance.now();
    let client = await openImap(endpoint);
    const opened = await client.mailboxOpen('INBOX');
    const indexMs = performance.now() - t0;
    await client.logout();
    if (opened.exists !== N) throw new Error(`INBOX has ${opened.exists} mails after indexing, expected ${N}`);
    figures.indexSeconds = Number(seconds(indexMs));
    console.log(`index: first SELECT of ${N} new mails took ${seconds(indexMs)} s (not part of a or b)`);

    // Boot every worker (tsx loader, mailparser import) and let the JIT warm up on mails like
    // these (another seed, not in the mailbox) before anything is timed: otherwise a small N
    // measures mostly cold code and (a) comes out far lower than at 10,000.
    const warmUp = [...generateMails({ count: WARM_UP_MAILS, suffix, serviceAddress, seed: SEED + 1, end })];
    await pool.parseMany(warmUp.map((mail) => mail.raw));

    // ---- (a) parse-bound: fetch + parse only ---------------------------------------------------
    const aCpuBefore = cpuSnapshot('');
    t0 = performance.now();
    client = await openImap(endpoint);
    await client.mailboxOpen('INBOX');
    const uids = ((await client.search({ all: true }, { uid: true })) || []).sort((x, y) => x - y);
    const batches: number[][] = [];
    for (let i = 0; i < uids.length; i += FETCH_BATCH) batches.push(uids.slice(i, i + FETCH_BATCH));
    const fetchBatch = (batch: number[]) => client.fetchAll(`${batch[0]}:${batch.at(-1)}`, { uid: true, source: true }, { uid: true });
    let parsed = 0;
    let parseFailures = 0;
    let fetchedBytes = 0;
    let next = batches.length > 0 ? fetchBatch(batches[0]!) : null;
    for (let k = 0; k < batches.length; k++) {
      const messages = await next!;
      // Pipeline: batch k+1 is on the wire while batch k is parsed.
      next = k + 1 < batches.length ? fetchBatch(batches[k + 1]!) : null;
      // the same pool call as the pipeline (several mails to a worker task)
      const sources = messages.map((m) => m.source as Buffer);
      for (const source of sources) fetchedBytes += source.length;
      const outcomes = await pool.parseMany(sources);
      for (const o of outcomes) {
        parsed++;
        if (!o.ok) parseFailures++;
      }
    }
    const aMs = performance.now() - t0;
    await client.logout();
    if (parsed !== N) throw new Error(`(a) parsed ${parsed} mails, expected ${N}`);
    const aRate = rate(N, aMs);
    console.log(`(a) parse-bound: ${aRate.toFixed(0)} mails/s (${seconds(aMs)} s, ${(fetchedBytes / 1_048_576 / (aMs / 1000)).toFixed(1)} MB/s, ${parseFailures} not parseable into a ticket)`);
    const aCpuAfter = cpuSnapshot('');
    if (aCpuBefore && aCpuAfter) {
      // The same figures as for (b) below: (b)'s extra CPU over these is what intake itself costs.
      const machine = (aCpuAfter.machineBusy - aCpuBefore.machineBusy) / (aCpuAfter.machineTotal - aCpuBefore.machineTotal);
      const nodeSeconds = (aCpuAfter.nodeMicros - aCpuBefore.nodeMicros) / 1e6;
      const dovecotSeconds = (aCpuAfter.dovecotTicks - aCpuBefore.dovecotTicks) / 100;
      figures.aCpu = { machineBusyShare: Number(machine.toFixed(2)), nodeAllThreadsSeconds: Number(nodeSeconds.toFixed(2)), dovecotSeconds };
      console.log(`    CPU during (a): machine ${(machine * 100).toFixed(0)}% busy on ${THREADS} cores; node (all threads) ${nodeSeconds.toFixed(2)} s, Dovecot ${dovecotSeconds.toFixed(2)} s of ${seconds(aMs)} s wall`);
    }

    // ---- (b) full pipeline -----------------------------------------------------------------------
    const renderer = createTemplateRenderer({ templatesDir: TEMPLATES_DIR });
    const outbox = createOutbox({ config, renderer, secret: env.secret });
    const sla = createSlaClocks({ config });
    // Phase timing: the wall time in commitBatch (parsing and Postgres, which overlap) and in
    // enqueueing; the rest of (b) is IMAP (search, fetch, move) and connecting.
    const phase = { commitMs: 0, afterCommitMs: 0, batches: 0 };
    const intake = createIntake({ db: handle.db, config, outbox, sla, secret: env.secret, logger: log.logger, parse: (raws) => pool.parseMany(raws) });
    const poller = createMailboxPoller({
      endpoint,
      logger: log.logger,
      loadState: (uidValidity) => intake.loadState(serviceAddress, uidValidity),
      dispositionOfCommitted: (uidValidity, list) => intake.outcomesOfCommitted(serviceAddress, uidValidity, list),
      prepare: (mails) => intake.prepare(mails),
      async commitBatch(uidValidity, mails) {
        const started = performance.now();
        const result = await intake.commitBatch(serviceAddress, uidValidity, mails);
        phase.commitMs += performance.now() - started;
        phase.batches++;
        return {
          dispositions: dispositionsOf(result.outcomes),
          afterCommit: async () => {
            const s = performance.now();
            await queues.enqueueOutbound(result.outboundIds);
            await queues.enqueueOutbound(result.backgroundOutboundIds, { background: true });
            await queues.scheduleTimers(await listSlaTimers(handle.db, result.slaTicketIds), new Date());
            phase.afterCommitMs += performance.now() - s;
          },
        };
      },
    });
    // --profile-b FILE: a CPU profile of the main thread during (b) only (open it in Chrome DevTools).
    const profileFile = argValue('profile-b');
    const profiler = profileFile ? new inspector.Session() : null;
    if (profiler) {
      profiler.connect();
      await post(profiler, 'Profiler.enable');
      await post(profiler, 'Profiler.start');
    }
    const databaseName = new URL(database.url).pathname.slice(1);
    const cpuBefore = cpuSnapshot(databaseName);
    const eluBefore = performance.eventLoopUtilization();
    t0 = performance.now();
    let committed = 0;
    for (;;) {
      const count = await poller.drainOnce();
      committed += count;
      if (count === 0) break;
    }
    const bMs = performance.now() - t0;
    const mainBusy = performance.eventLoopUtilization(eluBefore).utilization;
    if (profiler && profileFile) {
      const { profile } = (await post(profiler, 'Profiler.stop')) as { profile: unknown };
      writeFileSync(profileFile, JSON.stringify(profile));
      profiler.disconnect();
      console.log(`    main-thread CPU profile of (b) written to ${profileFile}`);
    }
    const cpuAfter = cpuSnapshot(databaseName);
    const bRate = rate(N, bMs);
    const ratio = bRate / aRate;
    const imapMs = bMs - phase.commitMs - phase.afterCommitMs;
    console.log(`(b) full pipeline: ${bRate.toFixed(0)} mails/s (${seconds(bMs)} s for ${committed} committed in ${phase.batches} batches)`);
    console.log(
      `    where (b) went: commitBatch (parse + Postgres) ${seconds(phase.commitMs)} s, enqueue ${seconds(phase.afterCommitMs)} s, ` +
        `IMAP search/fetch/move and the rest ${seconds(imapMs)} s; per batch of ${Math.round(N / Math.max(1, phase.batches))}: ` +
        `${(phase.commitMs / Math.max(1, phase.batches)).toFixed(0)} ms commitBatch`,
    );
    if (cpuBefore && cpuAfter) {
      const ticks = 100; // USER_HZ on Linux
      const machine = (cpuAfter.machineBusy - cpuBefore.machineBusy) / (cpuAfter.machineTotal - cpuBefore.machineTotal);
      const cpu = {
        cores: THREADS,
        machineBusyShare: Number(machine.toFixed(2)),
        nodeMainBusyShare: Number(mainBusy.toFixed(2)),
        nodeAllThreadsSeconds: Number(((cpuAfter.nodeMicros - cpuBefore.nodeMicros) / 1e6).toFixed(2)),
        postgresSeconds: Number(((cpuAfter.postgresTicks - cpuBefore.postgresTicks) / ticks).toFixed(2)),
        dovecotSeconds: Number(((cpuAfter.dovecotTicks - cpuBefore.dovecotTicks) / ticks).toFixed(2)),
      };
      figures.bCpu = cpu;
      console.log(
        `    CPU during (b): machine ${(machine * 100).toFixed(0)}% busy on ${THREADS} cores; node main thread busy ${(mainBusy * 100).toFixed(0)}% of wall; ` +
          `node (all threads) ${cpu.nodeAllThreadsSeconds} s, Postgres backends ${cpu.postgresSeconds} s, Dovecot ${cpu.dovecotSeconds} s of ${seconds(bMs)} s wall`,
      );
    }

    // ---- account for every mail ----------------------------------------------------------------
    const db = handle.db;
    const count = async (query: ReturnType<typeof sql>) => Number(((await db.execute<{ n: number }>(query))[0]?.n ?? 0));
    const tickets = await count(sql`select count(*)::int as n from tickets`);
    const inboundOnTickets = await count(sql`select count(*)::int as n from messages where direction = 'in' and ticket_id is not null and author <> 'automatic'`);
    const automatic = await count(sql`select count(*)::int as n from messages where direction = 'in' and author = 'automatic'`);
    const bounces = await count(sql`select count(*)::int as n from messages where direction = 'in' and author = 'bounce'`);
    const quarantined = await count(sql`select count(*)::int as n from quarantine`);
    const followUps = inboundOnTickets - tickets;
    const rawMismatch = await count(sql`select count(*)::int as n from raw_mails where encode(sha256(raw), 'hex') <> sha256`);
    const ackSuppressed = await count(sql`select count(*)::int as n from ticket_events where type = 'ack_suppressed'`);
    const ackSuppressedAsBacklog = await count(sql`select count(*)::int as n from ticket_events where type = 'ack_suppressed' and data->>'reason' = 'backlog'`);
    const outboundByKind = Object.fromEntries(
      (await db.execute<{ kind: string; n: number }>(sql`select kind, count(*)::int as n from outbound_mails group by kind order by kind`)).map((r) => [r.kind, r.n]),
    ) as Record<string, number>;
    const outboundJobs = await queues.outbound.getJobCountByTypes('waiting', 'delayed', 'prioritized', 'active');
    const timerJobs = await queues.slaTimers.getJobCountByTypes('waiting', 'delayed', 'prioritized', 'active');
    const accounted = tickets + followUps + automatic + bounces + quarantined;
    console.log(
      `accounted: ${tickets} tickets + ${followUps} follow-ups + ${automatic} automatic + ${quarantined} quarantined` +
        `${bounces ? ` + ${bounces} bounces` : ''} = ${accounted} of ${N} ${accounted === N ? '✓' : '✗ MISMATCH'}`,
    );
    const outboundTotal = Object.values(outboundByKind).reduce((a, b) => a + b, 0);
    console.log(
      `queued: ${outboundTotal} outbound rows (${Object.entries(outboundByKind).map(([k, v]) => `${v} ${k}`).join(', ')}; ${ackSuppressed} acks suppressed: ${ackSuppressedAsBacklog} as backlog older than provider.backlog.ackMaxAge, ${ackSuppressed - ackSuppressedAsBacklog} by ackLimitPerHour), ` +
        `${outboundJobs} outbound jobs and ${timerJobs} SLA timer jobs in Redis`,
    );
    client = await openImap(endpoint);
    const folderCounts: number[] = [];
    for (const folder of ['INBOX', PROCESSED_FOLDER, QUARANTINE_FOLDER]) {
      const status = await client.status(folder, { messages: true }).catch(() => false as const);
      folderCounts.push(status ? (status.messages ?? 0) : 0);
    }
    const [inbox = 0, processed = 0, quarantine = 0] = folderCounts;
    await client.logout();
    console.log(`mailbox: INBOX ${inbox}, ${PROCESSED_FOLDER} ${processed}, ${QUARANTINE_FOLDER} ${quarantine}`);
    for (const [key, c] of log.counts) console.log(`log: ${c} × ${key}`);
    for (const s of log.samples) console.log(`log sample: ${s}`);

    const problems: string[] = [];
    if (accounted !== N) problems.push(`accounted ${accounted} of ${N} mails`);
    if (rawMismatch > 0) problems.push(`${rawMismatch} raw mails stored with other bytes than were fetched`);
    if ((outboundByKind.ack ?? 0) + ackSuppressed !== tickets) problems.push(`acks ${outboundByKind.ack} + suppressed ${ackSuppressed} != tickets ${tickets}`);
    if (outboundJobs !== outboundTotal) problems.push(`${outboundJobs} outbound jobs for ${outboundTotal} outbound rows`);
    if (inbox !== 0 || processed + quarantine !== N) problems.push('mailbox not fully moved out of INBOX');

    console.log('');
    console.log(`  (a) fetch + parse      ${aRate.toFixed(0).padStart(6)} mails/s   ${seconds(aMs)} s`);
    console.log(`  (b) to committed tickets ${bRate.toFixed(0).padStart(4)} mails/s   ${seconds(bMs)} s`);
    console.log(`  ratio b/a              ${ratio.toFixed(2).padStart(6)}   (target ≥ ${TARGET_RATIO}: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'})`);
    console.log(`  ${N} mails, ${mb(totalBytes)} MB, p50 ${(percentile(sizes, 0.5) / 1024).toFixed(1)} KB; seed ${seconds(seedMs)} s, index ${seconds(indexMs)} s`);
    if (problems.length > 0) console.log(`  PROBLEMS: ${problems.join('; ')}`);
    Object.assign(figures, {
      aMailsPerSecond: Math.round(aRate),
      aSeconds: Number(seconds(aMs)),
      bMailsPerSecond: Math.round(bRate),
      bSeconds: Number(seconds(bMs)),
      ratio: Number(ratio.toFixed(3)),
      targetMet: ratio >= TARGET_RATIO,
      bPhases: { commitBatchSeconds: Number(seconds(phase.commitMs)), enqueueSeconds: Number(seconds(phase.afterCommitMs)), imapSeconds: Number(seconds(imapMs)), batches: phase.batches },
      accounted: { tickets, followUps, automatic, quarantined, bounces, total: accounted },
      outbound: outboundByKind,
      ackSuppressed,
      ackSuppressedAsBacklog,
      problems,
    });
    Object.assign(figures, { mailbox: { inbox, processed, quarantine } });
    console.log(JSON.stringify(figures));
    if (problems.length > 0) process.exitCode = 1;
  } finally {
    await pool.close().catch((err: Error) => console.error(`cleanup: parse pool: ${err.message}`));
    await queues.outbound.obliterate({ force: true }).catch((err: Error) => console.error(`cleanup: outbound queue: ${err.message}`));
    await queues.slaTimers.obliterate({ force: true }).catch((err: Error) => console.error(`cleanup: sla queue: ${err.message}`));
    await queues.close().catch((err: Error) => console.error(`cleanup: queues: ${err.message}`));
    await handle.close().catch((err: Error) => console.error(`cleanup: database connection: ${err.message}`));
    await database.drop().catch((err: Error) => console.error(`cleanup: drop database: ${err.message}`));
    rmSync(domainDir, { recursive: true, force: true });
    rmSync(path.dirname(contracts.file), { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
