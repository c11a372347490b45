import { describeValue } from '../tensor/describe.js';
import { Tensor, shapeString } from '../tensor/tensor.js';
import { rowMax, sumExpShifted } from '../tensor/ops.js';
import { RowBuffers } from './buffers.js';
import { checkBatchInput } from './validate.js';

export type Reduction = 'mean' | 'sum';

export interface CrossEntropyOptions {
  /** 'mean' (default) divides the summed loss by the batch size; 'sum' does not. */
  reduction?: Reduction;
  /** Used in error messages. Default 'CrossEntropyLoss'. */
  name?: string;
}

/**
 * Softmax cross-entropy on logits z [batch, classes] and integer labels y, as `torch.nn.CrossEntropyLoss`
 * (= LogSoftmax + NLLLoss):
 *
 *   ℓᵢ = −log softmax(zᵢ)[yᵢ] = log Σⱼ e^(zᵢⱼ − m) − (zᵢ[yᵢ] − m),   m = maxⱼ zᵢⱼ
 *   L  = (1/B) Σᵢ ℓᵢ   ('mean')   or   Σᵢ ℓᵢ   ('sum')
 *   ∂L/∂zᵢⱼ = (softmax(zᵢ)ⱼ − [j = yᵢ]) · s,   s = 1/B ('mean') or 1 ('sum')
 *
 * The log-sum-exp shift keeps every exponent ≤ 0, so the loss and gradient are exact to rounding for
 * logits of any finite size (tested to |z| = 1e30, and against PyTorch at ±1e4, where a naive softmax
 * overflows). The loss is formed from the shifted values, never as (m + log Σ) − z_y: at |z| ≈ 1e15 the
 * ulp of m is 0.125, so that form loses the log Σ term to cancellation (three equal logits of 1e15 gave
 * 1.125 instead of log 3 = 1.0986…). A difference of two float32 values is exact in float64 unless
 * their exponents differ by more than 29 binades, and then the smaller one is below m's rounding anyway. Each row is evaluated
 * in float64 from the float32 logits; the loss is returned as a JS number (PyTorch returns a float32
 * scalar), the gradient is stored as float32 with one rounding. `forward` computes the gradient as well
 * (it costs one more pass over B×C values); `backward()` returns it.
 *
 * Labels are validated before anything is written: their count must equal the batch size, and each must
 * be an integer class index in [0, classes). Logits are not scanned for NaN (they are a net's internal
 * output; NaN logits give a NaN loss, as in PyTorch). Not supported: class weights, ignore_index, label
 * smoothing, probability targets. Keras' categorical cross-entropy differs: it takes probabilities (or
 * one-hot targets) and clips them to [1e−7, 1 − 1e−7].
 */
export class CrossEntropyLoss {
  readonly reduction: Reduction;
  readonly name: string;
  private grads: RowBuffers | null = null;
  private lastGrad: Tensor | null = null;

  constructor(options: CrossEntropyOptions = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError(`CrossEntropyLoss: options must be an object { reduction?, name? }, got ${describeValue(options)}`);
    const reduction = options.reduction ?? 'mean';
    if (options.name !== undefined && (typeof options.name !== 'string' || options.name.length === 0)) {
      throw new TypeError(`CrossEntropyLoss: name must be a non-empty string, got ${describeValue(options.name)}`);
    }
    this.name = options.name ?? 'CrossEntropyLoss';
    if (reduction !== 'mean' && reduction !== 'sum') {
      throw new RangeError(`${this.name}: reduction must be 'mean' or 'sum', got ${typeof reduction === 'string' ? JSON.stringify(reduction) : describeValue(reduction)}`);
    }
    this.reduction = reduction;
  }

  /** The loss for `logits` [batch, classes] and `labels` (batch integers in [0, classes)). */
  forward(logits: Tensor, labels: ArrayLike<number>): number {
    checkBatchInput(this.name, 'logits', logits);
    const [batch, classes] = logits.shape;
    this.checkLabels(labels, batch, classes, logits.shape);
    if (this.grads === null || this.grads.cols !== classes) {
      this.grads?.dispose();
      this.grads = new RowBuffers(classes);
    }
    const grad = this.grads.get(batch);
    const z = logits.data, g = grad.data;
    const scale = this.reduction === 'mean' ? 1 / batch : 1;
    let total = 0;
    for (let i = 0; i < batch; i++) {
      const zb = logits.offset + i * classes, gb = i * classes, label = labels[i];
      const m = rowMax(z, zb, classes);
      const logS = Math.log(sumExpShifted(z, zb, classes, m));
      total += logS - (z[zb + label] - m);
      // softmax_j = e^((z_j − m) − log s), PyTorch's exp(log_softmax) order, from the shifted values again.
      for (let j = 0; j < classes; j++) g[gb + j] = (Math.exp(z[zb + j] - m - logS) - (j === label ? 1 : 0)) * scale;
    }
    this.lastGrad = grad;
    return total * scale;
  }

  /** dL/dlogits for the last forward (a reused [batch, classes] buffer). */
  backward(): Tensor {
    if (this.lastGrad === null) throw new Error(`${this.name}: backward called before forward`);
    return this.lastGrad;
  }

  /** Free the gradient buffers (`freeFloat32`); a later forward allocates new ones. Idempotent. */
  dispose(): void {
    this.grads?.dispose();
    this.grads = null;
    this.lastGrad = null;
  }

  private checkLabels(labels: ArrayLike<number>, batch: number, classes: number, shape: readonly number[]): void {
    if (labels === null || typeof labels !== 'object' || typeof labels.length !== 'number') {
      throw new TypeError(`${this.name}: labels must be an array of ${batch} integers, got ${labels === null ? 'null' : typeof labels}`);
    }
    if (labels.length !== batch) {
      throw new RangeError(`${this.name}: expected ${batch} labels (one per row of logits ${shapeString(shape)}), got ${labels.length}`);
    }
    for (let i = 0; i < batch; i++) {
      const y = labels[i];
      if (!Number.isInteger(y) || y < 0 || y >= classes) {
        throw new RangeError(`${this.name}: label ${i} must be an integer class index in [0, ${classes - 1}], got ${typeof y === 'number' ? y : describeValue(y)}`);
      }
    }
  }
}
