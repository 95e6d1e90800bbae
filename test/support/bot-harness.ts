// An in-process bot on its own database, queue prefix and mailbox domain (integration tier).
import { createBot, type Bot, type BotOptions, type Role } from '../../src/app.ts';
import type { AppEnv } from '../../src/config/env.ts';
import { loadContractsFile } from '../../src/contracts/contracts.file.ts';
import { createContractsRepository } from '../../src/contracts/contracts.repository.ts';
import type { ContractsConfig } from '../../src/contracts/contracts.types.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { isolatedExample } from './contracts.ts';
import { createTestDatabase, testEnv, uniqueSuffix } from './services.ts';

export interface TestBot {
  suffix: string;
  env: AppEnv;
  config: ContractsConfig;
  /** the running bot (a new one after restart()) */
  bot: Bot;
  service: string;
  /** `name@domain` with this test's suffix: at('eva', 'acme.se') → eva@acme-<suffix>.se */
  at(local: string, domain: string): string;
  /** stops the bot and starts a new one on the same database, queues and mailbox (a process restart) */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestBot(
  options: {
    example?: string;
    edit?: (yaml: string) => string;
    roles?: Role[];
    env?: Record<string, string>;
    /** runs after the database and contracts are ready and before the bot starts (e.g. to fill the mailbox) */
    beforeStart?: (bot: Pick<TestBot, 'suffix' | 'env' | 'config' | 'service' | 'at'>) => Promise<void>;
    /** more createBot options (onFatal, intakeReconnectPolicy, …) */
    bot?: Partial<Pick<BotOptions, 'onFatal' | 'intakeReconnectPolicy' | 'clock' | 'logger' | 'queueStoreCheckMs' | 'stopTimeoutMs'>>;
  } = {},
): Promise<TestBot> {
  const suffix = uniqueSuffix();
  const db = await createTestDatabase();
  const contracts = isolatedExample(options.example ?? 'trinax.yaml', suffix, options.edit);
  const config = await loadContractsFile(contracts.file);
  const service = config.provider.addresses[0]!;
  const base = testEnv();
  const env = testEnv({
    DATABASE_URL: db.url,
    IMAP_URL: `imap://${encodeURIComponent(service)}:test@${base.imap.host}:${base.imap.port}/INBOX`,
    ...options.env,
  });
  const newBot = () => createBot({ env, config, logger: silentLogger, roles: options.roles, queuePrefix: `t${suffix}`, safetyPollMs: 1000, ...options.bot });
  const bot = newBot();
  await createContractsRepository({ db: bot.db.db }).sync(config);
  const at = (local: string, domain: string) => {
    const dot = domain.lastIndexOf('.');
    return `${local}@${domain.slice(0, dot)}-${suffix}${domain.slice(dot)}`;
  };
  await options.beforeStart?.({ suffix, env, config, service, at });
  await bot.start();
  const harness: TestBot = {
    suffix,
    env,
    config,
    bot,
    service,
    at,
    async restart() {
      await harness.bot.stop();
      harness.bot = newBot();
      await harness.bot.start();
    },
    async stop() {
      await harness.bot.stop();
      await db.drop();
    },
  };
  return harness;
}
