// Shape checks for values that arrive untyped (parsed YAML, JSON job data, header objects).

/** True for a key-value mapping: an object that is neither null nor an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
