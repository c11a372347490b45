/**
 * The figure kinds of the dissertation's chapters 5 and 6, one registry entry per kind. Each takes the
 * finished runs of its preset(s) and the catalogue entry's options and returns a Vega-Lite specification
 * plus what went in (runs, seeds, epochs) for the caption — or null when the runs hold nothing it can draw.
 *
 *   epoch-lines            values against epoch, a line per optimizer (and condition), ±SEM band — Fig. 5.1, 6.2
 *   train-test-lines       test-set vs training-stream sparsity/selectivity against epoch — Fig. 5.2
 *   train-test-scatter     training-stream against test-set value per epoch, with y = x — Fig. 5.3
 *   sparsity-selectivity   sparsity against selectivity per epoch, a panel per optimizer, shape = depth — Fig. 5.4
 *   accuracy-vs-metric     test accuracy against sparsity and selectivity per epoch — Fig. 5.5
 *   final-vs-param         the final epoch against a swept parameter, a line per optimizer ±SEM — Fig. 5.8–5.11, 5.13
 *   bars                   the final epoch per condition × optimizer, ±SEM — Fig. 5.6, 5.12, 5.14–5.15, 5.17–5.19
 *   per-layer-final        each hidden layer of the `depth`-layer nets at the final epoch, ±SEM — Fig. 5.7
 *   violin                 the distribution of per-unit selectivity at the final epoch, a violin per optimizer (extra)
 *
 * Colour is always the optimizer, with its fixed colour ({@link optimizerColour}).
 */
import { optimizerColourScale } from './colours.js';
import { VEGA_LITE_SCHEMA, type VegaLiteSpec } from './figures-specs.js';
import { optimizers } from './kinds/optimizers.js';
import {
  conditionsOf,
  configValue,
  epochValue,
  finalEpoch,
  perUnitSelectivity,
  statAt,
  valueTitle,
  type Condition,
  type ConditionLabeller,
  type FigureRun,
} from './dissertation-data.js';

/** The options a catalogue entry may give its kind (each kind reads the ones it needs). */
export interface KindOptions {
  /** Values drawn, one panel each (names of EPOCH_VALUES). */
  values?: string[];
  /** final-vs-param: the config path on x, whether x is logarithmic, the default value marked by a rule. */
  param?: string;
  logX?: boolean;
  marker?: number;
  /** final-vs-param: a second config path told apart by line dash (e.g. batch size in the neurons sweep). */
  split?: string;
  /** Keep only runs whose header condition is (or starts with) one of these blocks. */
  blocks?: string[];
  /** Keep only conditions with these labels (in this order, on the x axis of bars). */
  conditions?: string[];
  /** Keep only these optimizers. */
  optimizers?: string[];
  /** How conditions are named (bars' x axis, shapes). */
  label?: ConditionLabeller;
  /** per-layer-final: the depth of the nets drawn. */
  depth?: number;
}

/** A drawn figure and what went into it. */
export interface KindResult {
  spec: VegaLiteSpec;
  runs: FigureRun[];
  /** Epochs the values are taken at, e.g. "30" or "1–30". */
  epochs: string;
}

export type FigureKindDraw = (runs: readonly FigureRun[], o: KindOptions, title: string) => KindResult | null;

const BAND = '± SEM over seeds';

function optimizerOrder(names: Iterable<string>): string[] {
  const reg = optimizers.names();
  return [...new Set(names)].sort((a, b) => (reg.indexOf(a) + 1 || 99) - (reg.indexOf(b) + 1 || 99) || a.localeCompare(b));
}

function colourOf(conds: readonly Condition[]): VegaLiteSpec {
  const names = optimizerOrder(conds.map((c) => c.optimizer));
  return { field: 'optimizer', type: 'nominal', title: 'optimizer', scale: optimizerColourScale(names), legend: { symbolOpacity: 1 } };
}

function inBlocks(run: FigureRun, blocks: readonly string[] | undefined): boolean {
  const c = run.header.condition ?? '';
  return !blocks || blocks.some((b) => c === b || c.startsWith(`${b} `));
}

/** The conditions a figure draws, after its filters. */
function select(runs: readonly FigureRun[], o: KindOptions): Condition[] {
  const kept = runs.filter((r) => inBlocks(r, o.blocks) && (!o.optimizers || o.optimizers.includes(r.header.config.optimizer.name)));
  let conds = conditionsOf(kept, o.label ?? 'header');
  if (o.conditions) {
    const want = o.conditions;
    conds = conds.filter((c) => want.includes(c.label));
  }
  return conds;
}

function runsOf(conds: readonly Condition[]): FigureRun[] {
  return conds.flatMap((c) => c.runs);
}

function epochRange(conds: readonly Condition[]): string {
  const last = [...new Set(conds.map(finalEpoch))].sort((a, b) => a - b);
  return last.length === 1 ? `1–${last[0]}` : `1–${last.join('/')}`;
}

function finals(conds: readonly Condition[]): string {
  return [...new Set(conds.map(finalEpoch))].sort((a, b) => a - b).join('/');
}

function hconcat(title: string, subtitle: string, panels: VegaLiteSpec[]): VegaLiteSpec {
  return { $schema: VEGA_LITE_SCHEMA, title: { text: title, subtitle }, hconcat: panels, resolve: { scale: { color: 'shared', shape: 'shared', strokeDash: 'shared' } } };
}

const EPOCH = { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1, format: 'd' } };

/** Per-epoch mean ± SEM points of `value` for every condition. */
function epochPoints(conds: readonly Condition[], value: string, extra: Record<string, unknown> = {}): VegaLiteSpec[] {
  const f = epochValue(value);
  return conds.flatMap((c) => {
    const out: VegaLiteSpec[] = [];
    for (let e = 1; e <= finalEpoch(c); e++) {
      const s = statAt(c, e, f);
      if (s) out.push({ optimizer: c.optimizer, condition: c.label, series: `${c.optimizer} ${c.label}`, epoch: e, ...s, ...extra });
    }
    return out;
  });
}

function linePanel(data: VegaLiteSpec[], yTitle: string, colour: VegaLiteSpec, dash?: VegaLiteSpec): VegaLiteSpec {
  const enc = { x: EPOCH, color: colour, detail: { field: 'series' } };
  return {
    width: 240,
    height: 200,
    data: { values: data },
    layer: [
      { mark: { type: 'area', opacity: 0.2 }, encoding: { ...enc, y: { field: 'lo', type: 'quantitative', title: yTitle, scale: { zero: false } }, y2: { field: 'hi' } } },
      { mark: 'line', encoding: { ...enc, ...(dash ? { strokeDash: dash } : {}), y: { field: 'mean', type: 'quantitative', scale: { zero: false } } } },
    ],
  };
}

const epochLines: FigureKindDraw = (runs, o, title) => {
  const conds = select(runs, o);
  if (conds.length === 0) return null;
  const values = o.values ?? ['test_acc', 'sparsity', 'selectivity'];
  const many = new Set(conds.map((c) => c.label)).size > 1;
  const dash = many ? { field: 'condition', type: 'nominal', title: 'condition' } : undefined;
  const panels = values.map((v) => linePanel(epochPoints(conds, v), valueTitle(v), colourOf(conds), dash));
  return { spec: hconcat(title, `mean over seeds, band ${BAND}`, panels), runs: runsOf(conds), epochs: epochRange(conds) };
};

const trainTestLines: FigureKindDraw = (runs, o, title) => {
  const conds = select(runs, o).filter((c) => c.runs.every((r) => r.epochs.every((e) => e.train_layers)));
  if (conds.length === 0) return null;
  const dash = { field: 'measured', type: 'nominal', title: 'measured on' };
  const panels = (['sparsity', 'selectivity'] as const).map((m) =>
    linePanel(
      [...epochPoints(conds, m, { measured: 'test set' }), ...epochPoints(conds, `train_${m}`, { measured: 'training stream' })].map((p) => ({ ...p, series: `${p.series} ${p.measured}` })),
      valueTitle(m),
      colourOf(conds),
      dash,
    ),
  );
  return { spec: hconcat(title, `mean over seeds, band ${BAND}`, panels), runs: runsOf(conds), epochs: epochRange(conds) };
};

function scatterPanel(data: VegaLiteSpec[], x: VegaLiteSpec, y: VegaLiteSpec, colour: VegaLiteSpec, extra: VegaLiteSpec[] = [], shape?: VegaLiteSpec): VegaLiteSpec {
  return {
    width: 220,
    height: 220,
    layer: [
      ...extra,
      { data: { values: data }, mark: { type: 'point', filled: true, size: 30, opacity: 0.8 }, encoding: { x, y, color: colour, ...(shape ? { shape } : {}), tooltip: [{ field: 'epoch' }] } },
    ],
  };
}

/** Points (x, y) per condition and epoch, each the mean over seeds. */
function pairs(conds: readonly Condition[], xv: string, yv: string): VegaLiteSpec[] {
  const fx = epochValue(xv);
  const fy = epochValue(yv);
  return conds.flatMap((c) => {
    const out: VegaLiteSpec[] = [];
    for (let e = 1; e <= finalEpoch(c); e++) {
      const x = statAt(c, e, fx);
      const y = statAt(c, e, fy);
      if (x && y) out.push({ optimizer: c.optimizer, condition: c.label, epoch: e, x: x.mean, y: y.mean });
    }
    return out;
  });
}

const trainTestScatter: FigureKindDraw = (runs, o, title) => {
  const conds = select(runs, o).filter((c) => c.runs.every((r) => r.epochs.every((e) => e.train_layers)));
  if (conds.length === 0) return null;
  const panels = (['sparsity', 'selectivity'] as const).map((m) => {
    const data = pairs(conds, m, `train_${m}`);
    const all = data.flatMap((d) => [d.x as number, d.y as number]);
    const lo = Math.min(...all);
    const hi = Math.max(...all);
    const diagonal = { data: { values: [{ x: lo, y: lo }, { x: hi, y: hi }] }, mark: { type: 'line', color: 'grey', strokeDash: [4, 4] }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } };
    const scale = { domain: [lo, hi], zero: false };
    return scatterPanel(
      data,
      { field: 'x', type: 'quantitative', title: `${valueTitle(m)}, test set`, scale },
      { field: 'y', type: 'quantitative', title: `${valueTitle(m)}, training stream`, scale },
      colourOf(conds),
      [diagonal],
    );
  });
  return { spec: hconcat(title, 'one point per epoch (mean over seeds); dashed: y = x', panels), runs: runsOf(conds), epochs: epochRange(conds) };
};

const DEPTH_SHAPE = { field: 'condition', type: 'nominal', title: 'hidden layers' };

const sparsitySelectivity: FigureKindDraw = (runs, o, title) => {
  const conds = select(runs, { label: 'depth', ...o });
  if (conds.length === 0) return null;
  const names = optimizerOrder(conds.map((c) => c.optimizer));
  const panels = names.map((name) => {
    const mine = conds.filter((c) => c.optimizer === name);
    return {
      ...scatterPanel(
        pairs(mine, 'sparsity', 'selectivity'),
        { field: 'x', type: 'quantitative', title: valueTitle('sparsity'), scale: { zero: false } },
        { field: 'y', type: 'quantitative', title: valueTitle('selectivity'), scale: { zero: false } },
        colourOf(conds),
        [],
        DEPTH_SHAPE,
      ),
      title: name,
      width: 170,
      height: 170,
    };
  });
  return { spec: hconcat(title, 'one point per epoch (mean over seeds); shape: number of hidden layers', panels), runs: runsOf(conds), epochs: epochRange(conds) };
};

const accuracyVsMetric: FigureKindDraw = (runs, o, title) => {
  const conds = select(runs, { label: 'depth', ...o });
  if (conds.length === 0) return null;
  const panels = (['sparsity', 'selectivity'] as const).map((m) =>
    scatterPanel(
      pairs(conds, m, 'test_acc'),
      { field: 'x', type: 'quantitative', title: valueTitle(m), scale: { zero: false } },
      { field: 'y', type: 'quantitative', title: valueTitle('test_acc'), scale: { zero: false } },
      colourOf(conds),
      [],
      DEPTH_SHAPE,
    ),
  );
  return { spec: hconcat(title, 'one point per epoch (mean over seeds; SEM omitted, as in the dissertation)', panels), runs: runsOf(conds), epochs: epochRange(conds) };
};

function errorLayer(x: VegaLiteSpec, colour: VegaLiteSpec | null, extra: VegaLiteSpec = {}): VegaLiteSpec {
  return { mark: colour ? 'rule' : { type: 'rule', color: 'black' }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, ...(colour ? { color: colour } : {}), ...extra } };
}

/** Axis titles of the swept parameters (config paths); others show the path itself. */
const PARAM_TITLES: Record<string, string> = {
  batchSize: 'batch size',
  'optimizer.lr': 'learning rate',
  'optimizer.weightDecay': 'weight decay',
  'optimizer.momentum': 'momentum γ',
  'optimizer.rho': 'ρ',
  'optimizer.betas.0': 'β1',
  'optimizer.betas.1': 'β2',
  'hidden.0': 'hidden units',
};

const finalVsParam: FigureKindDraw = (runs, o, title) => {
  const param = o.param;
  if (!param) throw new Error('final-vs-param: the catalogue entry needs options.param');
  const conds = select(runs, o).filter((c) => typeof configValue(c.runs[0].header.config, param) === 'number');
  if (conds.length === 0) return null;
  const logX = o.logX ?? /(^|\.)(lr|weightDecay)$/.test(param);
  const values = o.values ?? ['test_acc', 'sparsity', 'selectivity'];
  const x = { field: 'x', type: 'quantitative', title: PARAM_TITLES[param] ?? param, scale: logX ? { type: 'log' } : { zero: false } };
  const dash = o.split ? { field: 'split', type: 'nominal', title: PARAM_TITLES[o.split] ?? o.split } : undefined;
  const panels = values.map((v) => {
    const f = epochValue(v);
    const data = conds.flatMap((c) => {
      const s = statAt(c, finalEpoch(c), f);
      const xv = configValue(c.runs[0].header.config, param) as number;
      const split = o.split ? String(configValue(c.runs[0].header.config, o.split)) : '';
      return s && (!logX || xv > 0) ? [{ optimizer: c.optimizer, split, series: `${c.optimizer} ${split}`, x: xv, ...s }] : [];
    });
    const colour = colourOf(conds);
    const enc = { x, color: colour, detail: { field: 'series' }, ...(dash ? { strokeDash: dash } : {}) };
    const marker = o.marker !== undefined ? [{ data: { values: [{ x: o.marker }] }, mark: { type: 'rule', color: 'black' }, encoding: { x } }] : [];
    return {
      width: 240,
      height: 200,
      layer: [
        ...marker,
        { data: { values: data }, mark: { type: 'line', point: true }, encoding: { ...enc, y: { field: 'mean', type: 'quantitative', title: valueTitle(v), scale: { zero: false } } } },
        { data: { values: data }, ...errorLayer(x, colour, { detail: { field: 'series' } }) },
      ],
    };
  });
  return {
    spec: hconcat(title, `final epoch ${finals(conds)}; error bars ${BAND}${logX ? '; log x' : ''}${o.marker !== undefined ? '; black rule: the default' : ''}`, panels),
    runs: runsOf(conds),
    epochs: finals(conds),
  };
};

const bars: FigureKindDraw = (runs, o, title) => {
  const conds = select(runs, o);
  if (conds.length === 0) return null;
  const values = o.values ?? ['test_acc', 'sparsity', 'selectivity'];
  const seen = [...new Set(conds.map((c) => c.label))];
  const order = o.conditions ? o.conditions.filter((l) => seen.includes(l)) : seen;
  const names = optimizerOrder(conds.map((c) => c.optimizer));
  const panels = values.map((v) => {
    const f = epochValue(v);
    const data = conds.flatMap((c) => {
      const s = statAt(c, finalEpoch(c), f);
      return s ? [{ optimizer: c.optimizer, condition: c.label, ...s }] : [];
    });
    return {
      width: Math.max(160, 14 * names.length * order.length),
      height: 200,
      data: { values: data },
      encoding: { x: { field: 'condition', type: 'nominal', title: null, sort: order, axis: { labelAngle: -30 } }, xOffset: { field: 'optimizer', scale: { domain: names } } },
      layer: [
        { mark: 'bar', encoding: { y: { field: 'mean', type: 'quantitative', title: valueTitle(v) }, color: colourOf(conds) } },
        { mark: { type: 'rule', color: 'black' }, encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
      ],
    };
  });
  return { spec: hconcat(title, `final epoch ${finals(conds)}; error bars ${BAND}`, panels), runs: runsOf(conds), epochs: finals(conds) };
};

const perLayerFinal: FigureKindDraw = (runs, o, title) => {
  const depth = o.depth ?? 4;
  const conds = select(runs, o).filter((c) => c.runs[0].header.config.hidden.length === depth);
  if (conds.length === 0) return null;
  const names = optimizerOrder(conds.map((c) => c.optimizer));
  const panels = (['sparsity_mean', 'selectivity_mean'] as const).map((m) => {
    const data = conds.flatMap((c) =>
      Array.from({ length: depth }, (_, l) => {
        const s = statAt(c, finalEpoch(c), (e) => e.layers[l]?.[m] ?? null);
        return s ? [{ optimizer: c.optimizer, layer: `HL${l + 1}`, ...s }] : [];
      }).flat(),
    );
    return {
      width: 60 * depth,
      height: 200,
      data: { values: data },
      encoding: { x: { field: 'optimizer', type: 'nominal', title: null, sort: names, axis: { labelAngle: 0 } }, xOffset: { field: 'layer', type: 'nominal' } },
      layer: [
        { mark: { type: 'bar', stroke: 'white' }, encoding: { y: { field: 'mean', type: 'quantitative', title: valueTitle(m === 'sparsity_mean' ? 'sparsity' : 'selectivity') }, color: colourOf(conds), opacity: { field: 'layer', type: 'ordinal', title: 'hidden layer', scale: { range: [1, 0.35] } } } },
        { mark: { type: 'rule', color: 'black' }, encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
      ],
    };
  });
  return { spec: hconcat(title, `${depth} hidden layers, final epoch ${finals(conds)}; bars left to right HL1…HL${depth}; error bars ${BAND}`, panels), runs: runsOf(conds), epochs: finals(conds) };
};

const violin: FigureKindDraw = (runs, o, title) => {
  const conds = select(runs, o);
  const data: VegaLiteSpec[] = [];
  const used: FigureRun[] = [];
  for (const c of conds) {
    for (const r of c.runs) {
      const units = perUnitSelectivity(r);
      if (!units) continue;
      used.push(r);
      units.forEach((layer, l) => {
        for (const v of layer) data.push({ optimizer: c.optimizer, layer: `HL${l + 1}`, selectivity: v });
      });
    }
  }
  if (used.length === 0) return null;
  const usedConds = conds.filter((c) => c.runs.some((r) => used.includes(r)));
  const names = optimizerOrder(usedConds.map((c) => c.optimizer));
  const layers = new Set(data.map((d) => d.layer)).size;
  return {
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      title: { text: title, subtitle: 'per-unit CCMAS selectivity at the final epoch, units of all seeds pooled; width: density' },
      data: { values: data },
      transform: [{ density: 'selectivity', groupby: ['optimizer', 'layer'], extent: [0, 1] }],
      facet: { column: { field: 'optimizer', type: 'nominal', sort: names, title: null }, ...(layers > 1 ? { row: { field: 'layer', type: 'nominal', title: null } } : {}) },
      spec: {
        width: 90,
        height: 220,
        mark: { type: 'area', orient: 'horizontal' },
        encoding: {
          y: { field: 'value', type: 'quantitative', title: 'selectivity (CCMAS)' },
          x: { field: 'density', type: 'quantitative', stack: 'center', impute: null, title: null, axis: { labels: false, grid: false, ticks: false } },
          color: colourOf(usedConds),
        },
      },
    },
    runs: used,
    epochs: finals(usedConds),
  };
};

/** The registry: one entry per kind. */
export const DISSERTATION_KINDS: Record<string, FigureKindDraw> = {
  'epoch-lines': epochLines,
  'train-test-lines': trainTestLines,
  'train-test-scatter': trainTestScatter,
  'sparsity-selectivity': sparsitySelectivity,
  'accuracy-vs-metric': accuracyVsMetric,
  'final-vs-param': finalVsParam,
  bars,
  'per-layer-final': perLayerFinal,
  violin,
};
