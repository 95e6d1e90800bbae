// Intake: one committed batch of fetched mails → tickets, follow-ups, quarantine rows, outbound
// mail rows and SLA clocks, plus the mailbox's new last UID, all in ONE transaction. Nothing
// here talks to IMAP, SMTP or Redis: the poller moves mails after commit and the caller
// enqueues the returned outbound ids and SLA tickets.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { ContractsConfig, CustomerConfig, Locale } from '../contracts/contracts.types.ts';
import { findTechnician, routeSender } from '../contracts/routing.models.ts';
import { customersTable, contractsTable } from '../contracts/contracts.tables.ts';
import type { Database } from '../db/client.ts';
import { PROCESSED_FOLDER, QUARANTINE_FOLDER, type CommitResult, type FetchedMail, type MailboxState } from '../adapters/imap/mailbox-poller.ts';
import { domainOf, normalizeAddress } from '../mail/address.models.ts';
import { senderDomainAuthenticated } from '../mail/authentication-results.models.ts';
import { sha256Hex, type ParseOutcome, type ParsedInbound } from '../mail/inbound-parse.ts';
import { detectAutomation, shouldAcknowledge } from '../mail/loop-detection.models.ts';
import { mailboxesTable, messagesTable, outboundMailsTable, quarantineTable, rawMailsTable } from '../mail/mail.tables.ts';
import type { Tx } from '../db/client.ts';
import { listAcksSince, type Outbox } from '../mail/outbox.usecases.ts';
import { parseReplyToken } from '../mail/reply-token.models.ts';
import { decideThread, extractSubjectTicketNumber, referencedMessageIds, stripSubjectPrefixes } from '../mail/threading.models.ts';
import { classifyTicket } from '../sla/classify.models.ts';
import type { SlaService } from '../sla/sla.usecases.ts';
import type { Logger } from '../shared/logger.ts';
import { ticketEventsTable, ticketsTable } from './tickets.tables.ts';
import { createTechnicianReplyHandler, type TicketRow } from './technician-reply.usecases.ts';
import { formatDeadline } from '../mail/format.models.ts';

export interface IntakeDeps {
  db: Database;
  config: ContractsConfig;
  outbox: Outbox;
  sla: SlaService;
  secret: string;
  logger: Logger;
  parse(raw: Buffer): Promise<ParseOutcome>;
}

export interface IntakeBatchResult extends CommitResult {
  outboundIds: string[];
  slaTicketIds: number[];
  ticketsOpened: number[];
}

type Folder = typeof PROCESSED_FOLDER | typeof QUARANTINE_FOLDER;

interface MailEffects {
  outboundIds: string[];
  slaTicketIds: Set<number>;
  ticketsOpened: number[];
}

const ACK_WINDOW_MS = 3_600_000;

/**
 * What one batch's transaction reads once instead of once per mail (performance: a batch of 50
 * new tickets otherwise spends most of its time on these round trips, and counting acks scans
 * outbound_mails, which has no index that serves it, for every ticket).
 */
interface BatchMemo {
  customerIds: Map<string, { customerId: number | null; contractId: number | null }>;
  /** acks committed before the batch, from the earliest window any mail of the batch needs */
  acksBefore: { to: string[]; createdAt: Date }[];
  /** acks this transaction queued (read before any of them, acksBefore cannot hold them) */
  acksInBatch: { to: string; createdAt: Date }[];
}

export function createIntake(deps: IntakeDeps) {
  const { db, config, outbox, sla, secret, logger } = deps;
  const ourAddresses = [...config.provider.addresses, ...config.provider.technicians.map((t) => t.email)];
  const technicianReplies = createTechnicianReplyHandler({ config, outbox, sla });

  async function mailboxId(tx: Tx | Database, address: string): Promise<number> {
    const existing = await tx.select({ id: mailboxesTable.id }).from(mailboxesTable).where(eq(mailboxesTable.address, address));
    if (existing[0]) return existing[0].id;
    const inserted = await tx
      .insert(mailboxesTable)
      .values({ address })
      .onConflictDoUpdate({ target: mailboxesTable.address, set: { address } })
      .returning({ id: mailboxesTable.id });
    return inserted[0]!.id;
  }

  async function storeRaw(tx: Tx, sha256: string, raw: Buffer): Promise<number> {
    const inserted = await tx
      .insert(rawMailsTable)
      .values({ sha256, size: raw.length, raw })
      .onConflictDoNothing({ target: rawMailsTable.sha256 })
      .returning({ id: rawMailsTable.id });
    if (inserted[0]) return inserted[0].id;
    const found = await tx.select({ id: rawMailsTable.id }).from(rawMailsTable).where(eq(rawMailsTable.sha256, sha256));
    return found[0]!.id;
  }

  async function quarantine(tx: Tx, box: number, uidValidity: number, mail: FetchedMail, sha256: string, reasonCode: string, reason: string) {
    const rawId = await storeRaw(tx, sha256, mail.raw);
    await tx
      .insert(quarantineTable)
      .values({ mailboxId: box, uid: mail.uid, uidValidity, reasonCode, reason, rawMailId: rawId, receivedAt: mail.internalDate })
      .onConflictDoNothing();
    logger.warn({ uid: mail.uid, reasonCode, reason }, 'mail quarantined');
  }

  async function findTicketByNumber(tx: Tx, number: number): Promise<TicketRow | null> {
    const rows = await tx.select().from(ticketsTable).where(eq(ticketsTable.number, number));
    return rows[0] ?? null;
  }

  async function findTicketById(tx: Tx, id: number): Promise<TicketRow | null> {
    const rows = await tx.select().from(ticketsTable).where(eq(ticketsTable.id, id));
    return rows[0] ?? null;
  }

  async function ticketByReferences(tx: Tx, ids: string[]): Promise<number | null> {
    if (ids.length === 0) return null;
    const rows = await tx
      .select({ ticketId: messagesTable.ticketId, messageId: messagesTable.messageId })
      .from(messagesTable)
      .where(and(inArray(messagesTable.messageId, ids), sql`${messagesTable.ticketId} is not null`));
    // most recent reference first
    for (const id of ids) {
      const hit = rows.find((r) => r.messageId === id);
      if (hit?.ticketId) return hit.ticketId;
    }
    return null;
  }

  async function participates(tx: Tx, ticket: TicketRow, sender: string): Promise<boolean> {
    if (normalizeAddress(ticket.requester) === sender) return true;
    const rows = await tx.execute<{ n: number }>(
      sql`select count(*)::int as n from ${messagesTable} where ticket_id = ${ticket.id}
          and (lower(from_address) = ${sender} or ${sender} = any("to") or ${sender} = any(cc))`,
    );
    return (rows[0]?.n ?? 0) > 0;
  }

  async function customerRowId(tx: Tx, memo: BatchMemo, customer: CustomerConfig | null): Promise<{ customerId: number | null; contractId: number | null }> {
    if (!customer) return { customerId: null, contractId: null };
    const known = memo.customerIds.get(customer.name);
    if (known) return known;
    const ids = await customerRowIdFromDb(tx, customer);
    memo.customerIds.set(customer.name, ids);
    return ids;
  }

  async function customerRowIdFromDb(tx: Tx, customer: CustomerConfig): Promise<{ customerId: number | null; contractId: number | null }> {
    const rows = await tx.select({ id: customersTable.id }).from(customersTable).where(eq(customersTable.name, customer.name));
    const customerId = rows[0]?.id ?? null;
    if (customerId === null) return { customerId: null, contractId: null };
    const contracts = await tx
      .select({ id: contractsTable.id })
      .from(contractsTable)
      .where(and(eq(contractsTable.customerId, customerId), sql`${contractsTable.supersededAt} is null`))
      .orderBy(sql`${contractsTable.start} desc`)
      .limit(1);
    return { customerId, contractId: contracts[0]?.id ?? null };
  }

  /** Acks to `sender` in the hour before `at`: the per-sender loop brake (ackLimitPerHour). */
  function recentAcks(memo: BatchMemo, sender: string, at: Date): number {
    const since = at.getTime() - ACK_WINDOW_MS;
    let n = 0;
    for (const ack of memo.acksBefore) if (ack.createdAt.getTime() > since && ack.to.includes(sender)) n++;
    for (const ack of memo.acksInBatch) if (ack.createdAt.getTime() > since && ack.to === sender) n++;
    return n;
  }

  async function insertInboundMessage(
    tx: Tx,
    values: { ticketId: number | null; box: number; mail: FetchedMail; parsed: ParsedInbound; rawId: number; author: string; reasons: string[]; internal?: boolean; text?: string },
  ): Promise<number | null> {
    const { parsed, mail } = values;
    const inserted = await tx
      .insert(messagesTable)
      .values({
        ticketId: values.ticketId,
        direction: 'in',
        mailboxId: values.box,
        uid: mail.uid,
        messageId: parsed.messageId,
        inReplyTo: parsed.inReplyTo,
        references: parsed.references,
        fromAddress: parsed.from!.address,
        fromName: parsed.from!.name,
        to: parsed.to,
        cc: parsed.cc,
        subject: parsed.subject,
        sentAt: parsed.sentAt ? new Date(parsed.sentAt) : null,
        at: mail.internalDate,
        text: values.text ?? parsed.text,
        html: parsed.html,
        rawMailId: values.rawId,
        contentHash: parsed.sha256,
        author: values.author,
        automationReasons: values.reasons,
        internal: values.internal ?? false,
      })
      .onConflictDoNothing()
      .returning({ id: messagesTable.id });
    return inserted[0]?.id ?? null;
  }

  async function openTicket(tx: Tx, memo: BatchMemo, box: number, serviceAddress: string, mail: FetchedMail, parsed: ParsedInbound, rawId: number, effects: MailEffects) {
    const sender = normalizeAddress(parsed.from!.address);
    const day = mail.internalDate.toISOString().slice(0, 10);
    const route = routeSender(config, sender, day);
    const plan = config.plans[route.planKey]!;
    const classification = classifyTicket(
      {
        subject: parsed.subject,
        text: parsed.text,
        headers: { xPriority: parsed.headers['x-priority'], importance: parsed.headers['importance'], priority: parsed.headers['priority'] },
      },
      plan.defaultPriority,
    );
    const locale: Locale = route.customer?.locale ?? config.provider.locale;
    const timezone = route.customer?.timezone ?? config.provider.timezone;
    const ids = await customerRowId(tx, memo, route.customer);
    const [ticket] = await tx
      .insert(ticketsTable)
      .values({
        subject: stripSubjectPrefixes(parsed.subject) || '(no subject)',
        status: 'new',
        priority: classification.priority,
        kind: classification.kind,
        customerId: ids.customerId,
        contractId: route.contract ? ids.contractId : null,
        planKey: route.planKey,
        requester: sender,
        requesterName: parsed.from!.name,
        locale,
        timezone,
        serviceAddress,
        createdAt: mail.internalDate,
        queuePriority: plan.queuePriority,
      })
      .returning();
    const row = ticket!;
    // Independent statements are issued together: postgres.js pipelines them on the
    // transaction's connection, in order. (Sending these together with the outbound mails
    // below in a single round trip measured slower in bench/ingest.ts, not faster.)
    const clocks = sla.planClocks(row);
    await Promise.all([
      insertInboundMessage(tx, { ticketId: row.id, box, mail, parsed, rawId, author: 'customer', reasons: [] }),
      tx.insert(ticketEventsTable).values({
        ticketId: row.id,
        type: 'opened',
        data: { matchedBy: route.matchedBy, plan: route.planKey, kind: classification.kind, priority: classification.priority },
        at: mail.internalDate,
      }),
      sla.startClocks(tx, clocks),
    ]);
    const acksLastHour = recentAcks(memo, sender, mail.internalDate);
    effects.slaTicketIds.add(row.id);
    effects.ticketsOpened.push(row.number);
    const responseDeadline = clocks.find((c) => c.target === 'response')?.deadline ?? null;

    const ticketRef = { id: row.id, number: row.number, subject: row.subject, serviceAddress };
    // The ack (or the note that it was suppressed) and the technicians' notifications are
    // queued together, pipelined like the statements above; ids keep this order.
    const queued: Promise<string | null>[] = [];
    const acknowledge = shouldAcknowledge({ automatic: false, acksToSenderLastHour: acksLastHour, ackLimitPerHour: config.provider.ackLimitPerHour });
    if (acknowledge) {
      queued.push(outbox.queue(tx, {
        idempotencyKey: `ack:${row.id}`,
        kind: 'ack',
        locale,
        to: [sender],
        ticket: ticketRef,
        automatic: true,
        inReplyTo: parsed.messageId,
        references: parsed.messageId ? [parsed.messageId] : [],
        at: mail.internalDate,
        vars: {
          ticketNumber: row.number,
          subject: row.subject,
          customerName: route.customer?.name ?? null,
          requesterName: parsed.from!.name,
          planTitle: plan.title,
          responseDeadline: responseDeadline ? formatDeadline(responseDeadline, timezone, locale) : null,
        },
      }));
    } else {
      queued.push(
        tx
          .insert(ticketEventsTable)
          .values({ ticketId: row.id, type: 'ack_suppressed', data: { reason: 'ackLimitPerHour', acksLastHour }, at: mail.internalDate })
          .then(() => null),
      );
    }

    for (const technician of config.provider.technicians) {
      const techLocale = technician.locale ?? config.provider.locale;
      queued.push(outbox.queue(tx, {
        idempotencyKey: `technician-new-ticket:${row.id}:${technician.email}`,
        kind: 'technician-new-ticket',
        locale: techLocale,
        to: [technician.email],
        ticket: ticketRef,
        automatic: true,
        at: mail.internalDate,
        vars: {
          ticketNumber: row.number,
          subject: row.subject,
          customerName: route.customer?.name ?? null,
          planTitle: plan.title,
          requester: sender,
          requesterName: parsed.from!.name,
          kind: classification.kind,
          priority: classification.priority,
          deadlines: clocks.map((c) => ({ target: c.target, deadline: formatDeadline(c.deadline, config.provider.timezone, techLocale) })),
          text: parsed.text.slice(0, 2000),
        },
      }));
    }
    const outboundIds = await Promise.all(queued);
    if (acknowledge && outboundIds[0]) memo.acksInBatch.push({ to: sender, createdAt: mail.internalDate });
    for (const id of outboundIds) if (id) effects.outboundIds.push(id);
  }

  async function handleCustomerFollowUp(tx: Tx, ticket: TicketRow, at: Date, effects: MailEffects) {
    if (ticket.status === 'waiting') {
      await sla.resume(tx, ticket.id, at);
      await tx.update(ticketsTable).set({ status: 'open', updatedAt: at }).where(eq(ticketsTable.id, ticket.id));
      await tx.insert(ticketEventsTable).values({ ticketId: ticket.id, type: 'status', data: { from: 'waiting', to: 'open', by: 'customer' }, at });
      effects.slaTicketIds.add(ticket.id);
    } else if (ticket.status === 'resolved') {
      await tx.update(ticketsTable).set({ status: 'open', resolvedAt: null, updatedAt: at }).where(eq(ticketsTable.id, ticket.id));
      await tx.insert(ticketEventsTable).values({ ticketId: ticket.id, type: 'reopened', data: { by: 'customer' }, at });
      await sla.reopen(tx, ticket.id, at);
      effects.slaTicketIds.add(ticket.id);
    } else {
      await tx.update(ticketsTable).set({ updatedAt: at }).where(eq(ticketsTable.id, ticket.id));
    }
  }

  /** A resolved ticket reopens within the window; a closed one (or an old resolution) starts a new ticket. */
  function acceptsFollowUp(ticket: TicketRow, at: Date): boolean {
    if (ticket.status === 'closed') return false;
    if (ticket.status === 'resolved' && ticket.resolvedAt) {
      return at.getTime() - ticket.resolvedAt.getTime() <= config.provider.reopenWindowMs;
    }
    return true;
  }

  async function processOne(tx: Tx, memo: BatchMemo, box: number, serviceAddress: string, uidValidity: number, mail: FetchedMail, outcome: ParseOutcome, effects: MailEffects): Promise<Folder> {
    if (!outcome.ok) {
      await quarantine(tx, box, uidValidity, mail, outcome.sha256, outcome.reasonCode, outcome.reason);
      return QUARANTINE_FOLDER;
    }
    const parsed = outcome.mail;
    // The same bytes seen again (UIDVALIDITY reset, a redelivery), or the same Message-ID from
    // the same sender at the same size: already handled. One statement for both checks.
    // ...and, in the same statement, the raw mail stored when it is new (one round trip).
    const [checked] = await tx.execute<{ seen: boolean; id: number | null }>(
      sql`with dup as (
            select exists(select 1 from ${messagesTable} where content_hash = ${parsed.sha256} and direction = 'in')
              or exists(select 1 from ${messagesTable} m join ${rawMailsTable} r on r.id = m.raw_mail_id
                        where m.direction = 'in' and m.message_id = ${parsed.messageId} and r.size = ${parsed.size} and m.from_address = ${parsed.from!.address}) as seen
          ), stored as (
            insert into ${rawMailsTable} (sha256, size, raw)
            select ${parsed.sha256}::text, ${mail.raw.length}::int, ${sql.param(mail.raw)}::bytea where not (select seen from dup)
            on conflict (sha256) do nothing
            returning id
          )
          select (select seen from dup) as seen, (select id from stored) as id`,
    );
    if (checked?.seen) return PROCESSED_FOLDER;
    // null id: these bytes were stored before (e.g. quarantined once): reuse that row
    const rawId = checked?.id != null ? Number(checked.id) : await storeRaw(tx, parsed.sha256, mail.raw);
    const sender = normalizeAddress(parsed.from!.address);
    const automation = detectAutomation({ headers: parsed.headers, from: sender, returnPath: parsed.returnPath, ourAddresses });
    const isBounce = parsed.contentType === 'multipart/report' && parsed.reportType === 'delivery-status';

    if (isBounce) {
      const bounced = parsed.bouncedMessageId ? await ticketByReferences(tx, [parsed.bouncedMessageId]) : null;
      await insertInboundMessage(tx, { ticketId: bounced, box, mail, parsed, rawId, author: 'bounce', reasons: ['delivery-status-report', ...automation.reasons] });
      if (bounced !== null) {
        await tx.insert(ticketEventsTable).values({ ticketId: bounced, type: 'bounce', data: { bouncedMessageId: parsed.bouncedMessageId }, at: mail.internalDate });
        if (parsed.bouncedMessageId) {
          await tx.update(outboundMailsTable).set({ state: 'bounced' }).where(eq(outboundMailsTable.messageId, parsed.bouncedMessageId));
        }
      }
      return PROCESSED_FOLDER;
    }

    // Threading: reply token, then In-Reply-To/References, then [#N] when the sender takes part.
    const byToken = parseReplyToken({ addresses: parsed.recipients, serviceAddresses: config.provider.addresses, secret });
    const tokenTicket = byToken !== null ? await findTicketByNumber(tx, byToken) : null;
    const byReference = tokenTicket ? null : await ticketByReferences(tx, referencedMessageIds({ inReplyTo: parsed.inReplyTo, references: parsed.references }));
    let bySubjectTag: { ticket: number; senderParticipates: boolean } | null = null;
    const subjectNumber = extractSubjectTicketNumber(parsed.subject);
    if (!tokenTicket && byReference === null && subjectNumber !== null) {
      const candidate = await findTicketByNumber(tx, subjectNumber);
      if (candidate) bySubjectTag = { ticket: candidate.id, senderParticipates: await participates(tx, candidate, sender) };
    }
    const decision = decideThread({ byToken: tokenTicket?.id ?? null, byReference, bySubjectTag });
    let ticket = decision.ticket !== null ? await findTicketById(tx, decision.ticket) : null;

    const technician = findTechnician(config, sender);
    // A technician's address is one of ours, which alone does not make their reply automatic.
    const technicianAutomatic = automation.reasons.some((reason) => reason !== 'own-address');
    const technicianAuth = config.provider.technicianAuthentication;
    const technicianProven =
      !technicianAuth ||
      senderDomainAuthenticated({ headerValues: parsed.authenticationResults, authservId: technicianAuth.authservId, fromDomain: domainOf(sender) ?? '' });
    if (ticket && technician && !technicianProven && 'via' in decision && decision.via === 'token' && !technicianAutomatic) {
      // Token and address match, but our server could not authenticate the domain: keep the
      // mail on the ticket as an internal note, apply no tags, relay nothing.
      await insertInboundMessage(tx, { ticketId: ticket.id, box, mail, parsed, rawId, author: 'unverified', reasons: [], internal: true });
      await tx.insert(ticketEventsTable).values({ ticketId: ticket.id, type: 'technician_unverified', data: { from: sender, authenticationResults: parsed.authenticationResults }, at: mail.internalDate });
      return PROCESSED_FOLDER;
    }
    if (ticket && technician && decision.ticket !== null && 'via' in decision && decision.via === 'token' && !technicianAutomatic) {
      // Tags count only with a valid reply token AND a known technician address.
      const messageRowId = await insertInboundMessage(tx, { ticketId: ticket.id, box, mail, parsed, rawId, author: 'technician', reasons: [] });
      const result = await technicianReplies.handle(tx, { ticket, technician, parsed, at: mail.internalDate, messageRowId });
      effects.outboundIds.push(...result.outboundIds);
      if (result.slaChanged) effects.slaTicketIds.add(ticket.id);
      return PROCESSED_FOLDER;
    }

    if (ticket && !automation.automatic && !acceptsFollowUp(ticket, mail.internalDate)) {
      await tx.insert(ticketEventsTable).values({ ticketId: ticket.id, type: 'follow_up_after_close', data: { messageId: parsed.messageId }, at: mail.internalDate });
      ticket = null;
    }

    if (ticket) {
      await insertInboundMessage(tx, { ticketId: ticket.id, box, mail, parsed, rawId, author: automation.automatic ? 'automatic' : 'customer', reasons: automation.reasons });
      // An automatic mail (out-of-office, list mail) never changes status or clocks.
      if (!automation.automatic) await handleCustomerFollowUp(tx, ticket, mail.internalDate, effects);
      return PROCESSED_FOLDER;
    }

    if (automation.automatic) {
      // Stored, never lost, but opens no ticket: out-of-office replies must not fill the queue.
      await insertInboundMessage(tx, { ticketId: null, box, mail, parsed, rawId, author: 'automatic', reasons: automation.reasons });
      return PROCESSED_FOLDER;
    }

    await openTicket(tx, memo, box, serviceAddress, mail, parsed, rawId, effects);
    return PROCESSED_FOLDER;
  }

  return {
    async loadState(serviceAddress: string, uidValidity: number): Promise<MailboxState> {
      return db.transaction(async (tx) => {
        const box = await mailboxId(tx, serviceAddress);
        const rows = await tx.select().from(mailboxesTable).where(eq(mailboxesTable.id, box)).for('update');
        const row = rows[0]!;
        if (row.uidValidity !== uidValidity) {
          // New UIDVALIDITY: every UID is new; content-hash dedup keeps old mails from doubling.
          if (row.uidValidity !== null) logger.warn({ old: row.uidValidity, new: uidValidity }, 'UIDVALIDITY changed: resyncing mailbox');
          await tx.update(mailboxesTable).set({ uidValidity, lastUid: 0, updatedAt: new Date() }).where(eq(mailboxesTable.id, box));
          return { uidValidity, lastUid: 0 };
        }
        return { uidValidity, lastUid: row.lastUid };
      });
    },

    async folderOfCommitted(serviceAddress: string, uidValidity: number, uids: number[]): Promise<Map<number, Folder>> {
      const box = await mailboxId(db, serviceAddress);
      const quarantined = await db
        .select({ uid: quarantineTable.uid })
        .from(quarantineTable)
        .where(and(eq(quarantineTable.mailboxId, box), eq(quarantineTable.uidValidity, uidValidity), inArray(quarantineTable.uid, uids)));
      const q = new Set(quarantined.map((r) => r.uid));
      return new Map(uids.map((u) => [u, q.has(u) ? QUARANTINE_FOLDER : PROCESSED_FOLDER]));
    },

    async commitBatch(serviceAddress: string, uidValidity: number, mails: FetchedMail[]): Promise<IntakeBatchResult> {
      // Parse in parallel (worker threads), all mails at once; the transaction below takes each
      // outcome as it is ready, in UID order, so Postgres work overlaps the rest of the parsing.
      const outcomes = mails.map((m) =>
        deps.parse(m.raw).catch(
          (err: unknown): ParseOutcome => ({ ok: false, sha256: '', size: m.raw.length, reasonCode: 'mail.unparseable', reason: String(err) }),
        ),
      );
      const run = async (subset: number[]) => {
        const effects: MailEffects = { outboundIds: [], slaTicketIds: new Set(), ticketsOpened: [] };
        const folders = new Map<number, Folder>();
        await db.transaction(async (tx) => {
          const box = await mailboxId(tx, serviceAddress);
          const state = await tx.select().from(mailboxesTable).where(eq(mailboxesTable.id, box)).for('update');
          const lastUid = state[0]!.lastUid;
          let maxUid = lastUid;
          // Read once, before any mail of the batch queues an ack.
          const earliest = Math.min(...subset.map((i) => mails[i]!.internalDate.getTime()));
          const memo: BatchMemo = { customerIds: new Map(), acksBefore: await listAcksSince(tx, new Date(earliest - ACK_WINDOW_MS)), acksInBatch: [] };
          for (const index of subset) {
            const mail = mails[index]!;
            if (mail.uid <= lastUid && state[0]!.uidValidity === uidValidity) {
              folders.set(mail.uid, PROCESSED_FOLDER); // committed by an earlier run
              continue;
            }
            let outcome = await outcomes[index]!;
            if (!outcome.ok && outcome.sha256 === '') outcome = { ...outcome, sha256: sha256Hex(mail.raw) };
            folders.set(mail.uid, await processOne(tx, memo, box, serviceAddress, uidValidity, mail, outcome, effects));
            maxUid = Math.max(maxUid, mail.uid);
          }
          await tx.update(mailboxesTable).set({ lastUid: maxUid, uidValidity, updatedAt: new Date() }).where(eq(mailboxesTable.id, box));
        });
        return { effects, folders };
      };

      let effects: MailEffects = { outboundIds: [], slaTicketIds: new Set(), ticketsOpened: [] };
      const folders = new Map<number, Folder>();
      try {
        const result = await run(mails.map((_, i) => i));
        effects = result.effects;
        for (const [k, v] of result.folders) folders.set(k, v);
      } catch (batchError) {
        // One bad mail must not stop the mailbox: retry one by one; a mail that still fails
        // is quarantined with the error as its reason.
        logger.warn({ err: (batchError as Error).message }, 'batch commit failed; retrying mail by mail');
        for (let i = 0; i < mails.length; i++) {
          try {
            const result = await run([i]);
            effects.outboundIds.push(...result.effects.outboundIds);
            result.effects.slaTicketIds.forEach((id) => effects.slaTicketIds.add(id));
            effects.ticketsOpened.push(...result.effects.ticketsOpened);
            for (const [k, v] of result.folders) folders.set(k, v);
          } catch (err) {
            const mail = mails[i]!;
            await db.transaction(async (tx) => {
              const box = await mailboxId(tx, serviceAddress);
              await quarantine(tx, box, uidValidity, mail, sha256Hex(mail.raw), 'mail.processing_failed', (err as Error).message.slice(0, 2000));
              await tx
                .update(mailboxesTable)
                .set({ lastUid: sql`greatest(${mailboxesTable.lastUid}, ${mail.uid})`, uidValidity })
                .where(eq(mailboxesTable.id, box));
            });
            folders.set(mail.uid, QUARANTINE_FOLDER);
          }
        }
      }
      return { folders, outboundIds: effects.outboundIds, slaTicketIds: [...effects.slaTicketIds], ticketsOpened: effects.ticketsOpened };
    },
  };
}

export type Intake = ReturnType<typeof createIntake>;
