import { defineConfig } from 'vitest/config';

// Three tiers by folder (see docs/contributing.md, "Tests"): unit tests are pure and parallel; integration and e2e
// tests talk to the real services that scripts/services.sh starts, and get their own schema,
// mailbox users and queue prefix per file, so files may still run in parallel.
export default defineConfig({
  test: {
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
