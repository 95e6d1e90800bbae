// Read side for the CLI: ticket summaries and one ticket in the JSON shape docs/commands.md promises
// (fields may be added, never renamed).
import { and, asc, desc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import { customersTable } from '../contracts/contracts.tables.ts';
import type { Database } from '../db/client.ts';
import type { Tx } from '../db/client.ts';
import { messagesTable } from '../mail/mail.tables.ts';
import { normalizeAddress } from '../shared/address.ts';
import { slaClocksTable } from '../sla/sla.tables.ts';
import { workBeforeApproval } from './estimates.models.ts';
import { estimateRecordOf } from './estimates.repository.ts';
import type { TicketStatus } from './tickets.models.ts';
import { ticketEventsTable, ticketsTable, timeEntriesTable } from './tickets.tables.ts';

export interface TicketSummary {
  number: number;
  subject: string;
  status: string;
  priority: string;
  kind: string;
  customer: string | null;
  plan: string;
  requester: string;
  /** the technician who owns the ticket; null until one answers, `#take`s or is `#assign`ed */
  owner: string | null;
  createdAt: string;
}

type Targets = { response: string | null; intervention: string | null; resolution: string | null };
type Flags = { response: boolean; intervention: boolean; resolution: boolean };

export interface TicketDetail extends TicketSummary {
  locale: string;
  /** the IANA zone the ticket's times are shown in (the customer's, else the provider's) */
  timeZone: string;
  deadlines: Targets;
  breached: Flags;
  met: Targets;
  paused: boolean;
  messages: { direction: string; from: string; to: string[]; subject: string; messageId: string | null; at: string; internal: boolean; author: string }[];
  timeEntries: {
    id: string;
    technician: string;
    /** the role whose rate applied */
    role: string;
    onsite: boolean;
    /** logged minutes; negative for a correction */
    minutes: number;
    billableMinutes: number;
    freeMinutes: number;
    fromBankMinutes: number;
    fromLots: { lotId: string; minutes: number }[];
    overageMinutes: number;
    /** decimal string, e.g. "1350.00"; negative for a correction that takes time back */
    amount: string;
    currency: string;
    /** one line a customer can check, ending with the bank draws */
    explanation: string;
    /** when the work was done; null for entries logged before work times were kept */
    workStart: string | null;
    workEnd: string | null;
    /** a correction: the entry it corrects, and why */
    reversesEntryId: string | null;
    reason: string | null;
    /** the work started while an estimate's required approval was pending, or after a decline (derived from the events) */
    beforeApproval: boolean;
    /** `before-approval` when beforeApproval; room for other marks */
    flags: string[];
    at: string;
  }[];
  events: { type: string; at: string; data: unknown }[];
}

function minorToDecimal(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export function createTicketQueries({ db }: { db: Database }) {
  return {
    /** `page`: at most `limit` tickets after skipping `offset` (in the listing's order); all without it. */
    async list(filter: { status?: TicketStatus; customer?: string; owner?: string; page?: { limit: number; offset: number } } = {}): Promise<TicketSummary[]> {
      const conditions: SQL[] = [];
      if (filter.status) conditions.push(eq(ticketsTable.status, filter.status));
      // Any spelling of the address: `William <William@Trinax.example>` is william@trinax.example.
      if (filter.owner) conditions.push(eq(sql`lower(${ticketsTable.owner})`, normalizeAddress(filter.owner)));
      if (filter.customer) {
        const c = filter.customer.toLowerCase();
        conditions.push(or(ilike(customersTable.name, c), sql`${c} = any(${customersTable.domains})`)!);
      }
      const rows = await db
        .select({ t: ticketsTable, customer: customersTable.name })
        .from(ticketsTable)
        .leftJoin(customersTable, eq(customersTable.id, ticketsTable.customerId))
        .where(conditions.length ? and(...conditions) : undefined)
        .orderBy(asc(ticketsTable.queuePriority), desc(ticketsTable.number))
        .limit(filter.page?.limit ?? Number.MAX_SAFE_INTEGER)
        .offset(filter.page?.offset ?? 0);
      return rows.map(({ t, customer }) => ({
        number: t.number,
        subject: t.subject,
        status: t.status,
        priority: t.priority,
        kind: t.kind,
        customer: customer ?? null,
        plan: t.planKey,
        requester: t.requester,
        owner: t.owner,
        createdAt: t.createdAt.toISOString(),
      }));
    },

    async get(number: number): Promise<TicketDetail | null> {
      // One snapshot for every read, so the ticket, its clocks and its messages agree.
      return db.transaction(async (tx) => readTicket(tx, number), { isolationLevel: 'repeatable read', accessMode: 'read only' });
    },
  };
}

async function readTicket(db: Tx, number: number): Promise<TicketDetail | null> {
  const rows = await db
    .select({ t: ticketsTable, customer: customersTable.name })
    .from(ticketsTable)
    .leftJoin(customersTable, eq(customersTable.id, ticketsTable.customerId))
    .where(eq(ticketsTable.number, number));
  const row = rows[0];
  if (!row) return null;
  const { t } = row;
  const clocks = await db.select().from(slaClocksTable).where(eq(slaClocksTable.ticketId, t.id));
  const messages = await db.select().from(messagesTable).where(eq(messagesTable.ticketId, t.id)).orderBy(asc(messagesTable.at), asc(messagesTable.id));
  const entries = await db.select().from(timeEntriesTable).where(eq(timeEntriesTable.ticketId, t.id)).orderBy(asc(timeEntriesTable.at), asc(timeEntriesTable.id));
  const events = await db.select().from(ticketEventsTable).where(eq(ticketEventsTable.ticketId, t.id)).orderBy(asc(ticketEventsTable.id));
  const estimateRecords = events.flatMap((e) => estimateRecordOf(e) ?? []);
  const deadlines: Targets = { response: null, intervention: null, resolution: null };
  const met: Targets = { response: null, intervention: null, resolution: null };
  const breached: Flags = { response: false, intervention: false, resolution: false };
  for (const c of clocks) {
    const key = c.target as keyof Targets;
    deadlines[key] = c.deadline.toISOString();
    met[key] = c.metAt?.toISOString() ?? null;
    breached[key] = c.breachedAt !== null;
  }
  return {
    number: t.number,
    subject: t.subject,
    status: t.status,
    priority: t.priority,
    kind: t.kind,
    customer: row.customer ?? null,
    plan: t.planKey,
    requester: t.requester,
    owner: t.owner,
    createdAt: t.createdAt.toISOString(),
    locale: t.locale,
    timeZone: t.timezone,
    deadlines,
    breached,
    met,
    paused: clocks.some((c) => c.pausedAt !== null),
    messages: messages.map((m) => ({
      direction: m.direction,
      from: m.fromAddress,
      to: m.to,
      subject: m.subject,
      messageId: m.messageId,
      at: m.at.toISOString(),
      internal: m.internal,
      author: m.author,
    })),
    timeEntries: entries.map((e) => {
      const beforeApproval = workBeforeApproval(estimateRecords, e);
      return {
        id: e.id,
        technician: e.technician,
        role: e.role,
        onsite: e.onsite,
        minutes: e.minutes,
        billableMinutes: e.billableMinutes,
        freeMinutes: e.freeMinutes,
        fromBankMinutes: e.fromBankMinutes,
        fromLots: e.fromLots,
        overageMinutes: e.overageMinutes,
        amount: minorToDecimal(e.amountMinor),
        currency: e.currency,
        explanation: e.explanation,
        workStart: e.workStart?.toISOString() ?? null,
        workEnd: e.workEnd?.toISOString() ?? null,
        reversesEntryId: e.reversesEntryId,
        reason: e.reason,
        beforeApproval,
        flags: beforeApproval ? ['before-approval'] : [],
        at: e.at.toISOString(),
      };
    }),
    events: events.map((e) => ({ type: e.type, at: e.at.toISOString(), data: e.data })),
  };
}
