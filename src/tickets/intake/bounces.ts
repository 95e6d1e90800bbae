// Delivery-status reports (bounces): stored on the ticket of the mail that bounced, never a new
// ticket, and the bounced outbound mail marked `bounced`. Planned per mail, written in bulk.
import type { TicketEventRecord } from '../ticket-events.models.ts';
import type { BatchMail } from './intake-context.ts';
import type { ThreadLookup } from './thread-resolution.ts';

export function isDeliveryStatusReport(item: BatchMail): boolean {
  return item.parsed.contentType === 'multipart/report' && item.parsed.reportType === 'delivery-status';
}

/** The ticket a bounce belongs to (by the bounced mail's Message-ID), and what to record there. */
export function planBounce(item: BatchMail, lookup: ThreadLookup): { ticketId: number | null; event: TicketEventRecord | null } {
  const bounced = item.parsed.bouncedMessageId;
  const ticketId = bounced ? (lookup.ticketIdByMessageId.get(bounced) ?? null) : null;
  if (ticketId === null) return { ticketId: null, event: null };
  return { ticketId, event: { ticketId, at: item.mail.internalDate, event: { type: 'bounce', bouncedMessageId: bounced } } };
}
