import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, check, index, integer, jsonb, pgSequence, pgTable, text, timestamp, uniqueIndex, uuid, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { contractsTable, customersTable } from '../contracts/contracts.tables.ts';
import { LOCALES, PRIORITIES, TICKET_KINDS, type Locale, type Priority, type TicketKind } from '../contracts/contracts.types.ts';
import { oneOf } from '../db/column-types.ts';
import { TICKET_EVENT_TYPES } from './ticket-events.models.ts';
import { TICKET_STATUSES } from './tickets.models.ts';

export const ticketNumberSequence = pgSequence('ticket_number_seq', { startWith: 1 });

export const ticketsTable = pgTable(
  'tickets',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    number: integer('number').notNull().unique().default(sql`nextval('ticket_number_seq')`),
    subject: text('subject').notNull(),
    status: text('status', { enum: TICKET_STATUSES }).notNull().default('new'),
    priority: text('priority').$type<Priority>().notNull(),
    /** incident | request: picks the calendar (fault-handling vs support hours) */
    kind: text('kind').$type<TicketKind>().notNull(),
    customerId: integer('customer_id').references(() => customersTable.id),
    contractId: integer('contract_id').references(() => contractsTable.id),
    planKey: text('plan_key').notNull(),
    requester: text('requester').notNull(),
    requesterName: text('requester_name'),
    locale: text('locale').$type<Locale>().notNull(),
    timezone: text('timezone').notNull(),
    serviceAddress: text('service_address').notNull(),
    /** the IMAP internal date of the first mail: SLA clocks start here, not at the Date header */
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    firstResponseAt: timestamp('first_response_at', { withTimezone: true }),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    queuePriority: integer('queue_priority').notNull(),
    /** the technician who owns the ticket (first to answer, `#take`, `#assign`): notices go to them alone */
    owner: text('owner'),
  },
  (t) => [
    index('tickets_status').on(t.status),
    index('tickets_customer').on(t.customerId),
    index('tickets_owner').on(t.owner),
    check('tickets_status_valid', oneOf(t.status, TICKET_STATUSES)),
    check('tickets_priority_valid', oneOf(t.priority, PRIORITIES)),
    check('tickets_kind_valid', oneOf(t.kind, TICKET_KINDS)),
    check('tickets_locale_valid', oneOf(t.locale, LOCALES)),
  ],
);

/** Append-only audit of what happened to a ticket and why (status changes, classification, SLA events). */
export const ticketEventsTable = pgTable(
  'ticket_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    ticketId: bigint('ticket_id', { mode: 'number' }).notNull().references(() => ticketsTable.id),
    type: text('type', { enum: TICKET_EVENT_TYPES }).notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('ticket_events_ticket').on(t.ticketId), check('ticket_events_type_valid', oneOf(t.type, TICKET_EVENT_TYPES))],
);

/**
 * Work a technician logged with `#time`, priced under the ticket's plan and drawn from the
 * customer's time bank. Append-only: a correction (`#undo`, `#time -30m reason`) is a new row with
 * signed minutes that names the row it corrects; nothing is ever deleted. The draws
 * (`fromBankMinutes`, `overageMinutes`, `fromLots`) are the ledger's and may be rewritten when the
 * ledger is recomputed; everything else is written once.
 */
export const timeEntriesTable = pgTable(
  'time_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ticketId: bigint('ticket_id', { mode: 'number' }).notNull().references(() => ticketsTable.id),
    messageId: bigint('message_id', { mode: 'number' }),
    technician: text('technician').notNull(),
    /** the role whose rate applied */
    role: text('role').notNull(),
    onsite: boolean('onsite').notNull().default(false),
    /** logged minutes; negative for a correction */
    minutes: integer('minutes').notNull(),
    billableMinutes: integer('billable_minutes').notNull(),
    /** minutes the plan's free rules made free (passed through the ledger, never drawn) */
    freeMinutes: integer('free_minutes').notNull().default(0),
    /** minutes drawn from the bank of the entry's period (prepaid lots apart, in fromLots) */
    fromBankMinutes: integer('from_bank_minutes').notNull().default(0),
    /** minutes drawn from each prepaid lot */
    fromLots: jsonb('from_lots').$type<{ lotId: string; minutes: number }[]>().notNull().default(sql`'[]'::jsonb`),
    overageMinutes: integer('overage_minutes').notNull().default(0),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull().default(0),
    currency: text('currency').notNull(),
    /** the pricing engine's line (`47m remote → 60m … = 1 350.00 SEK`), written once */
    priceExplanation: text('price_explanation').notNull().default(''),
    /** that line with the entry's draws appended (`…, 60m from bank`): rewritten with the draws */
    explanation: text('explanation').notNull().default(''),
    /** the ticket's kind when the work was logged: free kinds and the bank's `kinds` depend on it */
    kind: text('kind').$type<TicketKind>(),
    /** when the work was done (provider's zone resolved); null on rows logged before these columns */
    workStart: timestamp('work_start', { withTimezone: true }),
    workEnd: timestamp('work_end', { withTimezone: true }),
    /** a correction: the entry it corrects */
    reversesEntryId: uuid('reverses_entry_id').references((): AnyPgColumn => timeEntriesTable.id),
    /** a correction's reason (`#time -30m wrong ticket`; `#undo` for an undo) */
    reason: text('reason'),
    /** source Message-ID (or message row) + the tag's place in it: a reply delivered twice adds time once */
    idempotencyKey: text('idempotency_key'),
    /** the receipt mail sent to the technician about this entry: `#undo` answers it */
    receiptOutboundId: uuid('receipt_outbound_id'),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('time_entries_ticket').on(t.ticketId),
    uniqueIndex('time_entries_idempotency_key').on(t.idempotencyKey),
    index('time_entries_receipt').on(t.receiptOutboundId),
    check('time_entries_kind_valid', oneOf(t.kind, TICKET_KINDS)),
  ],
);
