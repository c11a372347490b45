/**
 * The data layer of the dissertation's figures (dissertation-figures.ts): runs read from one or more preset
 * folders of `results/dissertation/`, grouped into conditions (one config hash = one condition, its seeds
 * the replicates), and reduced to mean ± SEM over seeds per epoch.
 *
 * Only finished, finite runs go in: a diverged run is counted (so captions can say it was left out) but
 * contributes no values; an unfinished run (still being trained) is skipped. A run id found in two
 * folders (presets that share runs, e.g. conv's MLP reference and baseline) is read once, from the first.
 * A folder may hold plain `*.jsonl` files and gzipped `*.jsonl.gz` ones (committed results kept small).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { EpochRecord } from './records.js';
import { isComplete, parseResults, readResultsDir, type RunResult } from './results.js';
import { epochMetricValues, meanSem, type MetricStat } from './summary.js';

/** A finished run with the preset folder it came from. */
export interface FigureRun extends RunResult {
  preset: string;
}

export interface LoadedRuns {
  /** Finished runs that did not diverge. */
  runs: FigureRun[];
  /** Runs that diverged (left out of every figure). */
  diverged: FigureRun[];
  /** The presets (of those asked for) that have at least one run on disk. */
  presetsWithRuns: string[];
  /** Runs still being trained (not yet in any figure). */
  unfinished: number;
}

/** Every run of a preset folder: its `*.jsonl` files, then its `*.jsonl.gz` files (a run id in both is an error). */
export function readPresetDir(dir: string): RunResult[] {
  const runs = readResultsDir(dir).runs;
  const ids = new Map(runs.map((r) => [r.header.run, r.source]));
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.jsonl.gz')).sort()) {
    const path = join(dir, f);
    for (const r of parseResults(gunzipSync(readFileSync(path)).toString('utf8'), path).runs) {
      if (ids.has(r.header.run)) throw new Error(`readPresetDir: run ${r.header.run} is in both ${ids.get(r.header.run)} and ${path}`);
      ids.set(r.header.run, path);
      runs.push(r);
    }
  }
  return runs;
}

/** Reads the runs of `presets` under `root` (folders that do not exist simply contribute nothing). */
export function loadPresetRuns(root: string, presets: readonly string[]): LoadedRuns {
  const seen = new Set<string>();
  const runs: FigureRun[] = [];
  const diverged: FigureRun[] = [];
  const presetsWithRuns: string[] = [];
  let unfinished = 0;
  for (const preset of presets) {
    const dir = join(root, preset);
    if (!existsSync(dir)) continue;
    const all = readPresetDir(dir);
    if (all.length > 0) presetsWithRuns.push(preset);
    for (const r of all) {
      if (seen.has(r.header.run)) continue;
      if (!isComplete(r)) {
        unfinished++;
        continue;
      }
      seen.add(r.header.run);
      (r.diverged ? diverged : runs).push({ ...r, preset });
    }
  }
  return { runs, diverged, presetsWithRuns, unfinished };
}

/** A per-epoch scalar of one run (null where undefined). */
export type EpochValue = (e: EpochRecord) => number | null;

function layerMean(layers: EpochRecord['layers'] | undefined, key: 'sparsity_mean' | 'selectivity_mean'): number | null {
  if (!layers || layers.length === 0) return null;
  let s = 0;
  for (const l of layers) {
    const v = l[key];
    if (v === null || !Number.isFinite(v)) return null;
    s += v;
  }
  return s / layers.length;
}

/**
 * The scalars the figures draw, by name. Layer metrics are the plain mean over hidden layers (eq. 5.1);
 * the products (Fig. 6.2) are formed per run and epoch, then averaged over seeds.
 */
export const EPOCH_VALUES: Record<string, { title: string; value: EpochValue }> = {
  test_acc: { title: 'test accuracy', value: (e) => e.test_acc },
  sparsity: { title: 'sparsity (Hoyer)', value: (e) => epochMetricValues(e).sparsity_mean ?? null },
  selectivity: { title: 'selectivity (CCMAS)', value: (e) => epochMetricValues(e).selectivity_mean ?? null },
  train_sparsity: { title: 'sparsity, training stream', value: (e) => layerMean(e.train_layers, 'sparsity_mean') },
  train_selectivity: { title: 'selectivity, training stream', value: (e) => layerMean(e.train_layers, 'selectivity_mean') },
  acc_x_sparsity: { title: 'test accuracy × sparsity', value: (e) => mul(e.test_acc, layerMean(e.layers, 'sparsity_mean')) },
  acc_x_selectivity: { title: 'test accuracy × selectivity', value: (e) => mul(e.test_acc, layerMean(e.layers, 'selectivity_mean')) },
};

function mul(a: number, b: number | null): number | null {
  return b === null ? null : a * b;
}

export function epochValue(name: string): EpochValue {
  const v = EPOCH_VALUES[name];
  if (!v) throw new Error(`dissertation figures: unknown value "${name}"; expected one of ${Object.keys(EPOCH_VALUES).join(', ')}`);
  return v.value;
}

export function valueTitle(name: string): string {
  return EPOCH_VALUES[name]?.title ?? name;
}

/** One condition: the runs (seeds) sharing a config hash. */
export interface Condition {
  hash: string;
  optimizer: string;
  /** The condition's label within its figure (see {@link conditionLabel}). */
  label: string;
  runs: FigureRun[];
}

/** How a figure names a condition: from the run header, the hidden depth, the model kind or the preset. */
export type ConditionLabeller = 'header' | 'depth' | 'model' | 'preset';

function stripOptimizer(label: string, optimizer: string): string {
  return label
    .split(' ')
    .filter((t) => t !== optimizer && t !== '')
    .join(' ');
}

export function conditionLabel(run: FigureRun, by: ConditionLabeller): string {
  const c = run.header.config;
  if (by === 'depth') return `HL${c.hidden.length}`;
  if (by === 'model') return c.model?.kind ?? 'mlp';
  if (by === 'preset') return run.preset;
  // a spec without condition blocks labels its runs "default" (older files: no label): name them by their preset
  const label = stripOptimizer(run.header.condition ?? '', c.optimizer.name);
  return label === '' || label === 'default' ? run.preset : label;
}

/** Groups runs by config hash, in the order first seen. */
export function conditionsOf(runs: readonly FigureRun[], by: ConditionLabeller = 'header'): Condition[] {
  const out = new Map<string, Condition>();
  for (const r of runs) {
    const h = r.header.config_hash;
    const c = out.get(h) ?? { hash: h, optimizer: r.header.config.optimizer.name, label: conditionLabel(r, by), runs: [] };
    c.runs.push(r);
    out.set(h, c);
  }
  return [...out.values()];
}

/** mean ± SEM over a condition's seeds of `value` at `epoch` (1-based); null when no seed has a finite value. */
export function statAt(c: Condition, epoch: number, value: EpochValue): (MetricStat & { lo: number; hi: number }) | null {
  const vs: number[] = [];
  for (const r of c.runs) {
    const e = r.epochs[epoch - 1];
    const v = e ? value(e) : null;
    if (v !== null && Number.isFinite(v)) vs.push(v);
  }
  if (vs.length === 0) return null;
  const s = meanSem(vs);
  const sem = Number.isFinite(s.sem) ? s.sem : 0;
  return { ...s, lo: s.mean - sem, hi: s.mean + sem };
}

/** The last epoch every run of the condition has (its configured epochs, as only finished runs are read). */
export function finalEpoch(c: Condition): number {
  return Math.min(...c.runs.map((r) => r.epochs.length));
}

/** Reads a config path like "optimizer.betas.0" ("hidden.0" for the width); one-element arrays unwrap. */
export function configValue(config: unknown, path: string): unknown {
  let v: unknown = config;
  for (const k of path.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return Array.isArray(v) && v.length === 1 ? v[0] : v;
}

/**
 * The final epoch's per-unit CCMAS selectivity of a run, one array per hidden layer — the
 * selectivity-violin preset's `per_unit_selectivity` field; null when the run does not carry it.
 */
export function perUnitSelectivity(run: RunResult): number[][] | null {
  const last = run.epochs[run.epochs.length - 1] as (EpochRecord & { per_unit_selectivity?: unknown }) | undefined;
  const v = last?.per_unit_selectivity;
  if (!Array.isArray(v) || !v.every((l) => Array.isArray(l) && l.every((x) => x === null || typeof x === 'number'))) return null;
  return (v as Array<Array<number | null>>).map((l) => l.filter((x): x is number => x !== null && Number.isFinite(x)));
}
