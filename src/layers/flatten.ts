import { Tensor, shapeString } from '../tensor/tensor.js';
import { BaseLayer } from './base.js';
import { checkGradShape, checkTensorInput } from './validate.js';

export interface FlattenOptions {
  name?: string;
}

/**
 * [N, d1, d2, …] → [N, d1·d2·…], as `torch.nn.Flatten()` (start_dim 1, end_dim −1): row-major order, so
 * an NCHW feature map becomes channel-major rows (unit c·H·W + h·W + w).
 *
 * No copy: the output is a view of the input's storage and backward returns a view of the gradient's
 * storage with the input's shape (PyTorch's Flatten is also a view). The view objects are made once per
 * input tensor object and kept (the layers before reuse their buffers, so after the first step no view is
 * made again). Consequently the output is only valid until the layer before runs again.
 */
export class Flatten extends BaseLayer {
  private readonly views = new WeakMap<Tensor, Tensor>();
  private readonly gradViews = new WeakMap<Tensor, Tensor>();
  private lastInput: Tensor | null = null;
  private lastOutput: Tensor | null = null;

  constructor(options: FlattenOptions = {}) {
    super('flatten', options?.name);
  }

  /** [N, …] → [N, product of the rest]. */
  override outputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length < 2) {
      throw new RangeError(`${this.name}: expected input of shape [batch, …] with rank ≥ 2 (start_dim 1), got ${shapeString(inputShape)}`);
    }
    let f = 1;
    for (let d = 1; d < inputShape.length; d++) f *= inputShape[d];
    return [inputShape[0], f];
  }

  protected checkInput(input: Tensor): void {
    checkTensorInput(this.name, 'input', input, '[batch, …] (rank ≥ 2)');
    if (input.rank < 2) this.outputShape(input.shape);
  }

  protected compute(x: Tensor): Tensor {
    let y = this.views.get(x);
    if (y === undefined) {
      y = new Tensor(x.data, this.outputShape(x.shape), undefined, x.offset);
      this.views.set(x, y);
    }
    this.lastInput = x;
    this.lastOutput = y;
    return y;
  }

  backward(gradOutput: Tensor): Tensor {
    this.checkNotDisposed('backward');
    const x = this.lastInput;
    if (x === null || this.lastOutput === null) throw new Error(`${this.name}: backward called before forward`);
    checkGradShape(this.name, gradOutput, this.lastOutput);
    let dx = this.gradViews.get(gradOutput);
    if (dx === undefined || dx.data !== gradOutput.data) {
      dx = new Tensor(gradOutput.data, x.shape, undefined, gradOutput.offset);
      this.gradViews.set(gradOutput, dx);
    }
    return dx;
  }

  protected override release(): void {
    this.lastInput = null;
    this.lastOutput = null;
  }
}
