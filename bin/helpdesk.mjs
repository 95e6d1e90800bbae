#!/usr/bin/env node
// Entry point of the `helpdesk` executable. Runs the compiled JavaScript in dist/ (`npm run build`)
// when it is there and newer than every source file; otherwise the TypeScript sources through tsx,
// so a checkout works without a build step and never runs a stale build. HELPDESK_FROM_SOURCE=1
// forces the sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const stamp = path.join(root, 'dist', '.built');
const compiledMain = path.join(root, 'dist', 'src', 'cli', 'main.js');

/** the newest modification time of the .ts files under dir (0 when there is no such folder) */
function newestSource(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function compiledIsCurrent() {
  if (process.env.HELPDESK_FROM_SOURCE === '1' || !existsSync(stamp) || !existsSync(compiledMain)) return false;
  const builtAt = statSync(stamp).mtimeMs;
  return newestSource(path.join(root, 'src')) <= builtAt && newestSource(path.join(root, 'workers')) <= builtAt;
}

if (compiledIsCurrent()) {
  await import(pathToFileURL(compiledMain).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
