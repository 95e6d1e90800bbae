// `helpdesk quarantine`, `quarantine show` and `quarantine release` as an operator runs them: a
// mail held for its size, listed with its reason and headers, released once the limit is raised,
// and taken by the bot as a new mail (a ticket and an acknowledgement); a second release refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot, type Bot } from '../../src/app.ts';
import type { AppEnv } from '../../src/config/env.ts';
import { loadContractsFile } from '../../src/contracts/contracts.file.ts';
import { createContractsRepository } from '../../src/contracts/contracts.repository.ts';
import type { ContractsConfig } from '../../src/contracts/contracts.types.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { execFile } from 'node:child_process';
import { BIN, ROOT, runCli } from '../support/bot-process.ts';
import { isolatedExample } from '../support/contracts.ts';
import { readMailbox, sendMail, waitFor, waitForMessages } from '../support/mail.ts';
import { createTestDatabase, testEnv, uniqueSuffix } from '../support/services.ts';

const suffix = uniqueSuffix();
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let config: ContractsConfig;
let service: string;
let imapUrl: string;
let bot: Bot | null = null;

function envWith(overrides: Record<string, string> = {}): AppEnv {
  return testEnv({ DATABASE_URL: db.url, IMAP_URL: imapUrl, ...overrides });
}

async function startBot(overrides: Record<string, string> = {}): Promise<Bot> {
  const started = createBot({ env: envWith(overrides), config, logger: silentLogger, roles: ['ingest', 'mailer'], queuePrefix: `q${suffix}`, safetyPollMs: 500 });
  await started.start();
  return started;
}

const cli = (...args: string[]) => runCli({ DATABASE_URL: db.url, IMAP_URL: imapUrl, HELPDESK_QUEUE_PREFIX: `q${suffix}` }, args);
/** Without blocking this process: the in-process bot must run while `release` waits for it. */
function cliAsync(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url, IMAP_URL: imapUrl, HELPDESK_QUEUE_PREFIX: `q${suffix}` }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ status: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
const eva = `eva@acme-${suffix}.se`;

beforeAll(async () => {
  db = await createTestDatabase();
  config = await loadContractsFile(isolatedExample('trinax.yaml', suffix).file);
  service = config.provider.addresses[0]!;
  const base = testEnv();
  imapUrl = `imap://${encodeURIComponent(service)}:test@${base.imap.host}:${base.imap.port}/INBOX`;
  bot = await startBot({ HELPDESK_MAX_MAIL_BYTES: '4000' });
  await createContractsRepository({ db: bot.db.db }).sync(config);
});
afterAll(async () => {
  await bot?.stop();
  await db?.drop();
});

describe('helpdesk quarantine', () => {
  it('lists and shows a mail held for its size, releases it once the limit is raised, and refuses a second release', async () => {
    await sendMail(envWith(), { from: { name: 'Eva Ek', address: eva }, to: service, subject: 'Bifogad logg från kassan', text: `Hej, här är loggen.\n${'x'.repeat(8000)}` });
    const [held] = await waitFor('the mail quarantined', async () => {
      const list = JSON.parse(cli('quarantine', '--json').stdout) as { id: number; reasonCode: string; from: string; subject: string; size: number; releasedAt: string | null }[];
      return list.length > 0 ? list : null;
    }, 30_000, 500);
    expect(held).toMatchObject({ reasonCode: 'mail.too_large', from: `Eva Ek <${eva}>`, subject: 'Bifogad logg från kassan', releasedAt: null });
    expect(held!.size).toBeGreaterThan(8000);
    // held: no ticket, no acknowledgement
    expect(await readMailbox(envWith(), eva)).toEqual([]);

    const table = cli('quarantine');
    expect(table.stdout).toMatch(new RegExp(`^${held!.id}\\s+\\S+\\s+Eva Ek <${eva.replace(/[.+]/g, '\\$&')}>\\s+Bifogad logg från kassan\\s+\\d+\\s+mail\\.too_large: `, 'm'));
    const shown = cli('quarantine', 'show', String(held!.id));
    expect(shown.status).toBe(0);
    expect(shown.stdout).toContain(`quarantine ${held!.id}: mail.too_large`);
    expect(shown.stdout).toMatch(/^ {2}released {4}-$/m);
    expect(shown.stdout).toMatch(/^ {4}Subject: =\?UTF-8\?Q\?Bifogad_logg_fr=C3=A5n_kassan\?=$/m);
    expect(shown.stdout).toContain(`    To: ${service}`);

    // The cause fixed: the bot runs again with the default limit.
    await bot!.stop();
    bot = await startBot();
    const released = await cliAsync('quarantine', 'release', String(held!.id));
    expect(released.stderr).toBe('');
    expect(released.status).toBe(0);
    expect(released.stdout).toMatch(new RegExp(`^released ${held!.id}: back in the INBOX of ${service.replace(/[.+]/g, '\\$&')}\\non ticket #\\d+$`, 'm'));
    const number = Number(/on ticket #(\d+)/.exec(released.stdout)![1]);
    const ticket = JSON.parse(cli('ticket', String(number), '--json').stdout) as { requester: string; subject: string; outgoing: { kind: string }[] };
    expect(ticket).toMatchObject({ requester: eva, subject: 'Bifogad logg från kassan' });
    await waitForMessages(envWith(), eva, 'Bifogad logg', 1);

    const after = JSON.parse(cli('quarantine', 'show', String(held!.id), '--json').stdout) as { releasedAt: string | null; ticket: number | null };
    expect(after.releasedAt).toMatch(/^\d{4}-/);
    expect(after.ticket).toBe(number);
    const twice = cli('quarantine', 'release', String(held!.id));
    expect(twice.status).toBe(1);
    expect(twice.stderr.trim()).toBe(`error: quarantined mail ${held!.id} was already released at ${after.releasedAt}`);
  });

  it('says an unknown id in one line', () => {
    const r = cli('quarantine', 'show', '999999');
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('error: quarantined mail 999999 not found');
  });
});
