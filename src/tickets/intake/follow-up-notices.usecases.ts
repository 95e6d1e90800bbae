// The people a follow-up concerns are told, inside the batch's transaction: a customer's reply
// goes to the ticket's owner (else the account manager, else every technician) with the
// customer's new text, and a known technician whose mail could not be verified hears why and how
// to answer. Both are keyed on the mail in the outbox, so a redelivered mail tells no one twice.
import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import { findEscalationContacts } from '../../contracts/contracts.repository.ts';
import type { DbOrTx } from '../../db/client.ts';
import { outboundMailsTable } from '../../mail/mail.tables.ts';
import { createReplyAddress } from '../../mail/reply-token.models.ts';
import { customerReplyRecipients, recipientLocale } from '../ticket-people.models.ts';
import { ticketReference } from '../tickets.models.ts';
import type { TicketRow } from '../tickets.repository.ts';
import type { UnverifiedTechnicianMail } from './batch-plan.ts';
import { customersNewText, mayAnswerUnverified, UNVERIFIED_ANSWER_INTERVAL_MS } from './follow-up-notices.models.ts';
import type { BatchContext, BatchMail } from './intake-context.ts';

/** What identifies one inbound mail in an idempotency key: its Message-ID, else its bytes. */
function mailKey(item: BatchMail): string {
  return item.parsed.messageId ?? `sha256:${item.parsed.sha256}`;
}

/**
 * One notice per recipient of a customer's reply that joined `ticket` (read after the reply
 * changed it). `statusBefore` tells whether the reply reopened a resolved ticket.
 */
export async function notifyCustomerReply(ctx: BatchContext, item: BatchMail, ticket: TicketRow, statusBefore: TicketRow['status']): Promise<void> {
  const { config } = ctx;
  const { accountManager, customerName } = await findEscalationContacts(ctx.tx, ticket);
  const recipients = customerReplyRecipients(config, ticket, accountManager);
  const replyAddress = createReplyAddress({ serviceAddress: ticket.serviceAddress, ticketNumber: ticket.number, secret: ctx.secret });
  const ids = await ctx.outbox.queueMany(
    ctx.tx,
    recipients.map(({ address, locale }) => ({
      idempotencyKey: `customer-reply:${ticket.id}:${mailKey(item)}:${address}`,
      kind: 'technician-customer-reply' as const,
      locale,
      to: [address],
      ticket: ticketReference(ticket),
      automatic: true,
      // The technician never got the customer's mail: threading picks the newest one they did.
      inReplyTo: item.parsed.messageId,
      at: item.mail.internalDate,
      vars: {
        ticketNumber: ticket.number,
        subject: ticket.subject,
        customerName,
        requester: item.sender,
        requesterName: item.parsed.from?.name ?? null,
        reopened: statusBefore === 'resolved' && ticket.status === 'open',
        status: ticket.status,
        text: customersNewText(item.parsed.text),
        replyAddress,
      },
    })),
  );
  ctx.effects.backgroundOutboundIds.push(...ids);
}

/** When this technician was last answered about this ticket (or about no ticket), within the limit's window. */
async function lastUnverifiedAnswerAt(db: DbOrTx, technician: string, ticketId: number | null, at: Date): Promise<Date | null> {
  const rows = await db
    .select({ createdAt: outboundMailsTable.createdAt })
    .from(outboundMailsTable)
    .where(
      and(
        eq(outboundMailsTable.kind, 'technician-unverified'),
        ticketId === null ? isNull(outboundMailsTable.ticketId) : eq(outboundMailsTable.ticketId, ticketId),
        sql`${technician} = any(${outboundMailsTable.to})`,
        gt(outboundMailsTable.createdAt, new Date(at.getTime() - UNVERIFIED_ANSWER_INTERVAL_MS)),
      ),
    )
    .orderBy(desc(outboundMailsTable.createdAt))
    .limit(1);
  return rows[0]?.createdAt ?? null;
}

/**
 * Answers each unverifiable technician mail of the batch, in arrival order, at most once per
 * technician per ticket per hour (an answer to a bot that answers back cannot become a loop).
 * The mail itself was kept by the batch's bulk writes.
 */
export async function answerUnverifiedTechnicians(ctx: BatchContext, mails: readonly UnverifiedTechnicianMail[]): Promise<void> {
  const { config } = ctx;
  for (const { item, ticketId, technician, reason } of mails) {
    const at = item.mail.internalDate;
    if (!mayAnswerUnverified(await lastUnverifiedAnswerAt(ctx.tx, technician.email, ticketId, at), at)) {
      ctx.logger.info({ technician: technician.email, ticketId, reason }, 'unverified technician reply kept; answered within the hour already');
      continue;
    }
    const ticket = ticketId === null ? null : await ctx.tickets.findById(ticketId);
    const id = await ctx.outbox.queue(ctx.tx, {
      idempotencyKey: `technician-unverified:${mailKey(item)}:${technician.email}`,
      kind: 'technician-unverified',
      locale: technician.locale ?? recipientLocale(config, technician.email),
      to: [technician.email],
      ticket: ticket ? ticketReference(ticket) : null,
      automatic: true,
      inReplyTo: item.parsed.messageId,
      references: item.parsed.messageId ? [item.parsed.messageId] : [],
      at,
      vars: {
        ticketNumber: ticket?.number ?? null,
        subject: ticket?.subject ?? item.parsed.subject,
        reason,
        replyAddress: ticket ? createReplyAddress({ serviceAddress: ticket.serviceAddress, ticketNumber: ticket.number, secret: ctx.secret }) : null,
      },
    });
    if (id) ctx.effects.outboundIds.push(id);
  }
}
