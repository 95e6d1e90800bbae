// The production image's entrypoint (docker/entrypoint.sh), run with sh against the local services
// the way the image runs it, without Docker: `helpdesk` on PATH is a shim for bin/helpdesk.mjs. It
// reads the secret from a file, migrates, syncs the contracts file, starts, and stops on SIGTERM
// with exit 0; each refusal is one line and a non-zero exit. Docker is not on the development
// machine, so Dockerfile and docker-compose.yml are checked as text and YAML here (docker compose
// config is not run).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { isolatedExample } from '../support/contracts.ts';
import { waitFor } from '../support/mail.ts';
import { BIN, ROOT } from '../support/bot-process.ts';
import { freePort } from '../support/private-services.ts';
import { createTestDatabase, testEnv, uniqueSuffix } from '../support/services.ts';

const ENTRYPOINT = path.join(ROOT, 'docker', 'entrypoint.sh');
const suffix = uniqueSuffix();
const service = `support@trinax-${suffix}.example`;
const env = testEnv();
const workDir = mkdtempSync(path.join(tmpdir(), 'helpdesk-entrypoint-'));
const shimDir = path.join(workDir, 'bin');
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let contractsFile: string;
let secretFile: string;

/** an executable file */
function writeScript(file: string, text: string): string {
  writeFileSync(file, text);
  chmodSync(file, 0o755);
  return file;
}

/**
 * The environment of the entrypoint: the test's own, less any secret it carries (.services/env
 * exports one), with the `helpdesk` shim first on PATH.
 */
function entrypointEnv(extra: Record<string, string>): Record<string, string> {
  const base: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('HELPDESK_SECRET') && !key.startsWith('HELPDESK_PREVIOUS_SECRETS') && key !== 'CONTRACTS_FILE') base[key] = value;
  }
  return { ...base, PATH: `${shimDir}:${process.env.PATH ?? ''}`, ...extra };
}

function runEntrypoint(extra: Record<string, string>, args: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('sh', [ENTRYPOINT, ...args], { cwd: workDir, env: entrypointEnv(extra), encoding: 'utf8', timeout: 90_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** the variables of a working bot, but for the secret */
function botEnv(): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    REDIS_URL: env.redisUrl,
    SMTP_URL: `smtp://${env.smtp.host}:${env.smtp.port}`,
    IMAP_URL: `imap://${encodeURIComponent(service)}:test@${env.imap.host}:${env.imap.port}/INBOX`,
    CONTRACTS_FILE: contractsFile,
    HELPDESK_QUEUE_PREFIX: `de${suffix}`,
  };
}

beforeAll(async () => {
  db = await createTestDatabase();
  contractsFile = isolatedExample('trinax.yaml', suffix).file;
  secretFile = path.join(workDir, 'helpdesk_secret');
  // newest first, a rotation in progress: what docker-compose.yml mounts as a Docker secret
  writeFileSync(secretFile, '# new since the rotation\nentrypoint-new-0123456789abcdef\n\n  entrypoint-old-0123456789abcdef  \n');
  spawnSync('mkdir', ['-p', shimDir]);
  writeScript(path.join(shimDir, 'helpdesk'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
});
afterAll(async () => {
  await db?.drop();
});

describe('docker/entrypoint.sh', () => {
  it('reads the secret from its file, migrates, syncs the contracts file, starts (healthy by the image HEALTHCHECK), and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn('sh', [ENTRYPOINT], {
      cwd: workDir,
      env: entrypointEnv({ ...botEnv(), HELPDESK_SECRET_FILE: secretFile, HELPDESK_HTTP_PORT: String(port) }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
    try {
      await waitFor('helpdesk started', async () => (output.includes('helpdesk started') ? true : null), 60_000, 200);
      expect(output).toContain('migrations applied');
      expect(output).toMatch(new RegExp(`${path.basename(contractsFile)}: synced \\d+ plans, \\d+ customers`));
      // the image's own health check, run as Docker runs it, once the mailbox has been polled
      const healthCheck = dockerfileHealthCheck();
      const healthy = await waitFor('a healthy bot', async () => {
        const r = spawnSync(healthCheck[0] === 'node' ? process.execPath : healthCheck[0]!, healthCheck.slice(1), {
          env: { ...process.env, HELPDESK_HTTP_PORT: String(port) },
          encoding: 'utf8',
          timeout: 10_000,
        });
        return r.status === 0 ? r : null;
      }, 30_000, 500);
      expect(healthy.status).toBe(0);
    } finally {
      child.kill('SIGTERM');
    }
    // exec all the way down: the SIGTERM sent to the entrypoint's pid reached node itself
    expect(await exited).toBe(0);
    expect(output).toContain('"msg":"stopping"');
  });

  it('without a secret refuses to start in one line, before touching anything', () => {
    const r = runEntrypoint(botEnv());
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^helpdesk-entrypoint: no HELPDESK_SECRET: set HELPDESK_SECRET_FILE/);
  });

  it('with a bad contracts file exits non-zero, listing its problems, and does not start', () => {
    const bad = isolatedExample('trinax.yaml', suffix, (text) => text.replace(/^defaultPlan:/m, 'defaultPlann:')).file;
    const r = runEntrypoint({ ...botEnv(), CONTRACTS_FILE: bad, HELPDESK_SECRET_FILE: secretFile });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toContain('migrations applied');
    expect(r.stderr).toMatch(/^error: .*trinax\.yaml: \d+ problems?$/m);
    expect(r.stderr).toMatch(/^ {2}defaultPlann: /m);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(`helpdesk-entrypoint: helpdesk contracts sync ${bad} failed (exit ${r.status}); not starting`);
    expect(r.stdout + r.stderr).not.toContain('helpdesk started');
  });

  it('a failed migration stops it with one line naming the step', () => {
    const r = runEntrypoint({ ...botEnv(), DATABASE_URL: 'postgres://helpdesk@127.0.0.1:1/nowhere', HELPDESK_SECRET_FILE: secretFile });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/^error: /m);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(`helpdesk-entrypoint: helpdesk migrate failed (exit ${r.status}); not starting`);
  });

  it('a contracts file that is not mounted is one line', () => {
    const r = runEntrypoint({ ...botEnv(), CONTRACTS_FILE: path.join(workDir, 'absent.yaml'), HELPDESK_SECRET_FILE: secretFile });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toBe(`helpdesk-entrypoint: CONTRACTS_FILE=${path.join(workDir, 'absent.yaml')}: no readable file there (is it mounted?)\n`);
  });

  describe('secret files (with a stand-in for helpdesk that prints what it was given)', () => {
    let probe: string;
    beforeAll(() => {
      probe = writeScript(path.join(workDir, 'probe'), '#!/bin/sh\nprintf "args=%s\\nsecret=%s\\nprevious=%s\\n" "$*" "${HELPDESK_SECRET:-}" "${HELPDESK_PREVIOUS_SECRETS:-}"\n');
    });

    it('joins the lines of the file newest first, skipping comments and blank lines; other commands run as they are', () => {
      const previous = path.join(workDir, 'previous');
      writeFileSync(previous, 'retired-0123456789abcdef,retired-2-0123456789abcdef\n');
      const r = runEntrypoint({ HELPDESK_BIN: probe, HELPDESK_SECRET_FILE: secretFile, HELPDESK_PREVIOUS_SECRETS_FILE: previous }, ['outbox', '--failed']);
      expect(r).toMatchObject({ status: 0, stderr: '' });
      expect(r.stdout).toBe(
        'args=outbox --failed\nsecret=entrypoint-new-0123456789abcdef,entrypoint-old-0123456789abcdef\nprevious=retired-0123456789abcdef,retired-2-0123456789abcdef\n',
      );
    });

    it('refuses a secret given both ways, a file that is not there, and an empty file', () => {
      const both = runEntrypoint({ HELPDESK_BIN: probe, HELPDESK_SECRET: 'x'.repeat(32), HELPDESK_SECRET_FILE: secretFile }, ['tickets']);
      expect(both).toMatchObject({ stdout: '', stderr: 'helpdesk-entrypoint: both HELPDESK_SECRET and HELPDESK_SECRET_FILE are set; set only one\n' });
      expect(both.status).not.toBe(0);
      const absent = runEntrypoint({ HELPDESK_BIN: probe, HELPDESK_SECRET_FILE: '/run/secrets/none' });
      expect(absent.stderr).toMatch(/^helpdesk-entrypoint: HELPDESK_SECRET_FILE=\/run\/secrets\/none: no readable file there \(mount it, readable by uid \d+\)\n$/);
      expect(absent.status).not.toBe(0);
      const empty = path.join(workDir, 'empty');
      writeFileSync(empty, '# nothing yet\n\n');
      const none = runEntrypoint({ HELPDESK_BIN: probe, HELPDESK_SECRET_FILE: empty });
      expect(none.stderr).toBe(`helpdesk-entrypoint: HELPDESK_SECRET_FILE=${empty}: the file holds no secret\n`);
      expect(none.status).not.toBe(0);
    });

    it('passes options to `helpdesk start` (`start` may be named or left out)', () => {
      for (const args of [['--only', 'ingest'], ['start', '--only', 'ingest']]) {
        const r = runEntrypoint({ HELPDESK_BIN: probe, HELPDESK_SECRET_FILE: secretFile, CONTRACTS_FILE: contractsFile }, args);
        expect(r.status).toBe(0);
        // the stand-in answers migrate and sync too; the last call is start
        expect(r.stdout.split('\n').filter((line) => line.startsWith('args='))).toEqual(['args=migrate', `args=contracts sync ${contractsFile}`, 'args=start --only ingest']);
      }
    });
  });
});

/** the HEALTHCHECK command of the Dockerfile's last stage, as an exec-form argument list */
function dockerfileHealthCheck(): string[] {
  const text = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, '');
  const match = /^HEALTHCHECK .*?CMD (\[.*\])$/m.exec(text);
  if (!match?.[1]) throw new Error('no exec-form HEALTHCHECK in the Dockerfile');
  return JSON.parse(match[1]) as string[];
}

describe('Dockerfile and docker-compose.yml (as text: Docker is not on this machine)', () => {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const stages = dockerfile.split(/^(?=FROM )/m).filter((part) => part.startsWith('FROM '));
  const runtime = stages.at(-1) ?? '';

  it('builds in one stage and runs compiled code with production dependencies, as a non-root user, in the last', () => {
    expect(stages[0]).toMatch(/^RUN npm ci\b(?!.*--omit=dev)/m);
    expect(stages[0]).toMatch(/^RUN npm run build$/m);
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev\b/m);
    expect(runtime).toMatch(/^FROM production-deps AS runtime$/m);
    expect(dockerfile).toMatch(/^FROM node:20-slim AS production-deps$/m);
    // only what the bot needs at run time
    const copied = [...runtime.matchAll(/^COPY (?:--from=build )?(\S+)/gm)].map((m) => m[1]);
    expect(copied).toEqual(['/app/dist', 'templates', 'drizzle', 'bin', 'docker/entrypoint.sh']);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^STOPSIGNAL SIGTERM$/m);
    expect(runtime).toMatch(/^ENTRYPOINT \["\/usr\/local\/bin\/helpdesk-entrypoint"\]$/m);
    expect(dockerfileHealthCheck()[0]).toBe('node');
    // patch-package runs at `npm ci --omit=dev`: it must be a production dependency
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; scripts: Record<string, string> };
    expect(pkg.scripts.postinstall).toBe('patch-package');
    expect(pkg.dependencies['patch-package']).toBeDefined();
  });

  it('keeps secrets and local state out of the build context', () => {
    const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['.git', 'node_modules', 'dist', '.services', '.env', 'secrets', 'contracts.yaml']) expect(ignored).toContain(entry);
  });

  it('compose: `docker compose up` runs postgres, redis and the bot; the demo mail server only with --profile demo', () => {
    const compose = parseYaml(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, Record<string, unknown> & { profiles?: string[] }>;
      secrets: Record<string, { file: string }>;
    };
    const always = Object.entries(compose.services).filter(([, s]) => !s.profiles).map(([name]) => name);
    expect(always.sort()).toEqual(['bot', 'postgres', 'redis']);
    for (const name of ['dovecot', 'smtp', 'mailpit']) expect(compose.services[name]?.profiles).toContain('demo');
    for (const name of always) expect(compose.services[name]).toMatchObject({ restart: 'unless-stopped' });
    for (const name of ['postgres', 'redis']) expect(compose.services[name]?.healthcheck).toBeDefined();

    const bot = compose.services.bot as Record<string, unknown> & {
      environment: Record<string, string>;
      depends_on: Record<string, { condition: string; required?: boolean }>;
      volumes: { type: string; target: string; read_only: boolean }[];
      stop_grace_period: string;
    };
    expect(bot).toMatchObject({ build: { context: '.', target: 'runtime' }, init: true, secrets: ['helpdesk_secret'] });
    expect(bot.environment).toMatchObject({ HELPDESK_SECRET_FILE: '/run/secrets/helpdesk_secret', CONTRACTS_FILE: '/etc/helpdesk/contracts.yaml' });
    expect(bot.environment.HELPDESK_SECRET).toBeUndefined();
    expect(bot.volumes).toContainEqual(expect.objectContaining({ type: 'bind', target: '/etc/helpdesk/contracts.yaml', read_only: true }));
    expect(compose.secrets.helpdesk_secret?.file).toMatch(/secrets\/helpdesk_secret\}$/);
    // a dependency on a demo service must not be required, or compose refuses the file without the profile
    for (const [name, dependency] of Object.entries(bot.depends_on)) {
      if (compose.services[name]?.profiles) expect(dependency.required).toBe(false);
    }
    // the grace period outlasts the bot's own stop timeout
    const stopTimeoutMs = Number(/:-(\d+)\}$/.exec(bot.environment.HELPDESK_STOP_TIMEOUT_MS ?? '')?.[1]);
    const graceMs = Number(/^(\d+)s$/.exec(bot.stop_grace_period)?.[1]) * 1000;
    expect(graceMs).toBeGreaterThan(stopTimeoutMs);
    // the demo's SMTP front is its own build stage
    expect(compose.services.smtp).toMatchObject({ build: { target: 'demo-smtp-relay' } });
    expect(dockerfile).toMatch(/^FROM production-deps AS demo-smtp-relay$/m);
  });
});
