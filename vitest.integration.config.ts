import { defineConfig } from 'vitest/config';

/**
 * `npm run test:integration`: tests that need a real service or program (a headless browser, the packed
 * package installed into a temporary project; Redis and Slurm for the sweep). Each lives under
 * test-integration/<area>/ and starts and stops what it needs on loopback; none is part of `npm test`.
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
