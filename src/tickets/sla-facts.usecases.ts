// The SLA module returns what happened to a ticket's clocks as facts; this records them in the
// ticket's history. A fact has exactly the fields of the ticket event of the same type.
import type { SlaFact } from '../sla/sla.models.ts';
import type { TicketsRepository } from './tickets.repository.ts';

export async function recordSlaFacts(tickets: TicketsRepository, ticketId: number, at: Date, facts: readonly SlaFact[]): Promise<void> {
  await tickets.recordEvents(facts.map((event) => ({ ticketId, at, event })));
}
