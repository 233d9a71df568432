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
    // Real programs over real sockets: one unexplained failure of the 50-user sipp run was seen in about ten
    // full runs (not reproducible since). One retry keeps such a hiccup from failing CI; a real defect fails twice.
    retry: 1,
  },
});
