import type { Rng } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { BaseLayer } from './base.js';
import { ShapeBuffers } from './buffers.js';
import { checkGradShape, checkTensorInput } from './validate.js';

export interface DropoutOptions {
  /** Draws the masks (one uniform per element per training forward). Required: nothing is random without a seed. */
  rng: Rng;
  name?: string;
}

/**
 * Inverted dropout, as `torch.nn.Dropout(p)` on the CPU (`_dropout_impl` in aten/src/ATen/native/Dropout.cpp):
 * in training mode each element is kept with probability 1 − p and then scaled, y = x · s with
 * s = fround(1 / fround(1 − p)) (PyTorch fills the mask with bernoulli(1 − p) in float32 and divides it by
 * 1 − p in float32), dropped elements are 0; backward is dx = dy · mask (the same s or 0). In eval mode
 * (`eval()`) it is the identity: forward returns the input and backward the gradient, uncopied.
 *
 * Edge cases as PyTorch: p = 0 returns the input unchanged and draws nothing; p = 1 gives x · 0 (all zeros,
 * −0 for negative x) and a zero gradient, drawing nothing.
 *
 * The mask: element i is kept when `rng.random() < 1 − p`, one draw per element in row-major order per
 * training forward — seeded and reproducible, but not PyTorch's generator, so masks differ from PyTorch's.
 */
export class Dropout extends BaseLayer {
  readonly p: number;
  private rng: Rng;
  private readonly scale: number;
  private readonly outputs = new ShapeBuffers();
  private readonly masks = new ShapeBuffers();
  private readonly inputGrads = new ShapeBuffers();
  /** The mask of the last training forward (null after an identity forward: eval mode or p = 0). */
  private lastMask: Tensor | null = null;
  private lastShapeOf: Tensor | null = null;

  constructor(p: number, options: DropoutOptions) {
    super('dropout', options?.name);
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`Dropout: p must be a probability in [0, 1], got ${p}`);
    if (!options || typeof options.rng?.random !== 'function') throw new TypeError('Dropout: options.rng (an Rng) is required to draw the masks');
    this.p = p;
    this.rng = options.rng;
    this.scale = p < 1 ? Math.fround(1 / Math.fround(1 - p)) : 0;
  }

  /**
   * Draw the masks from `rng` from now on. The experiment runner gives each epoch its own stream
   * (seed, configuration, epoch), so a run resumed from a checkpoint draws the same masks as an uninterrupted one.
   */
  setRng(rng: Rng): void {
    if (!rng || typeof rng.random !== 'function') throw new TypeError(`${this.name}: setRng expects an Rng, got ${String(rng)}`);
    this.rng = rng;
  }

  protected checkInput(input: Tensor): void {
    checkTensorInput(this.name, 'input', input, '[batch, …] (any shape)');
  }

  protected compute(x: Tensor): Tensor {
    this.lastShapeOf = x;
    if (!this.training || this.p === 0) {
      this.lastMask = null;
      return x;
    }
    const y = this.outputs.get(x.shape);
    const mask = this.masks.get(x.shape);
    const m = mask.data, yd = y.data, xd = x.data, xo = x.offset, n = x.size, s = this.scale;
    if (this.p === 1) m.fill(0);
    else {
      const keep = 1 - this.p, rng = this.rng;
      for (let i = 0; i < n; i++) m[i] = rng.random() < keep ? s : 0;
    }
    for (let i = 0; i < n; i++) yd[i] = xd[xo + i] * m[i];
    this.lastMask = mask;
    return y;
  }

  backward(gradOutput: Tensor): Tensor {
    this.checkNotDisposed('backward');
    const x = this.lastShapeOf;
    if (x === null) throw new Error(`${this.name}: backward called before forward`);
    const mask = this.lastMask;
    if (mask === null) {
      checkGradShape(this.name, gradOutput, x);
      return gradOutput;
    }
    checkGradShape(this.name, gradOutput, mask);
    const dx = this.inputGrads.get(mask.shape);
    const d = dx.data, g = gradOutput.data, go = gradOutput.offset, m = mask.data, n = dx.size;
    for (let i = 0; i < n; i++) d[i] = g[go + i] * m[i];
    return dx;
  }

  protected override release(): void {
    this.outputs.dispose();
    this.masks.dispose();
    this.inputGrads.dispose();
    this.lastMask = null;
    this.lastShapeOf = null;
  }
}
