import { defineConfig } from 'vitest/config';

/**
 * `npm run test:integration`: tests against real services (Redis, a single-node Slurm cluster). Each test
 * installs missing Debian packages when run as root, starts its service on loopback under a temporary
 * directory, and stops every process it started. One file at a time (they start daemons and train).
 */
export default defineConfig({
  test: {
    include: ['test-integration/**/*.integration.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 300_000,
  },
});
