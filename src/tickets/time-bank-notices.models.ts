// Time-bank notices and the prepaid account's end, decided from a computed ledger (docs/CONTRACTS.md,
// "Time-bank notices" and "Prepaid accounts end"). Pure: which thresholds a period's bank has
// reached, who is told and in which language, and the outbound requests with their idempotency
// keys. Exactly once is the outbox's work: a request with a key already stored inserts nothing,
// so the same notice computed again (a restart, a recompute, a correction and a new crossing in
// the same period) sends nothing.
import { DateTime } from 'luxon';
import type { PeriodSummary, PrepaidAccountState } from '../billing/time-bank.types.ts';
import type { ContractConfig, ContractsConfig, CustomerConfig, Locale } from '../contracts/contracts.types.ts';
import type { OutboundRequest } from '../mail/outbox.usecases.ts';
import { normalizeAddress } from '../shared/address.ts';
import { formatMinutes } from './time-bank-terms.models.ts';

/** Percentages of a period's bank (allowance + rollover) at which the customer and account manager are told. */
export const BANK_NOTICE_THRESHOLDS = [80, 100] as const;
export type BankNoticeThreshold = (typeof BANK_NOTICE_THRESHOLDS)[number];

/**
 * The thresholds a period's bank has reached: used ≥ threshold % of what the period holds
 * (allowance incl. what rolled in). Integer arithmetic, so 12h of 15h is exactly 80 %. A period
 * that holds nothing reaches nothing (there is no bank to warn about).
 */
export function thresholdsReached(period: Pick<PeriodSummary, 'availableMinutes' | 'usedMinutes'>): BankNoticeThreshold[] {
  if (period.availableMinutes <= 0) return [];
  return BANK_NOTICE_THRESHOLDS.filter((threshold) => period.usedMinutes * 100 >= threshold * period.availableMinutes);
}

/**
 * When a prepaid account ended as seen at `at`: used up (at the work end of the entry that used the
 * last prepaid minute) or expired (the contract's end has passed), whichever came first; null while
 * it runs. The ledger's own `ended` is this with `asOf`; here `at` may be later than the ledger's `asOf`.
 */
export function prepaidEndAt(account: PrepaidAccountState | null, at: number): { reason: 'exhausted' | 'expired'; at: number } | null {
  if (account === null) return null;
  const expired = account.expiresAt !== null && at >= account.expiresAt;
  if (account.exhaustedBy !== null && (account.expiresAt === null || account.exhaustedBy.at <= account.expiresAt)) {
    return { reason: 'exhausted', at: account.exhaustedBy.at };
  }
  return expired ? { reason: 'expired', at: account.expiresAt! } : null;
}

export interface NoticeRecipient {
  email: string;
  locale: Locale;
  /** the customer's side (managers or superuser) or the provider's account manager */
  side: 'customer' | 'account-manager';
}

/**
 * Who hears about a contract's bank and end: the customer's managers (else its superuser
 * contacts), each in the customer's language, and the contract's account manager in their own
 * (a technician's locale, else the provider's). One address once, whichever side it is on first.
 */
export function noticeRecipients(config: ContractsConfig, customer: CustomerConfig, contract: ContractConfig): NoticeRecipient[] {
  const customerSide = customer.managers.length > 0 ? customer.managers : customer.contacts.filter((contact) => contact.superuser).map((contact) => contact.email);
  const recipients: NoticeRecipient[] = customerSide.map((email) => ({ email: normalizeAddress(email), locale: customer.locale, side: 'customer' }));
  if (contract.accountManager) {
    const email = normalizeAddress(contract.accountManager);
    const technician = config.provider.technicians.find((candidate) => normalizeAddress(candidate.email) === email);
    recipients.push({ email, locale: technician?.locale ?? config.provider.locale, side: 'account-manager' });
  }
  const seen = new Set<string>();
  return recipients.filter((recipient) => !seen.has(recipient.email) && seen.add(recipient.email));
}

/** A contract's identity in idempotency keys: the customer's row, the plan and the start (what `contracts sync` keeps). */
export interface ContractKey {
  customerId: number;
  planKey: string;
  start: string;
}

const keyOf = (contract: ContractKey) => `${contract.customerId}:${contract.planKey}:${contract.start}`;
const localDate = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM-dd');
const localDateTime = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM-dd HH:mm');

export interface NoticeContext {
  config: ContractsConfig;
  customer: CustomerConfig;
  contract: ContractConfig;
  key: ContractKey;
  /** the service address the notices are sent from */
  fromAddress: string;
  /** when the notices are queued */
  at: Date;
}

/** A notice about a contract (no ticket) to one recipient, in their language: what both kinds share. */
function contractNotice(
  context: NoticeContext,
  recipient: NoticeRecipient,
  notice: { kind: 'timebank-threshold' | 'prepaid-ended'; idempotencyKey: string; vars: Record<string, unknown> },
): OutboundRequest {
  const plan = context.config.plans[context.contract.plan];
  return {
    idempotencyKey: notice.idempotencyKey,
    kind: notice.kind,
    locale: recipient.locale,
    to: [recipient.email],
    ticket: null,
    fromAddress: context.fromAddress,
    automatic: true,
    at: context.at,
    vars: {
      customerName: context.customer.name,
      planTitle: plan?.title ?? context.contract.plan,
      forAccountManager: recipient.side === 'account-manager',
      ...notice.vars,
    },
  };
}

/**
 * One `timebank-threshold` mail per recipient and threshold reached in `period`. Key: contract +
 * period start + threshold + recipient, so each is sent once per period whatever happens later.
 */
export function bankNoticeRequests(context: NoticeContext, period: PeriodSummary, reached: readonly BankNoticeThreshold[]): OutboundRequest[] {
  const { config, customer, contract, key } = context;
  const zone = config.provider.timezone;
  return reached.flatMap((threshold) =>
    noticeRecipients(config, customer, contract).map((recipient) =>
      contractNotice(context, recipient, {
        kind: 'timebank-threshold',
        idempotencyKey: `timebank-threshold:${keyOf(key)}:${period.period.startDate}:${threshold}:${recipient.email}`,
        vars: {
          threshold,
          periodFirst: period.period.startDate,
          // the period's last day; an open-ended term has none
          periodLast: period.period.endMs === null ? null : localDate(period.period.endMs - 1, zone),
          available: formatMinutes(period.availableMinutes),
          used: formatMinutes(period.usedMinutes),
          remaining: formatMinutes(period.remainingMinutes),
        },
      }),
    ),
  );
}

/** One `prepaid-ended` mail per recipient, once per contract (key: contract + recipient). */
export function prepaidEndedRequests(context: NoticeContext, end: { reason: 'exhausted' | 'expired'; at: number }): OutboundRequest[] {
  const { config, customer, contract, key } = context;
  const fallback = config.plans[config.defaultPlan];
  return noticeRecipients(config, customer, contract).map((recipient) =>
    contractNotice(context, recipient, {
      kind: 'prepaid-ended',
      idempotencyKey: `prepaid-ended:${keyOf(key)}:${recipient.email}`,
      vars: {
        reason: end.reason,
        endedAt: localDateTime(end.at, config.provider.timezone),
        timeZone: config.provider.timezone,
        defaultPlanTitle: fallback?.title ?? config.defaultPlan,
      },
    }),
  );
}
