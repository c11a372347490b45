/**
 * Vega-Lite specifications of the dissertation's figures, built from summary rows. Pure functions: they
 * return plain JSON objects and need neither vega nor vega-lite installed (only rendering does, see
 * figures.ts). Every figure shows the mean over seeds; where a band or error bar is drawn it is ± one
 * standard error of the mean (SEM), as the dissertation's "mean and standard error (n=3)".
 *
 *   lineBandSpec      one metric against epoch, a line per condition with its ±SEM band (Fig. 5.1 panels)
 *   panelSpec         several of those side by side, one shared legend (Fig. 5.1 itself)
 *   seriesBandSpec    two metrics per condition on one axis, told apart by dash (train vs test loss, 6.3.3)
 *   scatterSpec       metric × metric, epochs joined in order, ±SEM error bars both ways (Fig. 5.5 / 6.2)
 *   layerBarSpec      a layer metric per hidden layer at the final epoch, with error bars (Fig. 5.7)
 *
 * Differences from the dissertation's matplotlib figures: the accuracy × metric scatter joins a condition's
 * epochs in order (the original's Fig. 5.5 could not show which point came first), and conditions keep the
 * same colour in every figure (the colour domain is the label order of the summary).
 */
import type { MetricName, SummaryRow } from './summary.js';
import type { LayerMetricName } from './records.js';
import { labelsOf, layerPoints, legendTitle, metricPoints, metricTitle, pairPoints } from './figures-data.js';
import { allOptimizerNames, optimizerColourScale } from './colours.js';

/** A Vega-Lite specification as plain JSON (typed loosely so that vega-lite's types stay optional). */
export type VegaLiteSpec = { [key: string]: unknown };

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export interface SpecOptions {
  /** Figure title (default: the metric's name). */
  title?: string;
  subtitle?: string;
  width?: number;
  height?: number;
}

const SINGLE = { width: 360, height: 240 };
const PANEL = { width: 240, height: 200 };

/**
 * The colour encoding every figure shares. Every layer uses the same encoding (layers' legends merge into
 * one); the legend's symbol opacity is set explicitly, else it would take the 20 %-opaque band's.
 */
function colorEncoding(rows: readonly SummaryRow[], symbolType: 'stroke' | 'circle' | 'square' = 'stroke'): VegaLiteSpec {
  const domain = labelsOf(rows);
  return {
    field: 'label',
    type: 'nominal',
    title: legendTitle(rows),
    // category10 repeats after ten conditions (a 15-value learning-rate sweep); tableau20 does not until twenty
    // one fixed colour per optimizer (colours.ts) when the conditions are plain optimizers; otherwise
    // category10, which repeats after ten conditions (a 15-value learning-rate sweep), or tableau20
    scale: allOptimizerNames(domain) ? optimizerColourScale(domain) : { domain, scheme: domain.length > 10 ? 'tableau20' : 'category10' },
    legend: symbolType === 'stroke' ? { symbolType, symbolStrokeWidth: 2.5, symbolOpacity: 1 } : { symbolType, symbolOpacity: 1 },
  };
}

const EPOCH_AXIS = { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' } };

function titleOf(text: string, subtitle?: string): VegaLiteSpec {
  return subtitle ? { text, subtitle } : { text };
}

/** "mean ± SEM over 3 seeds" (the most seeds any point has), or a plain statement when there is one seed. */
export function seedSubtitle(rows: readonly SummaryRow[]): string {
  const n = Math.max(0, ...rows.map((r) => r.seeds.length));
  return n > 1 ? `mean ± SEM over ${n} seeds` : 'one seed: no SEM band';
}

function requirePoints(what: string, n: number, metric: string): void {
  if (n === 0) throw new Error(`${what}: no finite values of metric "${metric}" in the summary rows (every run diverged, or the metric was not recorded)`);
}

/** The layers of a line-with-band chart (no data, no size): shared by the single and the panel figures. */
function lineBandLayers(rows: readonly SummaryRow[], metric: MetricName): VegaLiteSpec {
  const y = { type: 'quantitative', title: metricTitle(metric), scale: { zero: false } };
  return {
    encoding: { x: EPOCH_AXIS },
    layer: [
      { mark: { type: 'area', opacity: 0.2 }, encoding: { y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color: colorEncoding(rows) } },
      { mark: { type: 'line', point: { size: 20 }, strokeWidth: 1.5 }, encoding: { y: { ...y, field: 'mean' }, color: colorEncoding(rows) } },
    ],
  };
}

/** One metric against epoch: a line per condition (the mean over seeds) with a ±SEM band. */
export function lineBandSpec(rows: readonly SummaryRow[], metric: MetricName, opts: SpecOptions = {}): VegaLiteSpec {
  const values = metricPoints(rows, metric);
  requirePoints('lineBandSpec', values.length, metric);
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: titleOf(opts.title ?? metricTitle(metric), opts.subtitle ?? seedSubtitle(rows)),
    width: opts.width ?? SINGLE.width,
    height: opts.height ?? SINGLE.height,
    data: { values },
    ...lineBandLayers(rows, metric),
  };
}

/** Several metrics against epoch side by side with one legend — the layout of the dissertation's Fig. 5.1. */
export function panelSpec(rows: readonly SummaryRow[], metrics: readonly MetricName[], opts: SpecOptions = {}): VegaLiteSpec {
  if (metrics.length === 0) throw new Error('panelSpec: metrics is empty; expected at least one metric name');
  const panels = metrics.map((m) => {
    const values = metricPoints(rows, m);
    requirePoints('panelSpec', values.length, m);
    return {
      title: metricTitle(m),
      width: opts.width ?? PANEL.width,
      height: opts.height ?? PANEL.height,
      data: { values },
      ...lineBandLayers(rows, m),
    };
  });
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: titleOf(opts.title ?? metrics.map(metricTitle).join(', '), opts.subtitle ?? seedSubtitle(rows)),
    hconcat: panels,
    resolve: { scale: { color: 'shared' } },
  };
}

/**
 * Two or more metrics per condition on one axis, told apart by stroke dash (e.g. train vs test loss,
 * dissertation 6.3.3). `series` maps each metric to its legend name ("train", "test").
 */
export function seriesBandSpec(
  rows: readonly SummaryRow[],
  series: ReadonlyArray<{ metric: MetricName; name: string }>,
  yTitle: string,
  opts: SpecOptions = {},
): VegaLiteSpec {
  if (series.length === 0) throw new Error('seriesBandSpec: series is empty; expected at least one { metric, name }');
  const values = series.flatMap((s) => metricPoints(rows, s.metric, s.name));
  requirePoints('seriesBandSpec', values.length, series.map((s) => s.metric).join(', '));
  const y = { type: 'quantitative', title: yTitle, scale: { zero: false } };
  const dash = {
    field: 'series',
    type: 'nominal',
    title: 'series',
    scale: { domain: series.map((s) => s.name) },
    legend: { symbolType: 'stroke', symbolStrokeWidth: 2, symbolSize: 400, encode: { symbols: { update: { stroke: { value: 'black' } } } } },
  };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: titleOf(opts.title ?? yTitle, opts.subtitle ?? seedSubtitle(rows)),
    width: opts.width ?? SINGLE.width,
    height: opts.height ?? SINGLE.height,
    data: { values },
    encoding: { x: EPOCH_AXIS },
    layer: [
      {
        mark: { type: 'area', opacity: 0.15 },
        encoding: { y: { ...y, field: 'lo' }, y2: { field: 'hi' }, detail: { field: 'series' }, color: colorEncoding(rows) },
      },
      {
        mark: { type: 'line', point: { size: 16 }, strokeWidth: 1.5 },
        encoding: { y: { ...y, field: 'mean' }, strokeDash: dash, color: colorEncoding(rows) },
      },
    ],
  };
}

/** The layers of an x-metric × y-metric scatter with ±SEM error bars, epochs joined in order. */
function scatterLayers(rows: readonly SummaryRow[], xMetric: MetricName, yMetric: MetricName): VegaLiteSpec {
  const x = { type: 'quantitative', title: metricTitle(xMetric), scale: { zero: false } };
  const y = { type: 'quantitative', title: metricTitle(yMetric), scale: { zero: false } };
  return {
    layer: [
      {
        mark: { type: 'line', strokeWidth: 1, opacity: 0.5 },
        encoding: { x: { ...x, field: 'x' }, y: { ...y, field: 'y' }, order: { field: 'epoch' }, color: colorEncoding(rows, 'circle') },
      },
      {
        mark: { type: 'rule', opacity: 0.6 },
        encoding: { x: { ...x, field: 'xlo' }, x2: { field: 'xhi' }, y: { ...y, field: 'y' }, color: colorEncoding(rows, 'circle') },
      },
      {
        mark: { type: 'rule', opacity: 0.6 },
        encoding: { x: { ...x, field: 'x' }, y: { ...y, field: 'ylo' }, y2: { field: 'yhi' }, color: colorEncoding(rows, 'circle') },
      },
      {
        mark: { type: 'point', filled: true, size: 24, opacity: 1 },
        encoding: { x: { ...x, field: 'x' }, y: { ...y, field: 'y' }, color: colorEncoding(rows, 'circle') },
      },
    ],
  };
}

/** y metric against x metric (e.g. test accuracy × sparsity, dissertation 6.3.4), one point per epoch. */
export function scatterSpec(rows: readonly SummaryRow[], xMetric: MetricName, yMetric: MetricName, opts: SpecOptions = {}): VegaLiteSpec {
  const values = pairPoints(rows, xMetric, yMetric);
  requirePoints('scatterSpec', values.length, `${xMetric} × ${yMetric}`);
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: titleOf(opts.title ?? `${metricTitle(yMetric)} × ${metricTitle(xMetric)}`, opts.subtitle ?? `${seedSubtitle(rows)}; lines join epochs in order`),
    width: opts.width ?? SINGLE.width,
    height: opts.height ?? SINGLE.height,
    data: { values },
    ...scatterLayers(rows, xMetric, yMetric),
  };
}

/** Several scatters against the same y metric side by side (accuracy × sparsity | accuracy × selectivity). */
export function scatterPanelSpec(rows: readonly SummaryRow[], xMetrics: readonly MetricName[], yMetric: MetricName, opts: SpecOptions = {}): VegaLiteSpec {
  if (xMetrics.length === 0) throw new Error('scatterPanelSpec: xMetrics is empty; expected at least one metric name');
  const panels = xMetrics.map((xm) => {
    const values = pairPoints(rows, xm, yMetric);
    requirePoints('scatterPanelSpec', values.length, `${xm} × ${yMetric}`);
    return {
      title: `${metricTitle(yMetric)} × ${metricTitle(xm)}`,
      width: opts.width ?? PANEL.width,
      height: opts.height ?? PANEL.height,
      data: { values },
      ...scatterLayers(rows, xm, yMetric),
    };
  });
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: titleOf(opts.title ?? `${metricTitle(yMetric)} against ${xMetrics.map(metricTitle).join(' and ')}`, opts.subtitle ?? `${seedSubtitle(rows)}; lines join epochs in order`),
    hconcat: panels,
    resolve: { scale: { color: 'shared' } },
  };
}

/** Layer metrics per hidden layer at each condition's final epoch, grouped bars with ±SEM error bars (Fig. 5.7). */
export function layerBarSpec(rows: readonly SummaryRow[], metrics: readonly LayerMetricName[], opts: SpecOptions = {}): VegaLiteSpec {
  if (metrics.length === 0) throw new Error('layerBarSpec: metrics is empty; expected at least one layer metric name');
  const panels = metrics.map((m) => {
    const values = layerPoints(rows, m);
    requirePoints('layerBarSpec', values.length, m);
    const y = { type: 'quantitative', title: metricTitle(m) };
    return {
      title: metricTitle(m),
      width: opts.width ?? PANEL.width,
      height: opts.height ?? PANEL.height,
      data: { values },
      encoding: {
        x: { field: 'layer', type: 'nominal', title: 'hidden layer', axis: { labelAngle: 0 } },
        xOffset: { field: 'label', type: 'nominal', scale: { domain: labelsOf(rows) } },
        color: colorEncoding(rows, 'square'),
      },
      layer: [
        { mark: { type: 'bar', opacity: 0.8 }, encoding: { y: { ...y, field: 'mean' } } },
        { mark: { type: 'rule', color: 'black' }, encoding: { y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color: { value: 'black' } } },
      ],
    };
  });
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: titleOf(opts.title ?? 'per hidden layer at the final epoch', opts.subtitle ?? seedSubtitle(rows)),
    hconcat: panels,
    resolve: { scale: { color: 'shared' } },
  };
}
