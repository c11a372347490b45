/**
 * From command-line flags to run configurations — pure functions, so they are tested without a process.
 * Every bad flag value throws a {@link UsageError} naming the flag, what it expects and what it got.
 */
import {
  ACTIVATIONS,
  OPTIMIZER_NAMES,
  baselineConfigs,
  type ActivationName,
  type OptimizerName,
  type RunConfig,
} from '../experiments/config.js';

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

export function parseNonNegativeNumber(flag: string, text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < 0) throw new UsageError(`${flag}: expected a finite number ≥ 0, got "${text}"`);
  return v;
}

/** The `run` command's flags as commander hands them over (strings, before parsing). */
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
}

/**
 * What `--quick` means: a smoke run of every requested optimizer on the first 5,000 training and 1,000 test
 * images, 2 epochs, seed 1, into results-quick/. Flags given explicitly win over these.
 */
export const QUICK = { trainImages: 5000, testImages: 1000, epochs: 2, seeds: [1], out: 'results-quick' } as const;

export interface RunPlan {
  configs: RunConfig[];
  outDir: string;
}

export function planFromFlags(flags: RunFlags): RunPlan {
  const quick = flags.quick === true;
  const optimizers = flags.optimizers !== undefined ? parseOptimizers('--optimizers', flags.optimizers) : undefined;
  const seeds = flags.seeds !== undefined ? parseIntList('--seeds', flags.seeds) : quick ? [...QUICK.seeds] : undefined;
  if (seeds && new Set(seeds).size !== seeds.length) throw new UsageError(`--seeds: a seed is listed twice in "${flags.seeds}"`);
  const epochs = flags.epochs !== undefined ? parsePositiveInt('--epochs', flags.epochs) : quick ? QUICK.epochs : undefined;
  const batchSize = flags.batchSize !== undefined ? parsePositiveInt('--batch-size', flags.batchSize) : undefined;
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
  const configs = baselineConfigs({
    ...(optimizers && { optimizers }),
    ...(seeds && { seeds }),
    ...(epochs !== undefined && { epochs }),
    ...(batchSize !== undefined && { batchSize }),
    ...(hidden && { hidden }),
    ...(activation && { activation }),
    data,
    metrics: { ...(eps !== undefined && { eps }), ...(flags.trainMetrics && { train: true }) },
  });
  const outDir = flags.out ?? (quick ? QUICK.out : 'results');
  return { configs, outDir };
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
