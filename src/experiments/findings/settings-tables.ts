/**
 * The dissertation's tables of settings (chapter 5), printed beside what our presets plan — a check that the
 * runs are the experiments the text describes, generated from the preset specs alone (no runs needed):
 *
 * - Table 5.1: the four optimizers' baseline hyper-parameters, printed vs the baseline preset's configs (ours
 *   list every field the optimizer takes, PyTorch defaults included).
 * - Table 5.8: parameters per hidden width, printed vs counted from the neurons preset's networks
 *   (784·n + n + 10·n + 10).
 * - Tables 5.2, 5.4, 5.5, 5.7, 5.9, 5.10, 5.11 (experimental details, printed as prose-like grids): per summative
 *   preset, its distinct conditions with the settings that vary — hidden widths, batch size, sampler, epochs,
 *   optimizer settings — and how many runs each plans.
 */
import { loadSpec } from '../presets.js';
import { distinctRuns, expandSpec, type PlannedRun } from '../spec.js';

/** Table 5.1 as printed: optimizer → its printed settings. */
export const TABLE_5_1_PRINTED: ReadonlyArray<readonly [string, string]> = [
  ['sgd', 'lr 0.1, momentum 0'],
  ['adadelta', 'lr 1.0, rho 0.9'],
  ['adagrad', 'lr 0.1'],
  ['adam', 'lr 0.001, betas (0.9, 0.999)'],
];

/** Table 5.8 as printed: hidden width → parameters. */
export const TABLE_5_8_PRINTED: ReadonlyArray<readonly [number, number]> = [
  [64, 50890], [128, 101770], [256, 203530], [384, 305290], [512, 407050], [640, 508810], [768, 610570],
];

/** The summative presets and the dissertation table that gives their experimental details. */
export const DETAIL_TABLES: ReadonlyArray<readonly [string, string]> = [
  ['hidden-layers', 'Table 5.2'],
  ['hyperparameters', 'Table 5.4'],
  ['batch-size', 'Table 5.5'],
  ['neurons', 'Table 5.7'],
  ['class-diversity', 'Table 5.9'],
  ['sorted', 'Table 5.10'],
  ['combined', 'Table 5.11'],
];

function plan(preset: string): PlannedRun[] {
  return distinctRuns(expandSpec(loadSpec(preset), { planPending: true }));
}

const value = (v: unknown): string => (Array.isArray(v) ? `(${v.map(value).join(', ')})` : String(v));

/** An optimizer config as "lr 0.1, momentum 0, …" (every field but the name). */
export function optimizerText(optimizer: Record<string, unknown>): string {
  return Object.entries(optimizer)
    .filter(([k]) => k !== 'name')
    .map(([k, v]) => `${k} ${value(v)}`)
    .join(', ');
}

export function table51Markdown(): string {
  const ours = new Map<string, string>();
  for (const r of plan('baseline')) ours.set(r.config.optimizer.name, optimizerText(r.config.optimizer as unknown as Record<string, unknown>));
  const lines = ['| optimizer | printed | ours (baseline preset) |', '| --- | --- | --- |'];
  for (const [name, printed] of TABLE_5_1_PRINTED) lines.push(`| ${name} | ${printed} | ${ours.get(name) ?? '—'} |`);
  return lines.join('\n');
}

/** Weights and biases of a fully connected net with these layer widths. */
export function parameterCount(widths: readonly number[]): number {
  let p = 0;
  for (let i = 1; i < widths.length; i++) p += widths[i - 1] * widths[i] + widths[i];
  return p;
}

export function table58Markdown(): string {
  const widths = new Set<number>();
  for (const r of plan('neurons')) if (r.config.hidden.length === 1) widths.add(r.config.hidden[0]);
  const printed = new Map(TABLE_5_8_PRINTED);
  const all = [...new Set([...widths, ...printed.keys()])].sort((a, b) => a - b);
  const lines = ['| hidden units | parameters, printed | parameters, ours | in the neurons preset |', '| ---: | ---: | ---: | --- |'];
  for (const n of all) lines.push(`| ${n} | ${printed.get(n) ?? '—'} | ${parameterCount([784, n, 10])} | ${widths.has(n) ? 'yes' : 'no'} |`);
  return lines.join('\n');
}

/** The metrics' ε of the baseline preset (a preset measuring with another ε says so in its details). */
const BASELINE_METRICS_EPS = 1e-7;

/** The settings of a planned run that a detail table shows (the optimizer's apart). */
function settings(r: PlannedRun): string {
  const c = r.config;
  const sampler = Object.entries(c.sampler).map(([k, v]) => (k === 'kind' ? String(v) : `${k} ${value(v)}`)).join(' ');
  const model = c.model && c.model.kind !== 'mlp' ? `${c.model.kind} ` : '';
  const eps = c.metrics.eps !== BASELINE_METRICS_EPS ? `, metrics ε ${c.metrics.eps}` : '';
  const train = c.metrics.train ? ', training-stream metrics' : '';
  return `${model}784-${c.hidden.join('-')}-10, batch ${c.batchSize}, ${sampler}, ${c.epochs} epochs${eps}${train}`;
}

/** Numbers to 4 significant digits (0.000039810717 → 0.00003981). */
const short = (v: unknown): string => (typeof v === 'number' ? String(Number(v.toPrecision(4))) : value(v));

/** The fields of `optimizer` that differ from the baseline preset's settings for that optimizer. */
function changedSettings(optimizer: Record<string, unknown>, baseline: Map<string, Record<string, unknown>>): string {
  const base = baseline.get(String(optimizer.name)) ?? {};
  return Object.entries(optimizer)
    .filter(([k, v]) => k !== 'name' && JSON.stringify(v) !== JSON.stringify(base[k]))
    .map(([k, v]) => `${k} ${Array.isArray(v) ? `(${v.map(short).join(', ')})` : short(v)}`)
    .join(', ');
}

/**
 * One preset's distinct conditions: network, batch, sampler and epochs; the optimizers, each with the
 * settings that differ from Table 5.1's baseline; the runs planned.
 */
export function detailsMarkdown(preset: string): string {
  const baseline = new Map<string, Record<string, unknown>>();
  for (const r of plan('baseline')) baseline.set(r.config.optimizer.name, r.config.optimizer as unknown as Record<string, unknown>);
  const rows = new Map<string, { opts: Set<string>; runs: number }>();
  for (const r of plan(preset)) {
    const key = `${r.condition || '—'} | ${settings(r)}`;
    const row = rows.get(key) ?? { opts: new Set<string>(), runs: 0 };
    const changed = changedSettings(r.config.optimizer as unknown as Record<string, unknown>, baseline);
    row.opts.add(changed ? `${r.config.optimizer.name} (${changed})` : r.config.optimizer.name);
    row.runs++;
    rows.set(key, row);
  }
  const lines = ['| condition | network, batch, sampler, epochs | optimizers (settings other than Table 5.1’s) | runs |', '| --- | --- | --- | ---: |'];
  for (const [key, row] of rows) lines.push(`| ${key} | ${[...row.opts].join('; ')} | ${row.runs} |`);
  return lines.join('\n');
}

/** Every settings table, with headings, as one Markdown section. */
export function settingsTablesMarkdown(): string {
  const parts = [
    '## Table 5.1: the optimizers’ baseline settings', '', table51Markdown(), '',
    '## Table 5.8: parameters per hidden width', '', table58Markdown(), '',
  ];
  for (const [preset, table] of DETAIL_TABLES) {
    parts.push(`## ${table}: experimental details of the ${preset} preset (what we run)`, '', detailsMarkdown(preset), '');
  }
  return parts.join('\n');
}
