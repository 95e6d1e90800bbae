// A Postgres cluster and a Redis server of the test's own, for the fault tests: they are stopped,
// restarted and wiped in the middle of a test, which the shared services of scripts/services.sh
// (used by every other test file at the same time) must never be. Same binaries as the shared
// services; a cluster takes about a second to create.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import postgres from 'postgres';
import { runMigrations } from '../../src/db/client.ts';

const PG_BIN = process.env.HELPDESK_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const IS_ROOT = process.getuid?.() === 0;

/** A free loopback port (the kernel picks it; a race with another process is unlikely enough). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Postgres refuses to run as root: as root, run it as the user scripts/services.sh uses. */
function postgresUser(): string | null {
  if (!IS_ROOT) return null;
  for (const user of ['postgres', 'helpdesk-pg']) {
    if (spawnSync('id', ['-u', user]).status === 0) return user;
  }
  throw new Error('no postgres system user: run scripts/services.sh start once (it creates one)');
}

function runAs(user: string | null, command: string, args: string[]): void {
  const [file, argv] = user ? ['runuser', ['-u', user, '--', command, ...args]] : [command, args];
  const result = spawnSync(file, argv, { cwd: '/', encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr || result.stdout}`);
}

export interface PrivatePostgres {
  url: string;
  /** `fast` ends every session and shuts down cleanly (a restart); `immediate` is a crash */
  stop(mode?: 'fast' | 'immediate'): void;
  start(): void;
  destroy(): void;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const user = postgresUser();
  const dir = mkdtempSync('/tmp/hd-fault-pg-');
  chmodSync(dir, 0o755);
  if (user) {
    const uid = Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
    chownSync(dir, uid, -1);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  runAs(user, `${PG_BIN}/initdb`, ['-D', data, '-U', 'helpdesk', '--auth=trust', '--no-locale', '-E', 'UTF8']);
  const pgCtl = (args: string[]) => runAs(user, `${PG_BIN}/pg_ctl`, ['-D', data, '-w', '-t', '60', ...args]);
  const start = () =>
    pgCtl(['-l', join(dir, 'postgres.log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`, 'start']);
  start();
  const url = `postgres://helpdesk@127.0.0.1:${port}/helpdesk`;
  const admin = postgres(`postgres://helpdesk@127.0.0.1:${port}/postgres`, { max: 1, onnotice: () => {} });
  await admin.unsafe('create database helpdesk');
  await admin.end();
  await runMigrations(url);
  return {
    url,
    stop: (mode = 'fast') => pgCtl(['-m', mode, 'stop']),
    start,
    destroy() {
      try {
        pgCtl(['-m', 'immediate', 'stop']);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PrivateRedis {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    // ready when it answers PING
    for (let i = 0; i < 100; i++) {
      if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG') return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server on port ${port} did not answer`);
  };
  const stop = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((r) => running.once('exit', r));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, stop, start, destroy: stop };
}
