/**
 * The test matrices of tools/reference/metrics.py, rebuilt bit-for-bit in TypeScript.
 *
 * Both sides hash (seed, stream, row, column) with lowbias32, derive u, v ∈ [0, 1) on a 2⁻¹⁶ grid, combine
 * them with operations that are exact in float64 (u·v, 1 − u·v, u − v + ¼) and round once to float32
 * (Math.fround here, astype(float32) there: both round-to-nearest-even). The fixture stores a few elements
 * and the float64 sum of each matrix so a generator mismatch is reported as such, not as a metric error.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function mix(x: number): number {
  x >>>= 0;
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  return x;
}

function streamHash(seed: number, stream: number, r: number, c: number): number {
  const h0 = mix((Math.imul(seed, 0x9e3779b9) + stream) >>> 0);
  const h1 = mix((h0 + r) >>> 0);
  return mix((h1 + c) >>> 0);
}

export function hashLabels(seed: number, rows: number, classes: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) out[r] = streamHash(seed, 1, r, 0) % classes;
  return out;
}

export type Style = 'sigmoid' | 'relu' | 'signed';

export function hashMatrix(seed: number, rows: number, cols: number, classes: number, style: Style): Float32Array {
  const labels = hashLabels(seed, rows, classes);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const h = streamHash(seed, 0, r, c);
      const u = (h & 0xffff) / 65536;
      const v = (h >>> 16) / 65536;
      const hit = labels[r] === c % classes;
      let x: number;
      if (style === 'sigmoid') x = hit ? 1 - u * v : u * v;
      else if (style === 'relu') x = h >>> 30 === 0 || hit ? u : 0;
      else x = u - v + (hit ? 0.25 : 0);
      out[r * cols + c] = x;
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------ fixtures

export interface Expect {
  mean: number | null;
  stdSample: number | null;
  stdPopulation: number | null;
  count: number;
  undefinedCount: number;
  samples: number;
  [key: string]: unknown;
}

export interface ResultEntry {
  metric: 'hoyer' | 'gini' | 'fractionBelow' | 'trevesRolls' | 'ccmas';
  opts: Record<string, unknown>;
  threshold?: number;
  expect: Expect;
}

export interface FixtureCase {
  name: string;
  rows: number;
  cols: number;
  classes: number;
  matrix: { kind: 'hash'; seed: number; style: Style } | { kind: 'explicit'; data: number[] };
  labels: { kind: 'hash' } | { kind: 'explicit'; data: number[] };
  check: { elements: Array<[number, number, number]>; sum: number };
  results: ResultEntry[];
  original?: { hoyerMean: number; hoyerStdSample: number; ccmasMean: number; ccmasStdPopulation: number };
}

export interface Fixture {
  generator: string;
  numpy: string;
  torch: string;
  cases: FixtureCase[];
}

const here = dirname(fileURLToPath(import.meta.url));

export function loadFixture(): Fixture {
  return JSON.parse(readFileSync(join(here, '..', 'fixtures', 'metrics', 'metrics.json'), 'utf8')) as Fixture;
}

/** The case's float32 matrix and int labels. */
export function buildCase(c: FixtureCase): { data: Float32Array; labels: Int32Array } {
  if (c.matrix.kind === 'hash') {
    return {
      data: hashMatrix(c.matrix.seed, c.rows, c.cols, c.classes, c.matrix.style),
      labels: hashLabels(c.matrix.seed, c.rows, c.classes),
    };
  }
  const labels = c.labels.kind === 'explicit' ? Int32Array.from(c.labels.data) : new Int32Array(c.rows);
  return { data: Float32Array.from(c.matrix.data), labels };
}
