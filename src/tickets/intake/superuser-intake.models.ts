// Superuser-only intake (docs/domain.md, "Superuser-only intake"): on a plan with
// `requireSuperuser`, only the customer's superuser opens tickets (Brødrene Johnsen: "Bedriften
// plikter å opprette en superbruker, som vil være den primære kontakt ved alle
// supporthenvendelser"). Another sender of that customer opens nothing; the superuser gets the
// mail forwarded and the sender is told who received it. Pure: what to do, not the mails' I/O.
import type { ContactConfig, ContractsConfig, CustomerConfig } from '../../contracts/contracts.types.ts';
import type { SenderRoute } from '../../contracts/routing.models.ts';
import { normalizeAddress } from '../../shared/address.ts';

/** A new mail that goes to the customer's superuser instead of opening a ticket. */
export interface SuperuserRedirect {
  customer: CustomerConfig;
  superuser: ContactConfig;
}

/**
 * Null when the mail may open a ticket: the ticket's plan does not require a superuser, the
 * sender is no customer's, the customer names no superuser (the validator requires one for the
 * contract's plan; a plan chosen by a service address may not), or the sender is the superuser.
 */
export function superuserRedirect(config: ContractsConfig, route: SenderRoute, sender: string): SuperuserRedirect | null {
  const plan = config.plans[route.planKey];
  const customer = route.customer;
  if (!plan?.requireSuperuser || customer === null) return null;
  const superuser = customer.contacts.find((contact) => contact.superuser);
  if (!superuser || normalizeAddress(superuser.email) === normalizeAddress(sender)) return null;
  return { customer, superuser };
}

/**
 * Whether the two mails of a redirect may go out: not for a backlog (the bot catching up on old
 * mail must not mail every sender of the past), and not beyond the sender's acknowledgement limit
 * (`ackLimitPerHour`): a mail system that answers each of our mails without marking itself
 * automatic would otherwise start a loop through the superuser's mailbox.
 */
export function mayAnswerRedirect(input: { backlog: boolean; mailsToSenderLastHour: number; ackLimitPerHour: number }): { send: true } | { send: false; reason: 'backlog' | 'ackLimitPerHour' } {
  if (input.backlog) return { send: false, reason: 'backlog' };
  if (input.mailsToSenderLastHour >= input.ackLimitPerHour) return { send: false, reason: 'ackLimitPerHour' };
  return { send: true };
}
