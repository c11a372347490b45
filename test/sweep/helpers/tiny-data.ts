/**
 * A small deterministic MNIST-shaped dataset (784 features, 10 classes) for the process-level sweep tests:
 * child processes load it in milliseconds instead of reading MNIST. Each class is a fixed random pattern plus
 * noise, so the nets learn something and the numbers vary from epoch to epoch.
 */
import type { Dataset } from '../../../src/data/index.js';
import type { RunData } from '../../../src/experiments/runner.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function make(name: string, count: number, seed: number): Dataset {
  const F = 784;
  const patterns = lcg(7);
  const proto = Array.from({ length: 10 }, () => Float32Array.from({ length: F }, () => (patterns() < 0.15 ? 1 : 0)));
  const r = lcg(seed);
  const images = new Float32Array(count * F);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const c = i % 10;
    labels[i] = c;
    for (let f = 0; f < F; f++) images[i * F + f] = Math.fround(Math.min(1, Math.max(0, proto[c][f] * 0.8 + (r() - 0.5) * 0.6)));
  }
  return { name, images, labels, count, features: F, rows: 28, cols: 28, numClasses: 10 };
}

export function loadData(): RunData {
  return { train: make('tiny-train', 1000, 1), test: make('tiny-test', 200, 2) };
}
