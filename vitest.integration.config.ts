import { defineConfig } from 'vitest/config';

/**
 * `npm run test:integration`: tests that need a real service or program — Redis and a single-node Slurm
 * cluster (the sweep engine), a headless browser and the packed package installed into a temporary project.
 * Each lives under test-integration/<area>/, installs missing Debian packages when run as root, starts what
 * it needs on loopback under a temporary directory and stops every process it started; none is part of
 * `npm test`. One file at a time (they start daemons and train).
 */
export default defineConfig({
  test: {
    include: ['test-integration/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
