// Step 3 of a batch: what each mail becomes, decided in memory and in arrival order from what
// the batch's one pipelined read returned. Pure but for `routeNewTicket`'s use of the config:
// the plan lists the rows to write, and the few mails that must be handled one by one.
import type { ContractsConfig, Technician } from '../../contracts/contracts.types.ts';
import type { ParseOutcome } from '../../mail/inbound-parse.ts';
import type { TicketEventRecord } from '../ticket-events.models.ts';
import type { TicketRow } from '../tickets.repository.ts';
import { isDeliveryStatusReport, planBounce } from './bounces.ts';
import type { inboundMessageRow } from './follow-ups.usecases.ts';
import type { BatchMail, InboundMail } from './intake-context.ts';
import { PROCESSED, acceptsFollowUp, followUpChangesTicket, type IntakeOutcome } from './intake.models.ts';
import type { QuarantineRow } from './intake.repository.ts';
import type { EndedContracts } from '../../contracts/routing.models.ts';
import { technicianReplyVerdict, type UnverifiedReason } from './follow-up-notices.models.ts';
import { routeNewTicket, type TicketToOpen } from './ticket-opening.usecases.ts';
import { resolveThread, type ThreadKeys, type ThreadLookup } from './thread-resolution.ts';
import { superuserRedirect } from './superuser-intake.models.ts';
import type { RedirectedMail } from './superuser-intake.usecases.ts';

/** A message is built once ids are allocated: its raw mail's, and its ticket's when the batch opens it. */
export interface PlannedMessage {
  item: BatchMail;
  fields: Parameters<typeof inboundMessageRow>[2];
  opens: TicketToOpen | null;
}

/** A mail whose handling changes a ticket's state: done one by one after the bulk writes. */
export interface StatefulMail {
  item: BatchMail;
  ticketId: number;
  technician: Technician | null;
}

/**
 * A known technician's mail that cannot be trusted: kept (on its ticket when one can be told, as
 * an internal note) by the bulk writes; the answer to the technician is queued afterwards, one
 * by one (answerUnverifiedTechnicians), so its once-an-hour limit sees the answers before it.
 */
export interface UnverifiedTechnicianMail {
  item: BatchMail;
  ticketId: number | null;
  technician: Technician;
  reason: UnverifiedReason;
}

/** Raw bytes not stored yet, and every row that will point at them once their id is allocated. */
export interface NewRawMail {
  sha256: string;
  size: number;
  raw: Buffer;
  users: { rawMailId: number }[];
}

export interface BatchPlan {
  outcomes: Map<number, IntakeOutcome>;
  maxUid: number;
  newRaw: NewRawMail[];
  quarantine: QuarantineRow[];
  toOpen: TicketToOpen[];
  messages: PlannedMessage[];
  /** tickets a customer wrote on (updated_at), by id or by the ticket this batch opens */
  touches: { id: number; at: Date; opens: TicketToOpen | null }[];
  events: TicketEventRecord[];
  /** Message-IDs of our mails that bounced */
  bounced: string[];
  stateful: StatefulMail[];
  unverified: UnverifiedTechnicianMail[];
  /** new mails of a non-superuser on a superuser-only plan: kept without a ticket, forwarded to the superuser */
  redirected: RedirectedMail[];
}

export interface BatchPlanInput {
  config: ContractsConfig;
  endedContracts?: EndedContracts;
  /** the address of the mailbox the batch was read from: a new ticket's plan may depend on the address written to */
  serviceAddress?: string;
  mailboxId: number;
  uidValidity: number;
  mails: readonly InboundMail[];
  parsed: readonly ParseOutcome[];
  /** the parsed mails, by UID, with their index in the dedup query */
  parsedByUid: ReadonlyMap<number, { item: BatchMail; index: number }>;
  /** UIDs up to this were committed by an earlier run (-1: none, the mailbox was reset) */
  committedUpTo: number;
  alreadyHandled: ReadonlySet<number>;
  storedRawIds: ReadonlyMap<string, number>;
  keys: ReadonlyMap<BatchMail, ThreadKeys>;
  lookup: ThreadLookup;
  technicianOf(item: BatchMail): { technician: Technician; proven: boolean } | null;
}

export function planBatch(input: BatchPlanInput): BatchPlan {
  const { config, lookup } = input;
  const plan: BatchPlan = {
    outcomes: new Map(),
    maxUid: Math.max(0, input.committedUpTo),
    newRaw: [],
    quarantine: [],
    toOpen: [],
    messages: [],
    touches: [],
    events: [],
    bounced: [],
    stateful: [],
    unverified: [],
    redirected: [],
  };
  const newRaw = new Map<string, NewRawMail>();
  const rawFor = (sha256: string, raw: Buffer, user: { rawMailId: number }) => {
    const stored = input.storedRawIds.get(sha256);
    if (stored !== undefined) user.rawMailId = stored;
    else {
      const entry = newRaw.get(sha256) ?? { sha256, size: raw.length, raw, users: [] };
      entry.users.push(user);
      newRaw.set(sha256, entry);
    }
  };
  const seenHashes = new Set<string>();
  const seenMessageKeys = new Set<string>();
  const openedBy = new Map<string, TicketToOpen>();
  const statefulTickets = new Set<number>();

  input.mails.forEach((mail, i) => {
    const outcome = input.parsed[i]!;
    if (mail.uid <= input.committedUpTo) {
      plan.outcomes.set(mail.uid, PROCESSED); // committed by an earlier run
      return;
    }
    plan.maxUid = Math.max(plan.maxUid, mail.uid);
    if (!outcome.ok) {
      const row: QuarantineRow = { mailboxId: input.mailboxId, uid: mail.uid, uidValidity: input.uidValidity, reasonCode: outcome.reasonCode, reason: outcome.reason, rawMailId: 0, receivedAt: mail.internalDate };
      rawFor(outcome.sha256, mail.raw, row);
      plan.quarantine.push(row);
      plan.outcomes.set(mail.uid, { status: 'quarantined', reasonCode: outcome.reasonCode, reason: outcome.reason });
      return;
    }
    plan.outcomes.set(mail.uid, PROCESSED);
    const { item, index } = input.parsedByUid.get(mail.uid)!;
    const { parsed, automation } = item;
    // The same bytes seen again (UIDVALIDITY reset, a redelivery), or the same Message-ID from
    // the same sender at the same size: already handled, before or earlier in this batch.
    const messageKey = parsed.messageId ? `${parsed.messageId}\u0000${parsed.size}\u0000${parsed.from!.address}` : null;
    if (input.alreadyHandled.has(index) || seenHashes.has(parsed.sha256) || (messageKey && seenMessageKeys.has(messageKey))) return;
    seenHashes.add(parsed.sha256);
    if (messageKey) seenMessageKeys.add(messageKey);
    rawFor(parsed.sha256, mail.raw, item);
    const at = mail.internalDate;
    const message = (fields: PlannedMessage['fields'], opens: TicketToOpen | null = null) => plan.messages.push({ item, fields, opens });
    const customerOrAutomatic = automation.automatic ? 'automatic' : 'customer';

    if (isDeliveryStatusReport(item)) {
      const bounce = planBounce(item, lookup);
      message({ ticketId: bounce.ticketId, author: 'bounce', reasons: ['delivery-status-report', ...automation.reasons] });
      if (bounce.event) plan.events.push(bounce.event);
      if (bounce.event && parsed.bouncedMessageId) plan.bounced.push(parsed.bouncedMessageId);
      return;
    }

    const thread = resolveThread(item, input.keys.get(item)!, lookup, openedBy);
    if (thread.kind === 'pending') {
      // a reply to a ticket this batch opens: it is new, so nothing but the message changes
      message({ ticketId: null, author: customerOrAutomatic, reasons: automation.reasons }, thread.pending);
      if (!automation.automatic) plan.touches.push({ id: 0, at, opens: thread.pending });
      return;
    }
    let ticket: TicketRow | null = thread.kind === 'ticket' ? thread.ticket : null;
    const technician = input.technicianOf(item);
    if (technician) {
      const keys = input.keys.get(item)!;
      const verdict = technicianReplyVerdict({
        via: thread.kind === 'ticket' ? thread.via : null,
        invalidToken: keys.invalidTokenNumber !== null,
        authenticated: technician.proven,
      });
      if (ticket && verdict.verified) {
        // Tags and relay change the ticket: handled after the bulk writes, in order.
        plan.stateful.push({ item, ticketId: ticket.id, technician: technician.technician });
        statefulTickets.add(ticket.id);
        return;
      }
      if (!verdict.verified) {
        // Never lost, never applied: the text stays (on its ticket when one can be told, even by
        // a reply address that does not verify) as an internal note; no tag counts, nothing is
        // relayed, and the technician is told why and how to answer.
        const noteTicket = ticket ?? (keys.invalidTokenNumber !== null ? (lookup.ticketsByNumber.get(keys.invalidTokenNumber) ?? null) : null);
        message({ ticketId: noteTicket?.id ?? null, author: 'unverified', internal: true });
        if (noteTicket) {
          plan.events.push({
            ticketId: noteTicket.id,
            at,
            event: { type: 'technician_unverified', from: item.sender, authenticationResults: parsed.authenticationResults, reason: verdict.reason },
          });
        }
        plan.unverified.push({ item, ticketId: noteTicket?.id ?? null, technician: technician.technician, reason: verdict.reason });
        return;
      }
    }
    // A customer's reply that joins its ticket is told to the ticket's people, and a reply to a
    // waiting or resolved ticket changes it: both one by one after the bulk writes. So is every
    // later mail on a ticket an earlier one of the batch handles that way.
    if (ticket && (statefulTickets.has(ticket.id) || (!automation.automatic && (followUpChangesTicket(ticket.status) || acceptsFollowUp(ticket, at, config.provider.reopenWindowMs))))) {
      plan.stateful.push({ item, ticketId: ticket.id, technician: null });
      statefulTickets.add(ticket.id);
      return;
    }
    if (ticket && !automation.automatic && !acceptsFollowUp(ticket, at, config.provider.reopenWindowMs)) {
      plan.events.push({ ticketId: ticket.id, at, event: { type: 'follow_up_after_close', messageId: parsed.messageId } });
      ticket = null;
    }
    if (ticket) {
      message({ ticketId: ticket.id, author: customerOrAutomatic, reasons: automation.reasons });
      // An automatic mail (out-of-office, list mail) never changes the ticket.
      if (!automation.automatic) plan.touches.push({ id: ticket.id, at, opens: null });
      return;
    }
    if (automation.automatic) {
      // Stored, never lost, but opens no ticket: out-of-office replies must not fill the queue.
      message({ ticketId: null, author: 'automatic', reasons: automation.reasons });
      return;
    }
    const route = routeNewTicket({ config, endedContracts: input.endedContracts, serviceAddress: input.serviceAddress }, item);
    const redirect = superuserRedirect(config, route, item.sender);
    if (redirect) {
      // Only the superuser opens tickets on this plan: kept without one, with the reason.
      message({ ticketId: null, author: 'customer', reasons: ['superuser-only'] });
      plan.redirected.push({ item, route, redirect });
      return;
    }
    const open: TicketToOpen = { item, route, ticketId: null };
    plan.toOpen.push(open);
    if (parsed.messageId) openedBy.set(parsed.messageId, open);
    message({ ticketId: null, author: 'customer' }, open);
  });
  plan.newRaw = [...newRaw.values()];
  return plan;
}
