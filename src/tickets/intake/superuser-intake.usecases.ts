// The mails of superuser-only intake (superuser-intake.models.ts): a new mail from a customer's
// non-superuser on such a plan opened no ticket (the batch kept it without one, reason
// `superuser-only`); here the superuser gets it forwarded and the sender is told who has it, both
// in the customer's language, within the sender's acknowledgement limit.
import { and, count, eq, gt, sql } from 'drizzle-orm';
import type { SenderRoute } from '../../contracts/routing.models.ts';
import { outboundMailsTable } from '../../mail/mail.tables.ts';
import type { OutboundRequest } from '../../mail/outbox.usecases.ts';
import { EXCERPT_LENGTH } from '../../mail/templates.ts';
import type { BatchContext, BatchMail } from './intake-context.ts';
import { ACK_WINDOW_MS, acksInHourBefore, isBacklog } from './intake.models.ts';
import { mayAnswerRedirect, type SuperuserRedirect } from './superuser-intake.models.ts';

/** A new mail of the batch that goes to the customer's superuser instead of opening a ticket. */
export interface RedirectedMail {
  item: BatchMail;
  route: SenderRoute;
  redirect: SuperuserRedirect;
}

/** Notices about redirected mails already queued to this sender in the hour before `at` (this batch's too). */
async function redirectNoticesInHourBefore(ctx: BatchContext, sender: string, at: Date): Promise<number> {
  const [row] = await ctx.tx
    .select({ n: count() })
    .from(outboundMailsTable)
    .where(
      and(
        eq(outboundMailsTable.kind, 'superuser-only'),
        sql`${sender} = any(${outboundMailsTable.to})`,
        gt(outboundMailsTable.createdAt, new Date(at.getTime() - ACK_WINDOW_MS)),
      ),
    );
  return Number(row?.n ?? 0);
}

/** The two mails of one redirect: the forward to the superuser, the notice to the sender. */
export function redirectMails(ctx: Pick<BatchContext, 'serviceAddress'>, mail: RedirectedMail): OutboundRequest[] {
  const { item, route, redirect } = mail;
  const { parsed } = item;
  const key = parsed.messageId ?? parsed.sha256;
  const fromAddress = route.serviceAddress ?? ctx.serviceAddress;
  const locale = redirect.customer.locale;
  const at = item.mail.internalDate;
  const superuserName = redirect.superuser.name ?? redirect.superuser.email;
  const forward: OutboundRequest = {
    idempotencyKey: `superuser-forward:${key}`,
    kind: 'superuser-forward',
    locale,
    to: [redirect.superuser.email],
    ticket: null,
    // A reply to it, or a forward of it, is the superuser's own new mail: it opens the ticket.
    fromAddress,
    automatic: true,
    threading: 'as-given',
    at,
    vars: {
      recipientName: redirect.superuser.name,
      customerName: redirect.customer.name,
      sender: item.sender,
      senderName: parsed.from!.name || null,
      subject: parsed.subject || '(no subject)',
      text: parsed.text.slice(0, EXCERPT_LENGTH),
      serviceAddress: fromAddress,
    },
  };
  const notice: OutboundRequest = {
    idempotencyKey: `superuser-only:${key}`,
    kind: 'superuser-only',
    locale,
    to: [item.sender],
    ticket: null,
    fromAddress,
    automatic: true,
    threading: 'as-given',
    inReplyTo: parsed.messageId,
    references: parsed.messageId ? [parsed.messageId] : [],
    at,
    vars: {
      recipientName: parsed.from!.name || null,
      customerName: redirect.customer.name,
      superuserName,
      superuserAddress: redirect.superuser.email,
      subject: parsed.subject || '(no subject)',
    },
  };
  return [forward, notice];
}

/** Queues the mails of each redirected mail of the batch, in arrival order. */
export async function redirectToSuperusers(ctx: BatchContext, redirected: readonly RedirectedMail[]): Promise<void> {
  const { config } = ctx;
  for (const mail of redirected) {
    const { item, redirect } = mail;
    const at = item.mail.internalDate;
    const decision = mayAnswerRedirect({
      backlog: isBacklog(at, ctx.now, config.provider.backlog.ackMaxAgeMs),
      mailsToSenderLastHour: acksInHourBefore(ctx.acks, item.sender, at) + (await redirectNoticesInHourBefore(ctx, item.sender, at)),
      ackLimitPerHour: config.provider.ackLimitPerHour,
    });
    const log = { sender: item.sender, customer: redirect.customer.name, superuser: redirect.superuser.email, messageId: item.parsed.messageId };
    if (!decision.send) {
      ctx.logger.info({ ...log, reason: decision.reason }, 'new mail from a non-superuser opened no ticket; kept, nobody told');
      continue;
    }
    const ids = await ctx.outbox.queueMany(ctx.tx, redirectMails(ctx, mail));
    ctx.effects.outboundIds.push(...ids);
    ctx.logger.info(log, 'new mail from a non-superuser opened no ticket; forwarded to the superuser');
  }
}
