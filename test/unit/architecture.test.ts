// The layering of docs/architecture.md, checked on the source: every import points to the same
// layer or a lower one, and no file in src/ grows past 400 lines.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Lowest first. `app` is src/app.ts; `workers` the top-level folder; `http` (src/http/) is wired by app. */
const LAYERS: readonly (readonly string[])[] = [
  ['shared', 'db'],
  ['calendar', 'config', 'adapters'],
  ['contracts'],
  ['mail'],
  ['sla', 'billing'],
  ['tickets'],
  ['reports'],
  ['app', 'workers', 'http'],
  ['cli'],
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return filesUnder(full);
    return /\.(ts|mjs)$/.test(name) ? [full] : [];
  });
}

/** The module a file belongs to: its first folder under src/, `app` for src/app.ts, `workers`. */
function moduleOf(file: string): string {
  const relative = path.relative(ROOT, file).split(path.sep);
  if (relative[0] === 'workers') return 'workers';
  if (relative[1] === 'app.ts') return 'app';
  return relative[1]!;
}

function layerOf(module: string): number {
  const index = LAYERS.findIndex((layer) => layer.includes(module));
  if (index < 0) throw new Error(`module "${module}" has no layer in this test: add it to LAYERS and to docs/architecture.md`);
  return index;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/g), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)];
  return specifiers.map((m) => m[1]!).filter((s) => s.startsWith('.'));
}

const sources = [...filesUnder(path.join(ROOT, 'src')), ...filesUnder(path.join(ROOT, 'workers'))];

describe('architecture', () => {
  it('has every import point to the same layer or a lower one (table files may reference each other for foreign keys)', () => {
    const upward: string[] = [];
    for (const file of sources) {
      const from = moduleOf(file);
      for (const specifier of importsOf(file)) {
        const target = path.resolve(path.dirname(file), specifier);
        if (!target.startsWith(path.join(ROOT, 'src')) && !target.startsWith(path.join(ROOT, 'workers'))) continue;
        const to = moduleOf(target);
        if (from === to) continue;
        if (file.endsWith('.tables.ts') && target.endsWith('.tables.ts')) continue;
        if (layerOf(to) > layerOf(from)) upward.push(`${path.relative(ROOT, file)} → ${specifier} (${from} imports ${to})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('keeps the adapters free of domain modules', () => {
    const domain = ['contracts', 'mail', 'sla', 'billing', 'tickets', 'reports'];
    const offending = sources
      .filter((file) => moduleOf(file) === 'adapters')
      .flatMap((file) => importsOf(file).filter((s) => domain.includes(moduleOf(path.resolve(path.dirname(file), s)))).map((s) => `${path.relative(ROOT, file)} → ${s}`));
    expect(offending).toEqual([]);
  });

  it('imports the vendored packages only through src/shared/vendor (the build bundles them there)', () => {
    // A direct import would load a second copy of zod beside the bundled one in the compiled build.
    const vendored = readdirSync(path.join(ROOT, 'src', 'shared', 'vendor')).map((name) => name.replace(/\.ts$/, ''));
    expect(vendored).toEqual(expect.arrayContaining(['zod', 'yaml']));
    const direct = sources
      .filter((file) => !file.includes(`${path.sep}vendor${path.sep}`))
      .flatMap((file) => {
        const text = readFileSync(file, 'utf8');
        return [...text.matchAll(/from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]!).filter((s) => vendored.includes(s.split('/')[0]!)).map((s) => `${path.relative(ROOT, file)} → ${s}`);
      });
    expect(direct).toEqual([]);
  });

  it('has no source file in src/ longer than 400 lines', () => {
    const long = sources
      .filter((file) => file.includes(`${path.sep}src${path.sep}`))
      .map((file) => ({ file: path.relative(ROOT, file), lines: readFileSync(file, 'utf8').split('\n').length }))
      .filter((f) => f.lines > 400);
    expect(long).toEqual([]);
  });
});
