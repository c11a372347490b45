/**
 * CSV exports (RFC 4180: comma-separated, fields with a comma, quote or newline are quoted, quotes doubled;
 * "\n" line ends; a header row). Numbers print in JavaScript's shortest round-trip form; an undefined value
 * (NaN, e.g. the SEM of a single seed, or a metric that was undefined) is an empty field.
 *
 * - {@link summaryToCsv}: one row per condition and epoch: label, the varying configuration fields, epoch,
 *   seeds, diverged, then for each metric `<metric>` (mean over seeds) and `<metric>_sem`; for nets with
 *   several hidden layers also `layer<k>_<metric>` and `layer<k>_<metric>_sem` (k from 1, input side first).
 * - {@link runsToCsv}: the raw per-epoch values of every run, one row per run and epoch.
 */
import { LAYER_METRICS } from './records.js';
import type { RunResult } from './results.js';
import { CORE_METRICS, TRAIN_METRICS, WEIGHTED_METRICS, meanOverLayers, type MetricName, type Summary } from './summary.js';

export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = Array.isArray(v) ? v.join('x') : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}

export function summaryToCsv(summary: Summary): string {
  const groupKeys = [...new Set(summary.groups.flatMap((g) => Object.keys(g.group)))];
  const metricKeys: MetricName[] = [...CORE_METRICS];
  for (const k of [...TRAIN_METRICS, ...WEIGHTED_METRICS]) if (summary.rows.some((r) => r.metrics[k])) metricKeys.push(k);
  const layerCount = Math.max(0, ...summary.rows.map((r) => r.layers.length));
  const header = ['label', ...groupKeys, 'epoch', 'n', 'seeds', 'diverged', 'failed_to_train'];
  for (const k of metricKeys) header.push(k, `${k}_sem`);
  if (layerCount > 1) {
    for (let l = 1; l <= layerCount; l++) for (const k of LAYER_METRICS) header.push(`layer${l}_${k}`, `layer${l}_${k}_sem`);
  }
  const rows = summary.rows.map((r) => {
    const row: unknown[] = [r.label, ...groupKeys.map((k) => r.group[k]), r.epoch, r.seeds.length, r.seeds.join(' '), r.diverged, r.failed_to_train];
    for (const k of metricKeys) row.push(r.metrics[k]?.mean, r.metrics[k]?.sem);
    if (layerCount > 1) {
      for (let l = 0; l < layerCount; l++) for (const k of LAYER_METRICS) row.push(r.layers[l]?.[k].mean, r.layers[l]?.[k].sem);
    }
    return row;
  });
  return toCsv(header, rows);
}

/** Raw values: run, optimizer, seed, epoch, losses, accuracy, layer-mean metrics, per-layer metrics, seconds. */
export function runsToCsv(runs: readonly RunResult[]): string {
  const layerCount = Math.max(0, ...runs.flatMap((r) => r.epochs.map((e) => e.layers.length)));
  const hasTrain = runs.some((r) => r.epochs.some((e) => e.train_layers));
  const header = ['run', 'optimizer', 'seed', 'epoch', 'train_loss', 'test_loss', 'test_acc', ...LAYER_METRICS];
  if (hasTrain) header.push(...LAYER_METRICS.map((k) => `train_${k}`));
  if (layerCount > 1) for (let l = 1; l <= layerCount; l++) for (const k of LAYER_METRICS) header.push(`layer${l}_${k}`);
  header.push('seconds', 'diverged');
  const rows: unknown[][] = [];
  for (const r of runs) {
    for (const e of r.epochs) {
      const row: unknown[] = [r.header.run, r.header.config.optimizer.name, r.header.seed, e.epoch, e.train_loss, e.test_loss, e.test_acc];
      for (const k of LAYER_METRICS) row.push(meanOverLayers(e.layers, k));
      if (hasTrain) for (const k of LAYER_METRICS) row.push(e.train_layers ? meanOverLayers(e.train_layers, k) : null);
      if (layerCount > 1) for (let l = 0; l < layerCount; l++) for (const k of LAYER_METRICS) row.push(e.layers[l]?.[k]);
      row.push(e.seconds, '');
      rows.push(row);
    }
    if (r.diverged) {
      const row: unknown[] = [r.header.run, r.header.config.optimizer.name, r.header.seed, r.diverged.epoch];
      while (row.length < header.length - 1) row.push(null);
      row.push(r.diverged.reason);
      rows.push(row);
    }
  }
  return toCsv(header, rows);
}
