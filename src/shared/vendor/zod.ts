// zod, imported by every module through this file. `npm run build` replaces its compiled copy
// with one file that holds zod itself (scripts/build.mjs): zod 4 is ~100 files (every locale is
// imported), and opening and linking them cost ~0.1 s of each `helpdesk` command's start-up.
// One copy for the whole process: a second one would make `instanceof z.ZodError` lie.
export { z } from 'zod';
