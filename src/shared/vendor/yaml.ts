// yaml, imported through this file for the same reason as zod (see zod.ts beside it): 70 files
// of the package become one in the compiled build.
export { parseDocument, visit, type YAMLError } from 'yaml';
