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
import type { TicketEventRecord } from './ticket-events.models.ts';
import { createTicketsRepository, type TicketRow } from './tickets.repository.ts';
import { isDeliveryStatusReport, planBounce } from './intake/bounces.ts';
import { handleCustomerMail, handleTechnicianReply, inboundMessageRow } from './intake/follow-ups.usecases.ts';
import { emptyEffects, type BatchContext, type BatchEffects, type BatchMail, type InboundMail } from './intake/intake-context.ts';
import { ACK_WINDOW_MS, PROCESSED, acceptsFollowUp, followUpChangesTicket, type IntakeOutcome } from './intake/intake.models.ts';
import { createIntakeRepository, type QuarantineRow } from './intake/intake.repository.ts';
import { openTickets, routeNewTicket, type TicketToOpen } from './intake/ticket-opening.usecases.ts';
import { lookupThreads, resolveThread, threadKeysOf, type ThreadKeys } from './intake/thread-resolution.ts';

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
  /** resolves with an outcome for every problem of the mail itself; rejects only when the parser itself failed */
  parse(raw: Buffer): Promise<ParseOutcome>;
}

export interface IntakeBatchResult {
  /** what became of each UID of the batch */
  outcomes: Map<number, IntakeOutcome>;
  /** the same, as the poller needs it to move each mail */
  dispositions: Map<number, IntakeOutcome['status']>;
  outboundIds: string[];
  slaTicketIds: number[];
  ticketsOpened: number[];
}

/** A mail whose handling changes a ticket's state: done one by one after the bulk writes. */
type StatefulMail = { item: BatchMail; ticketId: number; technician: Technician | null };

/** A message is built once ids are allocated: its raw mail's, and its ticket's when the batch opens it. */
type PendingMessage = { item: BatchMail; fields: Parameters<typeof inboundMessageRow>[2]; opens: TicketToOpen | null };

export function createIntake(deps: IntakeDeps) {
  const { db, config, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const ourAddresses = [...config.provider.addresses, ...config.provider.technicians.map((t) => t.email)];
  const mailboxIds = new Map<string, number>();
  /** parses started ahead of their batch (prepare), by the mail's bytes */
  const parsing = new WeakMap<Buffer, Promise<ParseOutcome>>();

  function parseOnce(raw: Buffer): Promise<ParseOutcome> {
    const started = parsing.get(raw);
    if (started) {
      parsing.delete(raw);
      return started;
    }
    return deps.parse(raw);
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
      const ackable = ok.filter((item) => now.getTime() - item.mail.internalDate.getTime() <= config.provider.backlog.ackMaxAgeMs);
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
        ...deps, tx, intake, tickets, clocks: createSlaRepository({ db: tx }), mailboxId, serviceAddress, now, customerIds, effects,
        acks: { before: acksBefore, inBatch: [] },
      };

      // ---- 3. decide each mail, in arrival order -------------------------------------------------
      const known = lock.uidValidity === uidValidity ? lock.lastUid : -1;
      const seenHashes = new Set<string>();
      const seenMessageKeys = new Set<string>();
      const newRaw = new Map<string, { sha256: string; size: number; raw: Buffer; users: { rawMailId: number }[] }>();
      const rawFor = (sha256: string, raw: Buffer, user: { rawMailId: number }) => {
        const stored = storedRaw.get(sha256);
        if (stored !== undefined) user.rawMailId = stored;
        else {
          const entry = newRaw.get(sha256) ?? { sha256, size: raw.length, raw, users: [] };
          entry.users.push(user);
          newRaw.set(sha256, entry);
        }
      };
      const quarantine: (QuarantineRow & { rawMailId: number })[] = [];
      const toOpen: TicketToOpen[] = [];
      const openedBy = new Map<string, TicketToOpen>();
      const messages: PendingMessage[] = [];
      const touches: { id: number; at: Date; opens: TicketToOpen | null }[] = [];
      const events: TicketEventRecord[] = [];
      const bounced: string[] = [];
      const stateful: StatefulMail[] = [];
      const statefulTickets = new Set<number>();
      let maxUid = Math.max(0, known);
      const okByUid = new Map(ok.map((item, index) => [item.mail.uid, { item, index }]));

      for (let i = 0; i < mails.length; i++) {
        const mail = mails[i]!;
        const outcome = parsed[i]!;
        if (mail.uid <= known) {
          outcomes.set(mail.uid, PROCESSED); // committed by an earlier run
          continue;
        }
        maxUid = Math.max(maxUid, mail.uid);
        if (!outcome.ok) {
          const row = { mailboxId, uid: mail.uid, uidValidity, reasonCode: outcome.reasonCode, reason: outcome.reason, rawMailId: 0, receivedAt: mail.internalDate };
          rawFor(outcome.sha256, mail.raw, row);
          quarantine.push(row);
          outcomes.set(mail.uid, { status: 'quarantined', reasonCode: outcome.reasonCode, reason: outcome.reason });
          logger.warn({ uid: mail.uid, reasonCode: outcome.reasonCode, reason: outcome.reason }, 'mail quarantined');
          continue;
        }
        outcomes.set(mail.uid, PROCESSED);
        const { item, index } = okByUid.get(mail.uid)!;
        // The same bytes seen again (UIDVALIDITY reset, a redelivery), or the same Message-ID from
        // the same sender at the same size: already handled, before or earlier in this batch.
        const messageKey = item.parsed.messageId ? `${item.parsed.messageId}\u0000${item.parsed.size}\u0000${item.parsed.from!.address}` : null;
        if (handled.has(index) || seenHashes.has(item.parsed.sha256) || (messageKey && seenMessageKeys.has(messageKey))) continue;
        seenHashes.add(item.parsed.sha256);
        if (messageKey) seenMessageKeys.add(messageKey);
        rawFor(item.parsed.sha256, mail.raw, item);
        const at = mail.internalDate;
        const message = (fields: PendingMessage['fields'], opens: TicketToOpen | null = null) => messages.push({ item, fields, opens });

        if (isDeliveryStatusReport(item)) {
          const bounce = planBounce(item, lookup);
          message({ ticketId: bounce.ticketId, author: 'bounce', reasons: ['delivery-status-report', ...item.automation.reasons] });
          if (bounce.event) events.push(bounce.event);
          if (bounce.event && item.parsed.bouncedMessageId) bounced.push(item.parsed.bouncedMessageId);
          continue;
        }

        const thread = resolveThread(item, keys.get(item)!, lookup, openedBy);
        if (thread.kind === 'pending') {
          // a reply to a ticket this batch opens: it is new, so nothing but the message changes
          message({ ticketId: null, author: item.automation.automatic ? 'automatic' : 'customer', reasons: item.automation.reasons }, thread.pending);
          if (!item.automation.automatic) touches.push({ id: 0, at, opens: thread.pending });
          continue;
        }
        let ticket: TicketRow | null = thread.kind === 'ticket' ? thread.ticket : null;
        const technician = ticket && thread.kind === 'ticket' && thread.via === 'token' ? technicianOf(item) : null;
        if (ticket && technician && !technician.proven) {
          // Token and address match, but our server could not authenticate the domain: keep the
          // mail on the ticket as an internal note, apply no tags, relay nothing.
          message({ ticketId: ticket.id, author: 'unverified', internal: true });
          events.push({ ticketId: ticket.id, at, event: { type: 'technician_unverified', from: item.sender, authenticationResults: item.parsed.authenticationResults } });
          continue;
        }
        if (ticket && (technician || statefulTickets.has(ticket.id) || (!item.automation.automatic && followUpChangesTicket(ticket.status)))) {
          // Changes the ticket beyond a message, or follows one that does: handled after the bulk writes, in order.
          stateful.push({ item, ticketId: ticket.id, technician: technician?.technician ?? null });
          statefulTickets.add(ticket.id);
          continue;
        }
        if (ticket && !item.automation.automatic && !acceptsFollowUp(ticket, at, config.provider.reopenWindowMs)) {
          events.push({ ticketId: ticket.id, at, event: { type: 'follow_up_after_close', messageId: item.parsed.messageId } });
          ticket = null;
        }
        if (ticket) {
          message({ ticketId: ticket.id, author: item.automation.automatic ? 'automatic' : 'customer', reasons: item.automation.reasons });
          // An automatic mail (out-of-office, list mail) never changes the ticket.
          if (!item.automation.automatic) touches.push({ id: ticket.id, at, opens: null });
          continue;
        }
        if (item.automation.automatic) {
          // Stored, never lost, but opens no ticket: out-of-office replies must not fill the queue.
          message({ ticketId: null, author: 'automatic', reasons: item.automation.reasons });
          continue;
        }
        const open: TicketToOpen = { item, route: routeNewTicket(ctx, item), ticketId: null };
        toOpen.push(open);
        if (item.parsed.messageId) openedBy.set(item.parsed.messageId, open);
        message({ ticketId: null, author: 'customer' }, open);
      }

      // ---- 4. allocate ids, then write everything at once ------------------------------------------
      if (newRaw.size > 0 || toOpen.length > 0) {
        const ids = await intake.allocateIds({ rawMails: newRaw.size, tickets: toOpen.length });
        [...newRaw.values()].forEach((entry, k) => entry.users.forEach((user) => (user.rawMailId = ids.rawMailIds[k]!)));
        toOpen.forEach((open, k) => (open.ticketId = ids.ticketIds[k]!));
        const idOf = (opens: TicketToOpen | null, fallback: number | null) => (opens ? opens.ticketId : fallback);
        await Promise.all([
          intake.insertRawMails([...newRaw.values()].map((entry) => ({ id: entry.users[0]!.rawMailId, sha256: entry.sha256, size: entry.size, raw: entry.raw }))),
          ...openTickets(ctx, toOpen, ids.ticketNumbers),
          intake.insertQuarantine(quarantine),
          intake.insertInboundMessages(messages.map((m) => inboundMessageRow(ctx, m.item, { ...m.fields, ticketId: idOf(m.opens, m.fields.ticketId) }))),
          intake.touchTickets(touches.map((t) => ({ id: idOf(t.opens, t.id)!, at: t.at }))),
          tickets.recordEvents(events),
          markOutboundBounced(tx, bounced),
        ]);
      } else {
        await Promise.all([
          intake.insertQuarantine(quarantine),
          intake.insertInboundMessages(messages.map((m) => inboundMessageRow(ctx, m.item, m.fields))),
          intake.touchTickets(touches.map((t) => ({ id: t.id, at: t.at }))),
          tickets.recordEvents(events),
          markOutboundBounced(tx, bounced),
        ]);
      }

      // ---- 5. mails that change a ticket's state, one by one --------------------------------------
      for (const { item, ticketId, technician } of stateful) {
        if (technician) await handleTechnicianReply(ctx, item, ticketId, technician);
        else await handleCustomerMail(ctx, item, ticketId);
      }
      await intake.setMailboxState(mailboxId, { uidValidity, lastUid: maxUid }, now);
    });
    return { outcomes, dispositions: dispositionsOf(outcomes), outboundIds: effects.outboundIds, slaTicketIds: [...effects.slaTicketIds], ticketsOpened: effects.ticketsOpened };
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
      for (const mail of mails) {
        if (parsing.has(mail.raw)) continue;
        const started = deps.parse(mail.raw);
        // Awaited by commitBatch; a fault is reported there. This branch only keeps an early
        // fault of a batch that is never committed (the connection dropped) from going unhandled.
        started.catch((err: Error) => logger.debug({ err: err.message }, 'parse started ahead failed'));
        parsing.set(mail.raw, started);
      }
    },

    async commitBatch(serviceAddress: string, uidValidity: number, mails: readonly InboundMail[]): Promise<IntakeBatchResult> {
      // A rejected parse is a fault of the parser (a crashed worker, a closed pool), not of the
      // mail: it propagates, nothing is committed, and the poller fetches the batch again.
      const parsed = (await Promise.all(mails.map((m) => parseOnce(m.raw)))).map((outcome, i) =>
        outcome.ok || outcome.sha256 !== '' ? outcome : { ...outcome, sha256: sha256Hex(mails[i]!.raw) },
      );
      try {
        return await runBatch(serviceAddress, uidValidity, mails, parsed);
      } catch (batchError) {
        if (isTransientDatabaseError(batchError)) throw batchError;
        // One bad mail must not stop the mailbox: retry one by one; a mail that still fails is
        // quarantined with the error as its reason.
        logger.warn({ err: (batchError as Error).message }, 'batch commit failed; retrying mail by mail');
        const result: IntakeBatchResult = { outcomes: new Map(), dispositions: new Map(), outboundIds: [], slaTicketIds: [], ticketsOpened: [] };
        for (let i = 0; i < mails.length; i++) {
          const mail = mails[i]!;
          try {
            const one = await runBatch(serviceAddress, uidValidity, [mail], [parsed[i]!]);
            for (const [uid, outcome] of one.outcomes) result.outcomes.set(uid, outcome);
            result.outboundIds.push(...one.outboundIds);
            result.slaTicketIds.push(...one.slaTicketIds);
            result.ticketsOpened.push(...one.ticketsOpened);
          } catch (err) {
            if (isTransientDatabaseError(err)) throw err;
            await quarantineAlone(serviceAddress, uidValidity, mail, err as Error);
            result.outcomes.set(mail.uid, { status: 'quarantined', reasonCode: 'mail.processing_failed', reason: (err as Error).message.slice(0, 2000) });
          }
        }
        result.dispositions = dispositionsOf(result.outcomes);
        return result;
      }
    },
  };
}

function dispositionsOf(outcomes: ReadonlyMap<number, IntakeOutcome>): Map<number, IntakeOutcome['status']> {
  return new Map([...outcomes].map(([uid, outcome]) => [uid, outcome.status]));
}

export type Intake = ReturnType<typeof createIntake>;
