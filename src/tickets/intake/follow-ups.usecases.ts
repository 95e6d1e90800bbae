// The mails of a batch that change a ticket beyond adding a message: a technician's reply (tags,
// relay), and a customer's reply to a ticket that waits on them or was resolved. These run one
// by one, in arrival order, after the batch's bulk writes, each reading its ticket afresh: an
// earlier mail of the same batch may have changed it.
import type { Technician } from '../../contracts/contracts.types.ts';
import { messagesTable } from '../../mail/mail.tables.ts';
import { createTechnicianReplyHandler } from '../technician-reply.usecases.ts';
import type { TicketRow } from '../tickets.repository.ts';
import type { BatchContext, BatchMail } from './intake-context.ts';
import { superuserRedirect } from './superuser-intake.models.ts';
import { redirectToSuperusers } from './superuser-intake.usecases.ts';
import type { InboundMessageRow } from './intake.repository.ts';
import { recordEstimateAnswer } from './estimate-answers.usecases.ts';
import { notifyCustomerReply } from './follow-up-notices.usecases.ts';
import { acceptsFollowUp } from './intake.models.ts';
import { openTickets, routeNewTicket } from './ticket-opening.usecases.ts';

export function inboundMessageRow(
  ctx: Pick<BatchContext, 'mailboxId'>,
  item: BatchMail,
  fields: { ticketId: number | null; author: InboundMessageRow['author']; internal?: boolean; reasons?: string[] },
): InboundMessageRow {
  const { parsed, mail } = item;
  return {
    ticketId: fields.ticketId,
    mailboxId: ctx.mailboxId,
    uid: mail.uid,
    messageId: parsed.messageId,
    inReplyTo: parsed.inReplyTo,
    references: parsed.references,
    fromAddress: parsed.from!.address,
    fromName: parsed.from!.name,
    to: parsed.to,
    cc: parsed.cc,
    subject: parsed.subject,
    sentAt: parsed.sentAt,
    at: mail.internalDate,
    text: parsed.text,
    html: parsed.html,
    rawMailId: item.rawMailId,
    contentHash: parsed.sha256,
    author: fields.author,
    automationReasons: fields.reasons ?? [],
    internal: fields.internal ?? false,
  };
}

/** A verified technician's reply: stored, then its tags applied and its text relayed. */
export async function handleTechnicianReply(ctx: BatchContext, item: BatchMail, ticketId: number, technician: Technician): Promise<void> {
  const ticket = await ctx.tickets.findById(ticketId);
  if (!ticket) return;
  const row = inboundMessageRow(ctx, item, { ticketId, author: 'technician' });
  const inserted = await ctx.tx
    .insert(messagesTable)
    .values({ ...row, direction: 'in', sentAt: row.sentAt ? new Date(row.sentAt) : null })
    .onConflictDoNothing()
    .returning({ id: messagesTable.id });
  const replies = createTechnicianReplyHandler({ config: ctx.config, outbox: ctx.outbox, sla: ctx.sla, secret: ctx.secret });
  const result = await replies.handle(ctx.tx, {
    ticket,
    technician,
    parsed: item.parsed,
    at: item.mail.internalDate,
    messageRowId: inserted[0]?.id ?? null,
  });
  ctx.effects.outboundIds.push(...result.outboundIds);
  if (result.slaChanged) ctx.effects.slaTicketIds.add(ticket.id);
}

/**
 * A customer's mail on a ticket that may have moved on: a closed ticket (or a resolution older
 * than the reopen window) starts a new ticket; a waiting one resumes its clocks; a resolved one
 * reopens; and the ticket's owner (else the account manager, else every technician) is told,
 * with the customer's new text. An answer to an estimate's approval request is recorded and
 * told to the technician instead (estimate-answers.usecases.ts); the mail stays an ordinary
 * customer message on the ticket. Automatic mail (out-of-office) is stored and changes nothing.
 */
export async function handleCustomerMail(ctx: BatchContext, item: BatchMail, ticketId: number): Promise<void> {
  const at = item.mail.internalDate;
  const ticket = await ctx.tickets.findById(ticketId);
  const automatic = item.automation.automatic;
  if (ticket && !automatic && !acceptsFollowUp(ticket, at, ctx.config.provider.reopenWindowMs)) {
    await ctx.tickets.recordEvents([{ ticketId: ticket.id, at, event: { type: 'follow_up_after_close', messageId: item.parsed.messageId } }]);
    await openSingleTicket(ctx, item);
    return;
  }
  await ctx.intake.insertInboundMessages([
    inboundMessageRow(ctx, item, { ticketId, author: automatic ? 'automatic' : 'customer', reasons: item.automation.reasons }),
  ]);
  if (!ticket || automatic) return;
  await resumeOnCustomerReply(ctx, ticket, at);
  const after = await ctx.tickets.findById(ticket.id);
  if (!after) return;
  if (await recordEstimateAnswer(ctx, item, after)) return;
  await notifyCustomerReply(ctx, item, after, ticket.status);
}

async function resumeOnCustomerReply(ctx: BatchContext, ticket: TicketRow, at: Date): Promise<void> {
  if (ticket.status === 'waiting') {
    await ctx.sla.resumeClocks(ctx.clocks, ticket, at);
    await ctx.tickets.update(ticket.id, { status: 'open', updatedAt: at });
    await ctx.tickets.recordEvents([{ ticketId: ticket.id, at, event: { type: 'status', from: 'waiting', to: 'open', by: 'customer' } }]);
    ctx.effects.slaTicketIds.add(ticket.id);
  } else if (ticket.status === 'resolved') {
    await ctx.tickets.update(ticket.id, { status: 'open', resolvedAt: null, updatedAt: at });
    await ctx.tickets.recordEvents([{ ticketId: ticket.id, at, event: { type: 'reopened', by: 'customer' } }]);
    await ctx.sla.reopenResolutionClock(ctx.clocks, ticket, at);
    ctx.effects.slaTicketIds.add(ticket.id);
  } else {
    await ctx.tickets.update(ticket.id, { updatedAt: at });
  }
}

/** One new ticket outside the batch's bulk path (a reply to a ticket closed earlier in the same batch). */
async function openSingleTicket(ctx: BatchContext, item: BatchMail): Promise<void> {
  const route = routeNewTicket(ctx, item);
  // The same rule as a new mail in the batch plan: on a superuser-only plan, only the superuser opens.
  const redirect = superuserRedirect(ctx.config, route, item.sender);
  if (redirect) {
    await ctx.intake.insertInboundMessages([inboundMessageRow(ctx, item, { ticketId: null, author: 'customer', reasons: ['superuser-only'] })]);
    await redirectToSuperusers(ctx, [{ item, route, redirect }]);
    return;
  }
  if (route.customer && !ctx.customerIds.has(route.customer.name)) {
    for (const [name, ids] of await ctx.intake.customerRowIds([route.customer.name])) ctx.customerIds.set(name, ids);
  }
  const { ticketIds, ticketNumbers } = await ctx.intake.allocateIds({ rawMails: 0, tickets: 1 });
  const toOpen = { item, route, ticketId: ticketIds[0]! };
  const opening = openTickets(ctx, [toOpen], ticketNumbers);
  await Promise.all(opening.writeTickets());
  await ctx.intake.insertInboundMessages([inboundMessageRow(ctx, item, { ticketId: toOpen.ticketId, author: 'customer' })]);
  await Promise.all(opening.queueMail());
}
