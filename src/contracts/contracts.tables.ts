// What `contracts sync` writes. The contracts file stays the source of truth for plans and
// calendars (their definitions are stored as JSON for history and reports); customers,
// contacts and contracts are rows because tickets point at them and history must outlive edits.
import { sql } from 'drizzle-orm';
import { boolean, check, date, index, integer, jsonb, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { oneOf } from '../db/column-types.ts';

export const providersTable = pgTable('providers', {
  id: serial('id').primaryKey(),
  name: text('name').notNull().unique(),
  timezone: text('timezone').notNull(),
  locale: text('locale').notNull(),
  settings: jsonb('settings').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const calendarsTable = pgTable(
  'calendars',
  {
    id: serial('id').primaryKey(),
    providerId: integer('provider_id').notNull().references(() => providersTable.id),
    key: text('key').notNull(),
    definition: jsonb('definition').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('calendars_provider_key').on(t.providerId, t.key)],
);

export const plansTable = pgTable(
  'plans',
  {
    id: serial('id').primaryKey(),
    providerId: integer('provider_id').notNull().references(() => providersTable.id),
    key: text('key').notNull(),
    title: text('title').notNull(),
    queuePriority: integer('queue_priority').notNull(),
    definition: jsonb('definition').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('plans_provider_key').on(t.providerId, t.key)],
);

export const customersTable = pgTable(
  'customers',
  {
    id: serial('id').primaryKey(),
    providerId: integer('provider_id').notNull().references(() => providersTable.id),
    name: text('name').notNull(),
    domains: text('domains').array().notNull().default(sql`'{}'::text[]`),
    locale: text('locale').notNull(),
    timezone: text('timezone').notNull(),
    managers: text('managers').array().notNull().default(sql`'{}'::text[]`),
    /** false once the customer disappears from the contracts file: kept for history */
    active: boolean('active').notNull().default(true),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('customers_provider_name').on(t.providerId, t.name)],
);

export const contactsTable = pgTable(
  'contacts',
  {
    id: serial('id').primaryKey(),
    customerId: integer('customer_id').notNull().references(() => customersTable.id),
    email: text('email').notNull(),
    name: text('name'),
    superuser: boolean('superuser').notNull().default(false),
    active: boolean('active').notNull().default(true),
  },
  (t) => [uniqueIndex('contacts_customer_email').on(t.customerId, t.email), index('contacts_email').on(t.email)],
);

/** Why a prepaid account ended before (or at) its contract's `end`. */
export const CONTRACT_END_REASONS = ['exhausted', 'expired'] as const;
export type ContractEndReason = (typeof CONTRACT_END_REASONS)[number];

/**
 * Never updated in place except `supersededAt` and, once, `endedAt`/`endedReason`: a changed
 * contract is a new row. A prepaid account that is used up or expired ends at that instant
 * (docs/CONTRACTS.md, "Prepaid accounts end"); `contracts sync` never clears it.
 */
export const contractsTable = pgTable(
  'contracts',
  {
    id: serial('id').primaryKey(),
    customerId: integer('customer_id').notNull().references(() => customersTable.id),
    planKey: text('plan_key').notNull(),
    planId: integer('plan_id').notNull().references(() => plansTable.id),
    start: date('start').notNull(),
    end: date('end'),
    accountManager: text('account_manager'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    supersededAt: timestamp('superseded_at', { withTimezone: true }),
    /** when a prepaid account ended (used up: the work end of the entry that used it up; expired: the contract's end) */
    endedAt: timestamp('ended_at', { withTimezone: true }),
    endedReason: text('ended_reason', { enum: CONTRACT_END_REASONS }),
  },
  (t) => [index('contracts_customer').on(t.customerId), check('contracts_ended_reason_valid', oneOf(t.endedReason, CONTRACT_END_REASONS))],
);
