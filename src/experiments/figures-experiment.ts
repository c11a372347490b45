/**
 * Figures that know the experiment: the kinds a spec's `figures` names (src/experiments/spec.ts), drawn
 * from the summary plus each condition's configuration and condition label (from the run headers):
 *
 *   final-vs-param   the final epoch's value against a swept parameter (`param`, a config path), one line
 *                    per optimizer, ±SEM error bars; log x for learning rate and weight decay (or `logX`)
 *                    — Fig. 5.8–5.11, 5.13
 *   bars             grouped bars: condition × optimizer at the final epoch, ±SEM — Fig. 5.12, 5.14, 5.17–5.19
 *   per-layer        each hidden layer's value against epoch, a line per layer, one facet per condition with
 *                    more than one hidden layer — per-layer trajectories of deep nets (Fig. 5.7 over time)
 *   metric-vs-epoch  the figures of figures.ts (drawn there)
 *
 * Every optimizer has one colour in every figure ({@link optimizerColour}): the figures here colour by
 * optimizer, and figures.ts's legend uses the same colours whenever its conditions are plain optimizers.
 */
export { optimizerColour, optimizerColourScale } from './colours.js';
import type { RunConfig } from './config.js';
import { optimizerColourScale } from './colours.js';
import { metricTitle } from './figures-data.js';
import { VEGA_LITE_SCHEMA, type VegaLiteSpec } from './figures-specs.js';
import type { FigureSpec as ExperimentFigure, ExperimentSpec } from './spec.js';
import type { MetricName, SummaryRow } from './summary.js';
import type { RunResult } from './results.js';

/** One condition's identity: its config (seed aside), optimizer, condition label and block. */
export interface ConditionInfo {
  config: RunConfig;
  optimizer: string;
  condition: string;
}

/** Condition info by config hash, from the run headers (older files without labels use the summary label). */
export function conditionsByHash(runs: readonly RunResult[]): Map<string, ConditionInfo> {
  const out = new Map<string, ConditionInfo>();
  for (const r of runs) {
    const h = r.header;
    if (out.has(h.config_hash)) continue;
    out.set(h.config_hash, { config: h.config, optimizer: h.config.optimizer.name, condition: h.condition ?? '' });
  }
  return out;
}

function valueAt(config: unknown, path: string): unknown {
  let v: unknown = config;
  for (const k of path.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return Array.isArray(v) && v.length === 1 ? v[0] : v;
}

function inBlocks(condition: string, blocks: readonly string[] | undefined): boolean {
  return !blocks || blocks.some((b) => condition === b || condition.startsWith(`${b} `));
}

function lastRows(rows: readonly SummaryRow[]): SummaryRow[] {
  const last = new Map<string, SummaryRow>();
  for (const r of rows) if ((last.get(r.hash)?.epoch ?? -1) < r.epoch) last.set(r.hash, r);
  return [...last.values()];
}

const LOG_PARAMS = /(^|\.)(lr|weightDecay)$/;

export interface DrawnFigure {
  name: string;
  caption: string;
  spec: VegaLiteSpec;
}

function stat(r: SummaryRow, m: MetricName): { mean: number; lo: number; hi: number; n: number } | null {
  const s = (r.metrics as Record<string, { mean: number; sem: number; n: number } | undefined>)[m];
  if (!s || !Number.isFinite(s.mean)) return null;
  const sem = Number.isFinite(s.sem) ? s.sem : 0;
  return { mean: s.mean, lo: s.mean - sem, hi: s.mean + sem, n: s.n };
}

function panels(title: string, subtitle: string, specs: VegaLiteSpec[]): VegaLiteSpec {
  return { $schema: VEGA_LITE_SCHEMA, title: { text: title, subtitle }, hconcat: specs, resolve: { scale: { color: 'shared' } } };
}

const SEM = '± standard error of the mean over seeds';
const EPOCH = { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1, format: 'd' } };
const LAYER = { field: 'layer', type: 'nominal', legend: { symbolOpacity: 1 } };

/** The figures a spec names (all but metric-vs-epoch), as Vega-Lite specifications. */
export function experimentFigures(spec: ExperimentSpec, rows: readonly SummaryRow[], runs: readonly RunResult[], defaultMetrics: MetricName[]): DrawnFigure[] {
  const info = conditionsByHash(runs);
  const finals = lastRows(rows).filter((r) => info.has(r.hash));
  const out: DrawnFigure[] = [];
  (spec.figures ?? []).forEach((f: ExperimentFigure, i) => {
    const metrics = (f.metrics as MetricName[] | undefined) ?? defaultMetrics;
    const chosen = finals.filter((r) => inBlocks(info.get(r.hash)!.condition, f.blocks));
    const names = [...new Set(chosen.map((r) => info.get(r.hash)!.optimizer))];
    const colour = { field: 'optimizer', type: 'nominal', title: 'optimizer', scale: optimizerColourScale(names) };
    const epochs = [...new Set(chosen.map((r) => r.epoch))].join('/');
    if (f.kind === 'final-vs-param' && f.param) {
      const logX = f.logX ?? LOG_PARAMS.test(f.param);
      const data = metrics.map((m) =>
        chosen.flatMap((r) => {
          const s = stat(r, m);
          const x = valueAt(info.get(r.hash)!.config, f.param!);
          return s && typeof x === 'number' && (!logX || x > 0) ? [{ optimizer: info.get(r.hash)!.optimizer, x, ...s }] : [];
        }),
      );
      if (data.every((d) => d.length === 0)) return;
      const x = { field: 'x', type: 'quantitative', title: f.param, scale: logX ? { type: 'log' } : { zero: false } };
      out.push({
        name: `${spec.name}-${i}-final-vs-${f.param.replace(/[^A-Za-z0-9]+/g, '_')}`,
        caption: `${f.title ?? `Final-epoch values against ${f.param}`} (epoch ${epochs}; ${logX ? 'log x; ' : ''}one line per optimizer; error bars: ${SEM}).`,
        spec: panels(
          f.title ?? `${spec.title}: final epoch against ${f.param}`,
          `epoch ${epochs}; error bars ${SEM}`,
          metrics.map((m, k) => ({
            width: 240,
            height: 200,
            data: { values: data[k] },
            layer: [
              { mark: { type: 'line', point: true }, encoding: { x, y: { field: 'mean', type: 'quantitative', title: metricTitle(m), scale: { zero: false } }, color: colour } },
              { mark: 'rule', encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color: colour } },
            ],
          })),
        ),
      });
    } else if (f.kind === 'bars') {
      const data = metrics.map((m) =>
        chosen.flatMap((r) => {
          const s = stat(r, m);
          const c = info.get(r.hash)!;
          return s ? [{ optimizer: c.optimizer, condition: c.condition || 'default', ...s }] : [];
        }),
      );
      if (data.every((d) => d.length === 0)) return;
      // conditions in the spec's order (its blocks, then each block's points in plan order: runs' config order)
      const blockIndex = (c: string): number => {
        const i = (spec.conditions ?? []).findIndex((b) => c === b.name || c.startsWith(`${b.name} `));
        return i < 0 ? Number.MAX_SAFE_INTEGER : i;
      };
      const order = new Map(runs.map((r, k) => [r.header.condition ?? '', k]));
      const conditions = [...new Set(data.flat().map((d) => d.condition))].sort(
        (a, b) => blockIndex(a) - blockIndex(b) || (order.get(a) ?? 0) - (order.get(b) ?? 0),
      );
      out.push({
        name: `${spec.name}-${i}-bars`,
        caption: `${f.title ?? 'Final-epoch values per condition and optimizer'} (epoch ${epochs}; error bars: ${SEM}).`,
        spec: panels(
          f.title ?? `${spec.title}: final epoch per condition`,
          `epoch ${epochs}; error bars ${SEM}`,
          metrics.map((m, k) => ({
            width: Math.max(160, 40 * conditions.length),
            height: 200,
            data: { values: data[k] },
            encoding: { x: { field: 'condition', type: 'nominal', title: null, sort: conditions, axis: { labelAngle: -30 } }, xOffset: { field: 'optimizer', scale: { domain: names } } },
            layer: [
              { mark: 'bar', encoding: { y: { field: 'mean', type: 'quantitative', title: metricTitle(m) }, color: colour } },
              { mark: { type: 'rule', color: 'black' }, encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
            ],
          })),
        ),
      });
    } else if (f.kind === 'per-layer') {
      const deep = rows.filter((r) => r.layers.length > 1 && info.has(r.hash) && inBlocks(info.get(r.hash)!.condition, f.blocks));
      if (deep.length === 0) return;
      const layerMetrics = metrics.filter((m) => m === 'sparsity_mean' || m === 'selectivity_mean');
      const data = layerMetrics.map((m) =>
        deep.flatMap((r) =>
          r.layers.flatMap((l, li) => {
            const s = l[m as 'sparsity_mean' | 'selectivity_mean'];
            return s && Number.isFinite(s.mean) ? [{ condition: r.label, layer: `layer ${li + 1}`, epoch: r.epoch, mean: s.mean, lo: s.mean - (Number.isFinite(s.sem) ? s.sem : 0), hi: s.mean + (Number.isFinite(s.sem) ? s.sem : 0) }] : [];
          }),
        ),
      );
      out.push({
        name: `${spec.name}-${i}-per-layer`,
        caption: `${f.title ?? 'Each hidden layer against epoch'}, one facet per condition with more than one hidden layer (band: ${SEM}).`,
        spec: {
          $schema: VEGA_LITE_SCHEMA,
          title: { text: f.title ?? `${spec.title}: per hidden layer`, subtitle: `band ${SEM}` },
          vconcat: layerMetrics.map((m, k) => ({
            data: { values: data[k] },
            facet: { column: { field: 'condition', type: 'nominal', title: null } },
            spec: {
              width: 160,
              height: 140,
              layer: [
                { mark: { type: 'area', opacity: 0.2 }, encoding: { x: EPOCH, y: { field: 'lo', type: 'quantitative', title: metricTitle(m) }, y2: { field: 'hi' }, color: LAYER } },
                { mark: { type: 'line', point: true }, encoding: { x: EPOCH, y: { field: 'mean', type: 'quantitative', scale: { zero: false } }, color: LAYER } },
              ],
            },
          })),
        },
      });
    }
  });
  return out;
}
