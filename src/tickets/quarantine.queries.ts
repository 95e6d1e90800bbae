// Read side of the quarantine for the CLI (`helpdesk quarantine`, `quarantine show ID`): each
// held mail with its reason and the sender and subject read from its kept raw headers.
import { asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { mailboxesTable, messagesTable, quarantineTable, rawMailsTable } from '../mail/mail.tables.ts';
import { headerValue, rawHeaderBlock } from './quarantine.models.ts';
import { ticketsTable } from './tickets.tables.ts';

/** One quarantined mail as `helpdesk quarantine --json` prints it (stable: fields are only added). */
export interface QuarantineEntry {
  id: number;
  reasonCode: string;
  reason: string;
  mailbox: string | null;
  from: string | null;
  subject: string | null;
  size: number;
  /** the IMAP internal date: when the mail reached the mailbox */
  receivedAt: string | null;
  quarantinedAt: string;
  /** when an operator released it, or null while it is held */
  releasedAt: string | null;
}

export interface QuarantineDetail extends QuarantineEntry {
  /** the raw header block as received */
  headers: string;
  /** the ticket the mail is on once released and ingested, else null */
  ticket: number | null;
}

/** Header bytes read per mail: enough for any real header block, never the whole (maybe huge) mail. */
const HEADER_BYTES = 64 * 1024;

export function createQuarantineQueries({ db }: { db: Database }) {
  const q = quarantineTable;
  const select = () =>
    db
      .select({
        id: q.id,
        reasonCode: q.reasonCode,
        reason: q.reason,
        mailbox: mailboxesTable.address,
        size: rawMailsTable.size,
        sha256: rawMailsTable.sha256,
        head: sql<Buffer>`substring(${rawMailsTable.raw} from 1 for ${HEADER_BYTES})`,
        receivedAt: q.receivedAt,
        createdAt: q.createdAt,
        releasedAt: q.releasedAt,
      })
      .from(q)
      .innerJoin(rawMailsTable, eq(rawMailsTable.id, q.rawMailId))
      .leftJoin(mailboxesTable, eq(mailboxesTable.id, q.mailboxId));
  type Row = Awaited<ReturnType<ReturnType<typeof select>['execute']>>[number];
  const toEntry = (row: Row): QuarantineEntry & { headers: string; sha256: string } => {
    const headers = rawHeaderBlock(Buffer.from(row.head), HEADER_BYTES);
    return {
      id: Number(row.id),
      reasonCode: row.reasonCode,
      reason: row.reason,
      mailbox: row.mailbox,
      from: headerValue(headers, 'from'),
      subject: headerValue(headers, 'subject'),
      size: row.size,
      receivedAt: row.receivedAt?.toISOString() ?? null,
      quarantinedAt: row.createdAt.toISOString(),
      releasedAt: row.releasedAt?.toISOString() ?? null,
      headers,
      sha256: row.sha256,
    };
  };

  return {
    /** Every quarantined mail, oldest first; released ones too (they stay on record). */
    async list(): Promise<QuarantineEntry[]> {
      const rows = await select().orderBy(asc(q.id));
      return rows.map((row) => {
        const { headers: _headers, sha256: _sha256, ...entry } = toEntry(row);
        return entry;
      });
    },

    async get(id: number): Promise<QuarantineDetail | null> {
      const [row] = await select().where(eq(q.id, id));
      if (!row) return null;
      const { sha256, ...entry } = toEntry(row);
      return { ...entry, ticket: await ticketOfMail(db, sha256) };
    },
  };
}

/** The ticket an inbound mail with these bytes is on, if it was ingested. */
export async function ticketOfMail(db: Database, sha256: string): Promise<number | null> {
  const [row] = await db
    .select({ number: ticketsTable.number })
    .from(messagesTable)
    .innerJoin(ticketsTable, eq(ticketsTable.id, messagesTable.ticketId))
    .where(sql`${messagesTable.contentHash} = ${sha256} and ${messagesTable.direction} = 'in'`);
  return row?.number ?? null;
}
