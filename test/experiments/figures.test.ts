import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { metricPoints, pairPoints, layerPoints, finalRows, legendTitle } from '../../src/experiments/figures-data.js';
import {
  figureSpecs,
  lineBandSpec,
  panelSpec,
  renderFigures,
  renderSvg,
  scatterSpec,
  seriesBandSpec,
  type VegaLiteSpec,
} from '../../src/experiments/figures.js';
import { summarize, type SummaryRow } from '../../src/experiments/summary.js';
import { layer, run } from './fixtures.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'figures-test-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * Two optimizers × two seeds × 3 epochs through the real summary code. sgd's accuracies per epoch are
 * (0.80, 0.82) (0.85, 0.87) (0.88, 0.90): mean 0.81, 0.86, 0.89, sample std √((0.01² + 0.01²)/1) = 0.01√2,
 * SEM = 0.01√2/√2 = 0.01 at every epoch. adam's seed 100 diverges during epoch 3.
 */
function baselineRows(): SummaryRow[] {
  const runs = [
    run({ optimizer: 'sgd', seed: 1, epochs: 3 }, [0.8, 0.85, 0.88], { layers: (e) => [layer(0.05 * e, 0.1 * e)] }),
    run({ optimizer: 'sgd', seed: 100, epochs: 3 }, [0.82, 0.87, 0.9], { layers: (e) => [layer(0.05 * e + 0.01, 0.1 * e + 0.02)] }),
    run({ optimizer: 'adam', seed: 1, epochs: 3 }, [0.9, 0.93, 0.95], { layers: (e) => [layer(0.1 * e, 0.2 * e)] }),
    run({ optimizer: 'adam', seed: 100, epochs: 3 }, [0.91, 0.94], { diverge: true, layers: (e) => [layer(0.1 * e + 0.02, 0.2 * e)] }),
  ];
  return summarize(runs).rows;
}

/** Every sub-spec (the spec itself, its hconcat panels and their layers). */
function walk(spec: VegaLiteSpec, out: VegaLiteSpec[] = []): VegaLiteSpec[] {
  out.push(spec);
  for (const key of ['hconcat', 'layer']) {
    const children = spec[key];
    if (Array.isArray(children)) for (const c of children) walk(c as VegaLiteSpec, out);
  }
  return out;
}

describe('figure data', () => {
  it('gives the mean over seeds with a ±SEM band, computed by the summary', () => {
    const pts = metricPoints(baselineRows(), 'test_acc').filter((p) => p.label === 'sgd');
    expect(pts.map((p) => p.epoch)).toEqual([1, 2, 3]);
    // means 0.81, 0.86, 0.89 and SEM 0.01 (see baselineRows); float64 sums, so 1e-12 absolute
    expect(pts.map((p) => p.mean)).toEqual([0.81, 0.86, 0.89].map((v) => expect.closeTo(v, 12)));
    for (const p of pts) {
      expect(p.sem).toBeCloseTo(0.01, 12);
      expect(p.lo).toBeCloseTo(p.mean - 0.01, 12);
      expect(p.hi).toBeCloseTo(p.mean + 0.01, 12);
      expect(p.n).toBe(2);
    }
  });

  it('draws a one-seed epoch with a zero-width band and leaves out an epoch no seed finished', () => {
    const adam = metricPoints(baselineRows(), 'test_acc').filter((p) => p.label === 'adam');
    // epoch 3: only seed 1 (0.95); seed 100 diverged
    const e3 = adam.find((p) => p.epoch === 3)!;
    expect(e3).toMatchObject({ mean: 0.95, lo: 0.95, hi: 0.95, sem: null, n: 1 });
    const rows = baselineRows().map((r) =>
      r.label === 'adam' && r.epoch === 3 ? { ...r, metrics: { ...r.metrics, test_acc: { mean: NaN, sem: NaN, n: 0 } } } : r,
    );
    expect(metricPoints(rows, 'test_acc').some((p) => p.label === 'adam' && p.epoch === 3)).toBe(false);
  });

  it('pairs two metrics per epoch, takes per-layer values at the final epoch, names the legend', () => {
    const rows = baselineRows();
    const pairs = pairPoints(rows, 'sparsity_mean', 'test_acc').filter((p) => p.label === 'sgd');
    // sgd epoch 2: sparsity (0.10, 0.11) → 0.105, accuracy 0.86
    expect(pairs[1].x).toBeCloseTo(0.105, 12);
    expect(pairs[1].y).toBeCloseTo(0.86, 12);
    expect(finalRows(rows).map((r) => [r.label, r.epoch])).toEqual([
      ['sgd', 3],
      ['adam', 3],
    ]);
    expect(layerPoints(rows, 'selectivity_mean').map((p) => p.layer)).toEqual(['HL1', 'HL1']);
    expect(legendTitle(rows)).toBe('optimizer');
    expect(legendTitle([...rows, { ...rows[0], label: 'x', group: { optimizer: 'sgd', lr: 0.01 } }])).toBe('condition');
  });
});

describe('figure specifications', () => {
  it('lineBandSpec: a band layer and a line layer over epoch, colour by condition in summary order', () => {
    const spec = lineBandSpec(baselineRows(), 'test_acc', { title: 'Baseline' });
    const values = (spec.data as { values: unknown[] }).values;
    expect(values).toHaveLength(6); // 3 sgd + 3 adam epochs
    const [band, line] = spec.layer as VegaLiteSpec[];
    expect((band.mark as { type: string }).type).toBe('area');
    expect((band.encoding as Record<string, { field: string }>).y.field).toBe('lo');
    expect((band.encoding as Record<string, { field: string }>).y2.field).toBe('hi');
    expect((line.mark as { type: string }).type).toBe('line');
    const enc = line.encoding as Record<string, { field: string; title: string; scale: { domain: string[] } }>;
    expect(enc.y.field).toBe('mean');
    expect(enc.y.title).toBe('test accuracy');
    expect(enc.color.scale.domain).toEqual(['sgd', 'adam']);
    expect(enc.color.title).toBe('optimizer');
    expect((spec.encoding as Record<string, { title: string }>).x.title).toBe('epoch');
    expect(spec.title).toEqual({ text: 'Baseline', subtitle: 'mean ± SEM over 2 seeds' });
  });

  it('panelSpec: one panel per metric side by side with a shared colour scale (Fig. 5.1)', () => {
    const spec = panelSpec(baselineRows(), ['test_acc', 'sparsity_mean', 'selectivity_mean']);
    const panels = spec.hconcat as VegaLiteSpec[];
    expect(panels.map((p) => p.title)).toEqual(['test accuracy', 'sparsity (Hoyer)', 'selectivity (CCMAS)']);
    expect(spec.resolve).toEqual({ scale: { color: 'shared' } });
  });

  it('seriesBandSpec and scatterSpec carry their series and epoch order', () => {
    const rows = baselineRows();
    const loss = seriesBandSpec(rows, [{ metric: 'train_loss', name: 'train' }, { metric: 'test_loss', name: 'test' }], 'loss');
    const series = new Set((loss.data as { values: Array<{ series: string }> }).values.map((v) => v.series));
    expect([...series]).toEqual(['train', 'test']);
    const scatter = scatterSpec(rows, 'selectivity_mean', 'test_acc');
    const lineLayer = (scatter.layer as VegaLiteSpec[])[0];
    expect((lineLayer.encoding as Record<string, { field: string }>).order.field).toBe('epoch');
  });

  it('figureSpecs: the standard set, per-layer and training-stream figures only when there is data for them', () => {
    const rows = baselineRows();
    expect(figureSpecs(rows).map((f) => f.name)).toEqual([
      'test_acc',
      'sparsity',
      'selectivity',
      'accuracy_sparsity_selectivity',
      'loss',
      'accuracy_vs_metrics',
    ]);
    const twoLayers = summarize([
      run({ optimizer: 'sgd', seed: 1, epochs: 1, hidden: [8, 8] }, [0.5], { layers: () => [layer(0.2, 0.3), layer(0.1, 0.2)] }),
    ]).rows;
    expect(figureSpecs(twoLayers).map((f) => f.name)).toContain('layers');
    const withTrain = rows.map((r) => ({
      ...r,
      metrics: { ...r.metrics, train_sparsity_mean: r.metrics.sparsity_mean, train_selectivity_mean: r.metrics.selectivity_mean },
    }));
    expect(figureSpecs(withTrain).map((f) => f.name)).toContain('train_vs_test');
  });

  it('every specification compiles with vega-lite', async () => {
    const vl = await import('vega-lite');
    const rows = summarize([
      run({ optimizer: 'sgd', seed: 1, epochs: 2, hidden: [8, 8] }, [0.5, 0.6], { layers: (e) => [layer(0.2 * e, 0.3), layer(0.1, 0.2 * e)] }),
      run({ optimizer: 'sgd', seed: 2, epochs: 2, hidden: [8, 8] }, [0.52, 0.61], { layers: (e) => [layer(0.21 * e, 0.3), layer(0.1, 0.21 * e)] }),
    ]).rows.map((r) => ({ ...r, metrics: { ...r.metrics, train_sparsity_mean: r.metrics.sparsity_mean, train_selectivity_mean: r.metrics.selectivity_mean } }));
    const specs = figureSpecs(rows);
    expect(specs.map((f) => f.kind)).toEqual(['metric', 'metric', 'metric', 'panel', 'loss', 'scatter', 'train-vs-test', 'layers']);
    for (const f of specs) {
      const compiled = vl.compile(f.spec as never).spec;
      expect(compiled.marks?.length ?? 0, f.name).toBeGreaterThan(0);
      // every coloured mark is coloured by condition, over the same domain (same colour in every figure)
      for (const s of walk(f.spec)) {
        const color = (s.encoding as Record<string, { field?: string; scale?: { domain: string[] } }> | undefined)?.color;
        if (color?.field !== undefined) {
          expect(color.field, f.name).toBe('label');
          expect(color.scale?.domain, f.name).toEqual(['sgd']);
        }
      }
    }
  });

  it('rejects what it cannot draw, naming it', () => {
    const rows = baselineRows();
    expect(() => figureSpecs([])).toThrow(/no rows/);
    expect(() => figureSpecs(rows, { metrics: ['train_sparsity_mean'] })).toThrow(/"train_sparsity_mean" has no finite value/);
    expect(() => figureSpecs(rows, { kinds: ['pie' as never] })).toThrow(/unknown figure kind "pie"/);
    expect(() => panelSpec(rows, [])).toThrow(/metrics is empty/);
    const allNaN = rows.map((r) => ({ ...r, metrics: { ...r.metrics, selectivity_mean: { mean: NaN, sem: NaN, n: 0 } } }));
    expect(() => lineBandSpec(allNaN, 'selectivity_mean')).toThrow(/no finite values of metric "selectivity_mean"/);
  });
});

describe('rendering', () => {
  it('renders a real SVG with one line per condition, the legend and the axis titles', async () => {
    const svg = await renderSvg(lineBandSpec(baselineRows(), 'test_acc', { title: 'Baseline accuracy' }));
    expect(svg.startsWith('<svg')).toBe(true);
    for (const text of ['Baseline accuracy', 'test accuracy', 'epoch', 'optimizer', '>sgd<', '>adam<']) expect(svg).toContain(text);
    // one line group and one band group per condition; each line starts at the epoch-1 mean (sgd 0.81)
    const lines = [...svg.matchAll(/<g class="mark-line role-mark[^"]*"[^>]*><path aria-label="([^"]*)"([^>]*)>/g)];
    expect(lines.map((m) => m[1])).toEqual(['epoch: 1; test accuracy: 0.81; optimizer: sgd', 'epoch: 1; test accuracy: 0.905; optimizer: adam']);
    // each optimizer in its fixed colour (colours.ts), whatever else is in the figure: sgd blue, adam red
    expect(lines[0][2]).toContain('stroke="#4c78a8"');
    expect(lines[1][2]).toContain('stroke="#e45756"');
    // the bands: translucent, from mean − SEM to mean + SEM (sgd epoch 1: 0.81 ± 0.01)
    const bands = [...svg.matchAll(/<g class="mark-area role-mark[^"]*"[^>]*><path aria-label="([^"]*)"([^>]*)>/g)];
    expect(bands).toHaveLength(2);
    expect(bands[0][1]).toBe('epoch: 1; test accuracy: 0.8; hi: 0.82; optimizer: sgd');
    for (const b of bands) expect(b[2]).toContain('opacity="0.2"');
  });

  it('renderFigures writes the SVG files it returns; vega-lite format writes specifications only', async () => {
    const rows = baselineRows();
    const dir = tempDir();
    const files = await renderFigures(rows, join(dir, 'svg'), { kinds: ['metric'], metrics: ['test_acc'] });
    expect(files).toEqual([join(dir, 'svg', 'test_acc.svg')]);
    expect(readFileSync(files[0], 'utf8')).toContain('<svg');

    const specFiles = await renderFigures({ groups: [], rows }, join(dir, 'spec'), { format: 'vega-lite' });
    expect(specFiles.every((f) => f.endsWith('.vl.json'))).toBe(true);
    expect(readdirSync(join(dir, 'spec')).sort()).toEqual(specFiles.map((f) => f.slice(join(dir, 'spec').length + 1)).sort());
    const spec = JSON.parse(readFileSync(join(dir, 'spec', 'test_acc.vl.json'), 'utf8'));
    expect(spec.$schema).toContain('vega-lite');
  });

  it('writes nothing when an option is wrong', async () => {
    const dir = join(tempDir(), 'never');
    await expect(renderFigures(baselineRows(), dir, { format: 'png' as never })).rejects.toThrow(/format must be "svg" or "vega-lite", got "png"/);
    await expect(renderFigures(baselineRows(), dir, { metrics: ['train_selectivity_mean'] })).rejects.toThrow(/train_selectivity_mean/);
    await expect(renderFigures(baselineRows(), '')).rejects.toThrow(/outDir/);
    expect(existsSync(dir)).toBe(false);
  });
});
