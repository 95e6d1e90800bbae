// `contracts sync` against a real database: idempotent, and history is kept, never rewritten.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContractsRepository } from '../../src/contracts/contracts.repository.ts';
import { parseContractsYaml } from '../../src/contracts/contracts.models.ts';
import { connectDatabase, type DatabaseHandle } from '../../src/db/client.ts';
import { isolatedExample } from '../support/contracts.ts';
import { createTestDatabase } from '../support/services.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let handle: DatabaseHandle;

beforeAll(async () => {
  db = await createTestDatabase();
  handle = connectDatabase(db.url, { max: 2 });
});
afterAll(async () => {
  await handle?.close();
  await db?.drop();
});

describe('contracts sync', () => {
  it('writes the file once and changes nothing when the same file is synced again', async () => {
    const { text } = isolatedExample('trinax.yaml', 'sync1');
    const config = parseContractsYaml(text, 'trinax.yaml');
    const repo = createContractsRepository({ db: handle.db });
    const first = await repo.sync(config);
    expect(first).toMatchObject({ plans: 4, customers: 4, contractsCreated: 4, contractsSuperseded: 0, customersDeactivated: 0 });
    const second = await repo.sync(config);
    expect(second).toMatchObject({ contractsCreated: 0, contractsSuperseded: 0, customersDeactivated: 0 });
    const [counts] = await handle.sql`select (select count(*)::int from contracts) as contracts, (select count(*)::int from contacts) as contacts`;
    expect(counts).toEqual({ contracts: 4, contacts: 6 });
  });

  it('keeps the old contract as history when a customer changes plan, and deactivates a customer that left the file', async () => {
    const repo = createContractsRepository({ db: handle.db });
    const { text } = isolatedExample('trinax.yaml', 'sync1');
    const upgraded = text.replace(/(name: Nordljus AB[\s\S]*?plan: )attend/, '$1alert');
    expect(upgraded).not.toBe(text);
    const summary = await repo.sync(parseContractsYaml(upgraded, 'trinax.yaml'));
    expect(summary).toMatchObject({ contractsCreated: 1, contractsSuperseded: 1 });
    const history = await handle.sql`
      select c.plan_key, c.superseded_at is not null as superseded from contracts c join customers k on k.id = c.customer_id
      where k.name = 'Nordljus AB' order by c.id`;
    expect(history).toEqual([
      { plan_key: 'attend', superseded: true },
      { plan_key: 'alert', superseded: false },
    ]);

    const config = parseContractsYaml(upgraded, 'trinax.yaml');
    config.customers = config.customers.filter((c) => c.name !== 'Molen BV');
    const gone = await repo.sync(config);
    expect(gone.customersDeactivated).toBe(1);
    const [molen] = await handle.sql`select active from customers where name = 'Molen BV'`;
    expect(molen!.active).toBe(false);
  });
});
