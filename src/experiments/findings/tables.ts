/**
 * The dissertation's printed tables beside ours. Table 5.3 (final-epoch test accuracy, sparsity and
 * selectivity for 1–5 hidden layers of 256 × four optimizers; the dissertation omits SGD and Adagrad at 5
 * layers for their low accuracy) is printed with three or four digits; ours is mean ± SEM over seeds at the
 * preset's last epoch (50), the layer metrics reduced over layers by the plain mean (eq. 5.1) as the original.
 */
import type { RunResult } from '../results.js';
import { mean, sem } from '../stats.js';
import { metricOf } from './analyses.js';

/** Table 5.3 as printed: [optimizer, hidden layers, accuracy, sparsity, selectivity]. */
export const TABLE_5_3_PRINTED: ReadonlyArray<readonly [string, number, number, number, number]> = [
  ['sgd', 1, 0.9765, 0.238, 0.3279],
  ['sgd', 2, 0.9776, 0.153, 0.2652],
  ['sgd', 3, 0.9742, 0.137, 0.2495],
  ['sgd', 4, 0.943, 0.219, 0.3439],
  ['adagrad', 1, 0.981, 0.6077, 0.6542],
  ['adagrad', 2, 0.981, 0.4544, 0.584],
  ['adagrad', 3, 0.978, 0.43, 0.512],
  ['adagrad', 4, 0.6812, 0.415, 0.426],
  ['adadelta', 1, 0.982, 0.331, 0.41],
  ['adadelta', 2, 0.983, 0.269, 0.395],
  ['adadelta', 3, 0.981, 0.329, 0.46],
  ['adadelta', 4, 0.979, 0.387, 0.524],
  ['adadelta', 5, 0.972, 0.406, 0.544],
  ['adam', 1, 0.981, 0.315, 0.392],
  ['adam', 2, 0.981, 0.336, 0.448],
  ['adam', 3, 0.981, 0.39, 0.522],
  ['adam', 4, 0.98, 0.43, 0.58],
  ['adam', 5, 0.98, 0.451, 0.611],
];

const f = (v: number): string => (Number.isFinite(v) ? v.toFixed(4) : 'n/a');

function stat(values: number[]): string {
  if (values.length === 0) return '—';
  return values.length > 1 ? `${f(mean(values))} ± ${f(sem(values))}` : f(values[0]);
}

/**
 * Table 5.3, ours beside the printed values, from the runs of the hidden-layers preset. Rows for every
 * (optimizer, depth) present in either; "diverged" counts runs left out.
 */
export function table53Markdown(runs: readonly RunResult[]): string {
  const lines = [
    '| optimizer | hidden layers | n | accuracy (ours) | printed | sparsity (ours) | printed | selectivity (ours) | printed |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const keys = new Set<string>(TABLE_5_3_PRINTED.map(([o, k]) => `${o}:${k}`));
  for (const r of runs) keys.add(`${r.header.config.optimizer.name}:${r.header.config.hidden.length}`);
  const order = ['sgd', 'adagrad', 'adadelta', 'adam'];
  const sorted = [...keys].sort((a, b) => {
    const [oa, ka] = a.split(':');
    const [ob, kb] = b.split(':');
    return (order.indexOf(oa) - order.indexOf(ob)) || Number(ka) - Number(kb);
  });
  for (const key of sorted) {
    const [opt, k] = key.split(':');
    const group = runs.filter((r) => r.header.config.optimizer.name === opt && r.header.config.hidden.length === Number(k));
    const done = group.filter((r) => r.diverged === null && r.epochs.length >= r.header.config.epochs);
    const values = (metric: string): number[] => done.map((r) => metricOf(r.epochs[r.epochs.length - 1], metric)).filter((v): v is number => v !== null);
    const printed = TABLE_5_3_PRINTED.find(([o, d]) => o === opt && d === Number(k));
    const p = (i: 2 | 3 | 4): string => (printed ? String(printed[i]) : 'omitted');
    const diverged = group.length - done.length;
    lines.push(
      `| ${opt} | ${k} | ${done.length}${diverged ? ` (+${diverged} diverged/incomplete)` : ''} | ${stat(values('test_acc'))} | ${p(2)} | ${stat(values('sparsity_mean'))} | ${p(3)} | ${stat(values('selectivity_mean'))} | ${p(4)} |`,
    );
  }
  return lines.join('\n');
}
