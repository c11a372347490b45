/**
 * The test pass after every epoch (PROTOCOL §1): the test images in dataset order, in batches of
 * `batchSize` (50 in the original; the last batch is shorter if the count does not divide), forward only.
 *
 *   test_loss = (1 / #batches) · Σ_batches mean cross-entropy of the batch   (as the notebooks: a mean of
 *               batch means, which differs from the per-image mean only when the last batch is short)
 *   accuracy  = #{ images : argmax(logits) = label } / count   (ties go to the lowest class index, as
 *               torch.argmax on CPU)
 *
 * and, through the activation taps, Hoyer sparsity and CCMAS selectivity of every hidden layer over all
 * test images. The batch views over the test images are made once; a pass allocates nothing per batch.
 */
import type { Dataset } from '../data/index.js';
import { CrossEntropyLoss, type Sequential } from '../layers/index.js';
import { Tensor } from '../tensor/index.js';
import type { LayerRecord } from './records.js';
import type { ActivationTaps } from './taps.js';

export interface EvalResult {
  loss: number;
  accuracy: number;
  layers: LayerRecord[];
}

/** Index of the largest of `cols` values from `data[offset]` (the first one on ties; NaN never wins). */
export function argmaxRow(data: Float32Array, offset: number, cols: number): number {
  let best = 0;
  let bestValue = data[offset];
  for (let c = 1; c < cols; c++) {
    const v = data[offset + c];
    if (v > bestValue || (bestValue !== bestValue && v === v)) {
      best = c;
      bestValue = v;
    }
  }
  return best;
}

export class Evaluator {
  private readonly batches: Array<{ x: Tensor; y: Uint8Array }> = [];
  private readonly loss = new CrossEntropyLoss({ reduction: 'mean' });

  constructor(
    private readonly model: Sequential,
    private readonly taps: ActivationTaps,
    private readonly test: Dataset,
    batchSize: number,
  ) {
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new RangeError(`Evaluator: batchSize must be a positive integer, got ${batchSize}`);
    if (test.count === 0) throw new RangeError(`Evaluator: the test set ${test.name} is empty`);
    const F = test.features;
    for (let start = 0; start < test.count; start += batchSize) {
      const rows = Math.min(batchSize, test.count - start);
      this.batches.push({
        x: new Tensor(test.images, [rows, F], undefined, start * F),
        y: test.labels.subarray(start, start + rows),
      });
    }
  }

  run(): EvalResult {
    const taps = this.taps;
    for (const m of taps.test) m.reset();
    taps.target = 'test';
    let lossSum = 0;
    let correct = 0;
    try {
      for (const { x, y } of this.batches) {
        taps.setLabels(y);
        const logits = this.model.forward(x);
        lossSum += this.loss.forward(logits, y);
        const cols = logits.shape[1];
        const [rs, cs] = logits.strides;
        if (cs !== 1) throw new Error(`Evaluator: expected row-major logits, got strides [${rs}, ${cs}]`);
        for (let r = 0; r < y.length; r++) {
          if (argmaxRow(logits.data, logits.offset + r * rs, cols) === y[r]) correct++;
        }
      }
    } finally {
      taps.target = 'off';
    }
    return {
      loss: lossSum / this.batches.length,
      accuracy: correct / this.test.count,
      layers: taps.test.map((m) => m.result()),
    };
  }
}
