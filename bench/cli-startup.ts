// How long does `helpdesk` take to answer? Runs `--help` and `contracts check` several times each,
// from the TypeScript sources through tsx (the baseline: what every command cost before the
// build) and from the compiled dist/ (what the published command and the image run), and prints
// the median and the worst, and the ratio compiled/sources. Target: under 0.5 s for both commands,
// compiled, on the 2-core machine. Builds dist/ first (npm run build).
// Run: npm run bench:cli [-- --runs 7]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PROJECT_ROOT } from '../src/shared/project-root.ts';
import { argValue, percentile, positiveNumber } from './bench-support.ts';

const RUNS = positiveNumber(argValue('runs'), 7, '--runs');
const BIN = path.join(PROJECT_ROOT, 'bin', 'helpdesk.mjs');
const TARGET_SECONDS = 0.5;
const COMMANDS: Record<string, string[]> = {
  '--help': ['--help'],
  'contracts check': ['contracts', 'check', path.join(PROJECT_ROOT, 'examples', 'trinax.yaml')],
};

function timeRuns(args: string[], fromSource: boolean, script: string = BIN): number[] {
  const env = { ...process.env, HELPDESK_FROM_SOURCE: fromSource ? '1' : '0' };
  const times: number[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const started = performance.now();
    const run = spawnSync(process.execPath, [script, ...args], { env, encoding: 'utf8' });
    const ms = performance.now() - started;
    if (run.status !== 0) throw new Error(`helpdesk ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
    if (i > 0) times.push(ms); // the first run warms the file cache (and tsx's transform cache)
  }
  return times.sort((a, b) => a - b);
}

const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
if (build.status !== 0) throw new Error(`npm run build failed: ${build.stdout}${build.stderr}`);

console.log(`cli start-up bench: ${RUNS} runs each (after one warm-up run), median and worst`);
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
// What Node itself takes to start and stop on this machine now: on a busy machine every figure
// below grows with it, so read them against this line.
const bare = timeRuns(['0'], false, '-e');
console.log(`  node -e 0         ${s(percentile(bare, 0.5))} (worst ${s(bare.at(-1)!)}): Node's own start-up, the floor of every figure`);
for (const [name, args] of Object.entries(COMMANDS)) {
  const sources = timeRuns(args, true);
  const compiled = timeRuns(args, false);
  const median = percentile(compiled, 0.5);
  console.log(
    `  ${name.padEnd(16)} sources ${s(percentile(sources, 0.5))} (worst ${s(sources.at(-1)!)})   compiled ${s(median)} (worst ${s(compiled.at(-1)!)})` +
      `   ratio ${(median / percentile(sources, 0.5)).toFixed(2)}   target < ${TARGET_SECONDS} s: ${median / 1000 < TARGET_SECONDS ? 'met' : 'NOT met'}`,
  );
}
