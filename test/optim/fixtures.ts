/**
 * Reading the PyTorch fixtures written by tools/reference/optim.py, and comparing float32 results with them.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export type Num = number | 'NaN' | 'Infinity' | '-Infinity';

export interface OptimizerCase {
  name: string;
  kwargs: Record<string, unknown>;
  groups: Array<{ params: number[]; options: Record<string, unknown> }> | null;
  params_after_step: Num[][][];
  state_dict_mid: TorchStateDict;
  state_dict_final: TorchStateDict;
}

export interface TorchStateDict {
  state: Record<string, Record<string, Num | Num[] | null>>;
  param_groups: Array<Record<string, unknown> & { params: number[] }>;
}

export interface OptimizerFixture {
  torch: string;
  optimizer: string;
  shapes: number[][];
  init: Num[][];
  grads: Array<Array<Num[] | null>>;
  mid_step: number;
  cases: OptimizerCase[];
}

export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(here, '..', 'fixtures', 'optim', name), 'utf8')) as T;
}

export function num(v: Num): number {
  return typeof v === 'number' ? v : Number(v);
}

export function f32(values: Num[]): Float32Array {
  return Float32Array.from(values, num);
}

/** torch kwargs (snake_case) → our options (camelCase). */
export function toOptions(kwargs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs)) out[k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())] = v;
  return out;
}

/** Distance in float32 units in the last place (0 when both are NaN or equal; Infinity when one is NaN). */
export function ulps(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return 0;
  const buf = new Float32Array([a, b]);
  const bits = new Int32Array(buf.buffer);
  const ordered = (x: number): number => (x < 0 ? -0x80000000 - x : x);
  return Math.abs(ordered(bits[0]) - ordered(bits[1]));
}

export interface Deviation {
  /** Largest |ours − torch| / max(|torch|, floor) seen. */
  rel: number;
  /** Largest distance in float32 ulps. */
  ulps: number;
  /** Number of values compared and how many differed at all. */
  count: number;
  differing: number;
  /** Where the largest relative deviation was. */
  where: string;
}

export function newDeviation(): Deviation {
  return { rel: 0, ulps: 0, count: 0, differing: 0, where: '' };
}

/**
 * Compare `ours` with torch's values, accumulating into `dev`; returns the first failure message or null.
 * Tolerance: |ours − torch| ≤ rtol·max(|torch|, floor). `floor` keeps values that pass near zero (a
 * parameter crossing 0, a moment average of a 1e-8 gradient) from turning a harmless absolute error into a
 * large relative one; callers pass a floor scaled to the tensor's magnitude.
 */
export function compare(ours: ArrayLike<number>, torch: Num[], rtol: number, floor: number, label: string, dev: Deviation): string | null {
  if (ours.length !== torch.length) return `${label}: length ${ours.length}, torch ${torch.length}`;
  let failure: string | null = null;
  for (let i = 0; i < ours.length; i++) {
    const t = num(torch[i]);
    const o = ours[i];
    dev.count++;
    const u = ulps(o, t);
    if (u !== 0) dev.differing++;
    dev.ulps = Math.max(dev.ulps, u);
    if (Number.isNaN(t) || Number.isNaN(o) || !Number.isFinite(t)) {
      if (u !== 0 && failure === null) failure = `${label}[${i}]: ours ${o}, torch ${t}`;
      continue;
    }
    const rel = Math.abs(o - t) / Math.max(Math.abs(t), floor);
    if (rel > dev.rel) {
      dev.rel = rel;
      dev.where = `${label}[${i}] ours ${o} torch ${t}`;
    }
    if (!(rel <= rtol) && failure === null) failure = `${label}[${i}]: ours ${o}, torch ${t}, relative deviation ${rel.toExponential(2)} > ${rtol}`;
  }
  return failure;
}

export function maxAbs(values: ArrayLike<Num>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const v = Math.abs(num(values[i]));
    if (Number.isFinite(v) && v > m) m = v;
  }
  return m;
}
