// Prepaid accounts that end while nobody logs time: the contract's end passes, or its account was
// used up and the end was never recorded (docs/CONTRACTS.md, "Prepaid accounts end"). Intake calls
// this for the customers of a batch before routing, a periodic job for every prepaid customer: each
// ended account is recorded in Postgres and its end notices returned for the caller to queue.
import type { ContractsConfig } from '../contracts/contracts.types.ts';
import type { DbOrTx } from '../db/client.ts';
import type { OutboundRequest } from '../mail/outbox.usecases.ts';
import { contractNotices } from './time-bank-notices.usecases.ts';
import { computeContractLedger } from './time-bank.usecases.ts';
import { createTimeEntriesRepository } from './time-entries.repository.ts';

/** The customers (by name) whose current contract is on a prepaid plan: what a periodic check walks. */
export function prepaidCustomerNames(config: ContractsConfig): string[] {
  return config.customers.filter((customer) => customer.contract && config.plans[customer.contract.plan]?.term.kind === 'prepaid').map((customer) => customer.name);
}

/**
 * For each named customer whose contract of the contracts file is prepaid: computes its ledger as
 * of `at` (nothing is written to the entries), records the end of an account used up or expired,
 * and returns the end notices (idempotent: queueing them again sends nothing). Customers without
 * a prepaid contract, or never synced, are skipped.
 */
export async function settlePrepaidEnds(
  tx: DbOrTx,
  config: ContractsConfig,
  input: { customerNames: readonly string[]; at: Date; fromAddress?: string },
): Promise<OutboundRequest[]> {
  const wanted = new Set(input.customerNames.map((name) => name.toLowerCase()));
  const repository = createTimeEntriesRepository({ db: tx });
  const requests: OutboundRequest[] = [];
  for (const customer of config.customers) {
    const contract = customer.contract;
    if (!wanted.has(customer.name.toLowerCase()) || !contract || config.plans[contract.plan]?.term.kind !== 'prepaid') continue;
    const customerId = await repository.customerIdByName(customer.name);
    if (customerId === null) continue;
    const ref = { customerId, customerName: customer.name, planKey: contract.plan, start: contract.start };
    const computed = await computeContractLedger(repository, config, ref, { asOf: input.at.getTime(), apply: false });
    if (!computed) continue;
    const fromAddress = input.fromAddress ?? config.provider.addresses[0]!;
    requests.push(...(await contractNotices(tx, config, { ref, computed, periodIndex: null, at: input.at, fromAddress })));
  }
  return requests;
}
