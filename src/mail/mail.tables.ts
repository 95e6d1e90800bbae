// Mail storage: every inbound mail is kept raw (lz4-compressed TOAST, set in the migration),
// parsed fields live beside it; outbound mail is a row first and a BullMQ job second, so a
// crash between the two loses nothing (the outbox reconciler re-enqueues queued rows).
import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, index, integer, jsonb, pgTable, serial, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { bytea } from '../db/column-types.ts';
import { ticketsTable } from '../tickets/tickets.tables.ts';

export const mailboxesTable = pgTable('mailboxes', {
  id: serial('id').primaryKey(),
  address: text('address').notNull().unique(),
  uidValidity: bigint('uid_validity', { mode: 'number' }),
  lastUid: bigint('last_uid', { mode: 'number' }).notNull().default(0),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const rawMailsTable = pgTable(
  'raw_mails',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    sha256: text('sha256').notNull(),
    size: integer('size').notNull(),
    raw: bytea('raw').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('raw_mails_sha256').on(t.sha256)],
);

export const messagesTable = pgTable(
  'messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** null: an automatic mail that matched no ticket (stored, never lost, opens nothing) */
    ticketId: bigint('ticket_id', { mode: 'number' }).references(() => ticketsTable.id),
    direction: text('direction').notNull(), // in | out
    mailboxId: integer('mailbox_id').references(() => mailboxesTable.id),
    uid: bigint('uid', { mode: 'number' }),
    messageId: text('message_id'),
    inReplyTo: text('in_reply_to'),
    references: text('references').array().notNull().default(sql`'{}'::text[]`),
    fromAddress: text('from_address').notNull(),
    fromName: text('from_name'),
    to: text('to').array().notNull().default(sql`'{}'::text[]`),
    cc: text('cc').array().notNull().default(sql`'{}'::text[]`),
    subject: text('subject').notNull().default(''),
    /** the sender's Date header, informational only */
    sentAt: timestamp('sent_at', { withTimezone: true }),
    /** IMAP internal date for inbound, send time for outbound */
    at: timestamp('at', { withTimezone: true }).notNull(),
    text: text('text').notNull().default(''),
    /** sanitized before it was stored: inbound HTML is never trusted */
    html: text('html'),
    rawMailId: bigint('raw_mail_id', { mode: 'number' }).references(() => rawMailsTable.id),
    contentHash: text('content_hash'),
    /** customer | technician | system | automatic | bounce */
    author: text('author').notNull(),
    automationReasons: text('automation_reasons').array().notNull().default(sql`'{}'::text[]`),
    internal: boolean('internal').notNull().default(false),
    outboundId: uuid('outbound_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('messages_ticket').on(t.ticketId),
    index('messages_message_id').on(t.messageId),
    // Dedup after a UIDVALIDITY reset: the same bytes under a new UID are the same mail.
    uniqueIndex('messages_inbound_hash').on(t.contentHash).where(sql`direction = 'in'`),
  ],
);

export const quarantineTable = pgTable(
  'quarantine',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    mailboxId: integer('mailbox_id').references(() => mailboxesTable.id),
    uid: bigint('uid', { mode: 'number' }),
    uidValidity: bigint('uid_validity', { mode: 'number' }),
    reasonCode: text('reason_code').notNull(),
    reason: text('reason').notNull(),
    rawMailId: bigint('raw_mail_id', { mode: 'number' }).notNull().references(() => rawMailsTable.id),
    receivedAt: timestamp('received_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** when an operator put the mail back through intake (`helpdesk quarantine release`); the row is kept */
    releasedAt: timestamp('released_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('quarantine_raw').on(t.rawMailId)],
);

export const outboundMailsTable = pgTable(
  'outbound_mails',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** e.g. ack:<ticketId>, sla-warning:<ticketId>:<target>:<version>; a second insert is a no-op */
    idempotencyKey: text('idempotency_key').notNull().unique(),
    ticketId: bigint('ticket_id', { mode: 'number' }).references(() => ticketsTable.id),
    kind: text('kind').notNull(),
    fromAddress: text('from_address').notNull(),
    fromName: text('from_name'),
    to: text('to').array().notNull(),
    cc: text('cc').array().notNull().default(sql`'{}'::text[]`),
    replyTo: text('reply_to'),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    html: text('html'),
    messageId: text('message_id').notNull(),
    inReplyTo: text('in_reply_to'),
    references: text('references').array().notNull().default(sql`'{}'::text[]`),
    automatic: boolean('automatic').notNull(),
    /** extra headers decided at composition (Auto-Submitted, X-Helpdesk-*), sent as stored */
    headers: jsonb('headers').$type<Record<string, string>>().notNull().default(sql`'{}'::jsonb`),
    /** queued | sending | sent | failed | bounced */
    state: text('state').notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    index('outbound_state').on(t.state),
    index('outbound_ticket').on(t.ticketId),
    // intake reads the last hour's acks per batch (the per-sender ack limit)
    index('outbound_recent_acks').on(t.createdAt).where(sql`kind = 'ack'`),
  ],
);
