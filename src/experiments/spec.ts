/**
 * Experiments as data: an {@link ExperimentSpec} (a JSON file; schema in spec.schema.json beside this
 * module) names a base run configuration, sweep axes over any configuration path, seeds, epochs, the
 * measures it reports and the figures it draws. {@link expandSpec} turns it, deterministically, into the
 * planned runs — {@link RunConfig}s with their ids (config.ts `runId`, unchanged: a spec's labels are not
 * part of any configuration, so the baseline's ids and hashes are the same whether run by `npm start` or
 * by `run baseline`).
 *
 * Expansion, in this order (outermost first):
 *
 *   for each condition block (or one implicit block when `conditions` is absent)
 *     for each point of the product of: the spec's `axes`, then the block's `axes`, then multi-valued overrides
 *       for each seed
 *         config = base ← block.set ← the point's assignments ← single-valued overrides ← { seed, epochs }
 *
 * An axis is `{ path, values }` (a product factor) or `{ zip: [axis, axis, …] }` (paired axes advanced
 * together, equal lengths — e.g. con n: sampler and batch size). A path is dotted, numeric parts index
 * arrays: `optimizer.lr`, `hidden`, `optimizer.betas.0` (an absent optimizer option is first filled with
 * the optimizer's default, so `betas.0` keeps β2 at its default).
 *
 * Overrides (Hydra's syntax): `path=value` sets, `path=v1,v2,…` sweeps (a new product axis, or the values
 * of the axis already on that path); `seeds=1,2` and `epochs=5` replace the spec's. Values are read as
 * JSON where they parse (`0.1`, `true`, `[0.9,0.99]`, `{"kind":"sorted"}`), as strings otherwise.
 *
 * Two planned runs may be the same run (Table 5.4's lr sweep at SGD's default lr 0.1 is also its momentum
 * sweep's momentum 0): they keep their own labels in the plan and share one id, so the run is trained once
 * ({@link distinctRuns}).
 */
import { ConfigError, normalizeConfig, runId, type RunConfig, type RunConfigInput } from './config.js';
import { optimizers } from './kinds/optimizers.js';

/** One swept configuration path and its values; `labels` (same length) name the values in condition labels. */
export interface Axis {
  path: string;
  values: unknown[];
  labels?: string[];
}

/** Paired axes, advanced together. */
export interface ZipAxis {
  zip: Axis[];
}

export type AxisEntry = Axis | ZipAxis;

/** A named group of conditions (Table 5.4's "learning rate" sweep, Sec. 5.9's "single"). */
export interface ConditionBlock {
  name: string;
  /** Configuration paths set for every run of the block. */
  set?: Record<string, unknown>;
  axes?: AxisEntry[];
  /** The block's own epoch count (e.g. conv's 30-epoch MLP reference beside 5-epoch CNN runs); an `epochs=` override still wins. */
  epochs?: number;
}

export const FIGURE_KINDS = ['metric-vs-epoch', 'final-vs-param', 'bars', 'per-layer'] as const;
export type FigureKind = (typeof FIGURE_KINDS)[number];

export interface FigureSpec {
  kind: FigureKind;
  /** For final-vs-param: the swept path on the x axis (e.g. `optimizer.lr`). */
  param?: string;
  /** Log x axis (default: true for lr and weight decay). */
  logX?: boolean;
  /** Only these condition blocks (default all). */
  blocks?: string[];
  /** Metrics to draw (default: the spec's measures). */
  metrics?: string[];
  title?: string;
}

/** What a spec may ask to be recorded. Every epoch record holds the first seven and the per-layer values. */
export const MEASURES = [
  'test_acc',
  'test_loss',
  'train_loss',
  'sparsity_mean',
  'selectivity_mean',
  'sparsity_std',
  'selectivity_std',
  'per_layer',
  'train_metrics',
  'per_unit_selectivity',
  'ablation',
] as const;
export type Measure = (typeof MEASURES)[number];

/**
 * Measures the runner does not record yet, with what will record them (a spec asking for one cannot run yet).
 * Empty now: `per_unit_selectivity` and `ablation` are recorded with `metrics.perUnit` / `metrics.ablation`.
 */
export const PENDING_MEASURES: Readonly<Partial<Record<Measure, string>>> = {};

/** Why the runs of a plan cannot be trained yet (pending measures), or [] when they can. */
export function pendingMeasures(spec: ExperimentSpec): string[] {
  return (spec.measures ?? []).flatMap((m) => (PENDING_MEASURES[m] !== undefined ? [`measure ${m} is not recorded yet: ${PENDING_MEASURES[m]}`] : []));
}

export interface ExperimentSpec {
  $schema?: string;
  /** The preset's name (`sparsity-lab run <name>`); lowercase, digits and dashes. */
  name: string;
  title: string;
  /** One line for `sparsity-lab list`. */
  description: string;
  /** Where it comes from: 'Sec. 5.5, Table 5.4', 'formative', 'extra'. */
  source?: string;
  group?: 'summative' | 'formative' | 'extra';
  /** Notes (deviations, what the dissertation printed). */
  notes?: string[];
  base?: Record<string, unknown>;
  axes?: AxisEntry[];
  conditions?: ConditionBlock[];
  seeds: number[];
  epochs: number;
  measures?: Measure[];
  figures?: FigureSpec[];
}

/** One planned run: its configuration and id, and the labels that place it in its experiment. */
export interface PlannedRun {
  /** Position in the plan (0-based; the order shards and progress use). */
  index: number;
  id: string;
  config: RunConfig;
  experiment: string;
  /** The condition without optimizer and seed: block name and swept values, e.g. "lr lr=0.1". */
  condition: string;
  /** The block it came from ('' without blocks). */
  block: string;
  /** The axis values of its point, by path. */
  point: Record<string, unknown>;
  /** Why it cannot run yet (only with `planPending`): a kind or option that is not registered. */
  pending?: string;
}

export class SpecError extends Error {
  readonly problems: string[];
  constructor(where: string, problems: string[]) {
    const shown = problems.length > 4 ? [...problems.slice(0, 3), `… and ${problems.length - 3} more`] : problems;
    super(`${where}: ${shown.length === 1 ? shown[0] : `\n  - ${shown.join('\n  - ')}`}`);
    this.name = 'SpecError';
    this.problems = problems;
  }
}

// ---------------------------------------------------------------- overrides

/** A parsed `path=value[,value…]` override. */
export interface Override {
  path: string;
  values: unknown[];
}

/** `0.1` → 0.1, `true` → true, `[0.9,0.99]` → array, `sorted` → 'sorted'. */
export function parseValue(text: string): unknown {
  const t = text.trim();
  try {
    return JSON.parse(t);
  } catch {
    return t;
  }
}

/** Split on commas outside brackets/braces/quotes. */
function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = '';
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && (ch === '[' || ch === '{')) depth++;
    if (!quoted && (ch === ']' || ch === '}')) depth--;
    if (ch === ',' && depth === 0 && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

const PATH_RE = /^[A-Za-z_][A-Za-z0-9_]*(\.([A-Za-z_][A-Za-z0-9_]*|\d+))*$/;

/** `optimizer.lr=0.01,0.1` → { path: 'optimizer.lr', values: [0.01, 0.1] }; throws a SpecError naming the text. */
export function parseOverride(text: string): Override {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new SpecError(`override "${text}"`, ['expected path=value or path=v1,v2,… (e.g. optimizer.lr=0.01,0.1 or seeds=1,2)']);
  const path = text.slice(0, eq).trim();
  if (!PATH_RE.test(path)) throw new SpecError(`override "${text}"`, [`"${path}" is not a configuration path (dotted names, numbers index arrays: optimizer.betas.0)`]);
  const raw = text.slice(eq + 1);
  const parts = splitTopLevel(raw);
  if (raw.trim() === '' || parts.some((p) => p.trim() === '')) throw new SpecError(`override "${text}"`, ['a value is empty']);
  return { path, values: parts.map(parseValue) };
}

// ---------------------------------------------------------------- paths

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** The default of an optimizer option, for paths that index into one that is not set yet. */
function optimizerDefault(root: Record<string, unknown>, option: string): unknown {
  const opt = root.optimizer;
  const name = typeof opt === 'string' ? opt : opt !== null && typeof opt === 'object' ? (opt as { name?: unknown }).name : undefined;
  if (typeof name !== 'string') return undefined;
  return clone(optimizers.find(name)?.options[option]?.default);
}

/** Set `path` in `root` (creating objects; `optimizer: 'sgd'` becomes `{ name: 'sgd' }` when a path goes into it). */
export function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node: Record<string, unknown> | unknown[] = root;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i];
    const container = node as Record<string, unknown>;
    let next = container[k];
    if (typeof next === 'string' && i === 0 && k === 'optimizer') next = { name: next };
    if (next === undefined || next === null) {
      const fromDefault = i === 1 && keys[0] === 'optimizer' ? optimizerDefault(root, k) : undefined;
      next = fromDefault ?? (/^\d+$/.test(keys[i + 1]) ? [] : {});
    }
    if (typeof next !== 'object') throw new SpecError(`path ${path}`, [`${keys.slice(0, i + 1).join('.')} is ${JSON.stringify(next)}, not an object or array`]);
    container[k] = next;
    node = next as Record<string, unknown>;
  }
  (node as Record<string, unknown>)[keys[keys.length - 1]] = clone(value);
}

// ---------------------------------------------------------------- expansion

function isZip(a: AxisEntry): a is ZipAxis {
  return (a as ZipAxis).zip !== undefined;
}

/** One factor of the product: its paths and, per point, the values of those paths and their labels. */
interface Factor {
  paths: string[];
  points: Array<{ values: unknown[]; labels: string[] }>;
}

function showValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(showValue).join('x');
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const head = typeof o.kind === 'string' ? o.kind : '';
    const rest = Object.entries(o).filter(([k]) => k !== 'kind').map(([k, x]) => `${k}:${showValue(x)}`);
    return [head, ...rest].filter((s) => s !== '').join(' ');
  }
  if (typeof v === 'number') return String(Number(v.toPrecision(4)));
  return String(v);
}

function lastPart(path: string): string {
  const parts = path.split('.');
  const last = parts[parts.length - 1];
  return /^\d+$/.test(last) && parts.length > 1 ? `${parts[parts.length - 2]}[${last}]` : last;
}

function factorOf(entry: AxisEntry, where: string, problems: string[]): Factor | null {
  const axes = isZip(entry) ? entry.zip : [entry];
  if (!Array.isArray(axes) || axes.length === 0) {
    problems.push(`${where}: a zip needs at least one axis`);
    return null;
  }
  for (const [i, a] of axes.entries()) {
    const at = isZip(entry) ? `${where}.zip[${i}]` : where;
    if (a === null || typeof a !== 'object' || typeof a.path !== 'string' || !PATH_RE.test(a.path)) {
      problems.push(`${at}.path: expected a dotted configuration path, got ${JSON.stringify(a?.path)}`);
      return null;
    }
    if (!Array.isArray(a.values) || a.values.length === 0) {
      problems.push(`${at}.values: expected a non-empty list, got ${JSON.stringify(a.values)}`);
      return null;
    }
    if (a.labels !== undefined && (!Array.isArray(a.labels) || a.labels.length !== a.values.length)) {
      problems.push(`${at}.labels: expected one label per value (${a.values.length}), got ${JSON.stringify(a.labels)}`);
      return null;
    }
  }
  const n = axes[0].values.length;
  if (axes.some((a) => a.values.length !== n)) {
    problems.push(`${where}: zipped axes need equally many values, got ${axes.map((a) => `${a.path}: ${a.values.length}`).join(', ')}`);
    return null;
  }
  return {
    paths: axes.map((a) => a.path),
    points: Array.from({ length: n }, (_, i) => ({
      values: axes.map((a) => a.values[i]),
      labels: axes.map((a) => (a.labels ? a.labels[i] : a.path === 'optimizer.name' ? '' : `${lastPart(a.path)}=${showValue(a.values[i])}`)),
    })),
  };
}

function product(factors: Factor[]): Array<Array<{ values: unknown[]; labels: string[] }>> {
  let out: Array<Array<{ values: unknown[]; labels: string[] }>> = [[]];
  for (const f of factors) out = out.flatMap((prefix) => f.points.map((p) => [...prefix, p]));
  return out;
}

/** Replace the values of an axis on `path` (wherever it is, zipped axes excepted); true if one was found. */
function replaceAxis(entries: AxisEntry[] | undefined, path: string, values: unknown[]): boolean {
  let found = false;
  for (const e of entries ?? []) {
    if (!isZip(e) && e.path === path) {
      e.values = values;
      delete e.labels;
      found = true;
    }
  }
  return found;
}

function zippedPaths(entries: AxisEntry[] | undefined): string[] {
  return (entries ?? []).filter(isZip).flatMap((z) => z.zip.map((a) => a.path));
}

export interface ExpandOptions {
  overrides?: ReadonlyArray<string | Override>;
  /**
   * Plan runs whose only problem is a kind or option that is not registered yet (the conv preset before
   * the cnn model kind exists): they get `pending` with the reason, so a dry-run can show the plan. Default
   * false: such runs are errors like any other.
   */
  planPending?: boolean;
}

/** The problems of a ConfigError that only say "not available yet". */
function onlyPending(problems: readonly string[]): boolean {
  return problems.length > 0 && problems.every((p) => p.includes('not available yet'));
}

/** Check the spec's own fields (not the run configurations, which normalizeConfig checks per run). */
export function checkSpecShape(spec: unknown): string[] {
  const p: string[] = [];
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return [`expected a JSON object, got ${JSON.stringify(spec)}`];
  const s = spec as Record<string, unknown>;
  const known = new Set(['$schema', 'name', 'title', 'description', 'source', 'group', 'notes', 'base', 'axes', 'conditions', 'seeds', 'epochs', 'measures', 'figures']);
  for (const k of Object.keys(s)) if (!known.has(k)) p.push(`${k}: unknown field (known: ${[...known].filter((x) => x !== '$schema').join(', ')})`);
  if (typeof s.name !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(s.name)) p.push(`name: expected lowercase letters, digits and dashes, got ${JSON.stringify(s.name)}`);
  for (const k of ['title', 'description']) if (typeof s[k] !== 'string' || (s[k] as string).trim() === '') p.push(`${k}: expected a non-empty string, got ${JSON.stringify(s[k])}`);
  if (!Array.isArray(s.seeds) || s.seeds.length === 0 || !s.seeds.every((x) => Number.isSafeInteger(x) && (x as number) >= 0)) {
    p.push(`seeds: expected a non-empty list of non-negative integers, got ${JSON.stringify(s.seeds)}`);
  } else if (new Set(s.seeds).size !== s.seeds.length) p.push(`seeds: a seed is listed twice in ${JSON.stringify(s.seeds)}`);
  if (!Number.isSafeInteger(s.epochs) || (s.epochs as number) < 1) p.push(`epochs: expected a positive integer, got ${JSON.stringify(s.epochs)}`);
  if (s.base !== undefined && (s.base === null || typeof s.base !== 'object' || Array.isArray(s.base))) p.push(`base: expected a run configuration object, got ${JSON.stringify(s.base)}`);
  if (s.axes !== undefined && !Array.isArray(s.axes)) p.push(`axes: expected a list of axes, got ${JSON.stringify(s.axes)}`);
  if (s.conditions !== undefined) {
    if (!Array.isArray(s.conditions) || s.conditions.length === 0) p.push(`conditions: expected a non-empty list of { name, set?, axes? }, got ${JSON.stringify(s.conditions)}`);
    else {
      const names = new Set<string>();
      s.conditions.forEach((c: unknown, i: number) => {
        const b = c as ConditionBlock;
        if (b === null || typeof b !== 'object' || typeof b.name !== 'string' || b.name === '') p.push(`conditions[${i}].name: expected a non-empty string`);
        else if (names.has(b.name)) p.push(`conditions[${i}].name: "${b.name}" is used twice`);
        else names.add(b.name);
        if (b?.set !== undefined && (b.set === null || typeof b.set !== 'object' || Array.isArray(b.set))) p.push(`conditions[${i}].set: expected { path: value }`);
        if (b?.axes !== undefined && !Array.isArray(b.axes)) p.push(`conditions[${i}].axes: expected a list of axes`);
        if (b?.epochs !== undefined && (!Number.isSafeInteger(b.epochs) || b.epochs < 1)) p.push(`conditions[${i}].epochs: expected a positive integer, got ${JSON.stringify(b.epochs)}`);
      });
    }
  }
  if (s.measures !== undefined && (!Array.isArray(s.measures) || !s.measures.every((m) => MEASURES.includes(m as Measure)))) {
    p.push(`measures: expected a list of ${MEASURES.join(', ')}, got ${JSON.stringify(s.measures)}`);
  }
  if (s.figures !== undefined) {
    if (!Array.isArray(s.figures)) p.push(`figures: expected a list of { kind, … }`);
    else
      s.figures.forEach((f: unknown, i: number) => {
        const k = (f as FigureSpec | null)?.kind;
        if (!FIGURE_KINDS.includes(k as FigureKind)) p.push(`figures[${i}].kind: expected one of ${FIGURE_KINDS.join(', ')}, got ${JSON.stringify(k)}`);
        if (k === 'final-vs-param' && typeof (f as FigureSpec).param !== 'string') p.push(`figures[${i}].param: final-vs-param needs the swept path, e.g. "optimizer.lr"`);
      });
  }
  return p;
}

/**
 * The planned runs of `spec` with `overrides` applied (see the module comment). Throws a {@link SpecError}
 * listing every problem — of the spec's shape, an override, or any planned run's configuration (each
 * named by its block and point) — before anything runs.
 */
export function expandSpec(spec: ExperimentSpec, options: ExpandOptions = {}): PlannedRun[] {
  const where = `spec ${typeof spec?.name === 'string' ? spec.name : '(unnamed)'}`;
  const shape = checkSpecShape(spec);
  if (shape.length > 0) throw new SpecError(where, shape);
  const s = clone(spec);
  let seeds = s.seeds;
  let epochs = s.epochs;
  let epochsOverridden = false;
  const sets: Override[] = [];
  const extraAxes: AxisEntry[] = [];
  const problems: string[] = [];
  const blocks: ConditionBlock[] = s.conditions ?? [{ name: '' }];
  for (const o of options.overrides ?? []) {
    const ov = typeof o === 'string' ? parseOverride(o) : o;
    if (ov.path === 'seeds') {
      if (!ov.values.every((v) => Number.isSafeInteger(v) && (v as number) >= 0) || new Set(ov.values).size !== ov.values.length) {
        problems.push(`override seeds=${ov.values.join(',')}: expected distinct non-negative integers`);
      } else seeds = ov.values as number[];
      continue;
    }
    if (ov.path === 'epochs') {
      if (ov.values.length !== 1 || !Number.isSafeInteger(ov.values[0]) || (ov.values[0] as number) < 1) problems.push(`override epochs=${ov.values.join(',')}: expected one positive integer`);
      else {
        epochs = ov.values[0] as number;
        epochsOverridden = true;
      }
      continue;
    }
    if (ov.path === 'seed') {
      problems.push('override seed=…: use seeds=… (the spec lists its seeds)');
      continue;
    }
    if ([s.axes, ...blocks.map((b) => b.axes)].some((a) => zippedPaths(a).includes(ov.path))) {
      problems.push(`override ${ov.path}: that path is swept together with others (a zip axis); change the spec instead`);
      continue;
    }
    const replaced = [s.axes, ...blocks.map((b) => b.axes)].map((a) => replaceAxis(a, ov.path, ov.values)).some(Boolean);
    if (replaced) continue;
    if (ov.values.length > 1) extraAxes.push({ path: ov.path, values: ov.values });
    else sets.push(ov);
  }
  if (problems.length > 0) throw new SpecError(where, problems);

  const plan: PlannedRun[] = [];
  for (const [bi, block] of blocks.entries()) {
    const at = s.conditions ? `conditions[${bi}] (${block.name})` : 'axes';
    const runEpochs = epochsOverridden ? epochs : (block.epochs ?? epochs);
    const factors = [...(s.axes ?? []).map((a, i) => factorOf(a, `axes[${i}]`, problems)), ...(block.axes ?? []).map((a, i) => factorOf(a, `${at}.axes[${i}]`, problems)), ...extraAxes.map((a) => factorOf(a, `override ${(a as Axis).path}`, problems))];
    if (factors.some((f) => f === null)) continue;
    const fs = factors as Factor[];
    for (const point of product(fs)) {
      const input = clone(s.base ?? {}) as Record<string, unknown>;
      const assigned: Record<string, unknown> = {};
      try {
        for (const [path, v] of Object.entries(block.set ?? {})) setPath(input, path, v);
        point.forEach((p, fi) => fs[fi].paths.forEach((path, pi) => {
          setPath(input, path, p.values[pi]);
          assigned[path] = p.values[pi];
        }));
        for (const o of sets) setPath(input, o.path, o.values[0]);
      } catch (e) {
        problems.push((e as Error).message);
        continue;
      }
      const labels = point.flatMap((p) => p.labels).filter((l) => l !== '');
      const condition = [block.name, ...labels].filter((l) => l !== '').join(' ') || 'default';
      for (const seed of seeds) {
        let config: RunConfig;
        try {
          config = normalizeConfig({ ...(input as RunConfigInput), seed, epochs: runEpochs });
        } catch (e) {
          if (e instanceof ConfigError && options.planPending && onlyPending(e.problems) && input.model !== undefined) {
            // Plan it with the model as written (validated once its kind is registered).
            const { model, ...rest } = input;
            config = { ...normalizeConfig({ ...(rest as RunConfigInput), seed, epochs: runEpochs }), model: clone(model) as RunConfig['model'] };
            plan.push({ index: plan.length, id: runId(config), config, experiment: s.name, condition, block: block.name, point: assigned, pending: e.problems.join('; ') });
            continue;
          }
          if (e instanceof ConfigError) {
            const pointText = Object.entries(assigned).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
            for (const pr of e.problems) problems.push(`${block.name || 'run'}${pointText ? ` (${pointText})` : ''}: ${pr}`);
            break; // the other seeds of this point have the same problems
          }
          throw e;
        }
        plan.push({ index: plan.length, id: runId(config), config, experiment: s.name, condition, block: block.name, point: assigned });
      }
    }
  }
  if (problems.length > 0) throw new SpecError(where, [...new Set(problems)]);
  return plan;
}

/** The distinct runs of a plan, first occurrence first (planned runs that are the same run share an id). */
export function distinctRuns(plan: readonly PlannedRun[]): PlannedRun[] {
  const seen = new Set<string>();
  return plan.filter((p) => (seen.has(p.id) ? false : (seen.add(p.id), true)));
}
