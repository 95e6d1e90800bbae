// An acknowledgement the mail server refused for good (a 5xx: a mistyped or dead address): the
// customer does not know we have their request, so somebody who can reach them another way must
// be told. The contract's account manager, else the provider's managers, get one mail per refused
// acknowledgement, in their language (docs/domain.md, "People"). Never to the refused address
// itself, and never about a mail other than an acknowledgement (no loops: this notice failing
// tells nobody).
import { eq } from 'drizzle-orm';
import { customersTable } from '../contracts/contracts.tables.ts';
import type { ContractsConfig, Locale } from '../contracts/contracts.types.ts';
import type { DbOrTx } from '../db/client.ts';
import type { Outbox, OutboundRequest } from '../mail/outbox.usecases.ts';
import { normalizeAddress } from '../shared/address.ts';
import { createTicketsRepository } from './tickets.repository.ts';

export interface RefusedMail {
  outboundId: string;
  kind: string;
  ticketId: number | null;
  to: readonly string[];
  /** the mail server's answer */
  error: string;
}

/** Who is told, and in which language: the account manager, else every provider manager. */
export function undeliveredAckRecipients(
  config: ContractsConfig,
  customerName: string | null,
  refused: readonly string[],
): { email: string; locale: Locale; forAccountManager: boolean }[] {
  const refusedSet = new Set(refused.map(normalizeAddress));
  const customer = customerName ? config.customers.find((c) => c.name === customerName) : undefined;
  const accountManager = customer?.contract?.accountManager ?? null;
  const technician = accountManager ? config.provider.technicians.find((t) => t.email === normalizeAddress(accountManager)) : undefined;
  const recipients = accountManager
    ? [{ email: normalizeAddress(accountManager), locale: technician?.locale ?? config.provider.locale, forAccountManager: true }]
    : config.provider.managers.map((email) => ({ email: normalizeAddress(email), locale: config.provider.locale, forAccountManager: false }));
  return recipients.filter((r) => !refusedSet.has(r.email));
}

/**
 * Queues the "acknowledgement not delivered" notices for a mail refused for good; returns the
 * outbound ids to enqueue (none for another kind of mail, or a mail on no ticket). Idempotent:
 * keyed by the refused mail and the recipient.
 */
export async function reportUndeliveredAck(db: DbOrTx, deps: { config: ContractsConfig; outbox: Outbox }, refused: RefusedMail, at: Date): Promise<string[]> {
  if (refused.kind !== 'ack' || refused.ticketId === null) return [];
  const ticket = await createTicketsRepository({ db }).findById(refused.ticketId);
  if (!ticket) return [];
  const [customer] = ticket.customerId === null ? [] : await db.select({ name: customersTable.name }).from(customersTable).where(eq(customersTable.id, ticket.customerId));
  const customerName = customer?.name ?? null;
  const requests = undeliveredAckRecipients(deps.config, customerName, refused.to).map(
    (recipient): OutboundRequest => ({
      idempotencyKey: `ack-undelivered:${refused.outboundId}:${recipient.email}`,
      kind: 'ack-undelivered',
      locale: recipient.locale,
      to: [recipient.email],
      ticket: { id: ticket.id, number: ticket.number, subject: ticket.subject, serviceAddress: ticket.serviceAddress },
      automatic: true,
      at,
      vars: {
        ticketNumber: ticket.number,
        subject: ticket.subject,
        customerName,
        to: refused.to.join(', '),
        error: refused.error.slice(0, 500),
        outboundId: refused.outboundId,
        forAccountManager: recipient.forAccountManager,
      },
    }),
  );
  return deps.outbox.queueMany(db, requests);
}
