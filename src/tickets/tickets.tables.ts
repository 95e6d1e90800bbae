import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, check, index, integer, jsonb, pgSequence, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
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
  },
  (t) => [
    index('tickets_status').on(t.status),
    index('tickets_customer').on(t.customerId),
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

export const timeEntriesTable = pgTable(
  'time_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ticketId: bigint('ticket_id', { mode: 'number' }).notNull().references(() => ticketsTable.id),
    messageId: bigint('message_id', { mode: 'number' }),
    technician: text('technician').notNull(),
    role: text('role').notNull(),
    onsite: boolean('onsite').notNull().default(false),
    minutes: integer('minutes').notNull(),
    billableMinutes: integer('billable_minutes').notNull(),
    fromBankMinutes: integer('from_bank_minutes').notNull().default(0),
    overageMinutes: integer('overage_minutes').notNull().default(0),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull().default(0),
    currency: text('currency').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [index('time_entries_ticket').on(t.ticketId)],
);
