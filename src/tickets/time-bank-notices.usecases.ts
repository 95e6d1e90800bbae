// After a contract's ledger is computed: record a prepaid account's end in Postgres and return the
// mails that tell of it, and of a period's bank reaching 80 % or 100 % (docs/CONTRACTS.md,
// "Time-bank notices" and "Prepaid accounts end"). The caller queues the returned requests in the
// same transaction: their idempotency keys make each one go out once, however often it is computed.
import { findContractEnd, recordContractEnd } from '../contracts/contracts.repository.ts';
import type { ContractsConfig } from '../contracts/contracts.types.ts';
import type { DbOrTx } from '../db/client.ts';
import type { OutboundRequest } from '../mail/outbox.usecases.ts';
import { bankNoticeRequests, prepaidEndAt, prepaidEndedRequests, thresholdsReached, type NoticeContext } from './time-bank-notices.models.ts';
import { contractConfigOf, type ContractLedger } from './time-bank.usecases.ts';
import type { TicketContractRef } from './time-entries.repository.ts';

export interface ContractNoticesInput {
  ref: TicketContractRef;
  computed: ContractLedger;
  /** the ledger period an entry just drew from (its bank is checked against the thresholds); null to check none */
  periodIndex: number | null;
  /** now: a prepaid account whose contract end has passed by then has expired */
  at: Date;
  /** the service address the mails come from */
  fromAddress: string;
}

/**
 * Records the contract's end when its prepaid account is used up or expired (the first recorded
 * instant is kept), and returns the mails to queue: the end notice while the contract has ended,
 * else the threshold notices of the period `periodIndex` reached. An ended account gets no
 * threshold notice: the end notice says more.
 */
export async function contractNotices(tx: DbOrTx, config: ContractsConfig, input: ContractNoticesInput): Promise<OutboundRequest[]> {
  const found = contractConfigOf(config, input.ref);
  if (!found) return [];
  const { ref, computed } = input;
  const key = { customerId: ref.customerId, planKey: ref.planKey, start: ref.start };
  const context: NoticeContext = { config, customer: found.customer, contract: found.contract, key, fromAddress: input.fromAddress, at: input.at };

  if (computed.ledger.account !== null) {
    const end = prepaidEndAt(computed.ledger.account, input.at.getTime());
    if (end !== null) await recordContractEnd(tx, key, { at: new Date(end.at), reason: end.reason });
    // What Postgres holds wins: a later correction may have given minutes back, the contract stays ended.
    const recorded = await findContractEnd(tx, key);
    if (recorded !== null) return prepaidEndedRequests(context, { reason: recorded.reason, at: recorded.at.getTime() });
  }

  if (input.periodIndex === null) return [];
  const period = computed.ledger.periods[input.periodIndex];
  return period ? bankNoticeRequests(context, period, thresholdsReached(period)) : [];
}
