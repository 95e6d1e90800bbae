// `contracts sync`: writes the validated contracts file into Postgres. Idempotent (a second
// sync of the same file changes nothing) and history-keeping: a changed contract supersedes the
// old row instead of rewriting it; customers and contacts that leave the file are deactivated.
// A prepaid account's end (ended_at) is the bot's record, not the file's: a sync never clears it.
import { and, eq, isNotNull, isNull, notInArray, sql } from 'drizzle-orm';
import type { Database, DbOrTx } from '../db/client.ts';
import type { ContractConfig, ContractsConfig } from './contracts.types.ts';
import { calendarsTable, contactsTable, contractsTable, customersTable, plansTable, providersTable, type ContractEndReason } from './contracts.tables.ts';
import type { EndedContracts } from './routing.models.ts';

export interface SyncSummary {
  providerId: number;
  plans: number;
  customers: number;
  contractsCreated: number;
  contractsSuperseded: number;
  customersDeactivated: number;
}

function sameContract(row: { planKey: string; start: string; end: string | null; accountManager: string | null }, c: ContractConfig): boolean {
  return row.planKey === c.plan && row.start === c.start && (row.end ?? null) === (c.end ?? null) && (row.accountManager ?? null) === (c.accountManager ?? null);
}

export function createContractsRepository({ db }: { db: Database }) {
  return {
    async sync(config: ContractsConfig, now = new Date()): Promise<SyncSummary> {
      return db.transaction(async (tx) => {
        // Serialize concurrent syncs: the supersede logic reads then writes.
        await tx.execute(sql`select pg_advisory_xact_lock(727275)`);
        const { provider } = config;
        const [prov] = await tx
          .insert(providersTable)
          .values({ name: provider.name, timezone: provider.timezone, locale: provider.locale, settings: provider, updatedAt: now })
          .onConflictDoUpdate({ target: providersTable.name, set: { timezone: provider.timezone, locale: provider.locale, settings: provider, updatedAt: now } })
          .returning({ id: providersTable.id });
        const providerId = prov!.id;

        for (const [key, definition] of Object.entries(config.calendars)) {
          await tx
            .insert(calendarsTable)
            .values({ providerId, key, definition, updatedAt: now })
            .onConflictDoUpdate({ target: [calendarsTable.providerId, calendarsTable.key], set: { definition, updatedAt: now } });
        }
        const planIds = new Map<string, number>();
        for (const plan of Object.values(config.plans)) {
          const [row] = await tx
            .insert(plansTable)
            .values({ providerId, key: plan.key, title: plan.title, queuePriority: plan.queuePriority, definition: plan, updatedAt: now })
            .onConflictDoUpdate({
              target: [plansTable.providerId, plansTable.key],
              set: { title: plan.title, queuePriority: plan.queuePriority, definition: plan, updatedAt: now },
            })
            .returning({ id: plansTable.id });
          planIds.set(plan.key, row!.id);
        }

        let contractsCreated = 0;
        let contractsSuperseded = 0;
        const customerIds: number[] = [];
        for (const customer of config.customers) {
          const values = {
            providerId,
            name: customer.name,
            domains: customer.domains,
            locale: customer.locale,
            timezone: customer.timezone,
            managers: customer.managers,
            active: true,
          };
          const [row] = await tx
            .insert(customersTable)
            .values({ ...values, updatedAt: now })
            .onConflictDoUpdate({ target: [customersTable.providerId, customersTable.name], set: values })
            .returning({ id: customersTable.id });
          const customerId = row!.id;
          customerIds.push(customerId);

          const emails = customer.contacts.map((c) => c.email);
          for (const contact of customer.contacts) {
            await tx
              .insert(contactsTable)
              .values({ customerId, email: contact.email, name: contact.name, superuser: contact.superuser, active: true })
              .onConflictDoUpdate({
                target: [contactsTable.customerId, contactsTable.email],
                set: { name: contact.name, superuser: contact.superuser, active: true },
              });
          }
          await tx
            .update(contactsTable)
            .set({ active: false })
            .where(emails.length > 0 ? and(eq(contactsTable.customerId, customerId), notInArray(contactsTable.email, emails)) : eq(contactsTable.customerId, customerId));

          // Past contracts named in the file are recorded once, already superseded.
          for (const past of customer.history) {
            const existing = await tx
              .select({ id: contractsTable.id })
              .from(contractsTable)
              .where(and(eq(contractsTable.customerId, customerId), eq(contractsTable.planKey, past.plan), eq(contractsTable.start, past.start)));
            if (existing.length === 0) {
              await tx.insert(contractsTable).values({
                customerId,
                planKey: past.plan,
                planId: planIds.get(past.plan)!,
                start: past.start,
                end: past.end,
                accountManager: past.accountManager,
                createdAt: now,
                supersededAt: now,
              });
              contractsCreated++;
            }
          }

          const current = await tx
            .select()
            .from(contractsTable)
            .where(and(eq(contractsTable.customerId, customerId), isNull(contractsTable.supersededAt)));
          const wanted = customer.contract;
          const keep = wanted ? current.find((r) => sameContract(r, wanted)) : undefined;
          for (const r of current) {
            if (r !== keep) {
              await tx.update(contractsTable).set({ supersededAt: now }).where(eq(contractsTable.id, r.id));
              contractsSuperseded++;
            }
          }
          if (wanted && !keep) {
            // The same contract with a changed end or account manager: if its prepaid account
            // ended, the new row says so too (routing reads any row of it, this keeps the rows alike).
            const [ended] = await tx
              .select({ endedAt: contractsTable.endedAt, endedReason: contractsTable.endedReason })
              .from(contractsTable)
              .where(and(eq(contractsTable.customerId, customerId), eq(contractsTable.planKey, wanted.plan), eq(contractsTable.start, wanted.start), isNotNull(contractsTable.endedAt)))
              .limit(1);
            await tx.insert(contractsTable).values({
              ...(ended ? { endedAt: ended.endedAt, endedReason: ended.endedReason } : {}),
              customerId,
              planKey: wanted.plan,
              planId: planIds.get(wanted.plan)!,
              start: wanted.start,
              end: wanted.end,
              accountManager: wanted.accountManager,
              createdAt: now,
            });
            contractsCreated++;
          }
        }
        const gone = await tx
          .update(customersTable)
          .set({ active: false })
          .where(
            customerIds.length > 0
              ? and(eq(customersTable.providerId, providerId), notInArray(customersTable.id, customerIds), eq(customersTable.active, true))
              : and(eq(customersTable.providerId, providerId), eq(customersTable.active, true)),
          )
          .returning({ id: customersTable.id });
        return {
          providerId,
          plans: planIds.size,
          customers: customerIds.length,
          contractsCreated,
          contractsSuperseded,
          customersDeactivated: gone.length,
        };
      });
    },
  };
}

/** A contract as the contracts file names it: the customer's row, the plan and the start date. */
export interface ContractIdentity {
  customerId: number;
  planKey: string;
  /** YYYY-MM-DD */
  start: string;
}

/**
 * Records that a prepaid account ended at `at` (every row of the contract: a sync may have written
 * more than one). Only the first call counts: true when this call ended it, false when it had
 * ended before (its first instant and reason are kept).
 */
export async function recordContractEnd(db: DbOrTx, contract: ContractIdentity, end: { at: Date; reason: ContractEndReason }): Promise<boolean> {
  const same = and(eq(contractsTable.customerId, contract.customerId), eq(contractsTable.planKey, contract.planKey), eq(contractsTable.start, contract.start));
  const [already] = await db.select({ id: contractsTable.id }).from(contractsTable).where(and(same, isNotNull(contractsTable.endedAt))).limit(1);
  if (already) return false;
  const updated = await db.update(contractsTable).set({ endedAt: end.at, endedReason: end.reason }).where(and(same, isNull(contractsTable.endedAt))).returning({ id: contractsTable.id });
  return updated.length > 0;
}

/** When the contract's prepaid account ended, and why; null while it runs. */
export async function findContractEnd(db: DbOrTx, contract: ContractIdentity): Promise<{ at: Date; reason: ContractEndReason } | null> {
  const [row] = await db
    .select({ at: contractsTable.endedAt, reason: contractsTable.endedReason })
    .from(contractsTable)
    .where(and(eq(contractsTable.customerId, contract.customerId), eq(contractsTable.planKey, contract.planKey), eq(contractsTable.start, contract.start), isNotNull(contractsTable.endedAt)))
    .orderBy(contractsTable.endedAt)
    .limit(1);
  return row?.at && row.reason ? { at: row.at, reason: row.reason } : null;
}

/**
 * The ended prepaid accounts of these customers (by name, any case), for routing
 * (routeSender's `ended`). One statement; customers with none are absent from the map.
 */
export async function listEndedContracts(db: DbOrTx, customerNames: readonly string[]): Promise<EndedContracts> {
  const ended = new Map<string, { planKey: string; start: string; endedAt: Date }[]>();
  if (customerNames.length === 0) return ended;
  const rows = await db
    .select({ name: customersTable.name, planKey: contractsTable.planKey, start: contractsTable.start, endedAt: sql<Date>`min(${contractsTable.endedAt})`.mapWith(contractsTable.endedAt) })
    .from(contractsTable)
    .innerJoin(customersTable, eq(customersTable.id, contractsTable.customerId))
    .where(and(isNotNull(contractsTable.endedAt), sql`lower(${customersTable.name}) = any(${sql.param(customerNames.map((name) => name.toLowerCase()))}::text[])`))
    .groupBy(customersTable.name, contractsTable.planKey, contractsTable.start);
  for (const row of rows) {
    const key = row.name.toLowerCase();
    ended.set(key, [...(ended.get(key) ?? []), { planKey: row.planKey, start: row.start, endedAt: row.endedAt }]);
  }
  return ended;
}

/**
 * Who a ticket's SLA escalation names besides the provider: the contract's account manager and
 * the customer's name (either null when the ticket has no contract or customer). One statement.
 */
export async function findEscalationContacts(
  db: DbOrTx,
  ticket: { contractId: number | null; customerId: number | null },
): Promise<{ accountManager: string | null; customerName: string | null }> {
  if (ticket.contractId === null && ticket.customerId === null) return { accountManager: null, customerName: null };
  const rows = await db.execute<{ accountManager: string | null; customerName: string | null }>(
    sql`select (select ${contractsTable.accountManager} from ${contractsTable} where ${contractsTable.id} = ${ticket.contractId}) as "accountManager",
               (select ${customersTable.name} from ${customersTable} where ${customersTable.id} = ${ticket.customerId}) as "customerName"`,
  );
  return { accountManager: rows[0]?.accountManager ?? null, customerName: rows[0]?.customerName ?? null };
}
