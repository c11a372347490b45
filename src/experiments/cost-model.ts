/**
 * The dry-run's CPU-time estimate: a per-epoch cost model fitted to measurements of real epochs
 * (bench/cost-model.ts: `runExperiment` on training subsets of two sizes, their CPU-time difference per
 * image, so set-up and test pass cancel; WebAssembly gemm and heap, as the CLI runs).
 *
 * With P the number of weights (Σ fan_in·fan_out over the layers), B the batch size, N training images
 * and M test images, one epoch costs
 *
 *   N · (A(P)/B + G(P))  +  M · E(P)          (µs)
 *
 * A = per-step cost (optimizer step over every parameter, per-step overheads), G = per-image cost of
 * forward + backward, E = per-image cost of the test pass with its metrics; each linear in P, fitted
 * through the two measured widths (256 and 768 units, one hidden layer). A and G come from the batch-1 and
 * batch-50 measurements: t₁ = A + G, t₅₀ = A/50 + G. SGD, Adagrad, Adadelta and Adam are measured (at
 * batch 1 they differ by up to 4×: SGD and Adagrad step only the touched columns, Adadelta defers the rest,
 * Adam steps everything); RMSprop and AdamW are costed as Adam, as `describeCostModel` says.
 * The conv preset's CNN is measured as it is (Adam, batch 50, per training and per test image); any other
 * model kind has no measured cost: its estimate is NaN ("unknown").
 */
import { DATASETS, type OptimizerName, type RunConfig } from './config.js';

/** width → µs per training image at batch 1 and 50. */
export type WidthCosts = Record<256 | 768, { b1: number; b50: number }>;

/** Microseconds per training image at batch 1 and 50 (CPU time, medians), and per test image. */
export interface CostMeasurement {
  /** optimizer → width → { b1, b50 } µs per training image (an optimizer without an entry: Adam's). */
  train: Record<'sgd' | 'adam', WidthCosts> & Partial<Record<OptimizerName, WidthCosts>>;
  /** width → µs per test image (the test pass with the metrics). */
  test: Record<256 | 768, number>;
  /** The conv preset's CNN (batch 50; every optimizer costed alike): µs per training and per test image. */
  cnn: { train: number; test: number };
  /** What was measured, where and how (for the report). */
  source: string;
}

/** The measurements this estimate uses (see the module comment; re-measure with bench/cost-model.ts). */
export const MEASURED: CostMeasurement = {
  train: {
    sgd: { 256: { b1: 81.6, b50: 14.3 }, 768: { b1: 188.0, b50: 50.1 } },
    adam: { 256: { b1: 431.2, b50: 18.9 }, 768: { b1: 1439.5, b50: 70.9 } },
    // Measured 2026-12-06 after Adadelta's deferred columns (`bench/cost-model.ts --optimizers adagrad,adadelta
    // --no-cnn --no-test`, 3 rounds, beside the nice-19 background sweep).
    adagrad: { 256: { b1: 108.2, b50: 18.3 }, 768: { b1: 331.3, b50: 58.1 } },
    adadelta: { 256: { b1: 180.0, b50: 17.0 }, 768: { b1: 617.6, b50: 64.2 } },
  },
  test: { 256: 14.2, 768: 42.1 },
  cnn: { train: 1193.3, test: 398.6 },
  // Measured 2026-12-06 (after the WebAssembly im2col, ReLU and pooling kernels) beside a nice-19 background
  // sweep (CPU time, 3 rounds); an earlier run the same day read 20–30 % lower on batch 1. Batch 1 reads low:
  // on the full training set `bench epoch` measures 107 µs (SGD) and 455 µs (Adam) per batch-1 step at width 256.
  source: 'bench/cost-model.ts, 2-core EPYC, wasm-relaxed gemm, sparse-input first layer; SGD 784-256-10 batch 50: 0.86 s/epoch + 0.14 s test pass; batch-1 estimates read low (up to ~1.3×)',
};

const weights = (hidden: number[]): number => {
  const w = [DATASETS.mnist.features, ...hidden, DATASETS.mnist.classes];
  let p = 0;
  for (let i = 1; i < w.length; i++) p += w[i - 1] * w[i];
  return p;
};
const P256 = weights([256]);
const P768 = weights([768]);

/** Linear in P through the values at the two measured widths (never below 0). */
function lin(at256: number, at768: number, p: number): number {
  return Math.max(0, at256 + ((at768 - at256) * (p - P256)) / (P768 - P256));
}

/** Estimated CPU seconds of one epoch of `config` (NaN for a model kind without a measured cost). */
export function epochSeconds(config: RunConfig, m: CostMeasurement = MEASURED): number {
  const n = config.data.train ? config.data.train.end - config.data.train.start : 60000;
  const mTest = config.data.test ? config.data.test.end - config.data.test.start : 10000;
  if (config.model !== undefined && config.model.kind === 'cnn') {
    return (n * m.cnn.train + mTest * m.cnn.test + (config.metrics.train ? n * m.cnn.test : 0)) / 1e6;
  }
  if (config.model !== undefined && config.model.kind !== 'mlp') return NaN;
  const p = weights(config.hidden);
  const t = m.train[config.optimizer.name] ?? m.train.adam;
  const a = (w: 256 | 768) => ((t[w].b1 - t[w].b50) * 50) / 49;
  const g = (w: 256 | 768) => t[w].b1 - a(w);
  const A = lin(a(256), a(768), p);
  const G = lin(g(256), g(768), p);
  const E = lin(m.test[256], m.test[768], p);
  const steps = Math.ceil(n / config.batchSize);
  // The training-stream metrics (metrics.train) cost about a test pass over the training images.
  return (steps * A + n * G + mTest * E + (config.metrics.train ? n * E : 0)) / 1e6;
}

/** Estimated CPU seconds of a whole run. */
export function runSeconds(config: RunConfig, m: CostMeasurement = MEASURED): number {
  return epochSeconds(config, m) * config.epochs;
}

/** "3.2 h", "14 min", "40 s", or "unknown". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'unknown';
  if (seconds >= 3600) return `${(seconds / 3600).toFixed(1)} h`;
  if (seconds >= 60) return `${(seconds / 60).toFixed(0)} min`;
  return `${seconds.toFixed(0)} s`;
}

export function describeCostModel(m: CostMeasurement = MEASURED): string {
  const own = Object.keys(m.train).join(', ');
  return `CPU time from a per-epoch cost model (${m.source}; measured for ${own}, others costed as Adam)`;
}
