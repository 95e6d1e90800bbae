// The folder that holds package.json, templates/ and drizzle/, found from this file's own place:
// the same answer whether the code runs from src/ (through tsx) or compiled, from dist/src/.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}

export const PROJECT_ROOT = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));

/** true when this code runs compiled (dist/…/*.js), false when it runs from the .ts sources */
export const RUNS_COMPILED = import.meta.url.endsWith('.js');
