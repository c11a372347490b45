import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as root from '../src/index.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));

describe('the package', () => {
  it('maps every exports subpath to a source module that exists (dist/X.js is built from src/X.ts)', () => {
    const subpaths = Object.keys(pkg.exports).filter((k) => k !== './package.json');
    expect(subpaths).toEqual(['.', './tensor', './layers', './optim', './metrics', './data']);
    for (const key of subpaths) {
      const { import: js, types } = pkg.exports[key];
      expect(js).toMatch(/^\.\/dist\/.*\.js$/);
      expect(types).toBe(js.replace(/\.js$/, '.d.ts'));
      expect(existsSync(join(repo, js.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')))).toBe(true);
    }
  });

  it('re-exports every module from the root entry', () => {
    for (const name of ['Tensor', 'Rng', 'sgemm', 'Linear', 'mlp', 'CrossEntropyLoss', 'SGD', 'Adam', 'Adadelta', 'Adagrad', 'hoyerSparsity', 'ccmasSelectivity', 'loadMnist', 'makeSampler']) {
      expect(typeof (root as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(typeof root.experiments.runSweep).toBe('function');
  });

  it('declares only the runtime dependencies the README lists', () => {
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['cli-progress', 'commander', 'ndarray', 'ndarray-ops', 'seedrandom']);
    const readme = readFileSync(join(repo, 'README.md'), 'utf8');
    for (const dep of [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies).filter((d) => !d.startsWith('@types/'))]) {
      expect(readme, `README dependency table lists ${dep}`).toContain(dep);
    }
  });
});
