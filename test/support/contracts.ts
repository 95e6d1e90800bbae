// Gives each test file its own copy of an example contracts file with every domain made
// unique, so mailboxes (and therefore acks) of parallel test files never mix.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const EXAMPLES_DIR = fileURLToPath(new URL('../../examples', import.meta.url));

export function isolateDomains(yamlText: string, suffix: string): string {
  return yamlText.replace(/\b([a-z0-9][a-z0-9-]*)\.(example|se|no|nl|lu|be|com|net|org)\b/gi, (_m, name: string, tld: string) => `${name}-${suffix}.${tld}`);
}

export function isolatedExample(name: string, suffix: string, edit: (text: string) => string = (t) => t): { file: string; text: string } {
  const text = edit(isolateDomains(readFileSync(path.join(EXAMPLES_DIR, name), 'utf8'), suffix));
  const dir = mkdtempSync(path.join(tmpdir(), 'helpdesk-test-'));
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return { file, text };
}
