/**
 * The lines of a results file (JSON Lines, one object per line), as written by the runner and read back by
 * the summary. Field names are snake_case because they are a file format read by other tools (pandas, jq).
 *
 * A run's lines, in order:
 *   1. one {@link HeaderRecord}: `{"run": id, "type": "header", "config": {…}, "seed": 1, "version": "0.1.0", …}`;
 *   2. one {@link EpochRecord} per finished epoch: `{"run": id, "type": "epoch", "epoch": 1, "train_loss": …}`;
 *   3. at most one {@link DivergedRecord} (`"type": "diverged"`) if the loss became NaN/±Inf; nothing follows it.
 *
 * A metric that is undefined for an epoch (e.g. CCMAS selectivity with eps 0 on a layer whose units are all
 * silent, 0/0) is written as `null` — JSON has no NaN — and is never averaged in by the summary.
 */
import type { RunConfig } from './config.js';
import type { AblationRecord } from './ablation.js';
import type { Provenance } from './provenance.js';

/** One hidden layer's metrics for one epoch (`null` = undefined, see the module comment). */
export interface LayerRecord {
  /** Hoyer sparsity: mean over images of the per-image value. */
  sparsity_mean: number | null;
  /** Hoyer sparsity: sample std (divisor n−1) over images, as the original. */
  sparsity_std: number | null;
  /** CCMAS selectivity: mean over units of the per-unit value. */
  selectivity_mean: number | null;
  /** CCMAS selectivity: population std (divisor n) over units, as the original. */
  selectivity_std: number | null;
  /** T = Σ|a| over all measured images and units of the layer: the weight of dissertation eq. 5.2. */
  activation_sum: number | null;
  /** Images whose Hoyer value is undefined (an all-zero row, 0/0), left out of the sparsity (absent if 0). */
  sparsity_undefined?: number;
  /** Units whose CCMAS value is undefined (0/0 with eps 0), left out of the selectivity (absent if 0). */
  selectivity_undefined?: number;
}

export const LAYER_METRICS = ['sparsity_mean', 'sparsity_std', 'selectivity_mean', 'selectivity_std'] as const;
export type LayerMetricName = (typeof LAYER_METRICS)[number];

export interface HeaderRecord {
  run: string;
  type: 'header';
  /** The full, normalised configuration (every default filled in). */
  config: RunConfig;
  seed: number;
  /** sparsity-lab's package version. */
  version: string;
  /** The hash of the canonical configuration without the seed (shared by the seeds of one condition). */
  config_hash: string;
  /** The seed strings of the run's independent random streams (see config.ts, `deriveSeeds`). */
  streams: { init: string; sampler: string };
  /** The matrix-multiply kernel that ran it (kernels may round differently in the last bits). */
  gemm_kernel: string;
  /**
   * The first layer's sparse-input mode (src/tensor/gemm/sparse.ts): 'auto' and 'sparse' round in another order
   * than 'dense'. Absent in files written before it existed, which used the dense path.
   */
  sparse_input?: 'auto' | 'sparse' | 'dense';
  /** The experiment (spec name) and condition label it was planned under (absent in older files). */
  experiment?: string;
  condition?: string;
  /** Versions, commit, command line and start time (absent in files written before 0.1.0's provenance). */
  provenance?: Provenance;
}

export interface EpochRecord {
  run: string;
  type: 'epoch';
  epoch: number;
  /** Mean of the epoch's minibatch losses (each a batch mean). */
  train_loss: number;
  /** Mean of the test batches' mean losses, batches of `evalBatchSize` in dataset order. */
  test_loss: number;
  /** Fraction of test images whose argmax logit equals the label. */
  test_acc: number;
  /** Metrics over the test set, one entry per hidden layer (input side first). */
  layers: LayerRecord[];
  /** Metrics over the epoch's training stream, before each step (only when `metrics.train` is on). */
  train_layers?: LayerRecord[];
  /**
   * Final epoch only, with `metrics.perUnit`: every measured layer's per-unit CCMAS selectivity over the test
   * set (input side first; `null` for an undefined unit).
   */
  per_unit_selectivity?: Array<Array<number | null>>;
  /**
   * Final epoch only, with `metrics.ablation`: the test accuracy with k units of the last measured layer
   * removed (zeroed at test time), by order (most/least selective, random), and the drop from `test_acc`.
   */
  ablation?: AblationRecord[];
    /** Wall time of the epoch: training plus evaluation. */
  seconds: number;
  /** Wall time of the epoch's training steps alone (absent in records written before it existed). */
  train_seconds?: number;
  /** Wall time of the epoch's test pass with its metrics (absent in older records). */
  eval_seconds?: number;
}

export interface DivergedRecord {
  run: string;
  type: 'diverged';
  /** The epoch during which the loss stopped being finite. */
  epoch: number;
  /** 1-based step within the epoch, or 0 if training was finite and the test pass was not. */
  step: number;
  /** e.g. "train loss NaN at step 17 of epoch 3". */
  reason: string;
}

export type ResultRecord = HeaderRecord | EpochRecord | DivergedRecord;
