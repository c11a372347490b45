/**
 * Per-condition, per-epoch summaries over seeds: mean ± standard error of the mean (SEM).
 *
 * A *condition* (a "group") is a run configuration without its seed; its runs are the seeds. For each
 * condition and epoch, every metric is summarised over the runs that finished that epoch:
 *
 *   mean = Σ xᵢ / n,   SEM = s / √n  with  s = √( Σ (xᵢ − mean)² / (n − 1) )  (the sample std),
 *
 * which is how the dissertation reports its three seeds. With n = 1 the SEM is undefined (NaN); with
 * n = 0 the mean is too. Values that are `null` in the results (undefined metrics) and runs that diverged
 * are left out and counted instead (`n`, `diverged`), never averaged in as NaN.
 *
 * Several hidden layers are reduced to one number per metric by the plain mean over layers (dissertation
 * eq. 5.1) before averaging over seeds; the per-layer values are kept in `layers` (Fig. 5.7) and the
 * activation-weighted mean (eq. 5.2) is in `metrics.*_weighted` when the net has more than one hidden layer.
 */
import { activationWeighted, aggregateLayers } from '../metrics/index.js';
import { DATASETS, type RunConfig } from './config.js';
import { groupLabels } from './labels.js';
import type { DivergedRecord, EpochRecord, HeaderRecord, LayerRecord } from './records.js';
import { LAYER_METRICS, type LayerMetricName } from './records.js';
import type { RunResult } from './results.js';

export { LAYER_METRICS, type LayerMetricName } from './records.js';

/** The metrics every summary row has. */
export const CORE_METRICS = [
  'train_loss',
  'test_loss',
  'test_acc',
  'sparsity_mean',
  'sparsity_std',
  'selectivity_mean',
  'selectivity_std',
  'seconds',
] as const;
export type CoreMetricName = (typeof CORE_METRICS)[number];

/** Present when the runs measured the training stream too (Sec. 5.3): the same four over training batches. */
export const TRAIN_METRICS = [
  'train_sparsity_mean',
  'train_sparsity_std',
  'train_selectivity_mean',
  'train_selectivity_std',
] as const;
export type TrainMetricName = (typeof TRAIN_METRICS)[number];

/** Present for nets with several hidden layers: eq. 5.2, layers weighted by their mean activation. */
export const WEIGHTED_METRICS = ['sparsity_mean_weighted', 'selectivity_mean_weighted'] as const;
export type WeightedMetricName = (typeof WEIGHTED_METRICS)[number];

export type MetricName = CoreMetricName | TrainMetricName | WeightedMetricName;

/** A metric over seeds: mean, SEM (sample std / √n), and n = how many finite values went in. */
export interface MetricStat {
  mean: number;
  sem: number;
  n: number;
}

export interface SummaryRow {
  /** Human-readable condition name, e.g. "adam" or "sgd lr=0.01". Unique within a summary. */
  label: string;
  /** The configuration fields that tell this condition apart from the others, e.g. `{ optimizer: 'adam' }`. */
  group: Record<string, unknown>;
  /** Hash of the condition's canonical configuration (without the seed). */
  hash: string;
  epoch: number;
  /** Seeds of the runs that finished this epoch (the values that went in). */
  seeds: number[];
  /** Runs of this condition that diverged at or before this epoch (left out of the statistics). */
  diverged: number;
  /** Runs of this condition flagged failed_to_train (complete, finite, but did not learn; kept in the statistics). */
  failed_to_train: number;
  metrics: Record<CoreMetricName, MetricStat> & Partial<Record<TrainMetricName | WeightedMetricName, MetricStat>>;
  /** Per hidden layer (input side first): the four layer metrics over seeds. */
  layers: Array<Record<LayerMetricName, MetricStat>>;
}

export interface RunStatus {
  run: string;
  seed: number;
  /** Epochs with a result line. */
  epochs: number;
  /** True when every configured epoch is recorded, or the run diverged. */
  complete: boolean;
  diverged: { epoch: number; step: number; reason: string } | null;
  /** Why a complete, finite run is judged not to have trained (see {@link failedToTrain}), else null. */
  failed_to_train: string | null;
}

/**
 * A run that finished every epoch with finite numbers but did not learn: its final test accuracy is at
 * chance level (≤ {@link FAILED_ACC_FACTOR} / classes), or its final train or test loss is far above where
 * training starts (> {@link FAILED_LOSS_FACTOR} · ln(classes), the cross-entropy of a uniform prediction,
 * which is about where an initialised net starts). E.g. a loss that grew to 1e31 without becoming NaN.
 * Such runs stay in the means (their numbers are real) and are counted in `failed_to_train`.
 */
export const FAILED_ACC_FACTOR = 1.5;
export const FAILED_LOSS_FACTOR = 3;

export function failedToTrain(config: RunConfig, epochs: readonly EpochRecord[]): string | null {
  if (epochs.length === 0 || epochs.length < config.epochs) return null;
  const classes = DATASETS[config.data.name]?.classes ?? 10;
  const last = epochs[epochs.length - 1];
  const chance = 1 / classes;
  if (last.test_acc <= FAILED_ACC_FACTOR * chance) {
    return `final test accuracy ${last.test_acc} is at chance level (1/${classes} = ${chance.toFixed(3)})`;
  }
  const start = Math.log(classes);
  for (const [name, v] of [['train', last.train_loss], ['test', last.test_loss]] as const) {
    if (v > FAILED_LOSS_FACTOR * start) return `final ${name} loss ${v} is far above the starting loss ln(${classes}) = ${start.toFixed(3)}`;
  }
  return null;
}

export interface SummaryGroup {
  label: string;
  group: Record<string, unknown>;
  hash: string;
  /** The configuration without the seed. */
  config: Omit<RunConfig, 'seed'>;
  runs: RunStatus[];
}

export interface Summary {
  /** Conditions in the order they were first seen. */
  groups: SummaryGroup[];
  /** Grouped by condition (in `groups` order), then by epoch. */
  rows: SummaryRow[];
}

/** mean ± SEM of the finite values; non-finite values must be filtered out by the caller. */
export function meanSem(values: readonly number[]): MetricStat {
  const n = values.length;
  if (n === 0) return { mean: NaN, sem: NaN, n: 0 };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  if (n === 1) return { mean, sem: NaN, n };
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  return { mean, sem: Math.sqrt(ss / (n - 1)) / Math.sqrt(n), n };
}

function definedValues(values: ReadonlyArray<number | null>): number[] | null {
  if (values.length === 0) return null;
  for (const v of values) if (v === null || !Number.isFinite(v)) return null;
  return values as number[];
}

/** Plain mean over layers (eq. 5.1, `aggregateLayers`); `null` if any layer's value is undefined. */
export function meanOverLayers(layers: readonly LayerRecord[], key: LayerMetricName): number | null {
  const v = definedValues(layers.map((l) => l[key]));
  return v === null ? null : aggregateLayers(v);
}

/**
 * Activation-weighted mean over layers (eq. 5.2, `activationWeighted`): Σₖ (Tₖ / Σᵢ Tᵢ) · vₖ with Tₖ the
 * layer's total activation; `null` if any value or total is undefined or the totals add up to 0.
 */
export function weightedOverLayers(layers: readonly LayerRecord[], key: LayerMetricName): number | null {
  const v = definedValues(layers.map((l) => l[key]));
  const t = definedValues(layers.map((l) => l.activation_sum));
  if (v === null || t === null || !(t.reduce((a, b) => a + b, 0) > 0)) return null;
  return activationWeighted(v, t);
}

interface Collected {
  header: HeaderRecord;
  epochs: EpochRecord[];
  diverged: DivergedRecord | null;
}

/** Every summary metric of one run at one epoch (layer metrics reduced over layers by eq. 5.1 / 5.2); null where undefined. */
export function epochMetricValues(e: EpochRecord): Partial<Record<MetricName, number | null>> {
  const out: Partial<Record<MetricName, number | null>> = {
    train_loss: e.train_loss,
    test_loss: e.test_loss,
    test_acc: e.test_acc,
    seconds: e.seconds,
  };
  for (const k of LAYER_METRICS) out[k] = meanOverLayers(e.layers, k);
  if (e.train_layers) {
    for (const k of LAYER_METRICS) out[`train_${k}`] = meanOverLayers(e.train_layers, k);
  }
  if (e.layers.length > 1) {
    out.sparsity_mean_weighted = weightedOverLayers(e.layers, 'sparsity_mean');
    out.selectivity_mean_weighted = weightedOverLayers(e.layers, 'selectivity_mean');
  }
  return out;
}

function finite(values: Array<number | null | undefined>): number[] {
  const out: number[] = [];
  for (const v of values) if (typeof v === 'number' && Number.isFinite(v)) out.push(v);
  return out;
}

/** Summarise runs (from `readResults` / {@link readResultsDir}) per condition and epoch. */
export function summarize(runs: readonly RunResult[]): Summary {
  const byHash = new Map<string, Collected[]>();
  for (const r of runs) {
    const list = byHash.get(r.header.config_hash) ?? [];
    list.push({ header: r.header, epochs: r.epochs, diverged: r.diverged });
    byHash.set(r.header.config_hash, list);
  }
  const hashes = [...byHash.keys()];
  const configs = hashes.map((h) => byHash.get(h)![0].header.config);
  const labels = groupLabels(configs);

  const groups: SummaryGroup[] = [];
  const rows: SummaryRow[] = [];
  hashes.forEach((hash, gi) => {
    const members = byHash.get(hash)!.slice().sort((a, b) => a.header.seed - b.header.seed);
    const { seed: _seed, ...config } = members[0].header.config;
    groups.push({
      label: labels[gi].label,
      group: labels[gi].group,
      hash,
      config,
      runs: members.map((m) => ({
        run: m.header.run,
        seed: m.header.seed,
        epochs: m.epochs.length,
        complete: m.diverged !== null || m.epochs.length === m.header.config.epochs,
        diverged: m.diverged ? { epoch: m.diverged.epoch, step: m.diverged.step, reason: m.diverged.reason } : null,
        failed_to_train: m.diverged ? null : failedToTrain(m.header.config, m.epochs),
      })),
    });
    const failed = groups[groups.length - 1].runs.filter((r) => r.failed_to_train !== null).length;
    // At least one row per condition, so one whose every seed diverged in epoch 1 still shows (n = 0).
    const maxEpoch = Math.max(1, ...members.map((m) => m.epochs.length));
    for (let epoch = 1; epoch <= maxEpoch; epoch++) {
      const present = members.filter((m) => m.epochs.length >= epoch);
      const values = present.map((m) => epochMetricValues(m.epochs[epoch - 1]));
      const stat = (k: MetricName): MetricStat => meanSem(finite(values.map((v) => v[k])));
      const metrics = {} as SummaryRow['metrics'];
      for (const k of CORE_METRICS) metrics[k] = stat(k);
      for (const k of [...TRAIN_METRICS, ...WEIGHTED_METRICS]) {
        if (values.some((v) => k in v)) metrics[k] = stat(k);
      }
      const layerCount = Math.max(0, ...present.map((m) => m.epochs[epoch - 1].layers.length));
      const layers: SummaryRow['layers'] = [];
      for (let l = 0; l < layerCount; l++) {
        const entry = {} as Record<LayerMetricName, MetricStat>;
        for (const k of LAYER_METRICS) entry[k] = meanSem(finite(present.map((m) => m.epochs[epoch - 1].layers[l]?.[k])));
        layers.push(entry);
      }
      rows.push({
        label: labels[gi].label,
        group: labels[gi].group,
        hash,
        epoch,
        seeds: present.map((m) => m.header.seed),
        diverged: members.filter((m) => m.diverged !== null && m.diverged.epoch <= epoch).length,
        failed_to_train: failed,
        metrics,
        layers,
      });
    }
  });
  return { groups, rows };
}
