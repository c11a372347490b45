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
 * test images. Each batch's images are copied (one memcpy, from views made once) into an input buffer
 * from `allocFloat32`, so in a run that allocates from the WebAssembly heap the gemm kernel reads them in
 * place rather than staging a slice of the test set per product. A pass allocates nothing per batch.
 */
import type { Dataset } from '../data/index.js';
import { CrossEntropyLoss, ShapeBuffers, type Sequential } from '../layers/index.js';
import type { LayerRecord } from './records.js';
import type { ActivationTaps } from './taps.js';

export interface EvalResult {
  loss: number;
  accuracy: number;
  layers: LayerRecord[];
}

/** Image arrays already scanned by {@link checkFiniteImages} (a sweep scans each dataset once). */
const finiteImages = new WeakSet<Float32Array>();

/**
 * Throw, naming the split, image and pixel, unless every pixel of `ds` is finite. Done once per images
 * array, so the nets can run `forwardTrusted` on batches of it: the per-forward NaN/∞ scan of the net
 * input would otherwise re-read every image every epoch (≈ 6% of a training step of the 784-256-10 net).
 * An images array changed after its scan is not scanned again.
 */
export function checkFiniteImages(ds: Dataset, who: string, split: string): void {
  const images = ds.images;
  if (finiteImages.has(images)) return;
  for (let i = 0; i < images.length; i++) {
    const v = images[i];
    if (v - v !== 0) {
      const image = Math.floor(i / ds.features);
      throw new RangeError(`${who}: the ${split} images (${ds.name}) must be finite; image ${image}, pixel ${i - image * ds.features} is ${v}`);
    }
  }
  finiteImages.add(images);
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
  /** Per batch: its images (a view of the test set) and labels. */
  private readonly batches: Array<{ images: Float32Array; rows: number; y: Uint8Array; shape: number[] }> = [];
  private readonly loss = new CrossEntropyLoss({ reduction: 'mean' });
  /** The batch being evaluated, copied here: one buffer per batch size (full and a shorter last one). */
  private readonly inputs: ShapeBuffers;

  constructor(
    private readonly model: Sequential,
    private readonly taps: ActivationTaps,
    private readonly test: Dataset,
    batchSize: number,
    /** One example's shape as the model takes it ([features] for an mlp, [1, 28, 28] for the CNN). */
    exampleShape: readonly number[] = [test.features],
  ) {
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new RangeError(`Evaluator: batchSize must be a positive integer, got ${batchSize}`);
    if (test.count === 0) throw new RangeError(`Evaluator: the test set ${test.name} is empty`);
    checkFiniteImages(test, 'Evaluator', 'test');
    const F = test.features;
    this.inputs = new ShapeBuffers(2);
    for (let start = 0; start < test.count; start += batchSize) {
      const rows = Math.min(batchSize, test.count - start);
      this.batches.push({
        images: test.images.subarray(start * F, (start + rows) * F),
        rows,
        y: test.labels.subarray(start, start + rows),
        shape: [rows, ...exampleShape],
      });
    }
  }

  /** Free the input and loss buffers (`freeFloat32`); a later `run` allocates them again. Idempotent. */
  dispose(): void {
    this.inputs.dispose();
    this.loss.dispose();
  }

  run(): EvalResult {
    const taps = this.taps;
    for (const m of taps.test) m.reset();
    taps.target = 'test';
    // Measured in eval mode (Dropout off), as the original's model.eval() test pass; the mode is put back.
    const wasTraining = this.model.training;
    this.model.eval();
    let lossSum = 0;
    let correct = 0;
    try {
      const batches = this.batches;
      for (let b = 0; b < batches.length; b++) {
        const { images, y, shape } = batches[b];
        const x = this.inputs.get(shape);
        x.data.set(images);
        taps.setLabels(y);
        const logits = this.model.forwardTrusted(x); // the images were checked to be finite once, above
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
      this.model.train(wasTraining);
    }
    return {
      loss: lossSum / this.batches.length,
      accuracy: correct / this.test.count,
      layers: taps.test.map((m) => m.result()),
    };
  }
}
