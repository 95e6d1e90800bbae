// `helpdesk timebank` as a user runs it: one clear line and exit 1 for what it cannot answer.
// (Its numbers against stored entries are checked in test/integration/billing.int.test.ts.)
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContractsRepository } from '../../src/contracts/contracts.repository.ts';
import { loadContractsFile } from '../../src/contracts/contracts.file.ts';
import { connectDatabase } from '../../src/db/client.ts';
import { runCli } from '../support/bot-process.ts';
import { EXAMPLES_DIR } from '../support/contracts.ts';
import { createTestDatabase } from '../support/services.ts';

const file = path.join(EXAMPLES_DIR, 'brodrene-johnsen.yaml');
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let env: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase();
  const handle = connectDatabase(db.url, { max: 1 });
  try {
    await createContractsRepository({ db: handle.db }).sync(await loadContractsFile(file));
  } finally {
    await handle.close();
  }
  env = { DATABASE_URL: db.url, CONTRACTS_FILE: file };
});
afterAll(async () => {
  await db?.drop();
});

describe('helpdesk timebank', () => {
  it('shows a prepaid account with its lots by a domain of the customer, in JSON', () => {
    const r = runCli(env, ['timebank', 'NORDICCNC.no', '--at', '2026-03-15T12:00:00+01:00', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      customer: 'Nordic CNC AS',
      plan: 'alt2',
      period: { start: '2025-09-01', end: '2026-09-01' },
      allowanceMinutes: 600,
      usedMinutes: 0,
      remainingMinutes: 600,
      overageMinutes: 0,
      overageAmount: '0.00',
      currency: 'NOK',
      lots: [
        { id: '2026-01-10', bought: '2026-01-10', expires: '2027-01-10', minutes: 300, usedMinutes: 0, remainingMinutes: 300, expired: false },
        { id: 'po-4711', bought: '2026-03-01', expires: '2026-12-31', minutes: 150, usedMinutes: 0, remainingMinutes: 150, expired: false },
      ],
      expiry: { contractEnd: '2026-09-01', ended: null },
    });
  });

  it('names the customers when it knows none by that name', () => {
    const r = runCli(env, ['timebank', 'Nobody AS']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('error: no customer "Nobody AS" (customers: Presisjon Mekanikk AS, Nordic CNC AS, Offshore Design Group AS)\n');
  });

  it('refuses --apply without --recompute', () => {
    const r = runCli(env, ['timebank', 'Nordic CNC AS', '--apply']);
    expect(r.status).toBe(2); // a usage error
    expect(r.stderr).toBe('error: --apply only goes with --recompute\n');
  });
});
