// Who hears about a ticket: its owner (the first technician to answer, `#take`, `#assign`), the
// contract's account manager, the provider's managers, else every technician. Pure: the caller
// reads the ticket and the contract, these decide (docs/domain.md, "Owners and notices").
import type { ContractsConfig, Locale, Technician } from '../contracts/contracts.types.ts';
import { normalizeAddress } from '../shared/address.ts';
import type { Tag } from './tags.models.ts';

/** One recipient of a notice and the language it is written in. */
export interface NoticeRecipient {
  address: string;
  locale: Locale;
}

/** The provider's technician with this address (any spelling of it), or null. */
function technicianWith(config: ContractsConfig, address: string): Technician | null {
  const wanted = normalizeAddress(address);
  return config.provider.technicians.find((t) => normalizeAddress(t.email) === wanted) ?? null;
}

/** A technician's own language, else the provider's (also for a manager who is no technician). */
export function recipientLocale(config: ContractsConfig, address: string): Locale {
  return technicianWith(config, address)?.locale ?? config.provider.locale;
}

function withLocales(config: ContractsConfig, addresses: readonly string[]): NoticeRecipient[] {
  const seen = new Set<string>();
  const out: NoticeRecipient[] = [];
  for (const address of addresses) {
    const key = normalizeAddress(address);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ address, locale: recipientLocale(config, address) });
  }
  return out;
}

/**
 * The owner after a verified technician's reply: `#assign` (to a technician the parser already
 * checked), `#take` (the writer), else the writer when the ticket has no owner yet. Null when
 * the owner does not change.
 */
export function nextOwner(
  config: ContractsConfig,
  current: string | null,
  writer: Technician,
  tags: readonly Tag[],
): { to: string; via: 'first-answer' | 'take' | 'assign' } | null {
  const ownerTag = tags.find((tag) => tag.type === 'take' || tag.type === 'assign');
  let next: { to: string; via: 'first-answer' | 'take' | 'assign' } | null = null;
  if (ownerTag?.type === 'assign') next = { to: technicianWith(config, ownerTag.address)?.email ?? ownerTag.address, via: 'assign' };
  else if (ownerTag?.type === 'take') next = { to: writer.email, via: 'take' };
  else if (current === null) next = { to: writer.email, via: 'first-answer' };
  if (next === null || (current !== null && normalizeAddress(current) === normalizeAddress(next.to))) return null;
  return next;
}

/**
 * Who is told of a customer's reply: the owner, else the contract's account manager, else every
 * technician. An owner who is no longer one of the provider's technicians does not count.
 */
export function customerReplyRecipients(config: ContractsConfig, ticket: { owner: string | null }, accountManager: string | null): NoticeRecipient[] {
  const owner = ticket.owner !== null ? technicianWith(config, ticket.owner)?.email : undefined;
  if (owner) return withLocales(config, [owner]);
  if (accountManager) return withLocales(config, [accountManager]);
  return withLocales(
    config,
    config.provider.technicians.map((t) => t.email),
  );
}

/**
 * SLA escalations. A warning goes to the owner and the account manager, else (neither known) to
 * every technician; a breach to the owner, the account manager and the provider's managers.
 */
export function escalationRecipients(
  config: ContractsConfig,
  stage: 'warn' | 'breach',
  ticket: { owner: string | null },
  accountManager: string | null,
): NoticeRecipient[] {
  const people = [...(ticket.owner ? [ticket.owner] : []), ...(accountManager ? [accountManager] : [])];
  if (stage === 'warn') return withLocales(config, people.length > 0 ? people : config.provider.technicians.map((t) => t.email));
  return withLocales(config, [...people, ...config.provider.managers]);
}
