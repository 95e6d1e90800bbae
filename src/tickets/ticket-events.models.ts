// The audit trail of a ticket as one discriminated union: every event type with its typed
// fields. The repository stores `type` in its own column and the remaining fields as `data`
// (jsonb), so `helpdesk ticket N --json` shows `{ type, at, data }` with exactly these fields.
import type { Priority, SlaTargetName, TicketKind } from '../contracts/contracts.types.ts';
import type { TicketStatus } from './tickets.models.ts';

export type TicketEvent =
  | { type: 'opened'; matchedBy: 'contact' | 'domain' | 'default'; plan: string; kind: TicketKind; priority: Priority }
  /** no acknowledgement: the per-sender loop brake, or mail older than the backlog age when first seen */
  | { type: 'ack_suppressed'; reason: 'ackLimitPerHour'; acksLastHour: number }
  | { type: 'ack_suppressed'; reason: 'backlog'; ageMs: number }
  | { type: 'status'; from: TicketStatus; to: TicketStatus; by: string }
  | { type: 'reopened'; by: 'customer' }
  | { type: 'follow_up_after_close'; messageId: string | null }
  | { type: 'bounce'; bouncedMessageId: string | null }
  /**
   * A known technician's mail that could not be verified: kept as an internal note, no tag applied.
   * `reason` (absent on events recorded before it existed): why (see intake/follow-up-notices.models.ts).
   */
  | { type: 'technician_unverified'; from: string; authenticationResults: string[]; reason?: 'unauthenticated' | 'invalid-reply-address' | 'no-reply-address' }
  /** the ticket's owner changed: the first technician to answer, `#take` or `#assign` */
  | { type: 'owner'; from: string | null; to: string; by: string; via: 'first-answer' | 'take' | 'assign' }
  | { type: 'priority'; from: Priority; to: Priority; by: string }
  | { type: 'kind'; from: TicketKind; to: TicketKind; by: string }
  | { type: 'time'; minutes: number; role: string; onsite: boolean; by: string }
  /**
   * `#estimate`: `requires` (absent on events recorded before it existed: recorded only) is what
   * it asked of the customer (estimates.models.ts); `supersedes`: the `at` of a pending estimate
   * this one replaces.
   */
  | { type: 'estimate'; minutes: number; by: string; requires?: 'approval' | 'notice' | null; supersedes?: string | null }
  /** the customer's answer to the approval request of the estimate recorded at `estimateAt` (ISO) */
  | { type: 'estimate_approved'; by: string; via: 'reply' | 'address'; estimateAt: string }
  | { type: 'estimate_declined'; by: string; via: 'reply' | 'address'; estimateAt: string }
  | { type: 'sla_met'; target: SlaTargetName; late: boolean }
  | { type: 'sla_recomputed'; target: SlaTargetName; deadline: string }
  | { type: 'sla_warning'; target: SlaTargetName; deadline: string }
  | { type: 'sla_breach'; target: SlaTargetName; deadline: string };

export type TicketEventType = TicketEvent['type'];

export const TICKET_EVENT_TYPES: readonly [TicketEventType, ...TicketEventType[]] = [
  'opened',
  'ack_suppressed',
  'status',
  'reopened',
  'follow_up_after_close',
  'bounce',
  'technician_unverified',
  'owner',
  'priority',
  'kind',
  'time',
  'estimate',
  'estimate_approved',
  'estimate_declined',
  'sla_met',
  'sla_recomputed',
  'sla_warning',
  'sla_breach',
];

/** One event of one ticket at one instant: what the repository stores as one row. */
export interface TicketEventRecord {
  ticketId: number;
  at: Date;
  event: TicketEvent;
}

/** The row shape: `type` apart, the other fields as the event's data. */
export function eventRow(record: TicketEventRecord): { ticketId: number; at: Date; type: TicketEventType; data: Record<string, unknown> } {
  const { type, ...data } = record.event;
  return { ticketId: record.ticketId, at: record.at, type, data };
}
