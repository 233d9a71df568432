import { defineConfig } from 'vitest/config';

/**
 * End-to-end suites with real programs (Kamailio, linphonec, sipp, PostgreSQL): `npm run test:e2e`.
 * One file at a time: each file starts its own processes, and the machine has two cores.
 */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
  },
});
