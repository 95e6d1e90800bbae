// What a refused configuration said: the details of the HelpdeskError that `fn` throws.
import { HelpdeskError } from '../../src/shared/errors.ts';

export function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof HelpdeskError) return [...err.details];
    throw err;
  }
  throw new Error('expected a HelpdeskError');
}
