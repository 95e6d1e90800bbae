// Sender → customer, contact and plan (docs/domain.md, "Sender → contract"): exact contact
// address, else the customer's domain, else the no-contract plan. Display names, case and the
// sender's +tag never matter.
//
// A new ticket written to a service address that names a plan (`provider.addresses[].plan`) is
// served on that plan when its sender has a contract in force (routeNewTicketMail).
//
// Domains match exactly: `it.acme.se` does not fall under `acme.se`. A subdomain may belong to
// someone else (hosting and mail providers hand them out), and a contract is money; the operator
// lists every domain a customer writes from.
import { DateTime } from 'luxon';
import { domainOf, normalizeAddress } from '../shared/address.ts';
import { HelpdeskError } from '../shared/errors.ts';
import { keptDateTimeFormat } from '../shared/intl.ts';
import type { ContactConfig, ContractConfig, ContractsConfig, CustomerConfig, Technician } from './contracts.types.ts';

export interface SenderRoute {
  customer: CustomerConfig | null;
  contact: ContactConfig | null;
  /** the contract's plan, or `config.defaultPlan` when no contract applies on that day */
  planKey: string;
  contract: ContractConfig | null;
  matchedBy: 'contact' | 'domain' | 'default';
  /**
   * Where `planKey` comes from: the contract, the service address written to (the contract stays
   * on the route for the customer's language and name, but does not serve the ticket), or the
   * default plan. routeSender alone never says `service-address`.
   */
  planFrom?: 'contract' | 'service-address' | 'default';
  /** the provider address the mail was written to; null when not asked (routeSender alone) */
  serviceAddress?: string | null;
}

/**
 * Prepaid accounts that ended before their contract's `end` (used up), as recorded in Postgres
 * (contracts.ended_at): customer name in lower case → its ended contracts, by plan and start (the
 * contract's identity across `contracts sync`, which writes a new row for a changed contract).
 * Routing reads it instead of the database so it stays pure; intake loads it once per batch.
 */
export type EndedContracts = ReadonlyMap<string, readonly { planKey: string; start: string; endedAt: Date }[]>;

/** Whether `contract` of `customer` had ended at the instant `at` (ended at or before it). */
export function contractEndedAt(ended: EndedContracts | undefined, customer: CustomerConfig, contract: ContractConfig, at: Date): boolean {
  const list = ended?.get(customer.name.toLowerCase());
  return list?.some((row) => row.planKey === contract.plan && row.start === contract.start && row.endedAt.getTime() <= at.getTime()) ?? false;
}

/** A contract applies on `on` when start <= on < end (end exclusive; null = open-ended). */
export function contractAppliesOn(contract: ContractConfig, on: string): boolean {
  // YYYY-MM-DD strings order like the dates they name.
  return contract.start <= on && (contract.end === null || on < contract.end);
}

/** The customer's contract in force on the local date `on`: the current one first, then its history. */
export function contractOn(customer: CustomerConfig, on: string): ContractConfig | null {
  const candidates = customer.contract ? [customer.contract, ...customer.history] : customer.history;
  return candidates.find((contract) => contractAppliesOn(contract, on)) ?? null;
}

/**
 * The provider's calendar date (YYYY-MM-DD) at an instant. Contract dates are the provider's
 * dates: a mail at 00:30 in Oslo on a contract's first day is that day's mail, although it is
 * still the day before in UTC.
 */
export function providerDateAt(config: ContractsConfig, at: Date): string {
  // Intl with a formatter kept per zone: a luxon DateTime per mail cost 0.1 s of the main thread
  // per 3,000 mails routed (bench/ingest.ts). en-CA formats dates as YYYY-MM-DD.
  const formatter = localDateFormatter(config.provider.timezone);
  if (formatter && !Number.isNaN(at.getTime())) return formatter.format(at);
  const local = DateTime.fromJSDate(at, { zone: config.provider.timezone });
  const date = local.isValid ? local.toISODate() : null;
  if (date === null) {
    throw new HelpdeskError('usage.invalid', `cannot route at ${String(at)} in ${config.provider.timezone} (${local.invalidExplanation ?? 'invalid'})`);
  }
  return date;
}

/** A YYYY-MM-DD formatter for an IANA zone; null for a zone Intl does not know (luxon says why). */
function localDateFormatter(zone: string): Intl.DateTimeFormat | null {
  return keptDateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
}

/**
 * Who a sender is and which plan serves them at the instant `at` (the contract in force on the
 * provider's local date then). A customer without a contract in force that day is still found
 * (reports and the ticket list show it), but served on the default plan. A prepaid account that
 * has ended (`ended`: used up, recorded in Postgres) is not matched from the instant it ended,
 * although the contracts file still lists it; an expired one is past its `end` date already.
 */
export function routeSender(config: ContractsConfig, fromAddress: string, at: Date, ended?: EndedContracts): SenderRoute {
  const on = providerDateAt(config, at);
  const address = normalizeAddress(fromAddress);
  const domain = domainOf(address);
  const fallback: SenderRoute = { customer: null, contact: null, planKey: config.defaultPlan, contract: null, matchedBy: 'default', planFrom: 'default' };
  if (domain === null) return fallback;

  for (const customer of config.customers) {
    const contact = customer.contacts.find((candidate) => normalizeAddress(candidate.email) === address);
    if (contact) return withContract(customer, contact, 'contact', config, { on, at, ended });
  }
  for (const customer of config.customers) {
    if (customer.domains.some((candidate) => candidate.toLowerCase() === domain)) {
      return withContract(customer, null, 'domain', config, { on, at, ended });
    }
  }
  return fallback;
}

function withContract(
  customer: CustomerConfig,
  contact: ContactConfig | null,
  matchedBy: 'contact' | 'domain',
  config: ContractsConfig,
  when: { on: string; at: Date; ended: EndedContracts | undefined },
): SenderRoute {
  const found = contractOn(customer, when.on);
  const contract = found && !contractEndedAt(when.ended, customer, found, when.at) ? found : null;
  return { customer, contact, planKey: contract?.plan ?? config.defaultPlan, contract, matchedBy, planFrom: contract ? 'contract' : 'default' };
}

/**
 * The provider address a mail was written to: the first of the provider's addresses among its
 * recipients (To, then Cc, then Delivered-To and X-Original-To, as the parser lists them), else
 * the address of the mailbox it was read from. One mailbox may receive several provider
 * addresses (aliases); a copy read from another mailbox (the customer wrote to two of ours)
 * comes out the same, whichever mailbox reads it first.
 */
export function serviceAddressWrittenTo(config: ContractsConfig, mailboxAddress: string, recipients: readonly string[]): string {
  const ours = new Set(config.provider.addresses);
  for (const recipient of recipients) {
    const address = normalizeAddress(recipient);
    if (ours.has(address)) return address;
  }
  return normalizeAddress(mailboxAddress);
}

/** What routeNewTicketMail needs of one mail. */
export interface NewTicketMail {
  sender: string;
  /** the IMAP arrival time */
  at: Date;
  /** the address of the mailbox the mail was read from */
  mailboxAddress: string;
  /** bare recipient addresses in To, Cc, Delivered-To, X-Original-To order */
  recipients: readonly string[];
}

/**
 * The route of a mail that opens a new ticket (docs/domain.md, "Sender → contract"): the sender's
 * route, then the plan of the service address written to when that address names one
 * (`provider.addresses[].plan`) and the sender has a contract in force that day. A sender without
 * one (a stranger, a customer whose contract has not started, has ended or was used up) stays on
 * the default plan: the address plan is sold to customers, not to anyone who knows the address.
 * A customer whose contract is already on that plan is served by the contract as usual.
 */
export function routeNewTicketMail(config: ContractsConfig, mail: NewTicketMail, ended?: EndedContracts): SenderRoute & { serviceAddress: string } {
  const route = routeSender(config, mail.sender, mail.at, ended);
  const serviceAddress = serviceAddressWrittenTo(config, mail.mailboxAddress, mail.recipients);
  const addressPlan = config.provider.addressPlans?.[serviceAddress];
  if (addressPlan === undefined || route.contract === null || route.contract.plan === addressPlan) return { ...route, serviceAddress };
  return { ...route, planKey: addressPlan, planFrom: 'service-address', serviceAddress };
}

/** The provider's technician with this mailbox (display name, case and +tag ignored), or null. */
export function findTechnician(config: ContractsConfig, address: string): Technician | null {
  const wanted = normalizeAddress(address);
  if (!wanted.includes('@')) return null;
  return config.provider.technicians.find((technician) => normalizeAddress(technician.email) === wanted) ?? null;
}
