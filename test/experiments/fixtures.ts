/** Hand-made results records for the format, summary and CSV tests (no training involved). */
import { configHash, deriveSeeds, normalizeConfig, runId, type RunConfigInput } from '../../src/experiments/config.js';
import type { DivergedRecord, EpochRecord, HeaderRecord, LayerRecord } from '../../src/experiments/records.js';
import type { RunResult } from '../../src/experiments/results.js';

export function header(input: RunConfigInput): HeaderRecord {
  const config = normalizeConfig(input);
  return {
    run: runId(config),
    type: 'header',
    config,
    seed: config.seed,
    version: '0.0.0-test',
    config_hash: configHash(config),
    streams: deriveSeeds(config),
    gemm_kernel: 'test',
  };
}

export function layer(sparsity: number | null, selectivity: number | null, activationSum: number | null = 1): LayerRecord {
  return { sparsity_mean: sparsity, sparsity_std: 0.1, selectivity_mean: selectivity, selectivity_std: 0.2, activation_sum: activationSum };
}

export function epoch(run: string, n: number, acc: number, layers: LayerRecord[] = [layer(0.5, 0.3)]): EpochRecord {
  return { run, type: 'epoch', epoch: n, train_loss: 1 / n, test_loss: 2 / n, test_acc: acc, layers, seconds: 1.5 };
}

export function diverged(run: string, n: number): DivergedRecord {
  return { run, type: 'diverged', epoch: n, step: 3, reason: `train loss NaN at step 3 of epoch ${n}` };
}

/** A run of `accs.length` epochs (test_acc from `accs`), optionally diverging in the epoch after them. */
export function run(input: RunConfigInput, accs: number[], opts: { diverge?: boolean; layers?: (e: number) => LayerRecord[] } = {}): RunResult {
  const h = header(input);
  const epochs = accs.map((a, i) => epoch(h.run, i + 1, a, opts.layers?.(i + 1)));
  return { header: h, epochs, diverged: opts.diverge ? diverged(h.run, accs.length + 1) : null };
}
