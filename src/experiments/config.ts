/**
 * Run configurations: the type, the defaults, validation with errors that name the field, the canonical
 * form and its hash, run ids, and the derivation of each run's random streams.
 *
 * Seeding (PROTOCOL §3, the project's deliberate improvement on the original notebooks): every run gets
 * its own random streams, derived only from its seed and from the part of its configuration that shapes
 * training, so any single run can be repeated alone and gives the same numbers:
 *
 *   trainingHash = sha256(canonicalJson(config without seed, epochs, evalBatchSize, metrics, data.test))
 *   init stream    = new Rng(`${seed}/${trainingHash[0..16)}/init`)      — weight initialisation
 *   sampler stream = new Rng(`${seed}/${trainingHash[0..16)}/sampler`)   — per-epoch shuffles, chunk orders
 *
 * The fields left out of `trainingHash` only change what is measured or for how long, so a 50-epoch run
 * repeats a 30-epoch run's first 30 epochs exactly, and turning on the training-stream metrics does not
 * change the trajectory. `canonicalJson` sorts object keys at every level; numbers print as JavaScript's
 * shortest round-trip form. The run id names the condition readably and ends in the first 8 hex digits of
 * the hash of the whole configuration without the seed (`configHash`), which the seeds of one condition share:
 * `adam-784x256x10-b50-s1-1a2b3c4d`.
 */
import { createHash } from 'node:crypto';
import type { SamplerSpec } from '../data/index.js';
import { checkModel, models } from './kinds/models.js';
import { optimizers } from './kinds/optimizers.js';
import { checkOptions, defaultValue, describeValue as describe, type OptionValue } from './kinds/options.js';
import { samplers, type SamplerConfigLike } from './kinds/samplers.js';

/** Optimizer names are the registry's (src/experiments/kinds/optimizers.ts). */
export type OptimizerName = string;

/** The optimizers registered when this module loaded (see `optimizers.names()` for the live list). */
export const OPTIMIZER_NAMES: readonly OptimizerName[] = optimizers.names();

export const ACTIVATIONS = ['sigmoid', 'relu', 'tanh'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/** Option values an optimizer takes: numbers, booleans, or a pair of numbers (Adam's betas). */
export type OptimizerOptionValue = OptionValue;

/** `{ name: 'adam', lr: 0.001, betas: [0.9, 0.999], … }` — PyTorch's option names in camelCase. */
export interface OptimizerConfig {
  name: OptimizerName;
  [option: string]: OptimizerOptionValue | OptimizerName;
}

/** Every registered optimizer's option defaults (the dissertation's settings for its four, PyTorch's otherwise). */
export const OPTIMIZER_DEFAULTS: Readonly<Record<OptimizerName, Record<string, OptimizerOptionValue>>> = Object.fromEntries(
  optimizers.all().map((d) => [d.name, Object.fromEntries(Object.entries(d.options).map(([k, o]) => [k, defaultValue(o)]))]),
);

/** A model other than the default MLP: `{ kind: 'cnn', … }` (src/experiments/kinds/models.ts). */
export interface ModelConfig {
  kind: string;
  [option: string]: OptionValue | string;
}

/** The datasets the runner knows, with the sizes the network's ends must have. */
export const DATASETS = { mnist: { features: 784, classes: 10 } } as const;
export type DatasetName = keyof typeof DATASETS;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * A {@link SamplerSpec} without `batchSize` and `seed`: the run supplies those (its `batchSize`, and its
 * derived sampler stream). `{ kind: 'shuffled' }` is PyTorch's `DataLoader(shuffle=True)`; 'consecutive'
 * (Sec. 5.7) trains with batch 1, so it needs `batchSize: 1`.
 */
export type SamplerConfig = DistributiveOmit<SamplerSpec, 'batchSize' | 'seed'>;

/** The sampler spec of a run: its sampler config plus its batch size and sampler seed. */
export function samplerSpec(config: RunConfig): SamplerSpec {
  const sampler = config.sampler as SamplerConfigLike;
  return samplers.get(sampler.kind).spec(sampler, config.batchSize, deriveSeeds(config).sampler);
}

/** Images [start, end) of a split, in dataset order. */
export interface RangeSpec {
  start: number;
  end: number;
}

export interface DataConfig {
  name: DatasetName;
  /** A contiguous part of the training split (default: all of it). */
  train?: RangeSpec;
  /** A contiguous part of the test split (default: all of it). */
  test?: RangeSpec;
}

export interface MetricsConfig {
  /** CCMAS epsilon added to the denominator (PROTOCOL §2; default 1e-7, 0 allowed). */
  eps: number;
  /** Also measure every training minibatch before its step (Sec. 5.3). */
  train: boolean;
  /**
   * Store the final epoch's per-unit CCMAS selectivity of every measured layer (`per_unit_selectivity` in
   * the last epoch record; the selectivity violins). Absent = false; left out of the configuration when
   * false, so it changes no existing run id.
   */
  perUnit?: boolean;
  /**
   * After the final epoch, remove k ∈ {1, 5, 10, 100} units of the last measured layer at test time (most
   * selective, least selective, random; src/experiments/ablation.ts) and record the accuracies (`ablation`).
   * Absent = false, as `perUnit`.
   */
  ablation?: boolean;
}

export interface RunConfig {
  data: DataConfig;
  /** Hidden-layer widths, input side first; `[256]` is the dissertation's model. */
  hidden: number[];
  activation: ActivationName;
  optimizer: OptimizerConfig;
  batchSize: number;
  /** How training batches are drawn (see src/data): the sampler's options without batch size and seed. */
  sampler: SamplerConfig;
  epochs: number;
  seed: number;
  /** Test-pass batch size (50 in the original; only the test loss's rounding depends on it). */
  evalBatchSize: number;
  metrics: MetricsConfig;
  /** The network when it is not the default MLP of `hidden` + `activation` (absent for an MLP without options). */
  model?: ModelConfig;
}

/** What a caller may give: any field may be left out except that `optimizer` needs at least its name. */
export type RunConfigInput = Partial<Omit<RunConfig, 'optimizer' | 'metrics' | 'data' | 'model'>> & {
  model?: Partial<ModelConfig> & { kind: string };
  optimizer?: OptimizerName | (Partial<OptimizerConfig> & { name: OptimizerName });
  metrics?: Partial<MetricsConfig>;
  data?: Partial<DataConfig>;
};

export const DEFAULT_CONFIG: Omit<RunConfig, 'optimizer'> = {
  data: { name: 'mnist' },
  hidden: [256],
  activation: 'sigmoid',
  batchSize: 50,
  sampler: { kind: 'shuffled' },
  epochs: 30,
  seed: 1,
  evalBatchSize: 50,
  metrics: { eps: 1e-7, train: false },
};

export const BASELINE_OPTIMIZERS: OptimizerName[] = ['sgd', 'adagrad', 'adadelta', 'adam'];
export const BASELINE_SEEDS = [1, 100, 1234];

/** A configuration the runner cannot accept; `problems` lists every bad field. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid run configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

/**
 * Fill in defaults and check every field. Throws a {@link ConfigError} listing all problems, each naming
 * the field, what was expected and what was given; on success returns a fresh, complete configuration.
 */
export function normalizeConfig(input: RunConfigInput): RunConfig {
  const problems: string[] = [];
  const bad = (field: string, expected: string, got: unknown) => problems.push(`${field}: expected ${expected}, got ${describe(got)}`);
  if (input === null || typeof input !== 'object') throw new ConfigError([`config: expected an object, got ${describe(input)}`]);

  const known = new Set(['data', 'hidden', 'activation', 'optimizer', 'batchSize', 'sampler', 'epochs', 'seed', 'evalBatchSize', 'metrics', 'model']);
  for (const k of Object.keys(input)) if (!known.has(k)) problems.push(`${k}: unknown field (known: ${[...known].join(', ')})`);

  // data
  const dataIn = input.data ?? {};
  const data: DataConfig = { name: (dataIn.name ?? 'mnist') as DatasetName };
  if (!(data.name in DATASETS)) bad('data.name', `one of ${Object.keys(DATASETS).join(', ')}`, data.name);
  for (const k of Object.keys(dataIn)) if (!['name', 'train', 'test'].includes(k)) problems.push(`data.${k}: unknown field (known: name, train, test)`);
  for (const split of ['train', 'test'] as const) {
    const r = dataIn[split];
    if (r === undefined) continue;
    if (r === null || typeof r !== 'object' || !Number.isInteger(r.start) || !Number.isInteger(r.end) || r.start < 0 || r.end <= r.start) {
      bad(`data.${split}`, '{ start, end } with integers 0 ≤ start < end', r);
    } else data[split] = { start: r.start, end: r.end };
  }

  // network
  const hidden = input.hidden ?? DEFAULT_CONFIG.hidden;
  if (!Array.isArray(hidden) || hidden.length === 0 || !hidden.every(isPositiveInt)) {
    bad('hidden', 'a non-empty list of positive integer widths, e.g. [256]', hidden);
  }
  const activation = input.activation ?? DEFAULT_CONFIG.activation;
  if (!ACTIVATIONS.includes(activation)) bad('activation', `one of ${ACTIVATIONS.join(', ')}`, activation);

  // optimizer (options checked against the registry's schemas)
  let optimizer: OptimizerConfig = { name: 'sgd' };
  const optIn = typeof input.optimizer === 'string' ? { name: input.optimizer } : input.optimizer;
  if (optIn === undefined || optIn === null || typeof optIn !== 'object') {
    bad('optimizer', `an optimizer name (${optimizers.names().join(', ')}) or { name, …options }`, optIn);
  } else if (typeof optIn.name !== 'string' || !optimizers.has(optIn.name)) {
    problems.push(`optimizer.name: ${optimizers.unknownMessage(optIn.name)}`);
  } else {
    const kind = optimizers.get(optIn.name);
    const { name: _name, ...given } = optIn;
    optimizer = { name: kind.name, ...checkOptions(kind.options, given, 'optimizer', kind.name, problems) };
  }

  // model (an MLP without options is left out, so the baseline's hashes do not mention it)
  let model: ModelConfig | undefined;
  if (input.model !== undefined) {
    const m = checkModel(input.model, problems);
    if (m) {
      models.get(m.kind).validate?.({ hidden }, problems);
      // An mlp's options at their defaults are left out too: { kind: 'mlp', dropout: 0 } is the plain mlp.
      if (m.kind === 'mlp') {
        for (const [k, v] of Object.entries(m.options)) if (JSON.stringify(v) === JSON.stringify(defaultValue(models.get('mlp').options[k]))) delete m.options[k];
      }
      if (m.kind !== 'mlp' || Object.keys(m.options).length > 0) model = { kind: m.kind, ...m.options };
    }
  }

  // training
  const batchSize = input.batchSize ?? DEFAULT_CONFIG.batchSize;
  if (!isPositiveInt(batchSize)) bad('batchSize', 'a positive integer', batchSize);
  let sampler = (input.sampler ?? DEFAULT_CONFIG.sampler) as SamplerConfigLike;
  const samplerKind = sampler !== null && typeof sampler === 'object' && typeof sampler.kind === 'string' ? samplers.find(sampler.kind) : undefined;
  if (sampler === null || typeof sampler !== 'object' || Array.isArray(sampler)) {
    bad('sampler', `{ kind: ${samplers.names().join(' | ')}, … }`, sampler);
  } else if (!samplerKind) {
    problems.push(`sampler.kind: ${samplers.unknownMessage(sampler.kind)}`);
  } else {
    const classes = DATASETS[data.name]?.classes ?? 10;
    if (isPositiveInt(batchSize)) problems.push(...samplerKind.check(sampler, batchSize, classes));
    if (samplerKind.canonical) sampler = samplerKind.canonical(sampler);
  }
  const epochs = input.epochs ?? DEFAULT_CONFIG.epochs;
  if (!isPositiveInt(epochs)) bad('epochs', 'a positive integer', epochs);
  const seed = input.seed ?? DEFAULT_CONFIG.seed;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) bad('seed', 'a non-negative integer', seed);
  const evalBatchSize = input.evalBatchSize ?? DEFAULT_CONFIG.evalBatchSize;
  if (!isPositiveInt(evalBatchSize)) bad('evalBatchSize', 'a positive integer', evalBatchSize);

  // metrics
  const metricsIn = input.metrics ?? {};
  const metrics: MetricsConfig = { eps: metricsIn.eps ?? DEFAULT_CONFIG.metrics.eps, train: metricsIn.train ?? DEFAULT_CONFIG.metrics.train };
  for (const k of Object.keys(metricsIn)) if (!['eps', 'train', 'perUnit', 'ablation'].includes(k)) problems.push(`metrics.${k}: unknown field (known: eps, train, perUnit, ablation)`);
  // The final-epoch extras are recorded only when asked for, and stated only then (run ids stay as they were).
  for (const k of ['perUnit', 'ablation'] as const) {
    const v = metricsIn[k];
    if (v === undefined || v === false) continue;
    if (v !== true) bad(`metrics.${k}`, 'true or false', v);
    else metrics[k] = true;
  }
  if (typeof metrics.eps !== 'number' || !Number.isFinite(metrics.eps) || metrics.eps < 0) bad('metrics.eps', 'a finite number ≥ 0', metrics.eps);
  if (typeof metrics.train !== 'boolean') bad('metrics.train', 'true or false', metrics.train);

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    data,
    hidden: hidden.slice(),
    activation,
    optimizer,
    batchSize,
    sampler: JSON.parse(JSON.stringify(sampler)) as SamplerConfig,
    epochs,
    seed,
    evalBatchSize,
    metrics,
    ...(model && { model }),
  };
}

/** JSON with object keys sorted at every level, no whitespace: equal configs give equal strings. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError(`canonicalJson: ${value} has no JSON form`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Hash (16 hex digits) of the whole configuration without the seed: the condition's identity. */
export function configHash(config: RunConfig): string {
  const { seed: _seed, ...rest } = config;
  return sha256Hex(canonicalJson(rest)).slice(0, 16);
}

/** Hash (16 hex digits) of the fields that shape training (see the module comment for what is left out). */
export function trainingHash(config: RunConfig): string {
  const { seed: _s, epochs: _e, evalBatchSize: _b, metrics: _m, data, ...rest } = config;
  const { test: _t, ...trainData } = data;
  return sha256Hex(canonicalJson({ ...rest, data: trainData })).slice(0, 16);
}

/** The seed strings of the run's two independent streams (weight init; sampler). */
export function deriveSeeds(config: RunConfig): { init: string; sampler: string } {
  const base = `${config.seed}/${trainingHash(config)}`;
  return { init: `${base}/init`, sampler: `${base}/sampler` };
}

/** Layer widths from input to output, e.g. [784, 256, 10]. */
export function layerWidths(config: RunConfig): number[] {
  const d = DATASETS[config.data.name];
  return [d.features, ...config.hidden, d.classes];
}

/** `adam-784x256x10-b50-s1-1a2b3c4d`: readable, and unique per configuration + seed. */
export function runId(config: RunConfig): string {
  // A model kind other than the mlp is named (`adam-cnn-784x256x10-…`); the hash tells options apart.
  const kind = config.model && config.model.kind !== 'mlp' ? `${config.model.kind}-` : '';
  return `${config.optimizer.name}-${kind}${layerWidths(config).join('x')}-b${config.batchSize}-s${config.seed}-${configHash(config).slice(0, 8)}`;
}

export interface BaselineOptions {
  optimizers?: OptimizerName[];
  seeds?: number[];
  epochs?: number;
  batchSize?: number;
  hidden?: number[];
  activation?: ActivationName;
  data?: Partial<DataConfig>;
  metrics?: Partial<MetricsConfig>;
}

/**
 * The dissertation's baseline (Sec. 5.1–5.2): 784-256-10 sigmoid, batch 50, shuffled, the four optimizers
 * with their settings, seeds 1, 100, 1234, 30 epochs — each overridable. Ordered optimizer-major, so the
 * seeds of one optimizer finish together.
 */
export function baselineConfigs(opts: BaselineOptions = {}): RunConfig[] {
  const optimizers = opts.optimizers ?? BASELINE_OPTIMIZERS;
  const seeds = opts.seeds ?? BASELINE_SEEDS;
  if (optimizers.length === 0) throw new ConfigError(['optimizers: expected at least one optimizer, got none']);
  if (seeds.length === 0) throw new ConfigError(['seeds: expected at least one seed, got none']);
  const out: RunConfig[] = [];
  for (const name of optimizers) {
    for (const seed of seeds) {
      out.push(
        normalizeConfig({
          optimizer: name,
          seed,
          ...(opts.epochs !== undefined && { epochs: opts.epochs }),
          ...(opts.batchSize !== undefined && { batchSize: opts.batchSize }),
          ...(opts.hidden !== undefined && { hidden: opts.hidden }),
          ...(opts.activation !== undefined && { activation: opts.activation }),
          ...(opts.data !== undefined && { data: opts.data }),
          ...(opts.metrics !== undefined && { metrics: opts.metrics }),
        }),
      );
    }
  }
  return out;
}
