/**
 * RMSprop — Hinton, Srivastava & Swersky, "Neural Networks for Machine Learning", lecture 6e, 2012; the
 * centered variant from Graves, "Generating Sequences With Recurrent Neural Networks", arXiv:1308.0850,
 * 2013. Step for step PyTorch 1.13's `torch.optim.RMSprop` (`_single_tensor_rmsprop`, CPU, float32):
 *
 *     g ← ∇θ f(θ)                          (−∇ when maximize)
 *     g ← g + λ·θ                           (weightDecay λ ≠ 0)
 *     v ← α·v + (1 − α)·g²                  (state `square_avg`)
 *     centered:  ḡ ← α·ḡ + (1 − α)·g         (state `grad_avg`)
 *                d ← √(v − ḡ²) + ε
 *     otherwise: d ← √v + ε
 *     momentum μ > 0:  b ← μ·b + g/d ;  θ ← θ − γ·b     (state `momentum_buffer`)
 *     otherwise:       θ ← θ − γ·g/d
 *
 * Defaults: γ = 0.01, α = 0.99, ε = 1e-8, λ = 0, μ = 0, centered false. As in PyTorch, α ≥ 0 is the only
 * check on α (α > 1 is accepted).
 *
 * Float32 as PyTorch on CPU: each operation rounds in PyTorch's order, fused where its kernels fuse
 * (`add_(x, alpha)`, `addcmul`), α and 1 − α (computed in double) rounded to float32 where its kernels
 * take them.
 *
 * How others differ: TensorFlow.js `tf.train.rmsprop` and Keras `RMSprop` default the decay to 0.9 (not
 * 0.99) and γ to 0.001; TF.js puts ε inside the root (√(v + ε), and √(v − (ḡ² + ε)) when centered) and
 * accumulates γ·g/d in its momentum buffer (PyTorch multiplies by γ outside the buffer, which differs
 * once γ changes during training).
 */
import { Optimizer, type CommonOptions, type ParamGroup, type ParameterLike, type ParamsInput, type StateSchema, withDefaults, zerosLike } from './optimizer.js';
import { check, checkCommon, checkLength, checkTypes, describe } from './checks.js';
import { fma32 } from './fused.js';
import { rmspropStepWasm } from './wasm/steps.js';

export interface RMSpropOptions extends CommonOptions {
  /** Learning rate γ. Default 0.01. */
  lr: number;
  /** Smoothing constant α of the squared-gradient average. Default 0.99. */
  alpha: number;
  /** Added to the root. Default 1e-8. */
  eps: number;
  /** L2 penalty λ added to the gradient. Default 0. */
  weightDecay: number;
  /** Momentum μ. Default 0. */
  momentum: number;
  /** Normalize by an estimate of the gradient's variance, v − ḡ², instead of v. Default false. */
  centered: boolean;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

export interface RMSpropBuffers {
  square_avg: Float32Array;
  /** Present when μ > 0. */
  momentum_buffer?: Float32Array | null;
  /** Present when centered. */
  grad_avg?: Float32Array | null;
}

export interface RMSpropState extends RMSpropBuffers {
  [key: string]: Float32Array | number | null | undefined;
  step: number;
}

export const RMSPROP_DEFAULTS: Readonly<RMSpropOptions> = Object.freeze({ lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false });

const fround = Math.fround;

/**
 * One RMSprop step for one parameter, in place. RMSprop does not use the step count; `step` is accepted
 * for the common signature. Allocates nothing.
 */
export function rmspropStep(param: Float32Array, grad: Float32Array, state: RMSpropBuffers, options: RMSpropOptions, _step: number): void {
  const n = param.length;
  const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = options;
  const sq = state.square_avg;
  const ga = state.grad_avg;
  const buf = state.momentum_buffer;
  checkLength('rmspropStep', 'grad', grad, n);
  checkLength('rmspropStep', 'state.square_avg', sq, n);
  if (centered) {
    if (ga == null) throw new TypeError(`rmspropStep: centered needs state.grad_avg, got ${describe(ga)}`);
    checkLength('rmspropStep', 'state.grad_avg', ga, n);
  }
  const useMomentum = momentum > 0;
  if (useMomentum) {
    if (buf == null) throw new TypeError(`rmspropStep: momentum > 0 needs state.momentum_buffer, got ${describe(buf)}`);
    checkLength('rmspropStep', 'state.momentum_buffer', buf, n);
  }
  const a = fround(alpha);
  const c = fround(1 - alpha);
  const e = fround(eps);
  const wd = fround(weightDecay);
  const mu = fround(momentum);
  const negLr = fround(-lr);
  if (weightDecay === 0 && !maximize && !centered && !useMomentum) {
    // The common case as a straight-line loop (see adam.ts): same operations, same order.
    for (let i = 0; i < n; i++) {
      const g = grad[i];
      const v = fma32(fround(c * g), g, fround(sq[i] * a));
      sq[i] = v;
      const avg = fround(fround(Math.sqrt(v)) + e);
      param[i] = fround(param[i] + fround(fround(negLr * g) / avg));
    }
    return;
  }
  const sign = maximize ? -1 : 1;
  for (let i = 0; i < n; i++) {
    const p = param[i];
    let g = sign * grad[i];
    if (weightDecay !== 0) g = fma32(wd, p, g); // grad.add(param, alpha=λ)
    const v = fma32(fround(c * g), g, fround(sq[i] * a)); // square_avg.mul_(α).addcmul_(g, g, value=1−α)
    sq[i] = v;
    let avg: number;
    if (centered) {
      const m = fma32(c, g, fround(ga![i] * a)); // grad_avg.mul_(α).add_(g, alpha=1−α)
      ga![i] = m;
      avg = fround(Math.sqrt(fma32(-m, m, v))); // square_avg.addcmul(ḡ, ḡ, value=−1).sqrt_()
    } else {
      avg = fround(Math.sqrt(v));
    }
    avg = fround(avg + e); // avg.add_(ε)
    if (useMomentum) {
      const b = fround(fround(buf![i] * mu) + fround(g / avg)); // buf.mul_(μ).addcdiv_(g, avg)
      buf![i] = b;
      param[i] = fma32(negLr, b, p); // param.add_(buf, alpha=−γ)
    } else {
      param[i] = fround(p + fround(fround(negLr * g) / avg)); // param.addcdiv_(g, avg, value=−γ)
    }
  }
}

export class RMSprop extends Optimizer<RMSpropOptions, RMSpropState> {
  constructor(params: ParamsInput<RMSpropOptions>, options?: Partial<RMSpropOptions>) {
    super('RMSprop', params, withDefaults('RMSprop', RMSPROP_DEFAULTS, options));
  }

  protected validateOptions(o: RMSpropOptions): void {
    checkTypes(this.name, o, ['lr', 'alpha', 'eps', 'weightDecay', 'momentum'], ['centered', 'maximize']);
    check(o.lr >= 0, `Invalid learning rate: ${o.lr}`);
    check(o.eps >= 0, `Invalid epsilon value: ${o.eps}`);
    check(o.momentum >= 0, `Invalid momentum value: ${o.momentum}`);
    check(o.weightDecay >= 0, `Invalid weight_decay value: ${o.weightDecay}`);
    check(o.alpha >= 0, `Invalid alpha value: ${o.alpha}`);
    // Not checked by PyTorch: with alpha > 1 the running average α·v + (1 − α)·g² goes negative and its
    // square root is NaN.
    check(o.alpha <= 1, `Invalid alpha value: ${o.alpha} (must be in [0, 1]: above 1 the average of squares goes negative and its square root is NaN)`);
    checkCommon(this.name, o);
  }

  protected createState(p: ParameterLike, group: ParamGroup<RMSpropOptions>): RMSpropState {
    const s: RMSpropState = { step: 0, square_avg: zerosLike(p) };
    if (group.momentum > 0) s.momentum_buffer = zerosLike(p);
    if (group.centered) s.grad_avg = zerosLike(p);
    return s;
  }

  protected updateParameter(p: ParameterLike, grad: Float32Array, s: RMSpropState, group: ParamGroup<RMSpropOptions>): void {
    // Options switched on mid-training get zero-initialised buffers (PyTorch would fail on the missing key).
    if (group.momentum > 0 && s.momentum_buffer == null) s.momentum_buffer = zerosLike(p);
    if (group.centered && s.grad_avg == null) s.grad_avg = zerosLike(p);
    s.step += 1; // a Python int in PyTorch's RMSprop
    if (!rmspropStepWasm(p.data, grad, s, group, s.step)) rmspropStep(p.data, grad, s, group, s.step);
  }

  protected stateSchema(group: ParamGroup<RMSpropOptions>): StateSchema {
    const required = ['square_avg'];
    const optional: string[] = [];
    (group.momentum > 0 ? required : optional).push('momentum_buffer');
    (group.centered ? required : optional).push('grad_avg');
    return { required, optional };
  }
}
