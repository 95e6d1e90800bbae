// A customer's answer to an estimate's approval request (docs/domain.md, "Estimates"): a reply
// whose first own line approves or declines, or any mail to the approve or decline address. It
// counts once per estimate, only from the requester or the customer's contacts and managers, and
// the ticket's owner (else the estimate's author) is told. Anything else is an ordinary reply.
import { findEscalationContacts } from '../../contracts/contracts.repository.ts';
import type { ContractsConfig } from '../../contracts/contracts.types.ts';
import { replyTokenCandidates } from '../../mail/reply-token.models.ts';
import { isSameMailbox } from '../../shared/address.ts';
import { awaitsApproval, detectApprovalAnswer, estimateStateAt, type ApprovalDecision } from '../estimates.models.ts';
import { createEstimatesRepository } from '../estimates.repository.ts';
import { recipientLocale } from '../ticket-people.models.ts';
import { ticketReference } from '../tickets.models.ts';
import type { TicketRow } from '../tickets.repository.ts';
import { formatMinutes } from '../time-bank-terms.models.ts';
import { customersNewText } from './follow-up-notices.models.ts';
import type { BatchContext, BatchMail } from './intake-context.ts';

/** The answer a mail gives, if any: the approve/decline address it went to first, else the words of its first line. */
function answerOf(ctx: BatchContext, item: BatchMail, ticket: TicketRow): { decision: ApprovalDecision; via: 'address' | 'reply' } | null {
  const candidates = replyTokenCandidates({ addresses: item.parsed.recipients, serviceAddresses: ctx.config.provider.addresses, secret: ctx.secret });
  const byAddress = candidates.find((candidate) => candidate.valid && candidate.action !== null && candidate.ticketNumber === ticket.number);
  if (byAddress?.action) return { decision: byAddress.action, via: 'address' };
  const decision = detectApprovalAnswer(item.parsed.text);
  return decision === null ? null : { decision, via: 'reply' };
}

/** The requester, or a contact or manager of the ticket's customer; never one of the provider's technicians. */
function mayAnswer(config: ContractsConfig, ticket: TicketRow, customerName: string | null, sender: string): boolean {
  if (config.provider.technicians.some((technician) => isSameMailbox(technician.email, sender))) return false;
  if (isSameMailbox(ticket.requester, sender)) return true;
  const customer = customerName === null ? undefined : config.customers.find((candidate) => candidate.name === customerName);
  if (!customer) return false;
  return customer.contacts.some((contact) => isSameMailbox(contact.email, sender)) || customer.managers.some((manager) => isSameMailbox(manager, sender));
}

/**
 * Records the answer `item` gives to the ticket's pending approval request, and tells the
 * technician. False (nothing recorded) when the mail gives no answer, comes from someone who may
 * not answer, or no approval is pending (none asked, already answered, or asked after the mail
 * was written): the mail is then an ordinary reply.
 */
export async function recordEstimateAnswer(ctx: BatchContext, item: BatchMail, ticket: TicketRow): Promise<boolean> {
  const answer = answerOf(ctx, item, ticket);
  if (answer === null) return false;
  const at = item.mail.internalDate;
  const { customerName } = await findEscalationContacts(ctx.tx, ticket);
  if (!mayAnswer(ctx.config, ticket, customerName, item.sender)) {
    ctx.logger.info({ ticket: ticket.number, sender: item.sender }, 'estimate answer from someone who may not answer: kept as an ordinary reply');
    return false;
  }
  const state = estimateStateAt(await createEstimatesRepository({ db: ctx.tx }).eventsOf(ticket.id), null);
  const estimate = state.estimate;
  if (estimate === null || !awaitsApproval(state) || at.getTime() < estimate.at.getTime()) return false;
  const estimateAt = estimate.at.toISOString();
  const by = item.sender;
  await ctx.tickets.recordEvents([
    { ticketId: ticket.id, at, event: { type: answer.decision === 'approve' ? 'estimate_approved' : 'estimate_declined', by, via: answer.via, estimateAt } },
  ]);
  // The owner runs the work; without one (or one no longer a technician), whoever estimated it.
  const owner = ticket.owner !== null ? ctx.config.provider.technicians.find((technician) => isSameMailbox(technician.email, ticket.owner!)) : undefined;
  const recipient = owner?.email ?? estimate.by;
  const id = await ctx.outbox.queue(ctx.tx, {
    // once per estimate: the first answer is the only one that counts
    idempotencyKey: `technician-estimate:answer:${ticket.id}:${estimateAt}`,
    kind: 'technician-estimate',
    locale: recipientLocale(ctx.config, recipient),
    to: [recipient],
    ticket: ticketReference(ticket),
    automatic: true,
    inReplyTo: item.parsed.messageId,
    at,
    vars: {
      ticketNumber: ticket.number,
      subject: ticket.subject,
      outcome: answer.decision === 'approve' ? 'approved' : 'declined',
      estimate: formatMinutes(estimate.minutes),
      requester: ticket.requester,
      customerName,
      supersedes: null,
      answeredBy: by,
      via: answer.via,
      text: item.parsed.text.trim() === '' ? null : customersNewText(item.parsed.text),
    },
  });
  if (id) ctx.effects.outboundIds.push(id);
  return true;
}
