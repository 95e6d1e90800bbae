// Opening tickets: the rows of every new ticket of a batch, their clocks, events, acks and the
// technicians' notices, written in a handful of multi-row statements. A batch that opens
// `digestFrom` tickets or more sends each technician one digest instead of a notice per ticket.
// A sender without a contract is answered in the language they wrote in (docs/domain.md,
// "Languages"); the ticket keeps that locale for every later mail to them.
import { eq } from 'drizzle-orm';
import { pricedRoles } from '../../billing/billing.models.ts';
import { routeNewTicketMail, routeSender, type SenderRoute } from '../../contracts/routing.models.ts';
import type { Locale, PlanConfig } from '../../contracts/contracts.types.ts';
import { formatDeadline } from '../../mail/format.models.ts';
import { detectLocale, loadedLanguageDetector, loadLanguageDetector } from '../../mail/language-detector.ts';
import type { OutboundRequest } from '../../mail/outbox.usecases.ts';
import { createReplyAddress } from '../../mail/reply-token.models.ts';
import { EXCERPT_LENGTH } from '../../mail/templates.ts';
import { stripSubjectPrefixes } from '../../mail/threading.models.ts';
import { classifyTicket } from '../../sla/classify.models.ts';
import { settleElapsedClocks, type PlannedClock } from '../../sla/sla.models.ts';
import { findQuotedRegion } from '../reply-quoting.models.ts';
import type { TicketEventRecord } from '../ticket-events.models.ts';
import { ticketsTable } from '../tickets.tables.ts';
import { ticketReference } from '../tickets.models.ts';
import type { TicketRow } from '../tickets.repository.ts';
import { bankLeftForAck, type BankLeftForAck } from '../time-bank.usecases.ts';
import { MAX_DETECTION_TEXT } from '../../mail/language.models.ts';
import type { BatchContext, BatchMail } from './intake-context.ts';
import { acksInHourBefore, decideAcknowledgement, isBacklog, notifyAsDigest } from './intake.models.ts';

/** A mail that opens a ticket; `ticketId` is filled in once ids are allocated. */
export interface TicketToOpen {
  item: BatchMail;
  route: SenderRoute;
  ticketId: number | null;
}

/**
 * Routes a new ticket's sender: pure, so the batch can ask for every customer's row ids at once.
 * With the mailbox's address, also the provider address the mail was written to and the plan that
 * address names (routeNewTicketMail); without it, the sender alone (enough to find the customer).
 */
export function routeNewTicket(ctx: Pick<BatchContext, 'config'> & Partial<Pick<BatchContext, 'endedContracts' | 'serviceAddress'>>, item: BatchMail): SenderRoute {
  if (ctx.serviceAddress === undefined) return routeSender(ctx.config, item.sender, item.mail.internalDate, ctx.endedContracts);
  return routeNewTicketMail(
    ctx.config,
    { sender: item.sender, at: item.mail.internalDate, mailboxAddress: ctx.serviceAddress, recipients: item.parsed.recipients },
    ctx.endedContracts,
  );
}

/** Whether the ticket is served under the customer's contract (its bank, its account manager), not only for the customer. */
function servedByContract(route: SenderRoute): boolean {
  return route.contract !== null && route.planFrom !== 'service-address';
}

type PlannedClocks = PlannedClock[];

/** Whether the ticket's language comes from the sender's text rather than the contracts file. */
function writesInSendersLanguage(route: SenderRoute): boolean {
  return route.contract === null;
}

/** The sender's own words: the subject and the text above any quoted mail. */
function sendersOwnText(item: BatchMail): string {
  // The detector reads at most MAX_DETECTION_TEXT characters: only the lines that can reach it
  // are searched for quoted history, and with our own patterns only: asking the quote parser
  // about line after line cost 0.45 s of the main thread per 3,000 new tickets (bench/ingest.ts),
  // and a quote it alone would catch changes little in a sample of the sender's language.
  const lines = leadingLines(item.parsed.text, 2 * MAX_DETECTION_TEXT);
  const { end, headerLines } = findQuotedRegion(lines, { askLibrary: false });
  const own = lines.slice(0, end).filter((_, index) => !headerLines.has(index));
  return `${stripSubjectPrefixes(item.parsed.subject)}\n${own.join('\n')}`;
}

/** The lines of `text` up to about `chars` characters (whole lines; at least the first). */
function leadingLines(text: string, chars: number): string[] {
  const cut = text.length <= chars ? text.length : text.indexOf('\n', chars);
  return (cut < 0 ? text : text.slice(0, cut)).split('\n');
}

/** The locale of a new ticket; null when it needs the language detector, which is not loaded yet. */
function ticketLocale(ctx: Pick<BatchContext, 'config'>, route: SenderRoute, item: BatchMail): Locale | null {
  const fallback = route.customer?.locale ?? ctx.config.provider.locale;
  if (!writesInSendersLanguage(route)) return fallback;
  const detect = loadedLanguageDetector();
  return detect ? detectLocale(detect, sendersOwnText(item), fallback).locale : null;
}

/** Roles a `#time` line may name on this plan, as the tag help shows them; null when only `default`. */
function rateRolesHelp(plan: PlanConfig): string | null {
  const roles = pricedRoles(plan).filter((role) => role !== 'default');
  return roles.length > 0 ? roles.join('|') : null;
}

/** The two steps of opening a batch's tickets; the caller writes the inbound messages between them. */
export interface TicketOpening {
  /** the tickets, their SLA clocks and events: statements issued together, tickets first */
  writeTickets(): Promise<unknown>[];
  /**
   * the acknowledgements and technicians' notices: they read each ticket's messages (for the
   * threading of each recipient), so they are queued after the messages are written
   */
  queueMail(): Promise<unknown>[];
}

/**
 * Plans every ticket of `toOpen` (ids and numbers already allocated, in arrival order): what to
 * write and what to queue, in two steps (TicketOpening).
 */
export function openTickets(ctx: BatchContext, toOpen: readonly TicketToOpen[], numbers: readonly number[]): TicketOpening {
  const { config } = ctx;
  const rows: (TicketRow & { status: 'new' })[] = [];
  const clocks: PlannedClocks = [];
  const events: TicketEventRecord[] = [];
  const noticesByTicket: { ticket: TicketRow; route: SenderRoute; item: BatchMail; clocks: PlannedClocks }[] = [];
  const acks: { ticket: TicketRow; route: SenderRoute; item: BatchMail; clocks: PlannedClocks }[] = [];
  // Tickets whose language waits for the detector (the first batch after start-up): written with
  // the fallback locale, corrected and acknowledged once it is loaded.
  const undecided: { ticket: TicketRow; route: SenderRoute; item: BatchMail }[] = [];

  toOpen.forEach((open, i) => {
    const { item, route } = open;
    const { parsed, mail } = item;
    const plan = config.plans[route.planKey]!;
    const classification = classifyTicket(
      {
        subject: parsed.subject,
        text: parsed.text,
        headers: { xPriority: parsed.headers['x-priority'], importance: parsed.headers['importance'], priority: parsed.headers['priority'] },
      },
      plan.defaultPriority,
    );
    const ids = route.customer ? ctx.customerIds.get(route.customer.name) : undefined;
    const ticket: TicketRow & { status: 'new' } = {
      id: open.ticketId!,
      number: numbers[i]!,
      subject: stripSubjectPrefixes(parsed.subject) || '(no subject)',
      status: 'new',
      priority: classification.priority,
      kind: classification.kind,
      customerId: ids?.customerId ?? null,
      // A ticket served on the plan of the address it was written to is the customer's, outside its contract.
      contractId: servedByContract(route) ? (ids?.contractId ?? null) : null,
      planKey: route.planKey,
      requester: item.sender,
      requesterName: parsed.from!.name,
      locale: ticketLocale(ctx, route, item) ?? route.customer?.locale ?? config.provider.locale,
      timezone: route.customer?.timezone ?? config.provider.timezone,
      // the address the customer wrote to: replies and reply addresses come from it
      serviceAddress: route.serviceAddress ?? ctx.serviceAddress,
      createdAt: mail.internalDate,
      updatedAt: mail.internalDate,
      firstResponseAt: null,
      resolvedAt: null,
      closedAt: null,
      queuePriority: plan.queuePriority,
      owner: null,
    };
    rows.push(ticket);
    if (writesInSendersLanguage(route) && loadedLanguageDetector() === null) undecided.push({ ticket, route, item });
    events.push({
      ticketId: ticket.id,
      at: mail.internalDate,
      event: { type: 'opened', matchedBy: route.matchedBy, plan: route.planKey, kind: classification.kind, priority: classification.priority },
    });
    const decision = decideAcknowledgement({
      receivedAt: mail.internalDate,
      now: ctx.now,
      ackMaxAgeMs: config.provider.backlog.ackMaxAgeMs,
      acksToSenderLastHour: acksInHourBefore(ctx.acks, item.sender, mail.internalDate),
      ackLimitPerHour: config.provider.ackLimitPerHour,
    });
    let planned = ctx.sla.planClocks(ticket);
    if (isBacklog(mail.internalDate, ctx.now, config.provider.backlog.ackMaxAgeMs)) {
      // Backlog: what elapsed while nobody watched is recorded, not announced one mail at a time.
      const settled = settleElapsedClocks(planned, ctx.now);
      planned = settled.clocks;
      for (const breach of settled.breaches) events.push({ ticketId: breach.ticketId, at: breach.at, event: breach.fact });
    }
    clocks.push(...planned);
    ctx.effects.slaTicketIds.add(ticket.id);
    ctx.effects.ticketsOpened.push(ticket.number);

    if (decision.acknowledge) {
      acks.push({ ticket, route, item, clocks: planned });
      ctx.acks.inBatch.push({ to: item.sender, createdAt: mail.internalDate });
    } else {
      events.push({ ticketId: ticket.id, at: mail.internalDate, event: decision.event });
    }
    noticesByTicket.push({ ticket, route, item, clocks: planned });
  });

  const queueAcks = async () => {
    const banks = await banksLeft(ctx, acks);
    const ids = await ctx.outbox.queueMany(ctx.tx, acks.map((ack) => acknowledgement(ctx, ack, servedByContract(ack.route) ? (banks.get(ack.route.customer?.name ?? '') ?? null) : null)));
    ctx.effects.outboundIds.push(...ids);
  };
  return {
    writeTickets: () => [ctx.intake.insertTickets(rows), ctx.clocks.insertClocks(clocks), ctx.tickets.recordEvents(events)],
    queueMail: () => [
      undecided.length === 0 ? queueAcks() : settleLocales(ctx, undecided).then(queueAcks),
      ctx.outbox.queueMany(ctx.tx, technicianNotices(ctx, noticesByTicket)).then((ids) => ctx.effects.backgroundOutboundIds.push(...ids)),
    ],
  };
}

/**
 * Detects the language of tickets written before the detector was loaded, and corrects their
 * stored locale (the rows exist: this runs after their insert on the same connection).
 */
async function settleLocales(ctx: BatchContext, undecided: { ticket: TicketRow; route: SenderRoute; item: BatchMail }[]): Promise<void> {
  const detect = await loadLanguageDetector();
  for (const { ticket, route, item } of undecided) {
    const locale = detectLocale(detect, sendersOwnText(item), route.customer?.locale ?? ctx.config.provider.locale).locale;
    if (locale === ticket.locale) continue;
    ticket.locale = locale;
    await ctx.tx.update(ticketsTable).set({ locale }).where(eq(ticketsTable.id, ticket.id));
  }
}

/**
 * What is left in the bank of each acknowledged customer whose plan keeps one ("11h 30m left in
 * your time bank this quarter"), computed once per customer and batch from the time entries.
 */
async function banksLeft(ctx: BatchContext, acks: readonly { route: SenderRoute; item: BatchMail }[]): Promise<Map<string, BankLeftForAck | null>> {
  const banks = new Map<string, BankLeftForAck | null>();
  for (const { route, item } of acks) {
    const { customer, contract } = route;
    if (!customer || !contract || !servedByContract(route) || banks.has(customer.name) || !ctx.config.plans[contract.plan]?.timeBank) continue;
    banks.set(customer.name, await bankLeftForAck(ctx.tx, ctx.config, { customerName: customer.name, contract }, item.mail.internalDate));
  }
  return banks;
}

function acknowledgement(
  ctx: BatchContext,
  ack: { ticket: TicketRow; route: SenderRoute; item: BatchMail; clocks: PlannedClocks },
  bank: BankLeftForAck | null,
): OutboundRequest {
  const { ticket, route, item, clocks } = ack;
  const { parsed, mail } = item;
  const response = clocks.find((c) => c.target === 'response')?.deadline ?? null;
  return {
    idempotencyKey: `ack:${ticket.id}`,
    kind: 'ack',
    locale: ticket.locale,
    to: [item.sender],
    ticket: ticketReference(ticket),
    automatic: true,
    // A new ticket's thread is the one mail that opened it.
    threading: 'as-given',
    inReplyTo: parsed.messageId,
    references: parsed.messageId ? [parsed.messageId] : [],
    at: mail.internalDate,
    vars: {
      ticketNumber: ticket.number,
      subject: ticket.subject,
      customerName: route.customer?.name ?? null,
      requesterName: parsed.from!.name,
      planTitle: ctx.config.plans[route.planKey]!.title,
      responseDeadline: response ? formatDeadline(response, ticket.timezone, ticket.locale) : null,
      bankLeft: bank?.remaining ?? null,
      bankPer: bank?.per ?? null,
    },
  };
}

function technicianNotices(ctx: BatchContext, opened: { ticket: TicketRow; route: SenderRoute; item: BatchMail; clocks: PlannedClocks }[]): OutboundRequest[] {
  const { config } = ctx;
  const technicians = config.provider.technicians;
  if (opened.length === 0) return [];
  if (notifyAsDigest(opened.length, config.provider.backlog.digestFrom)) {
    const first = opened[0]!.ticket.number;
    const last = opened.at(-1)!.ticket.number;
    return technicians.map((technician) => {
      const locale: Locale = technician.locale ?? config.provider.locale;
      return {
        // One digest per technician for this run of ticket numbers: a retried batch gets the same key.
        idempotencyKey: `technician-digest:${first}-${last}:${technician.email}`,
        kind: 'technician-digest',
        locale,
        to: [technician.email],
        ticket: null,
        fromAddress: ctx.serviceAddress,
        automatic: true,
        at: ctx.now,
        vars: {
          count: opened.length,
          tickets: opened.map(({ ticket, route, clocks }) => {
            const response = clocks.find((c) => c.target === 'response')?.deadline ?? null;
            return {
              ticketNumber: ticket.number,
              subject: ticket.subject,
              customerName: route.customer?.name ?? null,
              priority: ticket.priority,
              requester: ticket.requester,
              responseDeadline: response ? formatDeadline(response, config.provider.timezone, locale) : null,
              replyAddress: createReplyAddress({ serviceAddress: ticket.serviceAddress, ticketNumber: ticket.number, secret: ctx.secret }),
            };
          }),
        },
      };
    });
  }
  const requests: OutboundRequest[] = [];
  for (const { ticket, route, item, clocks } of opened) {
    for (const technician of technicians) {
      const locale: Locale = technician.locale ?? config.provider.locale;
      requests.push({
        idempotencyKey: `technician-new-ticket:${ticket.id}:${technician.email}`,
        kind: 'technician-new-ticket',
        locale,
        to: [technician.email],
        ticket: ticketReference(ticket),
        automatic: true,
        // A technician has seen nothing of a brand-new ticket: nothing to thread on.
        threading: 'as-given',
        at: item.mail.internalDate,
        vars: {
          ticketNumber: ticket.number,
          subject: ticket.subject,
          customerName: route.customer?.name ?? null,
          planTitle: config.plans[route.planKey]!.title,
          rateRoles: rateRolesHelp(config.plans[route.planKey]!),
          requester: item.sender,
          requesterName: item.parsed.from!.name,
          kind: ticket.kind,
          priority: ticket.priority,
          deadlines: clocks.map((c) => ({ target: c.target, deadline: formatDeadline(c.deadline, config.provider.timezone, locale) })),
          text: item.parsed.text.slice(0, EXCERPT_LENGTH),
        },
      });
    }
  }
  return requests;
}

