/**
 * Summary rows → the flat records the figure specs plot: one record per condition, epoch (and series),
 * holding the mean over seeds and the ends of its ±SEM band.
 *
 * A point is left out — never drawn as 0 or as a gap-filling NaN — when its mean is not finite (every seed
 * of the condition diverged, or the metric is undefined for all of them). A point whose SEM is undefined
 * (only one seed finished) gets a zero-width band: the line is drawn, the missing spread is visible as such.
 */
import type { MetricName, MetricStat, SummaryRow } from './summary.js';
import type { LayerMetricName } from './records.js';

/** One plotted value: the mean over seeds with its band [mean − SEM, mean + SEM]. */
export interface BandPoint {
  label: string;
  epoch: number;
  /** Which curve of a condition this is, when a figure draws several (e.g. "train" and "test" loss). */
  series: string;
  mean: number;
  lo: number;
  hi: number;
  /** NaN-free: `null` when the SEM is undefined (n < 2). */
  sem: number | null;
  n: number;
}

/** Axis titles; the metric's key is used for anything not listed. */
export const METRIC_TITLES: Record<string, string> = {
  test_acc: 'test accuracy',
  test_loss: 'test loss',
  train_loss: 'train loss',
  sparsity_mean: 'sparsity (Hoyer)',
  sparsity_std: 'std of sparsity over images',
  selectivity_mean: 'selectivity (CCMAS)',
  selectivity_std: 'std of selectivity over units',
  train_sparsity_mean: 'sparsity (Hoyer), training stream',
  train_selectivity_mean: 'selectivity (CCMAS), training stream',
  sparsity_mean_weighted: 'sparsity (Hoyer), activation-weighted',
  selectivity_mean_weighted: 'selectivity (CCMAS), activation-weighted',
  seconds: 'seconds per epoch',
};

export function metricTitle(metric: string): string {
  return METRIC_TITLES[metric] ?? metric;
}

/** The row's statistic for `metric`, or undefined if the row does not have that metric at all. */
export function metricStat(row: SummaryRow, metric: MetricName): MetricStat | undefined {
  return (row.metrics as Partial<Record<MetricName, MetricStat>>)[metric];
}

/** True if at least one row has a finite mean for `metric`. */
export function hasMetric(rows: readonly SummaryRow[], metric: MetricName): boolean {
  return rows.some((r) => {
    const s = metricStat(r, metric);
    return s !== undefined && Number.isFinite(s.mean);
  });
}

export function bandPoint(label: string, epoch: number, series: string, stat: MetricStat): BandPoint | null {
  if (!Number.isFinite(stat.mean)) return null;
  const sem = Number.isFinite(stat.sem) ? stat.sem : null;
  const half = sem ?? 0;
  return { label, epoch, series, mean: stat.mean, lo: stat.mean - half, hi: stat.mean + half, sem, n: stat.n };
}

/** The band points of one metric over all conditions and epochs, in row order. */
export function metricPoints(rows: readonly SummaryRow[], metric: MetricName, series: string = metric): BandPoint[] {
  const out: BandPoint[] = [];
  for (const r of rows) {
    const s = metricStat(r, metric);
    if (s === undefined) continue;
    const p = bandPoint(r.label, r.epoch, series, s);
    if (p) out.push(p);
  }
  return out;
}

/** Condition labels in the order they first appear (the colour order of every figure). */
export function labelsOf(rows: readonly SummaryRow[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) seen.add(r.label);
  return [...seen];
}

/**
 * The legend's title: the name of the one field that tells the conditions apart when there is just one
 * (the baseline's "optimizer"), else "condition".
 */
export function legendTitle(rows: readonly SummaryRow[]): string {
  const keys = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r.group)) keys.add(k);
  return keys.size === 1 ? [...keys][0] : 'condition';
}

/** Each condition's last summarised epoch (the "final epoch" of tables and per-layer figures). */
export function finalRows(rows: readonly SummaryRow[]): SummaryRow[] {
  const last = new Map<string, SummaryRow>();
  for (const r of rows) {
    const prev = last.get(r.label);
    if (!prev || r.epoch > prev.epoch) last.set(r.label, r);
  }
  return labelsOf(rows).map((l) => last.get(l)!);
}

/** A paired point for accuracy × metric scatters: both coordinates with their bands. */
export interface PairPoint {
  label: string;
  epoch: number;
  x: number;
  xlo: number;
  xhi: number;
  y: number;
  ylo: number;
  yhi: number;
}

/** Points (x metric, y metric) per condition and epoch; epochs where either mean is undefined are left out. */
export function pairPoints(rows: readonly SummaryRow[], xMetric: MetricName, yMetric: MetricName): PairPoint[] {
  const out: PairPoint[] = [];
  for (const r of rows) {
    const xs = metricStat(r, xMetric);
    const ys = metricStat(r, yMetric);
    if (!xs || !ys) continue;
    const x = bandPoint(r.label, r.epoch, xMetric, xs);
    const y = bandPoint(r.label, r.epoch, yMetric, ys);
    if (!x || !y) continue;
    out.push({ label: r.label, epoch: r.epoch, x: x.mean, xlo: x.lo, xhi: x.hi, y: y.mean, ylo: y.lo, yhi: y.hi });
  }
  return out;
}

/** One bar of a per-layer figure: a layer metric of one condition at its final epoch. */
export interface LayerPoint {
  label: string;
  layer: string;
  mean: number;
  lo: number;
  hi: number;
}

/** Per-layer values at each condition's final epoch (dissertation Fig. 5.7); layers named HL1, HL2, … */
export function layerPoints(rows: readonly SummaryRow[], metric: LayerMetricName): LayerPoint[] {
  const out: LayerPoint[] = [];
  for (const r of finalRows(rows)) {
    r.layers.forEach((l, i) => {
      const p = bandPoint(r.label, r.epoch, metric, l[metric]);
      if (p) out.push({ label: r.label, layer: `HL${i + 1}`, mean: p.mean, lo: p.lo, hi: p.hi });
    });
  }
  return out;
}
