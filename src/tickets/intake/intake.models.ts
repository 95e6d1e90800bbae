// What intake decides about one mail, as pure functions: whether a follow-up still joins its
// ticket, whether a new ticket is acknowledged, and how many acks a sender already had. No I/O.
import { shouldAcknowledge } from '../../mail/loop-detection.models.ts';
import type { TicketEvent } from '../ticket-events.models.ts';
import type { TicketStatus } from '../tickets.models.ts';

/** What became of one mail: intake knows no IMAP folders; the poller maps this to one. */
export type IntakeOutcome = { status: 'processed' } | { status: 'quarantined'; reasonCode: string; reason: string };

export const PROCESSED: IntakeOutcome = { status: 'processed' };

/** The per-sender ack brake counts acks in the hour before a mail (ackLimitPerHour). */
export const ACK_WINDOW_MS = 3_600_000;

/** A resolved ticket reopens within the window; a closed one (or an old resolution) starts a new ticket. */
export function acceptsFollowUp(ticket: { status: TicketStatus; resolvedAt: Date | null }, at: Date, reopenWindowMs: number): boolean {
  if (ticket.status === 'closed') return false;
  if (ticket.status === 'resolved' && ticket.resolvedAt) return at.getTime() - ticket.resolvedAt.getTime() <= reopenWindowMs;
  return true;
}

/** A follow-up that changes status or clocks (resume, reopen) cannot be written in bulk. */
export function followUpChangesTicket(status: TicketStatus): boolean {
  return status === 'waiting' || status === 'resolved';
}

/** Mail older than `ackMaxAgeMs` when intake first sees it is a backlog (a mailbox's history, an outage). */
export function isBacklog(receivedAt: Date, now: Date, ackMaxAgeMs: number): boolean {
  return now.getTime() - receivedAt.getTime() > ackMaxAgeMs;
}

export interface AckDecisionInput {
  /** the mail's IMAP internal date */
  receivedAt: Date;
  /** when intake first sees it */
  now: Date;
  ackMaxAgeMs: number;
  acksToSenderLastHour: number;
  ackLimitPerHour: number;
}

/**
 * Acknowledge a new ticket unless the mail is older than `ackMaxAgeMs` when first seen (a
 * backlog: a mailbox connected with old mail, or the bot back after an outage, must not mail
 * every sender of the past) or the sender already had `ackLimitPerHour` acks in the hour before
 * it (the loop brake). The reason is kept as an `ack_suppressed` event.
 */
export function decideAcknowledgement(input: AckDecisionInput): { acknowledge: true } | { acknowledge: false; event: TicketEvent } {
  if (isBacklog(input.receivedAt, input.now, input.ackMaxAgeMs)) {
    return { acknowledge: false, event: { type: 'ack_suppressed', reason: 'backlog', ageMs: input.now.getTime() - input.receivedAt.getTime() } };
  }
  if (!shouldAcknowledge({ automatic: false, acksToSenderLastHour: input.acksToSenderLastHour, ackLimitPerHour: input.ackLimitPerHour })) {
    return { acknowledge: false, event: { type: 'ack_suppressed', reason: 'ackLimitPerHour', acksLastHour: input.acksToSenderLastHour } };
  }
  return { acknowledge: true };
}

/** Acks sent to one address: those committed before the batch and those the batch queued so far. */
export interface AckLedger {
  before: readonly { to: readonly string[]; createdAt: Date }[];
  inBatch: { to: string; createdAt: Date }[];
}

export function acksInHourBefore(ledger: AckLedger, sender: string, at: Date): number {
  const since = at.getTime() - ACK_WINDOW_MS;
  let n = 0;
  for (const ack of ledger.before) if (ack.createdAt.getTime() > since && ack.to.includes(sender)) n++;
  for (const ack of ledger.inBatch) if (ack.createdAt.getTime() > since && ack.to === sender) n++;
  return n;
}

/** One batch opening this many tickets or more notifies each technician once, with a digest. */
export function notifyAsDigest(ticketsOpened: number, digestFrom: number): boolean {
  return ticketsOpened >= digestFrom;
}
