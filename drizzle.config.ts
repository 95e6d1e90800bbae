import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  // drizzle-kit reads every module's table file itself: db/ imports no domain module.
  schema: './src/**/*.tables.ts',
  out: './drizzle',
});
