/**
 * Shared benchmark harness: warm-up, repeated timed runs, median/min/max, a table for people and JSON lines
 * for machines. These machines are shared and noisy: benchmarks time their comparison baseline in the
 * same run and report ratios.
 */
import { performance } from 'node:perf_hooks';

export interface Timing {
  /** Seconds per call: median, min and max over the timed runs. */
  median: number;
  min: number;
  max: number;
  runs: number;
}

export interface TimeOptions {
  /** Untimed calls before measuring (JIT warm-up). Default 3. */
  warmup?: number;
  /** Timed samples. Default 7. */
  runs?: number;
  /** Each sample repeats `fn` until at least this many seconds pass, then divides. Default 0.05. */
  minSampleSeconds?: number;
}

export function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Seconds per call of one sample: wall clock and this process's CPU time (user + system). */
export interface Sample {
  wall: number;
  cpu: number;
}

/** Call `fn` repeatedly until at least `minSampleSeconds` of wall time pass; return the time per call. */
export function sample(fn: () => void, minSampleSeconds: number): Sample {
  let reps = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let t1 = t0;
  do {
    fn();
    reps++;
    t1 = performance.now();
  } while ((t1 - t0) / 1000 < minSampleSeconds);
  const cu = process.cpuUsage(c0);
  return { wall: (t1 - t0) / 1000 / reps, cpu: (cu.user + cu.system) / 1e6 / reps };
}

function timing(samples: number[], runs: number): Timing {
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples), runs };
}

/** Time `fn` (wall seconds per call). */
export function time(fn: () => void, options: TimeOptions = {}): Timing {
  return timeInterleaved([fn], options)[0];
}

/** Time several functions interleaved (a, b, c, a, b, c, …) so that machine noise hits all alike. */
export function timeInterleaved(fns: Array<() => void>, options: TimeOptions = {}): Timing[] {
  const { warmup = 3, runs = 7, minSampleSeconds = 0.05 } = options;
  for (const fn of fns) for (let i = 0; i < warmup; i++) fn();
  const samples: number[][] = fns.map(() => []);
  for (let r = 0; r < runs; r++) fns.forEach((fn, f) => samples[f].push(sample(fn, minSampleSeconds).wall));
  return samples.map((s) => timing(s, runs));
}

/** Print rows as an aligned text table. */
export function printTable(rows: Array<Record<string, string | number>>, out: (line: string) => void = console.log): void {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]);
  const cell = (v: string | number): string => (typeof v === 'number' ? formatNumber(v) : v);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c] ?? '').length)));
  out(cols.map((c, i) => c.padEnd(widths[i])).join('  '));
  out(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) out(cols.map((c, i) => (typeof r[c] === 'number' ? cell(r[c]).padStart(widths[i]) : cell(r[c] ?? '').padEnd(widths[i]))).join('  '));
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 0.01 || a >= 1e6)) return v.toExponential(2);
  return a >= 100 ? v.toFixed(1) : v.toFixed(3);
}

/** One JSON object per line on stdout. */
export function printJsonLine(record: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(record) + '\n');
}

/** `--name value` / `--flag` parsing for the small bench CLIs. */
export function hasFlag(args: string[], name: string): boolean {
  return args.includes(`--${name}`);
}
