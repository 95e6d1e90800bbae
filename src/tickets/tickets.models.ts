// What a ticket is, as values: its life-cycle states and the reference that mails and notices
// carry. No I/O.
export type TicketStatus = 'new' | 'open' | 'waiting' | 'resolved' | 'closed';
/** new → open (first technician reply) → waiting (on the customer; clocks paused) → resolved → closed */
export const TICKET_STATUSES: readonly [TicketStatus, ...TicketStatus[]] = ['new', 'open', 'waiting', 'resolved', 'closed'];

/** What an outbound mail needs to know of its ticket: threading, subject tag and reply address. */
export interface TicketReference {
  id: number;
  number: number;
  subject: string;
  serviceAddress: string;
}

export function ticketReference(ticket: TicketReference): TicketReference {
  return { id: ticket.id, number: ticket.number, subject: ticket.subject, serviceAddress: ticket.serviceAddress };
}
