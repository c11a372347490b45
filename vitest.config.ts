import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string): string => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // The README's examples import the package by name; in tests that name means the sources.
    alias: [
      { find: /^sparsity-lab$/, replacement: src('index.ts') },
      { find: /^sparsity-lab\/(tensor|layers|optim|metrics|data|ndarray)$/, replacement: src('$1/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Training tests are CPU-heavy; the machines have two cores.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
