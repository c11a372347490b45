import { maxPool2x2BackwardWasm, maxPool2x2Wasm } from '../tensor/gemm/relu-pool.js';
import { allocFloat32, freeFloat32 } from '../tensor/memory.js';
import { Tensor } from '../tensor/tensor.js';
import { BaseLayer } from './base.js';
import { pair, windowOutputShape, type Pair, type Window2d } from './conv-shape.js';
import { checkGradShape, checkTensorInput, sameDims } from './validate.js';

export interface MaxPool2dOptions {
  /** Default: the kernel size (as PyTorch). One number or [h, w]. */
  stride?: Pair;
  /** Implicit −∞ padding on each side, at most half the kernel (as PyTorch); default 0. */
  padding?: Pair;
  name?: string;
}

interface Plan {
  inShape: readonly number[];
  y: Tensor;
  /** For every output element, the flat index (within its [H, W] plane) of the input it took. */
  argmax: Int32Array;
  /** argmax's storage (allocated like y, so in the WebAssembly heap when training there). */
  argmaxStore: Float32Array;
  dx: Tensor | null;
}

const MAX_PLANS = 4;

/**
 * 2-D max pooling over NCHW input, as `torch.nn.MaxPool2d(kernel_size, stride, padding)` with dilation 1
 * and floor mode: Y[n, c, oh, ow] = max over the window rows oh·sh − ph … + kh − 1, columns ow·sw − pw … + kw − 1
 * (positions in the padding never win).
 *
 * Backward routes each output's gradient to the input element that won its window, adding when windows
 * overlap (stride < kernel) and one element wins several. Ties, as PyTorch's CPU kernel
 * (`cpu_max_pool` in aten/src/ATen/native/cpu/MaxPoolKernel.cpp): the window is scanned row by row, left to
 * right, and an element replaces the running maximum only when strictly greater (or NaN), so the FIRST
 * maximal element in row-major window order takes the gradient (e.g. an all-zero window after ReLU sends
 * its gradient to its top-left element). The PyTorch fixtures include a tie case that checks this.
 *
 * Kernel 2 = stride 2 without padding (the CNN's pools) has a loop of its own, and with the arrays in the
 * WebAssembly heap runs as SIMD kernels instead (src/tensor/gemm/relu-pool.ts; same bits, ties and NaNs
 * included); every other window takes the general loops below.
 */
export class MaxPool2d extends BaseLayer {
  readonly kernelSize: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  private readonly window: Window2d;
  private readonly plans: Plan[] = [];
  private last: Plan | null = null;

  constructor(kernelSize: Pair, options: MaxPool2dOptions = {}) {
    super('maxpool', options?.name);
    this.kernelSize = pair('MaxPool2d', 'kernelSize', kernelSize, [0, 0], 1);
    this.stride = pair('MaxPool2d', 'stride', options?.stride, this.kernelSize, 1);
    this.padding = pair('MaxPool2d', 'padding', options?.padding, [0, 0], 0);
    if (2 * this.padding[0] > this.kernelSize[0] || 2 * this.padding[1] > this.kernelSize[1]) {
      throw new RangeError(
        `MaxPool2d: padding ${this.padding[0]}×${this.padding[1]} must be at most half the kernel ${this.kernelSize[0]}×${this.kernelSize[1]} (as in PyTorch)`,
      );
    }
    this.window = { kernel: this.kernelSize, stride: this.stride, padding: this.padding };
  }

  /** [N, C, H, W] → [N, C, OH, OW]; throws on a wrong rank or a kernel larger than the padded input. */
  override outputShape(inputShape: readonly number[]): number[] {
    return windowOutputShape(this.name, inputShape, this.window, null, null);
  }

  protected checkInput(input: Tensor): void {
    checkTensorInput(this.name, 'input', input, '[batch, channels, height, width]', 4);
    if (this.findPlan(input.shape) === null) this.outputShape(input.shape);
  }

  private findPlan(shape: readonly number[]): Plan | null {
    for (let i = 0; i < this.plans.length; i++) if (sameDims(this.plans[i].inShape, shape)) return this.plans[i];
    return null;
  }

  private plan(shape: readonly number[]): Plan {
    const hit = this.findPlan(shape);
    if (hit !== null) return hit;
    if (this.plans.length >= MAX_PLANS) freePlan(this.plans.shift()!);
    const outShape = this.outputShape(shape);
    const n = outShape[0] * outShape[1] * outShape[2] * outShape[3];
    const argmaxStore = allocFloat32(n);
    const argmax = new Int32Array(argmaxStore.buffer, argmaxStore.byteOffset, n);
    const p: Plan = { inShape: shape.slice(), y: new Tensor(allocFloat32(n), outShape), argmax, argmaxStore, dx: null };
    this.plans.push(p);
    return p;
  }

  protected compute(x: Tensor): Tensor {
    const plan = this.plan(x.shape);
    const xs = x.shape, N = xs[0], C = xs[1], H = xs[2], W = xs[3]; // index reads: no iterator per step
    const OH = plan.y.shape[2], OW = plan.y.shape[3];
    const kh = this.kernelSize[0], kw = this.kernelSize[1], sh = this.stride[0], sw = this.stride[1], ph = this.padding[0], pw = this.padding[1];
    const xd = x.data, yd = plan.y.data, am = plan.argmax;
    if (this.isPool2x2()) {
      if (!maxPool2x2Wasm(xd, x.offset, N * C, H, W, OH, OW, yd, 0, am, 0)) pool2x2(xd, x.offset, N * C, H, W, OH, OW, yd, am);
      this.last = plan;
      return plan.y;
    }
    let o = 0;
    for (let plane = 0; plane < N * C; plane++) {
      const base = x.offset + plane * H * W;
      for (let oh = 0; oh < OH; oh++) {
        const h0 = oh * sh - ph;
        const hs = Math.max(h0, 0), he = Math.min(h0 + kh, H);
        for (let ow = 0; ow < OW; ow++, o++) {
          const w0 = ow * sw - pw;
          const ws = Math.max(w0, 0), we = Math.min(w0 + kw, W);
          // PyTorch's scan: start at −∞ with the first in-bounds index; replace on > (first maximum wins) or NaN.
          let best = -Infinity, at = hs * W + ws;
          for (let ih = hs; ih < he; ih++) {
            for (let iw = ws; iw < we; iw++) {
              const v = xd[base + ih * W + iw];
              if (v > best || v !== v) {
                best = v;
                at = ih * W + iw;
              }
            }
          }
          yd[o] = best;
          am[o] = at;
        }
      }
    }
    this.last = plan;
    return plan.y;
  }

  backward(gradOutput: Tensor): Tensor {
    this.checkNotDisposed('backward');
    const plan = this.last;
    if (plan === null) throw new Error(`${this.name}: backward called before forward`);
    checkGradShape(this.name, gradOutput, plan.y);
    const xs = plan.inShape, N = xs[0], C = xs[1], H = xs[2], W = xs[3];
    if (plan.dx === null) plan.dx = new Tensor(allocFloat32(N * C * H * W), plan.inShape);
    const dx = plan.dx.data, g = gradOutput.data, go = gradOutput.offset, am = plan.argmax;
    const OH = plan.y.shape[2], OW = plan.y.shape[3], per = OH * OW;
    if (this.isPool2x2() && maxPool2x2BackwardWasm(g, go, am, 0, N * C, H, W, OH, OW, dx, 0)) return plan.dx;
    maxPoolBackward(g, go, am, N * C, per, H * W, dx);
    return plan.dx;
  }

  /** Kernel 2 = stride 2, no padding: the CNN's pools, which have the fast paths. */
  private isPool2x2(): boolean {
    const k = this.kernelSize, s = this.stride, p = this.padding;
    return k[0] === 2 && k[1] === 2 && s[0] === 2 && s[1] === 2 && p[0] === 0 && p[1] === 0;
  }

  protected override release(): void {
    for (const p of this.plans) freePlan(p);
    this.plans.length = 0;
    this.last = null;
  }
}

function freePlan(p: Plan): void {
  freeFloat32(p.y.data);
  freeFloat32(p.argmaxStore);
  if (p.dx) freeFloat32(p.dx.data);
}

/**
 * The backward of any window: dx (planes × planeSize, from 0) = 0, then each output's gradient added to the
 * input element that won its window, in output order (the sums' order when windows overlap).
 */
export function maxPoolBackward(g: Float32Array, gOff: number, am: Int32Array, planes: number, per: number, planeSize: number, dx: Float32Array): void {
  dx.fill(0);
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * planeSize;
    for (let k = 0; k < per; k++, o++) dx[base + am[o]] += g[gOff + o];
  }
}

/**
 * The 2×2, stride-2, unpadded case (the CNN's pools) without the general window loops; the same scan
 * order and tie rule: (0, 0), (0, 1), (1, 0), (1, 1) from −∞, replacing only on > or NaN.
 */
export function pool2x2(xd: Float32Array, xOff: number, planes: number, H: number, W: number, OH: number, OW: number, yd: Float32Array, am: Int32Array): void {
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = xOff + plane * H * W;
    for (let oh = 0; oh < OH; oh++) {
      const r0 = 2 * oh * W, r1 = r0 + W;
      for (let ow = 0; ow < OW; ow++, o++) {
        const c = 2 * ow;
        let best = -Infinity, at = r0 + c;
        let v = xd[base + r0 + c];
        if (v > best || v !== v) (best = v), (at = r0 + c);
        v = xd[base + r0 + c + 1];
        if (v > best || v !== v) (best = v), (at = r0 + c + 1);
        v = xd[base + r1 + c];
        if (v > best || v !== v) (best = v), (at = r1 + c);
        v = xd[base + r1 + c + 1];
        if (v > best || v !== v) (best = v), (at = r1 + c + 1);
        yd[o] = best;
        am[o] = at;
      }
    }
  }
}
