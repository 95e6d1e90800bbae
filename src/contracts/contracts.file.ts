// The one place that reads a contracts file from disk; everything else is pure (contracts.models.ts).
import { readFile } from 'node:fs/promises';
import { HelpdeskError } from '../shared/errors.ts';
import { parseContractsYaml } from './contracts.models.ts';
import type { ContractsConfig } from './contracts.types.ts';

/**
 * Reads and validates a contracts file. Throws HelpdeskError('contract.invalid_file') with the
 * message `${path}: N problems` and every problem in `details`, or `${path}: cannot be read (…)`.
 */
export async function loadContractsFile(path: string): Promise<ContractsConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error);
    throw new HelpdeskError('contract.invalid_file', `${path}: cannot be read (${reason})`, { cause: error });
  }
  return parseContractsYaml(text, path);
}
