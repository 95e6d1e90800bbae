// TRANSITIONAL: the SLA API as it was before the SLA module stopped reading tickets (one object
// taking ticket ids), assembled from the new parts so that callers not yet moved keep working.
// Delete this file, and src/sla/sla.usecases.ts which re-exports it, once src/app.ts,
// workers/intake.ts, src/tickets/intake/ and bench/ingest.ts use createSlaClocks,
// createSlaRepository, createSlaEscalation and listSlaTimers directly.
import type { ContractsConfig, SlaTargetName } from '../contracts/contracts.types.ts';
import type { Database, DbOrTx } from '../db/client.ts';
import type { Outbox } from '../mail/outbox.usecases.ts';
import { HelpdeskError } from '../shared/errors.ts';
import { createSlaClocks } from '../sla/sla-clocks.usecases.ts';
import type { PlannedClock } from '../sla/sla.models.ts';
import { createSlaRepository } from '../sla/sla.repository.ts';
import { recordSlaFacts } from './sla-facts.usecases.ts';
import { createSlaEscalation, listSlaTimers } from './sla-escalation.usecases.ts';
import { createTicketsRepository, type TicketRow } from './tickets.repository.ts';

export function createSlaService(deps: { db: Database; config: ContractsConfig; outbox: Outbox }) {
  const slaClocks = createSlaClocks({ config: deps.config });
  const escalation = createSlaEscalation({ ...deps, slaClocks });

  async function ticketOf(tx: DbOrTx, ticketId: number): Promise<TicketRow> {
    const ticket = await createTicketsRepository({ db: tx }).findById(ticketId);
    if (!ticket) throw new HelpdeskError('ticket.not_found', `ticket id ${ticketId} not found`);
    return ticket;
  }

  return {
    ...slaClocks,
    async startClocks(tx: DbOrTx, planned: readonly PlannedClock[]) {
      return createSlaRepository({ db: tx }).insertClocks(planned);
    },
    async pause(tx: DbOrTx, ticketId: number, at: Date) {
      await slaClocks.pauseClocks(createSlaRepository({ db: tx }), await ticketOf(tx, ticketId), at);
    },
    async resume(tx: DbOrTx, ticketId: number, at: Date) {
      await slaClocks.resumeClocks(createSlaRepository({ db: tx }), await ticketOf(tx, ticketId), at);
    },
    async meet(tx: DbOrTx, ticketId: number, target: SlaTargetName, at: Date): Promise<boolean> {
      const facts = await slaClocks.meetTarget(createSlaRepository({ db: tx }), await ticketOf(tx, ticketId), target, at);
      await recordSlaFacts(createTicketsRepository({ db: tx }), ticketId, at, facts);
      return facts.length > 0;
    },
    async meetAll(tx: DbOrTx, ticketId: number, at: Date) {
      await slaClocks.meetAllTargets(createSlaRepository({ db: tx }), await ticketOf(tx, ticketId), at);
    },
    async reopen(tx: DbOrTx, ticketId: number, at: Date) {
      await slaClocks.reopenResolutionClock(createSlaRepository({ db: tx }), await ticketOf(tx, ticketId), at);
    },
    async recompute(tx: DbOrTx, ticketId: number, at: Date) {
      const facts = await slaClocks.recomputeDeadlines(createSlaRepository({ db: tx }), await ticketOf(tx, ticketId));
      await recordSlaFacts(createTicketsRepository({ db: tx }), ticketId, at, facts);
    },
    timersFor: listSlaTimers,
    fire: escalation.fire,
  };
}

export type SlaService = ReturnType<typeof createSlaService>;
