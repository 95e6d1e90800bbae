// Intake: one batch of fetched mails → tickets, follow-ups, quarantine rows, outbound mail rows
// and SLA clocks, plus the mailbox's new last UID, all in ONE transaction, written set-based:
//   1. parse every mail (worker threads);
//   2. one pipelined read for the whole batch: mailbox lock, dedup, threading, customers, acks;
//   3. decide each mail in memory, in arrival order (intake/thread-resolution.ts, bounces.ts);
//   4. allocate ids, then one pipelined write of every row (intake/ticket-opening.usecases.ts);
//   5. the few mails that change a ticket's state, one by one (intake/follow-ups.usecases.ts).
// Nothing here talks to IMAP, SMTP or Redis: the poller moves mails after commit by the
// returned outcomes, and the caller enqueues the returned outbound ids and SLA tickets.
import type { ContractsConfig, Technician } from '../contracts/contracts.types.ts';
import { findTechnician } from '../contracts/routing.models.ts';
import type { Database, Tx } from '../db/client.ts';
import { isTransientDatabaseError } from '../db/errors.ts';
import { senderDomainAuthenticated } from '../mail/authentication-results.models.ts';
import { sha256Hex, type ParseOutcome, type ParsedInbound } from '../mail/inbound-parse.ts';
import { detectAutomation } from '../mail/loop-detection.models.ts';
import { listAcksSince, markOutboundBounced, type Outbox } from '../mail/outbox.usecases.ts';
import type { SlaClocks } from '../sla/sla-clocks.usecases.ts';
import { createSlaRepository } from '../sla/sla.repository.ts';
import { domainOf, normalizeAddress } from '../shared/address.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { createTicketsRepository } from './tickets.repository.ts';
import { planBatch } from './intake/batch-plan.ts';
import { isDeliveryStatusReport } from './intake/bounces.ts';
import { handleCustomerMail, handleTechnicianReply, inboundMessageRow } from './intake/follow-ups.usecases.ts';
import { emptyEffects, type BatchContext, type BatchEffects, type BatchMail, type InboundMail } from './intake/intake-context.ts';
import { ACK_WINDOW_MS, isBacklog, type IntakeOutcome } from './intake/intake.models.ts';
import { createIntakeRepository } from './intake/intake.repository.ts';
import { openTickets, routeNewTicket, type TicketToOpen } from './intake/ticket-opening.usecases.ts';
import { settlePrepaidEnds } from './prepaid.usecases.ts';
import { listEndedContracts } from '../contracts/contracts.repository.ts';
import { lookupThreads, threadKeysOf, type ThreadKeys } from './intake/thread-resolution.ts';
import { answerUnverifiedTechnicians } from './intake/follow-up-notices.usecases.ts';
import { redirectToSuperusers } from './intake/superuser-intake.usecases.ts';

export type { IntakeOutcome } from './intake/intake.models.ts';
export type { InboundMail } from './intake/intake-context.ts';

export interface IntakeDeps {
  db: Database;
  config: ContractsConfig;
  outbox: Outbox;
  sla: SlaClocks;
  secret: string;
  logger: Logger;
  clock?: Clock;
  /** one outcome per mail, in order, for every problem of a mail itself; rejects only when the parser itself failed */
  parse(raws: readonly Buffer[]): Promise<ParseOutcome[]>;
}

export interface IntakeBatchResult {
  /** what became of each UID of the batch */
  outcomes: Map<number, IntakeOutcome>;
  outboundIds: string[];
  /** technicians' notices and digests, to queue behind the acknowledgements */
  backgroundOutboundIds: string[];
  slaTicketIds: number[];
  ticketsOpened: number[];
}

/** Fewer new mails than this at once are stored with their batch, not ahead of it. */
const STORE_AHEAD_MIN_MAILS = 32;

/** The outcome with the mail's sha256 filled in where the parser could not give it (''). */
function withHash(outcome: ParseOutcome, raw: Buffer): ParseOutcome {
  return outcome.ok || outcome.sha256 !== '' ? outcome : { ...outcome, sha256: sha256Hex(raw) };
}

function hashOf(outcome: ParseOutcome): string {
  return outcome.ok ? outcome.mail.sha256 : outcome.sha256;
}

export function createIntake(deps: IntakeDeps) {
  const { db, config, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const ourAddresses = [...config.provider.addresses, ...config.provider.technicians.map((t) => t.email)];
  const mailboxIds = new Map<string, number>();
  /** parses started ahead of their batch (prepare), by the mail's bytes */
  const parsing = new WeakMap<Buffer, Promise<ParseOutcome>>();

  /** raw mails being stored ahead of their batch (storeMissingRawMails), by the mail's bytes */
  const storing = new WeakMap<Buffer, Promise<void>>();

  /**
   * Starts parsing these mails, several to a worker task, unless they are being parsed already;
   * once parsed, their raw bytes are stored on a connection of their own (storeMissingRawMails).
   */
  function startParsing(mails: readonly InboundMail[]): void {
    const fresh = mails.filter((mail) => !parsing.has(mail.raw));
    if (fresh.length === 0) return;
    const all = deps.parse(fresh.map((mail) => mail.raw)).then((outcomes) => outcomes.map((outcome, i) => withHash(outcome, fresh[i]!.raw)));
    // Awaited by commitBatch; a fault is reported there. This branch only keeps an early fault
    // of a batch that is never committed (the connection dropped) from going unhandled.
    all.catch((err: Error) => logger.debug({ err: err.message }, 'parse started ahead failed'));
    fresh.forEach((mail, i) => parsing.set(mail.raw, all.then((outcomes) => outcomes[i]!)));
    // A few mails (steady traffic) are stored by their batch: storing them ahead would add a
    // commit of its own in front of the batch's, and there is no backlog to overlap it with.
    if (fresh.length < STORE_AHEAD_MIN_MAILS) return;
    const stored = all
      .then((outcomes) =>
        createIntakeRepository({ db }).storeMissingRawMails(
          fresh.map((mail, i) => ({ sha256: hashOf(outcomes[i]!), size: mail.raw.length, raw: mail.raw })),
        ),
      )
      .then(
        () => undefined,
        // Nothing is lost: the batch stores what is still missing inside its own transaction.
        (err: Error) => logger.debug({ err: err.message }, 'storing raw mails ahead failed; the batch stores them'),
      );
    for (const mail of fresh) storing.set(mail.raw, stored);
  }

  function parseResultOf(mail: InboundMail): Promise<ParseOutcome> {
    const outcome = parsing.get(mail.raw)!;
    parsing.delete(mail.raw);
    return outcome;
  }

  async function mailboxIdOf(address: string): Promise<number> {
    let id = mailboxIds.get(address);
    if (id === undefined) {
      id = await createIntakeRepository({ db }).mailboxId(address);
      mailboxIds.set(address, id);
    }
    return id;
  }

  function batchMail(mail: InboundMail, parsed: ParsedInbound): BatchMail {
    const sender = normalizeAddress(parsed.from!.address);
    const automation = detectAutomation({ headers: parsed.headers, from: sender, returnPath: parsed.returnPath, ourAddresses });
    return { mail, parsed, sender, automation, rawMailId: 0 };
  }

  /** A technician's reply counts only with a valid token, a known address, and (when required) our server's DKIM/DMARC pass. */
  function technicianOf(item: BatchMail): { technician: Technician; proven: boolean } | null {
    const technician = findTechnician(config, item.sender);
    // A technician's address is one of ours, which alone does not make their reply automatic.
    if (!technician || item.automation.reasons.some((reason) => reason !== 'own-address')) return null;
    const auth = config.provider.technicianAuthentication;
    const proven =
      !auth || senderDomainAuthenticated({ headerValues: item.parsed.authenticationResults, authservId: auth.authservId, fromDomain: domainOf(item.sender) ?? '' });
    return { technician, proven };
  }

  async function runBatch(serviceAddress: string, uidValidity: number, mails: readonly InboundMail[], parsed: readonly ParseOutcome[]): Promise<IntakeBatchResult> {
    const mailboxId = await mailboxIdOf(serviceAddress);
    const now = clock.now();
    const outcomes = new Map<number, IntakeOutcome>();
    const effects: BatchEffects = emptyEffects();
    await db.transaction(async (tx) => {
      const intake = createIntakeRepository({ db: tx });
      const tickets = createTicketsRepository({ db: tx });
      const ok: BatchMail[] = [];
      mails.forEach((mail, i) => {
        const outcome = parsed[i]!;
        if (outcome.ok) ok.push(batchMail(mail, outcome.mail));
      });
      const keys = new Map<BatchMail, ThreadKeys>(ok.map((item) => [item, threadKeysOf(item, config.provider.addresses, deps.secret)]));
      const customerNames = new Set<string>();
      for (const item of ok) {
        const customer = item.automation.automatic ? null : routeNewTicket({ config }, item).customer;
        if (customer) customerNames.add(customer.name);
      }
      // Prepaid accounts of these customers that ended with no entry (the contract's end passed):
      // recorded and told before routing, which then reads every recorded end.
      const endNotices = await settlePrepaidEnds(tx, config, { customerNames: [...customerNames], at: now });
      const endedContracts = await listEndedContracts(tx, [...customerNames]);
      const ackable = ok.filter((item) => !isBacklog(item.mail.internalDate, now, config.provider.backlog.ackMaxAgeMs));
      const earliestAckable = Math.min(...ackable.map((item) => item.mail.internalDate.getTime()));

      // ---- 2. one pipelined read ------------------------------------------------------------
      const [lock, handled, lookup, storedRaw, customerIds, acksBefore] = await Promise.all([
        intake.lockMailbox(mailboxId),
        intake.alreadyHandled(ok.map((item, index) => ({ index, sha256: item.parsed.sha256, messageId: item.parsed.messageId, size: item.parsed.size, from: item.parsed.from!.address }))),
        lookupThreads(intake, ok.map((item) => ({ item, keys: keys.get(item)! })), ok.flatMap((item) => (isDeliveryStatusReport(item) && item.parsed.bouncedMessageId ? [item.parsed.bouncedMessageId] : []))),
        intake.storedRawIds(parsed.map((outcome) => (outcome.ok ? outcome.mail.sha256 : outcome.sha256))),
        intake.customerRowIds([...customerNames]),
        ackable.length > 0 ? listAcksSince(tx, new Date(earliestAckable - ACK_WINDOW_MS)) : Promise.resolve([]),
      ]);
      const ctx: BatchContext = {
        ...deps, tx, intake, tickets, clocks: createSlaRepository({ db: tx }), mailboxId, serviceAddress, now, customerIds, endedContracts, effects,
        acks: { before: acksBefore, inBatch: [] },
      };

      ctx.effects.backgroundOutboundIds.push(...(await ctx.outbox.queueMany(tx, endNotices)));

      // ---- 3. decide each mail, in arrival order -------------------------------------------------
      const plan = planBatch({
        config, endedContracts, serviceAddress, mailboxId, uidValidity, mails, parsed, keys, lookup, technicianOf,
        parsedByUid: new Map(ok.map((item, index) => [item.mail.uid, { item, index }])),
        committedUpTo: lock.uidValidity === uidValidity ? lock.lastUid : -1,
        alreadyHandled: handled,
        storedRawIds: storedRaw,
      });
      for (const [uid, outcome] of plan.outcomes) {
        if (outcome.status === 'quarantined') logger.warn({ uid, reasonCode: outcome.reasonCode, reason: outcome.reason }, 'mail quarantined');
        outcomes.set(uid, outcome);
      }
      const { newRaw, toOpen, quarantine, messages, touches, events, bounced, stateful } = plan;

      // ---- 4. allocate ids, then write everything at once ------------------------------------------
      if (newRaw.length > 0 || toOpen.length > 0) {
        const ids = await intake.allocateIds({ rawMails: newRaw.length, tickets: toOpen.length });
        newRaw.forEach((entry, k) => entry.users.forEach((user) => (user.rawMailId = ids.rawMailIds[k]!)));
        toOpen.forEach((open, k) => (open.ticketId = ids.ticketIds[k]!));
        const idOf = (opens: TicketToOpen | null, fallback: number | null) => (opens ? opens.ticketId : fallback);
        // Raw mails and messages go by COPY, which holds the connection: each is awaited alone.
        // Order: raw mails; tickets (and what refers to raw mails); messages (they refer to both);
        // then what reads the messages (acks and notices thread on them) and the rest.
        await intake.insertRawMails(newRaw.map((entry) => ({ id: entry.users[0]!.rawMailId, sha256: entry.sha256, size: entry.size, raw: entry.raw })));
        const opening = openTickets(ctx, toOpen, ids.ticketNumbers);
        await Promise.all([...opening.writeTickets(), intake.insertQuarantine(quarantine)]);
        await intake.insertInboundMessages(messages.map((m) => inboundMessageRow(ctx, m.item, { ...m.fields, ticketId: idOf(m.opens, m.fields.ticketId) })));
        await Promise.all([
          ...opening.queueMail(),
          intake.touchTickets(touches.map((t) => ({ id: idOf(t.opens, t.id)!, at: t.at }))),
          tickets.recordEvents(events),
          markOutboundBounced(tx, bounced),
        ]);
      } else {
        await intake.insertQuarantine(quarantine);
        await intake.insertInboundMessages(messages.map((m) => inboundMessageRow(ctx, m.item, m.fields)));
        await Promise.all([intake.touchTickets(touches.map((t) => ({ id: t.id, at: t.at }))), tickets.recordEvents(events), markOutboundBounced(tx, bounced)]);
      }

      // ---- 5. mails that change a ticket's state, one by one --------------------------------------
      for (const { item, ticketId, technician } of stateful) {
        if (technician) await handleTechnicianReply(ctx, item, ticketId, technician);
        else await handleCustomerMail(ctx, item, ticketId);
      }
      // Technicians whose mail could not be verified: kept as internal notes above, answered here.
      await answerUnverifiedTechnicians(ctx, plan.unverified);
      // New mails from a non-superuser on a superuser-only plan: kept above, forwarded here.
      await redirectToSuperusers(ctx, plan.redirected);
      await intake.setMailboxState(mailboxId, { uidValidity, lastUid: plan.maxUid }, now);
    });
    return { outcomes, outboundIds: effects.outboundIds, backgroundOutboundIds: effects.backgroundOutboundIds, slaTicketIds: [...effects.slaTicketIds], ticketsOpened: effects.ticketsOpened };
  }

  /** Keeps a mail that failed on its own (after its batch failed) in quarantine, with the error as the reason. */
  async function quarantineAlone(serviceAddress: string, uidValidity: number, mail: InboundMail, err: Error): Promise<void> {
    const mailboxId = await mailboxIdOf(serviceAddress);
    const reason = err.message.slice(0, 2000);
    await db.transaction(async (tx: Tx) => {
      const intake = createIntakeRepository({ db: tx });
      const sha256 = sha256Hex(mail.raw);
      let rawMailId = (await intake.storedRawIds([sha256])).get(sha256);
      if (rawMailId === undefined) {
        rawMailId = (await intake.allocateIds({ rawMails: 1, tickets: 0 })).rawMailIds[0]!;
        await intake.insertRawMails([{ id: rawMailId, sha256, size: mail.raw.length, raw: mail.raw }]);
      }
      await intake.insertQuarantine([{ mailboxId, uid: mail.uid, uidValidity, reasonCode: 'mail.processing_failed', reason, rawMailId, receivedAt: mail.internalDate }]);
      await intake.raiseLastUid(mailboxId, uidValidity, mail.uid);
    });
    logger.warn({ uid: mail.uid, reasonCode: 'mail.processing_failed', reason }, 'mail quarantined');
  }

  return {
    /** The committed state of a mailbox; a new UIDVALIDITY resets it (content-hash dedup keeps old mails from doubling). */
    async loadState(serviceAddress: string, uidValidity: number): Promise<{ uidValidity: number | null; lastUid: number }> {
      const mailboxId = await mailboxIdOf(serviceAddress);
      return db.transaction(async (tx) => {
        const intake = createIntakeRepository({ db: tx });
        const row = await intake.lockMailbox(mailboxId);
        if (row.uidValidity === uidValidity) return { uidValidity, lastUid: row.lastUid };
        if (row.uidValidity !== null) logger.warn({ old: row.uidValidity, new: uidValidity }, 'UIDVALIDITY changed: resyncing mailbox');
        await intake.setMailboxState(mailboxId, { uidValidity, lastUid: 0 }, clock.now());
        return { uidValidity, lastUid: 0 };
      });
    },

    /** Outcomes of UIDs committed before a restart whose move did not happen. */
    async outcomesOfCommitted(serviceAddress: string, uidValidity: number, uids: number[]): Promise<Map<number, IntakeOutcome['status']>> {
      const mailboxId = await mailboxIdOf(serviceAddress);
      const quarantined = await createIntakeRepository({ db }).quarantinedUids(mailboxId, uidValidity, uids);
      return new Map(uids.map((uid) => [uid, quarantined.has(uid) ? 'quarantined' : 'processed']));
    },

    /**
     * Starts parsing a fetched batch while the previous one commits (parsing runs on worker
     * threads, the commit on the main thread and Postgres: overlapping them is most of the
     * difference between the pipeline and the parse limit in bench/ingest.ts).
     */
    prepare(mails: readonly InboundMail[]): void {
      startParsing(mails);
    },

    async commitBatch(serviceAddress: string, uidValidity: number, mails: readonly InboundMail[]): Promise<IntakeBatchResult> {
      // A rejected parse is a fault of the parser (a crashed worker, a closed pool), not of the
      // mail: it propagates, nothing is committed, and the poller fetches the batch again.
      startParsing(mails);
      const parsed = await Promise.all(mails.map(parseResultOf));
      await Promise.all(
        mails.map((mail) => {
          const stored = storing.get(mail.raw);
          storing.delete(mail.raw);
          return stored;
        }),
      );
      try {
        return await runBatch(serviceAddress, uidValidity, mails, parsed);
      } catch (batchError) {
        if (isTransientDatabaseError(batchError)) throw batchError;
        // One bad mail must not stop the mailbox: retry one by one; a mail that still fails is
        // quarantined with the error as its reason.
        logger.warn({ err: (batchError as Error).message }, 'batch commit failed; retrying mail by mail');
        const result: IntakeBatchResult = { outcomes: new Map(), outboundIds: [], backgroundOutboundIds: [], slaTicketIds: [], ticketsOpened: [] };
        for (let i = 0; i < mails.length; i++) {
          const mail = mails[i]!;
          try {
            const one = await runBatch(serviceAddress, uidValidity, [mail], [parsed[i]!]);
            for (const [uid, outcome] of one.outcomes) result.outcomes.set(uid, outcome);
            result.outboundIds.push(...one.outboundIds);
            result.backgroundOutboundIds.push(...one.backgroundOutboundIds);
            result.slaTicketIds.push(...one.slaTicketIds);
            result.ticketsOpened.push(...one.ticketsOpened);
          } catch (err) {
            if (isTransientDatabaseError(err)) throw err;
            await quarantineAlone(serviceAddress, uidValidity, mail, err as Error);
            result.outcomes.set(mail.uid, { status: 'quarantined', reasonCode: 'mail.processing_failed', reason: (err as Error).message.slice(0, 2000) });
          }
        }
        return result;
      }
    },
  };
}

/** What the poller needs of the outcomes to move each mail: processed or quarantined. */
export function dispositionsOf(outcomes: ReadonlyMap<number, IntakeOutcome>): Map<number, IntakeOutcome['status']> {
  return new Map([...outcomes].map(([uid, outcome]) => [uid, outcome.status]));
}

export type Intake = ReturnType<typeof createIntake>;
