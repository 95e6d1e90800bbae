// Time entries: the work technicians logged with `#time`, priced and drawn from the time bank.
// Rows are only ever added (a correction is a row of its own); the ledger's draws of a row are the
// one part that may be rewritten, when the ledger is computed again.
import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { contractsTable, customersTable } from '../contracts/contracts.tables.ts';
import type { DbOrTx } from '../db/client.ts';
import { outboundMailsTable } from '../mail/mail.tables.ts';
import { ticketsTable, timeEntriesTable } from './tickets.tables.ts';

export type NewTimeEntryRow = typeof timeEntriesTable.$inferInsert;
export type TimeEntryRow = typeof timeEntriesTable.$inferSelect;

/** A stored entry with the kind its ticket has now (for rows logged before entries kept their own). */
export type TimeEntryWithTicket = TimeEntryRow & { ticketKind: 'incident' | 'request' };

/** The contract a ticket was opened under, as the contracts file names it. */
export interface TicketContractRef {
  customerId: number;
  customerName: string;
  planKey: string;
  /** YYYY-MM-DD */
  start: string;
}

export interface EntryDrawsUpdate {
  id: string;
  fromBankMinutes: number;
  fromLots: { lotId: string; minutes: number }[];
  overageMinutes: number;
  explanation: string;
}

const withTicketKind = { entry: timeEntriesTable, ticketKind: ticketsTable.kind };

export function createTimeEntriesRepository({ db }: { db: DbOrTx }) {
  return {
    /** Inserts the entry unless its idempotency key is taken (a reply delivered twice); the new row, or null. */
    async insertTimeEntry(entry: NewTimeEntryRow): Promise<TimeEntryRow | null> {
      const [row] = await db.insert(timeEntriesTable).values(entry).onConflictDoNothing().returning();
      return row ?? null;
    },

    async listByTicket(ticketId: number): Promise<TimeEntryWithTicket[]> {
      const rows = await db
        .select(withTicketKind)
        .from(timeEntriesTable)
        .innerJoin(ticketsTable, eq(ticketsTable.id, timeEntriesTable.ticketId))
        .where(eq(timeEntriesTable.ticketId, ticketId))
        .orderBy(asc(timeEntriesTable.at), asc(timeEntriesTable.id));
      return rows.map(({ entry, ticketKind }) => ({ ...entry, ticketKind }));
    },

    /** Every entry on every ticket opened under this contract of the customer (any row of it: a changed contract is a new row). */
    async listByContract(ref: TicketContractRef): Promise<TimeEntryWithTicket[]> {
      const rows = await db
        .select(withTicketKind)
        .from(timeEntriesTable)
        .innerJoin(ticketsTable, eq(ticketsTable.id, timeEntriesTable.ticketId))
        .innerJoin(contractsTable, eq(contractsTable.id, ticketsTable.contractId))
        .where(and(eq(ticketsTable.customerId, ref.customerId), eq(contractsTable.planKey, ref.planKey), eq(contractsTable.start, ref.start)))
        .orderBy(asc(timeEntriesTable.at), asc(timeEntriesTable.id));
      return rows.map(({ entry, ticketKind }) => ({ ...entry, ticketKind }));
    },

    async contractOfTicket(ticketId: number): Promise<TicketContractRef | null> {
      const [row] = await db
        .select({ customerId: customersTable.id, customerName: customersTable.name, planKey: contractsTable.planKey, start: contractsTable.start })
        .from(ticketsTable)
        .innerJoin(contractsTable, eq(contractsTable.id, ticketsTable.contractId))
        .innerJoin(customersTable, eq(customersTable.id, contractsTable.customerId))
        .where(eq(ticketsTable.id, ticketId));
      return row ?? null;
    },

    /** The customer's row id (the row `contracts sync` keeps for the name); null when never synced. */
    async customerIdByName(name: string): Promise<number | null> {
      const [row] = await db.select({ id: customersTable.id }).from(customersTable).where(sql`lower(${customersTable.name}) = ${name.toLowerCase()}`);
      return row?.id ?? null;
    },

    /**
     * Serializes ledger updates of one contract within the caller's transaction: two replies for
     * the same customer at once would each compute draws without the other's entry.
     */
    async lockContractLedger(ref: TicketContractRef): Promise<void> {
      await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`timebank:${ref.customerId}:${ref.planKey}:${ref.start}`}))`);
    },

    async updateDraws(updates: readonly EntryDrawsUpdate[]): Promise<void> {
      for (const update of updates) {
        await db
          .update(timeEntriesTable)
          .set({ fromBankMinutes: update.fromBankMinutes, fromLots: update.fromLots, overageMinutes: update.overageMinutes, explanation: update.explanation })
          .where(eq(timeEntriesTable.id, update.id));
      }
    },

    async setReceipt(entryId: string, outboundId: string): Promise<void> {
      await db.update(timeEntriesTable).set({ receiptOutboundId: outboundId }).where(eq(timeEntriesTable.id, entryId));
    },

    /** The entry a receipt mail was about, by the receipt's Message-ID (what a reply's In-Reply-To or References name). */
    async findByReceiptMessageId(ticketId: number, messageIds: readonly string[]): Promise<TimeEntryRow | null> {
      if (messageIds.length === 0) return null;
      const [row] = await db
        .select({ entry: timeEntriesTable })
        .from(timeEntriesTable)
        .innerJoin(outboundMailsTable, eq(outboundMailsTable.id, timeEntriesTable.receiptOutboundId))
        .where(and(eq(timeEntriesTable.ticketId, ticketId), inArray(outboundMailsTable.messageId, [...messageIds])))
        .orderBy(desc(timeEntriesTable.at))
        .limit(1);
      return row?.entry ?? null;
    },

    /** The technician's newest ordinary entry on the ticket: what `#time -30m reason` corrects. */
    async newestOrdinaryEntry(ticketId: number, technician: string): Promise<TimeEntryRow | null> {
      const [row] = await db
        .select()
        .from(timeEntriesTable)
        .where(and(eq(timeEntriesTable.ticketId, ticketId), eq(timeEntriesTable.technician, technician), isNull(timeEntriesTable.reversesEntryId)))
        .orderBy(desc(timeEntriesTable.at), desc(timeEntriesTable.id))
        .limit(1);
      return row ?? null;
    },
  };
}

export type TimeEntriesRepository = ReturnType<typeof createTimeEntriesRepository>;
