/**
 * The experiment's figures as SVG files, drawn with Vega-Lite and rendered headlessly by Vega.
 *
 * `renderFigures(summary, outDir)` writes, for whatever the summary holds:
 *
 *   test_acc.svg, sparsity.svg, selectivity.svg   one metric against epoch, a line per condition, ±SEM band
 *   accuracy_sparsity_selectivity.svg             the three side by side — the dissertation's Fig. 5.1
 *   loss.svg                                      train and test loss against epoch (dissertation 6.3.3)
 *   accuracy_vs_metrics.svg                       accuracy × sparsity and × selectivity (Fig. 5.5, 6.3.4)
 *   train_vs_test.svg                             training-stream vs test metrics (Fig. 5.2; only if measured)
 *   layers.svg                                    per-layer metrics at the final epoch (Fig. 5.7; only for
 *                                                 nets with more than one hidden layer)
 *
 * `vega` and `vega-lite` are optional dependencies: they are imported only when an SVG is rendered, so a
 * library user who never plots need not install them. With `format: 'vega-lite'` the specifications are
 * written as `.vl.json` files instead, which needs neither package (render them later with any Vega-Lite
 * tool). Everything is rendered in memory first and only then written, so a failure leaves no partial set.
 *
 * Unlike matplotlib (the dissertation's tool), Vega renders without a display or a canvas package; text
 * widths are estimated, so labels may sit a pixel or two off where a browser would measure them.
 */
import { removeDeadTemps, writeFileAtomic, makeDirs } from '../sweep/atomic.js';
import { join } from 'node:path';
import type { MetricName, Summary, SummaryRow } from './summary.js';
import { LAYER_METRICS } from './records.js';
import { hasMetric, metricTitle } from './figures-data.js';
import {
  lineBandSpec,
  layerBarSpec,
  panelSpec,
  scatterPanelSpec,
  seedSubtitle,
  seriesBandSpec,
  type VegaLiteSpec,
} from './figures-specs.js';

export {
  lineBandSpec,
  panelSpec,
  seriesBandSpec,
  scatterSpec,
  scatterPanelSpec,
  layerBarSpec,
  VEGA_LITE_SCHEMA,
  type VegaLiteSpec,
  type SpecOptions,
} from './figures-specs.js';
export { METRIC_TITLES, metricTitle, finalRows, labelsOf, legendTitle } from './figures-data.js';

export type FigureFormat = 'svg' | 'vega-lite';
export type FigureKind = 'metric' | 'panel' | 'loss' | 'scatter' | 'train-vs-test' | 'layers';
export const FIGURE_KINDS: readonly FigureKind[] = ['metric', 'panel', 'loss', 'scatter', 'train-vs-test', 'layers'];

export interface FigureOptions {
  /** Prefixed to every figure's title, e.g. "Baseline". */
  title?: string;
  /** The metrics drawn one per figure and side by side in the panel (default: accuracy, sparsity, selectivity). */
  metrics?: MetricName[];
  /** 'svg' (default; needs vega + vega-lite) or 'vega-lite' (writes the .vl.json specifications only). */
  format?: FigureFormat;
  /** Which figures to make (default: all that the summary has data for). */
  kinds?: FigureKind[];
}

/** A figure before rendering: its file stem, caption and specification. */
export interface FigureSpec {
  kind: FigureKind;
  /** File name without extension, e.g. "test_acc". */
  name: string;
  caption: string;
  spec: VegaLiteSpec;
}

export const DEFAULT_FIGURE_METRICS: MetricName[] = ['test_acc', 'sparsity_mean', 'selectivity_mean'];

/** File stems of the single-metric figures (short names for the usual ones). */
export function metricFileName(metric: MetricName): string {
  return metric === 'sparsity_mean' ? 'sparsity' : metric === 'selectivity_mean' ? 'selectivity' : metric;
}

const SEM_NOTE = 'Lines: mean over seeds; bands: ± standard error of the mean (sample std / √n).';

function rowsOf(summary: readonly SummaryRow[] | Summary): readonly SummaryRow[] {
  return Array.isArray(summary) ? summary : (summary as Summary).rows;
}

function prefixed(title: string | undefined, text: string): string {
  return title ? `${title}: ${text}` : text;
}

/**
 * The figures this summary supports, as specifications (pure; no rendering). Throws if the summary has no
 * rows, if an unknown kind is asked for, or if a requested metric has no finite value in any row.
 */
export function figureSpecs(summary: readonly SummaryRow[] | Summary, opts: Omit<FigureOptions, 'format'> = {}): FigureSpec[] {
  const rows = rowsOf(summary);
  if (rows.length === 0) throw new Error('figureSpecs: the summary has no rows (no run finished an epoch)');
  const kinds = opts.kinds ?? FIGURE_KINDS;
  for (const k of kinds) {
    if (!FIGURE_KINDS.includes(k)) throw new Error(`figureSpecs: unknown figure kind "${k}"; expected one of ${FIGURE_KINDS.join(', ')}`);
  }
  const metrics = opts.metrics ?? DEFAULT_FIGURE_METRICS;
  for (const m of metrics) {
    if (!hasMetric(rows, m)) throw new Error(`figureSpecs: metric "${m}" has no finite value in any summary row`);
  }
  const t = opts.title;
  const out: FigureSpec[] = [];
  if (kinds.includes('metric')) {
    for (const m of metrics) {
      out.push({
        kind: 'metric',
        name: metricFileName(m),
        caption: `${metricTitle(m)} against epoch. ${SEM_NOTE}`,
        spec: lineBandSpec(rows, m, { title: prefixed(t, metricTitle(m)) }),
      });
    }
  }
  if (kinds.includes('panel') && metrics.length > 1) {
    out.push({
      kind: 'panel',
      name: metrics.map(metricFileName).map((n) => (n === 'test_acc' ? 'accuracy' : n)).join('_'),
      caption: `${metrics.map(metricTitle).join(', ')} against epoch (cf. the dissertation's Fig. 5.1). ${SEM_NOTE}`,
      spec: panelSpec(rows, metrics, { title: prefixed(t, metrics.map(metricTitle).join(', ')) }),
    });
  }
  if (kinds.includes('loss') && hasMetric(rows, 'train_loss') && hasMetric(rows, 'test_loss')) {
    out.push({
      kind: 'loss',
      name: 'loss',
      caption: `Train loss (mean of the epoch's minibatch losses) and test loss (mean of the test batches' losses) against epoch (dissertation 6.3.3). ${SEM_NOTE}`,
      spec: seriesBandSpec(rows, [{ metric: 'train_loss', name: 'train' }, { metric: 'test_loss', name: 'test' }], 'cross-entropy loss', {
        title: prefixed(t, 'train and test loss'),
      }),
    });
  }
  const scatterX = (['sparsity_mean', 'selectivity_mean'] as MetricName[]).filter((m) => hasMetric(rows, m));
  if (kinds.includes('scatter') && hasMetric(rows, 'test_acc') && scatterX.length > 0) {
    out.push({
      kind: 'scatter',
      name: 'accuracy_vs_metrics',
      caption: `Test accuracy against ${scatterX.map(metricTitle).join(' and ')}, one point per epoch, joined in epoch order (dissertation Fig. 5.5 and 6.3.4). Error bars: ± SEM over seeds in both directions.`,
      spec: scatterPanelSpec(rows, scatterX, 'test_acc', { title: prefixed(t, `test accuracy against ${scatterX.map(metricTitle).join(' and ')}`) }),
    });
  }
  if (kinds.includes('train-vs-test') && hasMetric(rows, 'train_sparsity_mean') && hasMetric(rows, 'train_selectivity_mean')) {
    const panels = (['sparsity', 'selectivity'] as const).map((m) =>
      seriesBandSpec(
        rows,
        [
          { metric: `train_${m}_mean` as MetricName, name: 'training stream' },
          { metric: `${m}_mean` as MetricName, name: 'test set' },
        ],
        metricTitle(`${m}_mean`),
        { title: metricTitle(`${m}_mean`), width: 240, height: 200, subtitle: '' },
      ),
    );
    out.push({
      kind: 'train-vs-test',
      name: 'train_vs_test',
      caption: `Sparsity and selectivity measured on the training stream (every minibatch before its step) and on the test set (dissertation Fig. 5.2). ${SEM_NOTE}`,
      spec: {
        $schema: panels[0].$schema,
        title: { text: prefixed(t, 'training stream vs test set'), subtitle: seedSubtitle(rows) },
        hconcat: panels.map(({ $schema: _s, ...p }) => p),
        resolve: { scale: { color: 'shared', strokeDash: 'shared' } },
      },
    });
  }
  if (kinds.includes('layers') && rows.some((r) => r.layers.length > 1)) {
    const layerMetrics = LAYER_METRICS.filter((m) => m === 'sparsity_mean' || m === 'selectivity_mean');
    out.push({
      kind: 'layers',
      name: 'layers',
      caption: `Sparsity and selectivity of each hidden layer at each condition's final epoch (dissertation Fig. 5.7). Error bars: ± SEM over seeds.`,
      spec: layerBarSpec(rows, layerMetrics, { title: prefixed(t, 'per hidden layer at the final epoch') }),
    });
  }
  return out;
}

interface VegaModules {
  vega: typeof import('vega');
  vegaLite: typeof import('vega-lite');
}

let modules: Promise<VegaModules> | null = null;

// Not exported: its return type names vega's own types, which need the DOM lib; keeping it internal keeps them
// out of the published declarations (package, issue 15).
/** Imports vega and vega-lite on first use; a clear error if they are not installed. */
function loadVega(): Promise<VegaModules> {
  modules ??= (async () => {
    try {
      const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
      return { vega, vegaLite };
    } catch (err) {
      modules = null;
      const code = (err as { code?: string }).code;
      if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
        throw new Error(
          'rendering figures needs the optional packages "vega" and "vega-lite" (npm install --save-dev vega vega-lite), ' +
            `or use format "vega-lite" to write the specifications only. Import failed: ${(err as Error).message}`,
        );
      }
      throw err;
    }
  })();
  return modules;
}

/** Compiles a Vega-Lite specification and renders it to an SVG string, without a browser or canvas. */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const { vega, vegaLite } = await loadVega();
  const compiled = vegaLite.compile(spec as unknown as Parameters<typeof vegaLite.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Renders the summary's figures into `outDir` (created if missing) and returns the written paths, in the
 * order of {@link figureSpecs}. Accepts the summary's rows or the whole {@link Summary}.
 */
export async function renderFigures(summary: readonly SummaryRow[] | Summary, outDir: string, opts: FigureOptions = {}): Promise<string[]> {
  const format = opts.format ?? 'svg';
  if (format !== 'svg' && format !== 'vega-lite') {
    throw new Error(`renderFigures: format must be "svg" or "vega-lite", got ${JSON.stringify(format)}`);
  }
  if (typeof outDir !== 'string' || outDir === '') throw new Error(`renderFigures: outDir must be a directory path, got ${JSON.stringify(outDir)}`);
  const specs = figureSpecs(summary, opts);
  const files: Array<{ path: string; text: string }> = [];
  for (const f of specs) {
    if (format === 'svg') files.push({ path: join(outDir, `${f.name}.svg`), text: await renderSvg(f.spec) });
    else files.push({ path: join(outDir, `${f.name}.vl.json`), text: `${JSON.stringify(f.spec, null, 2)}\n` });
  }
  makeDirs(outDir);
  removeDeadTemps(outDir); // sweep: left by a process killed while writing figures
  for (const f of files) writeFileAtomic(f.path, f.text, 'figure'); // sweep: temp + rename, never half a file
  return files.map((f) => f.path);
}

/** The caption {@link figureSpecs} gives a figure file (by its file name), for reports. */
export function figureCaptions(summary: readonly SummaryRow[] | Summary, opts: Omit<FigureOptions, 'format'> = {}): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of figureSpecs(summary, opts)) {
    out.set(`${f.name}.svg`, f.caption);
    out.set(`${f.name}.vl.json`, f.caption);
  }
  return out;
}
