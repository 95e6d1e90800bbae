// Releasing a quarantined mail once its cause is fixed (a size limit raised, a parser fixed):
// its kept raw bytes go back into the service mailbox's INBOX (IMAP APPEND, with the original
// arrival time), so the running intake takes it exactly like a new mail: it opens or joins a
// ticket, is acknowledged by the usual rules (a mail older than provider.backlog.ackMaxAge is
// a backlog mail: no ack), and is moved to Processed, or to Quarantine again if it still fails.
//
// Dedup: the copy has the same bytes, so the same content hash. Intake's dedup looks for an
// inbound *message* with that hash; a quarantined mail never got one (quarantine is decided
// before any message row), so the copy is taken as new, and its raw_mails row is reused by the
// hash instead of being stored twice. If a message with these bytes does exist, the mail was
// ingested some other way (it arrived again): the release is refused, since intake would
// rightly drop the copy as a duplicate.
// The row is marked released (never deleted) before the APPEND and unmarked if the APPEND
// fails, so two releases at once cannot put two copies in the INBOX.
import { and, eq, isNull } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { mailboxesTable, quarantineTable, rawMailsTable } from '../mail/mail.tables.ts';
import type { Clock } from '../shared/clock.ts';
import { HelpdeskError } from '../shared/errors.ts';
import { ticketOfMail } from './quarantine.queries.ts';

export interface ReleaseDeps {
  db: Database;
  clock: Clock;
  /** puts raw mail into the INBOX of this service mailbox, with this internal date */
  appendToInbox(mailbox: string, raw: Buffer, receivedAt: Date): Promise<void>;
}

export interface Release {
  id: number;
  mailbox: string;
  releasedAt: Date;
  /** the mail's content hash: `ticketOfMail` finds its ticket once intake took it */
  sha256: string;
}

export async function releaseQuarantined(deps: ReleaseDeps, id: number): Promise<Release> {
  const { db } = deps;
  const q = quarantineTable;
  const [row] = await db
    .select({ releasedAt: q.releasedAt, receivedAt: q.receivedAt, createdAt: q.createdAt, mailbox: mailboxesTable.address, raw: rawMailsTable.raw, sha256: rawMailsTable.sha256 })
    .from(q)
    .innerJoin(rawMailsTable, eq(rawMailsTable.id, q.rawMailId))
    .leftJoin(mailboxesTable, eq(mailboxesTable.id, q.mailboxId))
    .where(eq(q.id, id));
  if (!row) throw new HelpdeskError('quarantine.not_found', `quarantined mail ${id} not found`);
  if (row.releasedAt) throw new HelpdeskError('quarantine.already_released', `quarantined mail ${id} was already released at ${row.releasedAt.toISOString()}`);
  if (!row.mailbox) throw new HelpdeskError('quarantine.not_releasable', `quarantined mail ${id} has no service mailbox on record; it cannot be put back`);
  const ticket = await ticketOfMail(db, row.sha256);
  if (ticket !== null) throw new HelpdeskError('quarantine.not_releasable', `quarantined mail ${id} is on ticket #${ticket} already (the same mail came in again); not releasing it`);

  const releasedAt = deps.clock.now();
  const claimed = await db.update(q).set({ releasedAt }).where(and(eq(q.id, id), isNull(q.releasedAt))).returning({ id: q.id });
  if (claimed.length === 0) throw new HelpdeskError('quarantine.already_released', `quarantined mail ${id} was released a moment ago by someone else`);
  try {
    await deps.appendToInbox(row.mailbox, Buffer.from(row.raw), row.receivedAt ?? row.createdAt);
  } catch (err) {
    await db.update(q).set({ releasedAt: null }).where(and(eq(q.id, id), eq(q.releasedAt, releasedAt)));
    throw err;
  }
  return { id, mailbox: row.mailbox, releasedAt, sha256: row.sha256 };
}
