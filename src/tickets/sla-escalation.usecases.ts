// What a fired SLA timer does to its ticket: the SLA module decides on the clock (warning due,
// breach due, early, stale); this records the warning or breach in the ticket's history and
// queues the escalation mails through the outbox, all in one transaction. The sla-timers
// worker enqueues the returned outbound ids after commit.
import { findEscalationContacts } from '../contracts/contracts.repository.ts';
import type { ContractsConfig } from '../contracts/contracts.types.ts';
import type { Database, DbOrTx } from '../db/client.ts';
import { formatDeadline, formatRemaining } from '../mail/format.models.ts';
import type { Outbox } from '../mail/outbox.usecases.ts';
import { HelpdeskError } from '../shared/errors.ts';
import type { SlaClocks, TimerDecision } from '../sla/sla-clocks.usecases.ts';
import type { SlaTimer, TimerStage } from '../sla/sla.models.ts';
import { createSlaRepository, type SlaClockRow } from '../sla/sla.repository.ts';
import { recordSlaFacts } from './sla-facts.usecases.ts';
import { escalationRecipients } from './ticket-people.models.ts';
import { createTicketSlaRepository } from './ticket-sla.repository.ts';
import { ticketReference } from './tickets.models.ts';
import { createTicketsRepository, type TicketRow } from './tickets.repository.ts';

type NothingToDo = Extract<TimerDecision, { action: 'none' }>['reason'];

/** What a fired timer came to, and the escalation mails to enqueue after commit. */
export type FiredTimer =
  | { outcome: 'warned' | 'breached'; outboundIds: string[] }
  /** fired before its instant: the job should run again at `dueAt` */
  | { outcome: 'early'; dueAt: Date; outboundIds: [] }
  | { outcome: NothingToDo; outboundIds: [] };

export interface SlaEscalation {
  fire(timer: SlaTimer, now: Date): Promise<FiredTimer>;
}

export function createSlaEscalation(deps: { db: Database; config: ContractsConfig; outbox: Outbox; slaClocks: SlaClocks }): SlaEscalation {
  const { db, config, outbox, slaClocks } = deps;

  /**
   * Warning: the ticket's owner and the contract's account manager, else every technician.
   * Breach: the owner, the account manager and the provider's managers (ticket-people.models.ts).
   * Keyed by the clock's version, so a retried job mails nobody twice.
   */
  async function queueEscalationMails(tx: DbOrTx, ticket: TicketRow, clock: SlaClockRow, stage: TimerStage, now: Date): Promise<string[]> {
    const { accountManager, customerName } = await findEscalationContacts(tx, ticket);
    const recipients = escalationRecipients(config, stage, ticket, accountManager);
    const kind = stage === 'warn' ? 'sla-warning' : 'sla-breach';
    const plan = config.plans[ticket.planKey];
    if (!plan) throw new HelpdeskError('contract.unknown_plan', `unknown plan "${ticket.planKey}"`);
    const ids: string[] = [];
    for (const { address: to, locale } of recipients) {
      const id = await outbox.queue(tx, {
        idempotencyKey: `${kind}:${clock.ticketId}:${clock.target}:${clock.version}:${to}`,
        kind,
        locale,
        to: [to],
        ticket: ticketReference(ticket),
        automatic: true,
        at: now,
        vars: {
          ticketNumber: ticket.number,
          subject: ticket.subject,
          customerName,
          planTitle: plan.title,
          target: clock.target,
          targetText: clock.targetText,
          deadline: formatDeadline(clock.deadline, config.provider.timezone, locale),
          remaining: formatRemaining(Math.abs(clock.deadline.getTime() - now.getTime()), locale),
          overdue: now.getTime() > clock.deadline.getTime(),
          requester: ticket.requester,
        },
      });
      if (id) ids.push(id);
    }
    return ids;
  }

  return {
    async fire(timer, now) {
      return db.transaction(async (tx): Promise<FiredTimer> => {
        const tickets = createTicketsRepository({ db: tx });
        // Clocks belong to a ticket (foreign key): no ticket, no clock.
        const ticket = await tickets.findById(timer.ticketId);
        if (!ticket) return { outcome: 'no-clock', outboundIds: [] };
        const ticketSla = createTicketSlaRepository({ db: tx });
        const decision = await slaClocks.fireTimer(createSlaRepository({ db: tx }), ticket, timer, now, () =>
          ticketSla.hasBreachEvent(timer.ticketId, timer.target),
        );
        if (decision.action === 'none') return { outcome: decision.reason, outboundIds: [] };
        if (decision.action === 'reschedule') return { outcome: 'early', dueAt: decision.dueAt, outboundIds: [] };
        await recordSlaFacts(tickets, ticket.id, now, [decision.fact]);
        const outboundIds = await queueEscalationMails(tx, ticket, decision.clock, decision.stage, now);
        return { outcome: decision.stage === 'warn' ? 'warned' : 'breached', outboundIds };
      });
    },
  };
}

/** The timers every running clock of these tickets (or of all) needs; schedule them after commit. */
export function listSlaTimers(db: DbOrTx, ticketIds: readonly number[] | 'all') {
  return createTicketSlaRepository({ db }).listSlaTimers(ticketIds);
}
