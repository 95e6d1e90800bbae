// A technician's `#estimate 5h` under the plan's quoteAbove / quoteRequires (docs/domain.md,
// "Estimates"): the event that records it, and the mails it sends — to the requester a notice or
// an approval request (with approve and decline addresses), to the technician what was sent.
// No I/O here: the caller queues the requests inside its transaction.
import type { ContractsConfig, Technician, TicketKind } from '../contracts/contracts.types.ts';
import type { OutboundRequest } from '../mail/outbox.usecases.ts';
import { createReplyAddress, type ReplySecrets } from '../mail/reply-token.models.ts';
import { awaitsApproval, estimateRate, estimateRequirement, estimateStateAt, type EstimateEventRecord } from './estimates.models.ts';
import type { TicketEvent } from './ticket-events.models.ts';
import { ticketReference } from './tickets.models.ts';
import type { TicketRow } from './tickets.repository.ts';
import { formatMinutes } from './time-bank-terms.models.ts';

export interface EstimateTagInput {
  ticket: TicketRow;
  /** the ticket's plan and kind as the reply's earlier tags left them */
  planKey: string;
  kind: TicketKind;
  technician: Technician;
  /** the ticket's customer, for the technician's mail; null when none */
  customerName: string | null;
  estimateMs: number;
  at: Date;
  /** the technician's mail row: keys the mails, so a redelivery sends nothing twice */
  messageRowId: number;
  inReplyTo: string | null;
  /** the ticket's estimate events before this one */
  records: readonly EstimateEventRecord[];
}

export interface EstimateTagOutcome {
  event: Extract<TicketEvent, { type: 'estimate' }>;
  /** the customer's notice or approval request, then the technician's confirmation; none at or below quoteAbove */
  requests: OutboundRequest[];
}

/**
 * What one `#estimate` records and sends. Above quoteAbove the requester is told (`notice`) or
 * asked (`approval`), in the ticket's language, and the technician hears what was sent; at or
 * below it the estimate is only recorded. An estimate while another awaits approval supersedes it.
 */
export function estimateTag(config: ContractsConfig, secret: ReplySecrets, input: EstimateTagInput): EstimateTagOutcome {
  const { ticket, technician, at } = input;
  const billing = config.plans[input.planKey]?.billing;
  const requires = billing ? estimateRequirement(billing, input.estimateMs) : null;
  const minutes = Math.ceil(input.estimateMs / 60_000);
  const before = estimateStateAt(input.records, null);
  const pending = awaitsApproval(before) ? before.estimate : null;
  const event: EstimateTagOutcome['event'] = { type: 'estimate', minutes, by: technician.email, requires, supersedes: pending?.at.toISOString() ?? null };
  if (requires === null || !billing) return { event, requests: [] };

  const estimate = formatMinutes(minutes);
  const supersedes = pending ? formatMinutes(pending.minutes) : null;
  const address = (action: 'approve' | 'decline') => createReplyAddress({ serviceAddress: ticket.serviceAddress, ticketNumber: ticket.number, secret, action });
  const ref = ticketReference(ticket);
  const common = { ticketNumber: ticket.number, subject: ticket.subject };
  const toCustomer: OutboundRequest = {
    idempotencyKey: `estimate:${ticket.id}:${input.messageRowId}`,
    kind: 'estimate',
    locale: ticket.locale,
    to: [ticket.requester],
    ticket: ref,
    automatic: true,
    at,
    vars: {
      ...common,
      requires,
      estimate,
      rate: estimateRate(billing, technician.role, input.kind),
      technicianName: technician.name ?? technician.email,
      supersedes,
      approveAddress: requires === 'approval' ? address('approve') : null,
      declineAddress: requires === 'approval' ? address('decline') : null,
    },
  };
  const toTechnician: OutboundRequest = {
    idempotencyKey: `technician-estimate:${ticket.id}:${input.messageRowId}`,
    kind: 'technician-estimate',
    locale: technician.locale ?? config.provider.locale,
    to: [technician.email],
    ticket: ref,
    automatic: true,
    inReplyTo: input.inReplyTo,
    at,
    vars: {
      ...common,
      outcome: requires === 'approval' ? 'approval-requested' : 'notice-sent',
      estimate,
      requester: ticket.requester,
      customerName: input.customerName,
      supersedes,
      answeredBy: null,
      via: null,
      text: null,
    },
  };
  return { event, requests: [toCustomer, toTechnician] };
}
