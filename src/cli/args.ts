/**
 * From command-line flags to run configurations — pure functions, so they are tested without a process.
 * Every bad flag value throws a {@link UsageError} naming the flag, what it expects and what it got.
 */
import {
  ACTIVATIONS,
  ConfigError,
  DATASETS,
  DEFAULT_CONFIG,
  OPTIMIZER_DEFAULTS,
  OPTIMIZER_NAMES,
  baselineConfigs,
  normalizeConfig,
  type ActivationName,
  type OptimizerName,
  type OptimizerOptionValue,
  type RunConfig,
  type SamplerConfig,
} from '../experiments/config.js';
import { checkOptimizerConfig } from '../experiments/optimizers.js';
import { optimizers } from '../experiments/kinds/optimizers.js';
import { samplers, type SamplerConfigLike } from '../experiments/kinds/samplers.js';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** "1,100,1234" → [1, 100, 1234]; each entry a non-negative integer (positive with `positive`). */
export function parseIntList(flag: string, text: string, { positive = false } = {}): number[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => p === '')) throw new UsageError(`${flag}: expected a comma-separated list of integers, got "${text}"`);
  return parts.map((p) => {
    const v = Number(p);
    if (!/^\d+$/.test(p) || !Number.isSafeInteger(v) || (positive && v === 0)) {
      throw new UsageError(`${flag}: "${p}" is not a ${positive ? 'positive' : 'non-negative'} integer (in "${text}")`);
    }
    return v;
  });
}

export function parsePositiveInt(flag: string, text: string): number {
  const [v] = parseIntList(flag, text, { positive: true });
  if (text.includes(',')) throw new UsageError(`${flag}: expected one positive integer, got "${text}"`);
  return v;
}

export function parseOptimizers(flag: string, text: string): OptimizerName[] {
  const names = text.split(',').map((s) => s.trim().toLowerCase());
  for (const n of names) {
    if (!OPTIMIZER_NAMES.includes(n as OptimizerName)) {
      throw new UsageError(`${flag}: unknown optimizer "${n}" (known: ${OPTIMIZER_NAMES.join(', ')})`);
    }
  }
  if (new Set(names).size !== names.length) throw new UsageError(`${flag}: an optimizer is listed twice in "${text}"`);
  return names as OptimizerName[];
}

/**
 * A plain decimal number ("0.1", "1e-3", "-2", ".5"), or NaN. Stricter than `Number`, which would also read
 * "0x10" as 16, "0b1" as 1, "" and " " as 0 and "Infinity" as ∞ — none of them a value a researcher means.
 */
export function decimal(text: string): number {
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text.trim()) ? Number(text) : NaN;
}

export function parseNonNegativeNumber(flag: string, text: string): number {
  const v = decimal(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < 0) throw new UsageError(`${flag}: expected a finite number ≥ 0, got "${text}"`);
  return v;
}

/** The forms `--sampler` accepts (for help and error messages), from the sampler registry. */
export const SAMPLER_FORMS = samplers
  .all()
  .map((k) => k.cliForm)
  .join(', ');

/**
 * `--sampler` text → the run config's sampler, read by the sampler kind's own `parseCli`
 * (src/experiments/kinds/samplers.ts): `kind[:param[:param]]`, e.g. `sorted`, `consecutive:10`,
 * `class-restricted:2:original`. `class-restricted:<k>:all-images` is the same as `class-restricted:<k>`
 * (the default rule is left out of the config, so both give the same config hash). The dissertation's
 * "con 1" is the ordinary shuffled run with `--batch-size 1`, not `consecutive:1` (which would fix one
 * random order for every epoch).
 */
export function parseSampler(flag: string, text: string): SamplerConfig {
  const [kindText, ...params] = text.trim().split(':');
  const kind = samplers.find(kindText.toLowerCase());
  if (!kind) throw new UsageError(`${flag}: expected ${SAMPLER_FORMS}, got "${text}"`);
  try {
    return kind.parseCli(params) as SamplerConfig;
  } catch (e) {
    throw new UsageError(`${flag}: ${(e as Error).message}; expected ${SAMPLER_FORMS}, got "${text}"`);
  }
}

/**
 * The batch size a sampler trains with: a kind with a fixed batch size (consecutive: 1) sets it (any other
 * `--batch-size` is an error); the kind's own checks (class-restricted: k divides the batch size, k at most
 * the dataset's classes) are reported naming the flags. Returns the batch size to use, undefined for the default.
 */
function samplerBatchSize(sampler: SamplerConfig, samplerText: string, batchSize: number | undefined): number | undefined {
  const flag = `--sampler ${samplerText}`;
  const kind = samplers.get(sampler.kind);
  if (kind.fixedBatchSize !== undefined) {
    if (batchSize !== undefined && batchSize !== kind.fixedBatchSize) {
      throw new UsageError(`${flag} trains with batch size ${kind.fixedBatchSize}${kind.fixedBatchSizeSource ? ` (${kind.fixedBatchSizeSource})` : ''}, but --batch-size is ${batchSize}: drop --batch-size or set it to ${kind.fixedBatchSize}`);
    }
    return kind.fixedBatchSize;
  }
  const b = batchSize ?? DEFAULT_CONFIG.batchSize;
  const problems = kind.check(sampler as SamplerConfigLike, b, DATASETS.mnist.classes);
  if (problems.length > 0) {
    throw new UsageError(`${flag}: ${problems.join('; ')} (batch size ${b}${batchSize === undefined ? ', the default; set it with --batch-size' : ' from --batch-size'})`);
  }
  return batchSize;
}

const flagTrue = (): boolean => true;

/** One optimizer hyper-parameter flag and the option of the run config it sets (PyTorch's name, camelCase). */
interface OptimizerFlag {
  flag: string;
  /** The property of {@link RunFlags} commander fills. */
  prop: keyof RunFlags;
  /** The optimizer option (a key of OPTIMIZER_DEFAULTS[name]). */
  key: string;
  parse: (flag: string, text: string) => OptimizerOptionValue;
  /** For help: what it sets, and whether it takes a value or is a switch. */
  doc?: string;
  takes?: 'value' | 'switch';
}

function parseNumberIn(flag: string, text: string, lo: number, hi: number, hiOpen: boolean): number {
  const v = decimal(text);
  const ok = text.trim() !== '' && Number.isFinite(v) && v >= lo && (hiOpen ? v < hi : v <= hi);
  if (!ok) throw new UsageError(`${flag}: expected a number in [${lo}, ${hi}${hiOpen ? ')' : ']'}, got "${text}"`);
  return v;
}

/** "0.9,0.999" → [0.9, 0.999], each in [0, 1) as PyTorch's Adam requires. */
export function parseBetas(flag: string, text: string): [number, number] {
  const parts = text.split(',').map((p) => p.trim());
  const vals = parts.map(decimal);
  if (parts.length !== 2 || parts.some((p) => p === '') || !vals.every((v) => Number.isFinite(v) && v >= 0 && v < 1)) {
    throw new UsageError(`${flag}: expected two numbers b1,b2 in [0, 1), e.g. 0.9,0.999, got "${text}"`);
  }
  return [vals[0], vals[1]];
}


/** `--weight-decay` → `weightDecay` (commander's property name for a flag). */
export function flagProp(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * The optimizer flags of `run`, from the optimizer registry (every option schema that names a `flag`),
 * in registration order. Each applies to every optimizer in `--optimizers`; the value is read by the
 * option's type and range (the first optimizer that declares the flag gives the range).
 */
export const OPTIMIZER_FLAGS: readonly OptimizerFlag[] = (() => {
  const out = new Map<string, OptimizerFlag & { doc: string; takes: 'value' | 'switch' }>();
  for (const kind of optimizers.all()) {
    for (const [key, schema] of Object.entries(kind.options)) {
      if (schema.flag === undefined || out.has(schema.flag)) continue;
      const parse: OptimizerFlag['parse'] =
        schema.type === 'boolean'
          ? flagTrue
          : schema.type === 'pair'
            ? parseBetas
            : schema.max === undefined
              ? parseNonNegativeNumber
              : (f, t) => parseNumberIn(f, t, schema.min, schema.max!, schema.maxOpen === true);
      out.set(schema.flag, { flag: schema.flag, prop: flagProp(schema.flag) as keyof RunFlags, key, parse, doc: schema.doc, takes: schema.type === 'boolean' ? 'switch' : 'value' });
    }
  }
  return [...out.values()];
})();

/** The optimizers that take `key`, e.g. 'rho' → ['adadelta']. */
function optimizersTaking(key: string): OptimizerName[] {
  return optimizers.names().filter((n) => key in OPTIMIZER_DEFAULTS[n]);
}

/** A given optimizer flag with its parsed value. */
export interface OptimizerSetting {
  flag: string;
  key: string;
  value: OptimizerOptionValue;
  /** The flag's text as given (empty for a switch such as --nesterov). */
  text: string;
}

/**
 * The optimizer flags given, parsed, checked to apply to every optimizer in `optimizers` (an error names
 * the flag, the optimizers it does not apply to and those it does).
 */
export function optimizerSettings(flags: RunFlags, optimizers: readonly OptimizerName[]): OptimizerSetting[] {
  const settings: OptimizerSetting[] = [];
  for (const f of OPTIMIZER_FLAGS) {
    const raw = flags[f.prop];
    if (raw === undefined || raw === false) continue;
    const value = f.parse(f.flag, String(raw));
    const notTaking = optimizers.filter((n) => !(f.key in OPTIMIZER_DEFAULTS[n]));
    if (notTaking.length > 0) {
      throw new UsageError(
        `${f.flag} does not apply to ${notTaking.join(', ')} (it is an option of ${optimizersTaking(f.key).join(', ')}); ` +
          `drop ${f.flag} or list only optimizers that take it in --optimizers`,
      );
    }
    settings.push({ flag: f.flag, key: f.key, value, text: raw === true ? '' : String(raw).trim() });
  }
  const given = new Map(settings.map((s) => [s.key, s.value]));
  if (given.get('nesterov') === true) {
    const momentum = (given.get('momentum') as number | undefined) ?? 0;
    const dampening = (given.get('dampening') as number | undefined) ?? 0;
    if (!(momentum > 0 && dampening === 0)) {
      throw new UsageError(`--nesterov needs --momentum > 0 and --dampening 0 (as in PyTorch), got momentum ${momentum} and dampening ${dampening}`);
    }
  }
  return settings;
}

/** The run command's flags as commander hands them over (strings, before parsing). */
export interface RunFlags {
  optimizers?: string;
  seeds?: string;
  epochs?: string;
  batchSize?: string;
  hidden?: string;
  activation?: string;
  out?: string;
  quick?: boolean;
  trainMetrics?: boolean;
  eps?: string;
  trainImages?: string;
  testImages?: string;
  sampler?: string;
  lr?: string;
  momentum?: string;
  dampening?: string;
  nesterov?: boolean;
  weightDecay?: string;
  rho?: string;
  betas?: string;
  optimizerEps?: string;
  amsgrad?: boolean;
}

/**
 * What `--quick` means: a smoke run of every requested optimizer on the first 5,000 training and 1,000 test
 * images, 2 epochs, seed 1, into results-quick/. Flags given explicitly win over these.
 */
export const QUICK = { trainImages: 5000, testImages: 1000, epochs: 2, seeds: [1], out: 'results-quick' } as const;

export interface RunPlan {
  configs: RunConfig[];
  outDir: string;
  /** The sampler and optimizer settings that differ from the baseline, readable: ['sampler sorted', 'lr 0.05']. */
  settings: string[];
}

export function planFromFlags(flags: RunFlags): RunPlan {
  const quick = flags.quick === true;
  const optimizers = flags.optimizers !== undefined ? parseOptimizers('--optimizers', flags.optimizers) : undefined;
  const seeds = flags.seeds !== undefined ? parseIntList('--seeds', flags.seeds) : quick ? [...QUICK.seeds] : undefined;
  if (seeds && new Set(seeds).size !== seeds.length) throw new UsageError(`--seeds: a seed is listed twice in "${flags.seeds}"`);
  const epochs = flags.epochs !== undefined ? parsePositiveInt('--epochs', flags.epochs) : quick ? QUICK.epochs : undefined;
  const sampler = flags.sampler !== undefined ? parseSampler('--sampler', flags.sampler) : undefined;
  let batchSize = flags.batchSize !== undefined ? parsePositiveInt('--batch-size', flags.batchSize) : undefined;
  if (sampler) batchSize = samplerBatchSize(sampler, flags.sampler!, batchSize);
  const hidden = flags.hidden !== undefined ? parseIntList('--hidden', flags.hidden, { positive: true }) : undefined;
  let activation: ActivationName | undefined;
  if (flags.activation !== undefined) {
    if (!ACTIVATIONS.includes(flags.activation as ActivationName)) {
      throw new UsageError(`--activation: expected one of ${ACTIVATIONS.join(', ')}, got "${flags.activation}"`);
    }
    activation = flags.activation as ActivationName;
  }
  const trainImages = flags.trainImages !== undefined ? parsePositiveInt('--train-images', flags.trainImages) : quick ? QUICK.trainImages : undefined;
  const testImages = flags.testImages !== undefined ? parsePositiveInt('--test-images', flags.testImages) : quick ? QUICK.testImages : undefined;
  const eps = flags.eps !== undefined ? parseNonNegativeNumber('--eps', flags.eps) : undefined;
  const data = {
    ...(trainImages !== undefined && { train: { start: 0, end: trainImages } }),
    ...(testImages !== undefined && { test: { start: 0, end: testImages } }),
  };
  const baseline = baselineConfigs({
    ...(optimizers && { optimizers }),
    ...(seeds && { seeds }),
    ...(epochs !== undefined && { epochs }),
    ...(batchSize !== undefined && { batchSize }),
    ...(hidden && { hidden }),
    ...(activation && { activation }),
    data,
    metrics: { ...(eps !== undefined && { eps }), ...(flags.trainMetrics && { train: true }) },
  });
  const options = optimizerSettings(flags, [...new Set(baseline.map((c) => c.optimizer.name))]);
  const configs =
    sampler === undefined && options.length === 0
      ? baseline
      : baseline.map((c) =>
          normalizeConfig({
            ...c,
            ...(sampler && { sampler }),
            optimizer: { ...c.optimizer, ...Object.fromEntries(options.map((o) => [o.key, o.value])) },
          }),
        );
  // Ranges the optimizer classes check (PyTorch's rules and wording), before any data is loaded.
  const checked = new Set<string>();
  for (const c of configs) {
    if (checked.has(c.optimizer.name)) continue;
    checked.add(c.optimizer.name);
    try {
      checkOptimizerConfig(c.optimizer);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      throw new UsageError(`${options.map((o) => o.flag).join(', ') || 'the optimizer settings'}: ${e.problems.join('; ')}`);
    }
  }
  const settings = [
    ...(sampler && flags.sampler!.trim().toLowerCase() !== 'shuffled' ? [`sampler ${flags.sampler!.trim()}`] : []),
    ...options.map((o) => `${o.flag.slice(2)}${o.text === '' ? '' : ` ${o.text}`}`),
  ];
  const outDir = flags.out ?? (quick ? QUICK.out : 'results');
  return { configs, outDir, settings };
}

export type MemoryChoice = 'heap' | 'wasm';

/**
 * Where a run's float32 storage lives (`--memory`): as asked, or by default the WebAssembly heap exactly
 * when the gemm kernel is a WebAssembly one (its operands are then used in place) and the engine has
 * shared WebAssembly memory; otherwise the JS heap.
 */
export function chooseMemory(flag: string | undefined, kernelName: string, wasmAvailable: boolean): MemoryChoice {
  if (flag !== undefined && flag !== 'heap' && flag !== 'wasm') throw new UsageError(`--memory: expected heap or wasm, got "${flag}"`);
  if (flag === 'wasm' && !wasmAvailable) throw new UsageError('--memory wasm: this engine has no shared WebAssembly memory');
  return flag ?? (kernelName.startsWith('wasm') && wasmAvailable ? 'wasm' : 'heap');
}
