/**
 * Sizes checked before any run starts, each error naming the flag (or config field) to change:
 * training/test subsets within the data, a batch no larger than the training images, and a network plus
 * batch that fits in memory (float32 parameters, gradients, up to two optimizer state buffers, and the
 * activation buffers of a training and a test batch, against a 2 GiB budget — half of what a 32-bit
 * WebAssembly heap can address, and what a default Node heap comfortably holds).
 */
import type { RunConfig } from '../experiments/config.js';
import { layerWidths } from '../experiments/config.js';
import type { RunData } from '../experiments/runner.js';
import { UsageError, type RunFlags } from './args.js';

export const MEMORY_BUDGET_BYTES = 2 * 1024 ** 3;

/** Bytes a run's float32 storage needs, roughly (see the module comment). */
export function runBytes(config: RunConfig): number {
  const w = layerWidths(config);
  let params = 0;
  for (let i = 1; i < w.length; i++) params += w[i - 1] * w[i] + w[i];
  const units = w.reduce((s, x) => s + x, 0);
  // parameters, gradients, two state buffers; per row of a batch: each layer's output and its gradient
  return 4 * (4 * params + 3 * (config.batchSize + config.evalBatchSize) * units);
}

const GiB = (b: number): string => `${(b / 1024 ** 3).toFixed(1)} GiB`;

export function checkSizes(configs: readonly RunConfig[], data: RunData, flags: RunFlags = {}): void {
  for (const c of configs) {
    const train = c.data.train;
    if (train && train.end > data.train.count) {
      const flag = flags.trainImages !== undefined ? '--train-images' : 'data.train';
      throw new UsageError(`${flag}: ${train.end} is more than the ${data.train.count} training images of ${data.train.name}`);
    }
    const test = c.data.test;
    if (test && test.end > data.test.count) {
      const flag = flags.testImages !== undefined ? '--test-images' : 'data.test';
      throw new UsageError(`${flag}: ${test.end} is more than the ${data.test.count} test images of ${data.test.name}`);
    }
    const n = train ? train.end - train.start : data.train.count;
    if (c.batchSize > n) {
      const flag = flags.batchSize !== undefined ? '--batch-size' : 'batchSize';
      throw new UsageError(`${flag}: ${c.batchSize} is more than the ${n} training images a run has${train ? ' (--train-images / data.train)' : ''}`);
    }
    const bytes = runBytes(c);
    if (bytes > MEMORY_BUDGET_BYTES) {
      const flag = flags.hidden !== undefined ? '--hidden' : flags.batchSize !== undefined ? '--batch-size' : 'hidden / batchSize';
      throw new UsageError(
        `${flag}: a ${layerWidths(c).join('-')} network at batch ${c.batchSize} needs about ${GiB(bytes)} of float32 storage, more than the ${GiB(MEMORY_BUDGET_BYTES)} budget; use narrower layers or a smaller batch`,
      );
    }
  }
}
