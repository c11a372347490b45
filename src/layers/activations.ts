import {
  logSoftmaxRows,
  logSoftmaxRowsBackward,
  relu,
  reluBackward,
  sigmoid,
  sigmoidBackward,
  softmaxRows,
  softmaxRowsBackward,
  tanh,
  tanhBackward,
} from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';
import { BaseLayer } from './base.js';
import { ShapeBuffers } from './buffers.js';
import { checkBatchInput, checkGradShape, checkTensorInput } from './validate.js';

export type ForwardOp = (out: Tensor, x: Tensor) => Tensor;
export type BackwardOp = (dx: Tensor, y: Tensor, dy: Tensor) => Tensor;

export interface ActivationOptions {
  name?: string;
}

/**
 * A parameter-free layer y = f(x) whose derivative is a function of its output y, so backward needs
 * nothing but the output buffer it already owns: σ′ = y(1 − y), tanh′ = 1 − y², relu′ = [y > 0], and the
 * softmax / log-softmax Jacobian products (see src/tensor/ops.ts for each formula). Sigmoid, ReLU and Tanh
 * work element-wise on any shape ([batch, features], [N, C, H, W], …); Softmax and LogSoftmax on the rows
 * of a [batch, features] matrix. Output and input-gradient buffers are reused per input shape.
 */
export abstract class Activation extends BaseLayer {
  private outputs: ShapeBuffers | null = new ShapeBuffers();
  private inputGrads: ShapeBuffers | null = new ShapeBuffers();
  private lastOutput: Tensor | null = null;

  /** `rowWise`: the op works on the rows of a [batch, features] matrix (softmax); otherwise on any shape. */
  protected constructor(kind: string, options: ActivationOptions | undefined, private readonly forwardOp: ForwardOp, private readonly backwardOp: BackwardOp, private readonly rowWise = false) {
    super(kind, options?.name);
  }

  protected checkInput(input: Tensor): void {
    if (this.rowWise) checkBatchInput(this.name, 'input', input);
    else checkTensorInput(this.name, 'input', input, '[batch, …] (any shape)');
  }

  protected compute(x: Tensor): Tensor {
    const y = this.outputs!.get(x.shape);
    this.forwardOp(y, x);
    this.lastOutput = y;
    return y;
  }

  backward(gradOutput: Tensor): Tensor {
    this.checkNotDisposed('backward');
    const y = this.lastOutput;
    if (y === null) throw new Error(`${this.name}: backward called before forward`);
    checkGradShape(this.name, gradOutput, y);
    const dx = this.inputGrads!.get(y.shape);
    return this.backwardOp(dx, y, gradOutput);
  }

  protected override release(): void {
    this.outputs?.dispose();
    this.inputGrads?.dispose();
    this.outputs = null;
    this.inputGrads = null;
    this.lastOutput = null;
  }
}

/** y = σ(x) = 1/(1 + e^−x), computed without overflow for any |x| (see ops.sigmoid). As `torch.nn.Sigmoid`. */
export class Sigmoid extends Activation {
  constructor(options?: ActivationOptions) {
    super('sigmoid', options, sigmoid, sigmoidBackward);
  }
}

/** y = max(x, 0). As `torch.nn.ReLU` (gradient 0 at x = 0). */
export class ReLU extends Activation {
  constructor(options?: ActivationOptions) {
    super('relu', options, relu, reluBackward);
  }
}

/** y = tanh(x). As `torch.nn.Tanh`. */
export class Tanh extends Activation {
  constructor(options?: ActivationOptions) {
    super('tanh', options, tanh, tanhBackward);
  }
}

/** Row-wise softmax over the features of each example (`torch.nn.Softmax(dim=1)`), stable for any finite logits. */
export class Softmax extends Activation {
  constructor(options?: ActivationOptions) {
    super('softmax', options, softmaxRows, softmaxRowsBackward, true);
  }
}

/**
 * Row-wise log-softmax (`torch.nn.LogSoftmax(dim=1)`) by log-sum-exp, exact to rounding for |logits| up to
 * float32's range. For training a classifier prefer logits + {@link CrossEntropyLoss}, which fuses the two.
 */
export class LogSoftmax extends Activation {
  constructor(options?: ActivationOptions) {
    super('logsoftmax', options, logSoftmaxRows, logSoftmaxRowsBackward, true);
  }
}
