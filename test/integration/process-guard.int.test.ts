// The process guard: an error nothing caught ends the process with code 1 and one fatal log line
// saying what and why, so a supervisor restarts it (run in a child process: the guard exits).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function runGuarded(body: string) {
  const script = `
    import { exitOnUnexpectedError } from './src/shared/process-guard.ts';
    import { createLogger } from './src/shared/logger.ts';
    exitOnUnexpectedError(createLogger('info'));
    ${body}
    setTimeout(() => console.log('still alive'), 2000);
  `;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
}

describe('process guard', () => {
  it('exits 1 on an exception thrown from a timer, logging it with its cause', () => {
    const r = runGuarded(`setImmediate(() => { throw new Error('socket gone', { cause: new Error('connect ECONNREFUSED') }); });`);
    expect(r.status).toBe(1);
    expect(r.stdout).not.toContain('still alive');
    const line = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(line).toMatchObject({ level: 60, err: 'socket gone', cause: 'connect ECONNREFUSED', kind: 'uncaughtException' });
  });

  it('exits 1 on a promise rejection nobody handled', () => {
    const r = runGuarded(`Promise.reject(new Error('nobody awaited me'));`);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({ err: 'nobody awaited me', kind: 'unhandledRejection' });
  });
});
