import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Training tests are CPU-heavy; the machines have two cores.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
