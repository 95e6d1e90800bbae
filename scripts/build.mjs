// `npm run build`: the TypeScript sources compiled to dist/ by tsc (tsconfig.build.json), then the
// vendor modules (src/shared/vendor/*.ts) re-built by esbuild with their package inside, so the
// compiled `helpdesk` loads zod and yaml as one file each (bench/cli-startup.ts measures it).
// dist/.built is written last: bin/helpdesk.mjs runs dist/ only when it is there and newer than
// every source file.
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, 'dist');
rmSync(dist, { recursive: true, force: true });

const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

const vendorDir = path.join(root, 'src', 'shared', 'vendor');
const entryPoints = readdirSync(vendorDir)
  .filter((name) => name.endsWith('.ts'))
  .map((name) => ({ in: path.join(vendorDir, name), out: name.replace(/\.ts$/, '') }));
await build({
  entryPoints,
  outdir: path.join(dist, 'src', 'shared', 'vendor'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  // yaml's Node entry is CommonJS and requires node built-ins; an ES module has no `require`.
  banner: { js: "import { createRequire as vendorRequire } from 'node:module'; const require = vendorRequire(import.meta.url);" },
  sourcemap: true,
  logLevel: 'warning',
});

writeFileSync(path.join(dist, '.built'), '');
