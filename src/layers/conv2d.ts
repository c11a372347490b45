import { col2imAddWasm, im2colWasm } from '../tensor/gemm/im2col.js';
import { sgemm } from '../tensor/gemm/index.js';
import { allocFloat32, freeFloat32 } from '../tensor/memory.js';
import type { Rng } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { BaseLayer } from './base.js';
import { pair, windowOutputShape, type Pair, type Window2d } from './conv-shape.js';
import { Parameter } from './parameter.js';
import { checkGradShape, checkTensorInput, sameDims } from './validate.js';

export interface Conv2dOptions {
  /** Draws the initial weights and bias. Required: nothing in the library is random without a seed. */
  rng: Rng;
  /** Default 1. One number (both axes) or [h, w]. */
  stride?: Pair;
  /** Zero padding on each side; default 0. One number or [h, w]. */
  padding?: Pair;
  /** Default true. */
  bias?: boolean;
  name?: string;
}

/** Everything a forward/backward at one input shape needs, allocated once for that shape. */
interface Plan {
  inShape: readonly number[];
  y: Tensor;
  /** im2col of every example of the batch, [N][K][P] (kept from forward for dW). */
  cols: Float32Array;
  /** One example's dL/dcols, [K][P] (backward, reused per example). */
  dcols: Float32Array | null;
  dx: Tensor | null;
}

/** At most this many input shapes keep their buffers (training batch, evaluation batch, a short last batch). */
const MAX_PLANS = 4;

/**
 * 2-D convolution over NCHW input (cross-correlation, as every deep-learning library computes it), in
 * PyTorch's layout: weight W is [out, in, kh, kw], bias b is [out]; groups 1, dilation 1, zero padding.
 *
 *   Y[n, o, oh, ow] = b[o] + Σ_{c,i,j} W[o, c, i, j] · X[n, c, oh·sh − ph + i, ow·sw − pw + j]   (0 outside X)
 *
 * Computed per example through the one `sgemm`, by im2col: the example's patches are unrolled into a
 * matrix cols [K = in·kh·kw, P = OH·OW] (row (c, i, j), column (oh, ow)), so that
 *
 *   forward:  Y_n[out, P] = W[out, K] · cols_n[K, P] (+ b broadcast, pre-filled; beta 1)   → NCHW directly
 *   backward: dW[out, K] += dY_n[out, P] · cols_nᵀ                                        (sgemm NT, beta 1)
 *             dcols[K, P] = Wᵀ · dY_n, then col2im adds dcols back into dX_n               (sgemm TN)
 *             db[o]      += Σ_{n,p} dY[n, o, p]   (float64 sum, rounded once)
 *
 * The unrolling runs as WebAssembly SIMD (src/tensor/gemm/im2col.ts, bit-identical) when the arrays live in
 * the WebAssembly heap, as in training; `im2col` / `col2imAdd` below are the plain reference and
 * the fallback.
 *
 * The cols of the whole batch are kept from forward for dW (N·K·P floats: 11 MB for the dissertation's
 * second convolution at batch 50), so backward does not unroll again. Buffers are allocated per input
 * shape on first use and reused: a training step at a fixed shape allocates nothing after the first.
 *
 * Why per example, measured (paired, interleaved, batch 50, wasm-relaxed): the alternative layout — the
 * batch's cols as one [K, N·P] matrix, one product per layer, an NCHW scatter/gather around it — has the
 * faster bare product (bench/conv.ts: about 1.35× on conv1's forward), but as a whole layer it was slower:
 * forward 0.42× (conv0) and 0.86× (conv1), forward+backward 0.51× and 0.96× of this one (its 11 MB cols and
 * the copies fall out of cache; per example, an example's cols are reused by the product while still
 * cached). An implicit gemm (patches packed inside the kernel) would save the im2col copy — about a
 * third of conv1's product time in bench/conv.ts with the JS im2col, about 15 % with the WebAssembly one —
 * but needs a kernel of its own instead of `sgemm`.
 *
 * Initialisation as `torch.nn.Conv2d.reset_parameters`: W and b uniform on ±1/√(in·kh·kw) (kaiming_uniform_
 * with a = √5, the same bound as Linear with fan-in in·kh·kw); weights first (row-major), then the bias.
 * PyTorch's own CPU convolution (oneDNN or its slow_conv2d fallback, also im2col + gemm) sums in a different
 * order, so results agree to float32 rounding, not bit for bit.
 */
export class Conv2d extends BaseLayer {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly weight: Parameter;
  /** null when constructed with `bias: false`. */
  readonly bias: Parameter | null;
  private readonly params: Parameter[];
  private readonly window: Window2d;
  private readonly plans: Plan[] = [];
  private last: Plan | null = null;
  private lastInput: Tensor | null = null;

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options: Conv2dOptions) {
    super('conv', options?.name);
    for (const [what, v] of [['inChannels', inChannels], ['outChannels', outChannels]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`Conv2d: ${what} must be a positive integer, got ${v}`);
    }
    if (!options || typeof options.rng?.uniform !== 'function') {
      throw new TypeError('Conv2d: options.rng (an Rng) is required to initialise the weights');
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = pair('Conv2d', 'kernelSize', kernelSize, [0, 0], 1);
    this.stride = pair('Conv2d', 'stride', options.stride, [1, 1], 1);
    this.padding = pair('Conv2d', 'padding', options.padding, [0, 0], 0);
    this.window = { kernel: this.kernelSize, stride: this.stride, padding: this.padding };
    const [kh, kw] = this.kernelSize;
    this.weight = new Parameter(`${this.name}.weight`, [outChannels, inChannels, kh, kw]);
    this.bias = options.bias === false ? null : new Parameter(`${this.name}.bias`, [outChannels]);
    this.params = this.bias ? [this.weight, this.bias] : [this.weight];
    this.resetParameters(options.rng);
  }

  /** K = in·kh·kw, the depth of every product (and the fan-in). */
  get fanIn(): number {
    return this.inChannels * this.kernelSize[0] * this.kernelSize[1];
  }

  /** Redraw W and b uniform on ±1/√(in·kh·kw) from `rng` (weights first, then bias). */
  resetParameters(rng: Rng): void {
    const bound = 1 / Math.sqrt(this.fanIn);
    rng.fillUniform(this.weight.data, -bound, bound);
    if (this.bias) rng.fillUniform(this.bias.data, -bound, bound);
  }

  protected override renamed(name: string): void {
    this.weight.rename(`${name}.weight`);
    this.bias?.rename(`${name}.bias`);
  }

  /** [N, in, H, W] → [N, out, OH, OW]; throws on a wrong rank, channel count, or a kernel larger than the padded input. */
  override outputShape(inputShape: readonly number[]): number[] {
    return windowOutputShape(this.name, inputShape, this.window, this.inChannels, this.outChannels);
  }

  protected checkInput(input: Tensor): void {
    checkTensorInput(this.name, 'input', input, `[batch, ${this.inChannels}, height, width]`, 4);
    // A shape seen before was validated then (no allocation on the hot path).
    if (this.findPlan(input.shape) === null) this.outputShape(input.shape);
  }

  private findPlan(shape: readonly number[]): Plan | null {
    const plans = this.plans;
    for (let i = 0; i < plans.length; i++) if (sameDims(plans[i].inShape, shape)) return plans[i];
    return null;
  }

  private plan(shape: readonly number[]): Plan {
    const hit = this.findPlan(shape);
    if (hit !== null) return hit;
    if (this.plans.length >= MAX_PLANS) freePlan(this.plans.shift()!);
    const outShape = this.outputShape(shape);
    if (outShape[3] >= 65536) throw new RangeError(`${this.name}: output width ${outShape[3]} is beyond the supported 65535 (input ${JSON.stringify(shape)})`);
    const P = outShape[2] * outShape[3];
    const y = new Tensor(allocFloat32(outShape[0] * this.outChannels * P), outShape);
    const p: Plan = { inShape: shape.slice(), y, cols: allocFloat32(shape[0] * this.fanIn * P), dcols: null, dx: null };
    this.plans.push(p);
    return p;
  }

  protected compute(x: Tensor): Tensor {
    const plan = this.plan(x.shape);
    const xs = x.shape, N = xs[0], C = xs[1], H = xs[2], W = xs[3]; // index reads: no iterator per step
    const y = plan.y;
    const OH = y.shape[2], OW = y.shape[3], P = OH * OW, K = this.fanIn, O = this.outChannels;
    const kh = this.kernelSize[0], kw = this.kernelSize[1], sh = this.stride[0], sw = this.stride[1], ph = this.padding[0], pw = this.padding[1];
    const yd = y.data, cols = plan.cols, b = this.bias?.data;
    for (let n = 0; n < N; n++) {
      const colOff = n * K * P, yOff = n * O * P;
      if (!im2colWasm(x.data, x.offset + n * C * H * W, C, H, W, kh, kw, sh, sw, ph, pw, OH, OW, cols, colOff)) {
        im2col(x.data, x.offset + n * C * H * W, C, H, W, kh, kw, sh, sw, ph, pw, OH, OW, cols, colOff);
      }
      if (b) for (let o = 0; o < O; o++) yd.fill(b[o], yOff + o * P, yOff + (o + 1) * P);
      // Y_n[O, P] = W[O, K] · cols_n[K, P] (+ Y_n holding the bias).
      sgemm(false, false, O, P, K, 1, this.weight.data, 0, K, cols, colOff, P, b ? 1 : 0, yd, yOff, P);
    }
    this.last = plan;
    this.lastInput = x;
    return y;
  }

  backward(gradOutput: Tensor): Tensor {
    const plan = this.accumulate(gradOutput);
    const x = this.lastInput!;
    const xs = x.shape, N = xs[0], C = xs[1], H = xs[2], W = xs[3]; // index reads: no iterator per step
    if (plan.dx === null) plan.dx = new Tensor(allocFloat32(x.size), x.shape);
    const OH = plan.y.shape[2], OW = plan.y.shape[3], P = OH * OW, K = this.fanIn, O = this.outChannels;
    if (plan.dcols === null) plan.dcols = allocFloat32(K * P);
    const kh = this.kernelSize[0], kw = this.kernelSize[1], sh = this.stride[0], sw = this.stride[1], ph = this.padding[0], pw = this.padding[1];
    const dx = plan.dx, dcols = plan.dcols, dy = gradOutput.data;
    dx.data.fill(0);
    for (let n = 0; n < N; n++) {
      // dcols[K, P] = W[O, K]ᵀ · dY_n[O, P].
      sgemm(true, false, K, P, O, 1, this.weight.data, 0, K, dy, gradOutput.offset + n * O * P, P, 0, dcols, 0, P);
      if (!col2imAddWasm(dcols, 0, C, H, W, kh, kw, sh, sw, ph, pw, OH, OW, dx.data, n * C * H * W)) {
        col2imAdd(dcols, 0, C, H, W, kh, kw, sh, sw, ph, pw, OH, OW, dx.data, n * C * H * W);
      }
    }
    return dx;
  }

  /** The parameter half of `backward`: adds dW and db, skips dX (what PyTorch skips for a first layer). */
  backwardParams(gradOutput: Tensor): void {
    this.accumulate(gradOutput);
  }

  private accumulate(dY: Tensor): Plan {
    this.checkNotDisposed('backward');
    const plan = this.last;
    if (plan === null) throw new Error(`${this.name}: backward called before forward`);
    checkGradShape(this.name, dY, plan.y);
    const N = plan.y.shape[0], P = plan.y.shape[2] * plan.y.shape[3], K = this.fanIn, O = this.outChannels;
    const dy = dY.data, off = dY.offset;
    for (let n = 0; n < N; n++) {
      // dW[O, K] += dY_n[O, P] · cols_n[K, P]ᵀ.
      sgemm(false, true, O, K, P, 1, dy, off + n * O * P, P, plan.cols, n * K * P, P, 1, this.weight.grad, 0, K);
    }
    if (this.bias) {
      const g = this.bias.grad;
      for (let o = 0; o < O; o++) {
        let s = 0;
        for (let n = 0; n < N; n++) {
          const base = off + (n * O + o) * P;
          for (let p = 0; p < P; p++) s += dy[base + p];
        }
        g[o] += s;
      }
    }
    return plan;
  }

  protected override ownParameters(): readonly Parameter[] {
    return this.params;
  }

  protected override release(): void {
    for (const p of this.params) p.dispose();
    for (const p of this.plans) freePlan(p);
    this.plans.length = 0;
    this.last = null;
    this.lastInput = null;
  }
}

function freePlan(p: Plan): void {
  freeFloat32(p.y.data);
  freeFloat32(p.cols);
  if (p.dcols) freeFloat32(p.dcols);
  if (p.dx) freeFloat32(p.dx.data);
}

/**
 * The output columns ow whose input column ow·sw − pw + j lies inside [0, W): [first, end). Outside them
 * the patch reads padding.
 */
function inside(j: number, sw: number, pw: number, W: number, OW: number): number {
  // Packs first (low 16 bits) and end (high bits) into one number to stay allocation-free.
  const first = Math.min(OW, Math.max(0, Math.ceil((pw - j) / sw)));
  const end = Math.max(first, Math.min(OW, Math.floor((W - 1 + pw - j) / sw) + 1));
  return first + end * 65536;
}

/**
 * Unroll one example's patches: cols[(c·kh + i)·kw + j][oh·OW + ow] = X[c, oh·sh − ph + i, ow·sw − pw + j],
 * 0 where that falls in the padding. The in-bounds run of each row is copied without per-element tests.
 */
export function im2col(
  x: Float32Array, xOff: number, C: number, H: number, W: number, kh: number, kw: number, sh: number, sw: number,
  ph: number, pw: number, OH: number, OW: number, cols: Float32Array, colOff: number,
): void {
  let r = colOff;
  for (let c = 0; c < C; c++) {
    const plane = xOff + c * H * W;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const span = inside(j, sw, pw, W, OW);
        const first = span & 65535, end = (span - first) / 65536;
        for (let oh = 0; oh < OH; oh++) {
          const ih = oh * sh - ph + i;
          if (ih < 0 || ih >= H) {
            cols.fill(0, r, r + OW);
            r += OW;
            continue;
          }
          for (let ow = 0; ow < first; ow++) cols[r + ow] = 0;
          let src = plane + ih * W + first * sw - pw + j;
          if (sw === 1) for (let ow = first; ow < end; ow++) cols[r + ow] = x[src++];
          else for (let ow = first; ow < end; ow++, src += sw) cols[r + ow] = x[src];
          for (let ow = end; ow < OW; ow++) cols[r + ow] = 0;
          r += OW;
        }
      }
    }
  }
}

/** The adjoint of {@link im2col}: adds every cols entry into the X position it was read from (padding dropped). */
export function col2imAdd(
  cols: Float32Array, colOff: number, C: number, H: number, W: number, kh: number, kw: number, sh: number, sw: number,
  ph: number, pw: number, OH: number, OW: number, dx: Float32Array, dxOff: number,
): void {
  let r = colOff;
  for (let c = 0; c < C; c++) {
    const plane = dxOff + c * H * W;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const span = inside(j, sw, pw, W, OW);
        const first = span & 65535, end = (span - first) / 65536;
        for (let oh = 0; oh < OH; oh++) {
          const ih = oh * sh - ph + i;
          if (ih >= 0 && ih < H) {
            let dst = plane + ih * W + first * sw - pw + j;
            for (let ow = first; ow < end; ow++, dst += sw) dx[dst] += cols[r + ow];
          }
          r += OW;
        }
      }
    }
  }
}
