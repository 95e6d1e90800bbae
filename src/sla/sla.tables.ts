// One row per running or finished SLA clock. Postgres is the truth; BullMQ jobs carry `version`
// and do nothing when the row has moved on (a wiped Redis is rebuilt from these rows).
import { bigint, check, integer, pgTable, primaryKey, text, timestamp, index } from 'drizzle-orm/pg-core';
import { SLA_TARGETS, type SlaTargetName } from '../contracts/contracts.types.ts';
import { oneOf } from '../db/column-types.ts';
import { ticketsTable } from '../tickets/tickets.tables.ts';

export const slaClocksTable = pgTable(
  'sla_clocks',
  {
    ticketId: bigint('ticket_id', { mode: 'number' }).notNull().references(() => ticketsTable.id),
    target: text('target').$type<SlaTargetName>().notNull(),
    calendarKey: text('calendar_key').notNull(),
    /** the target as written (1h, SBD, …), for mails and reports */
    targetText: text('target_text').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    deadline: timestamp('deadline', { withTimezone: true }).notNull(),
    warnAt: timestamp('warn_at', { withTimezone: true }).notNull(),
    pausedAt: timestamp('paused_at', { withTimezone: true }),
    pausedBusinessMs: bigint('paused_business_ms', { mode: 'number' }).notNull().default(0),
    metAt: timestamp('met_at', { withTimezone: true }),
    breachedAt: timestamp('breached_at', { withTimezone: true }),
    warnedAt: timestamp('warned_at', { withTimezone: true }),
    version: integer('version').notNull().default(1),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.ticketId, t.target] }), index('sla_clocks_deadline').on(t.deadline), check('sla_clocks_target_valid', oneOf(t.target, SLA_TARGETS))],
);
