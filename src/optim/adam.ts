/**
 * Adam — Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015; AMSGrad from Reddi, Kale &
 * Kumar, "On the Convergence of Adam and Beyond", ICLR 2018. Step for step PyTorch 1.13's
 * `torch.optim.Adam` (`_single_tensor_adam`, CPU, float32):
 *
 *     g ← ∇θ f(θ)                     (−∇θ f(θ) when maximize)
 *     g ← g + λ·θ                      (weightDecay λ ≠ 0: an L2 term added to the gradient; see AdamW)
 *     m ← β1·m + (1 − β1)·g            (state `exp_avg`)
 *     v ← β2·v + (1 − β2)·g²           (state `exp_avg_sq`)
 *     v̂ ← max(v̂, v)                    (amsgrad only, state `max_exp_avg_sq`; used in place of v below)
 *     θ ← θ − (γ / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
 *
 * with t the parameter's step count (state `step`, starting at 1). Defaults: γ = 1e-3, β = (0.9, 0.999),
 * ε = 1e-8, λ = 0.
 *
 * Float32 as PyTorch on CPU: every operation rounds to float32 in PyTorch's order, with PyTorch's fused
 * multiply-adds (its `add_(x, alpha)` and `addcmul_` round once), and each hyper-parameter is rounded to
 * float32 where PyTorch's kernels round it — after computing it in double, so 1 − β2 for β2 = 0.9999 is
 * 1e-4 to float32 precision, not 1 − float32(0.9999). Bias corrections are computed in double, as in
 * PyTorch's Python code.
 *
 * How others differ:
 * - TensorFlow.js `tf.train.adam` divides the moments by the bias corrections and adds ε to √v̂, which is
 *   algebraically PyTorch's form but rounds differently; its default ε is the backend's (1e-7), it has no
 *   weight decay or AMSGrad, and it keeps one β-power per optimizer, not per parameter.
 * - Keras `Adam` uses Kingma & Ba's "ε-hat": lr_t = γ·√(1 − β2ᵗ)/(1 − β1ᵗ), θ ← θ − lr_t·m/(√v + ε̂), so its ε
 *   is not divided by √(1 − β2ᵗ) (effectively a larger ε early in training); default ε = 1e-7.
 * - ConvNetJS (and the many ports of its trainer) *multiplies* the moments by 1 − βᵗ instead of dividing
 *   by it, so its early steps are far too small.
 */
import { Optimizer, type CommonOptions, type ParamGroup, type ParameterLike, type ParamsInput, type StateSchema, withDefaults, zerosLike } from './optimizer.js';
import { check, checkCommon, checkLength, checkTypes, describe } from './checks.js';
import { fma32 } from './fused.js';
import { adamUpdateWasm } from './wasm/steps.js';

export interface AdamOptions extends CommonOptions {
  /** Learning rate γ. Default 1e-3. */
  lr: number;
  /** Decay rates (β1, β2) of the first and second moment averages, each in [0, 1). Default [0.9, 0.999]. */
  betas: readonly [number, number];
  /** Added to the denominator. Default 1e-8. */
  eps: number;
  /** L2 penalty λ added to the gradient. Default 0. */
  weightDecay: number;
  /** Use the running maximum of v (AMSGrad). Default false. */
  amsgrad: boolean;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

/** The float32 buffers of one parameter (PyTorch's names). `max_exp_avg_sq` is needed only with amsgrad. */
export interface AdamBuffers {
  exp_avg: Float32Array;
  exp_avg_sq: Float32Array;
  max_exp_avg_sq?: Float32Array | null;
}

export interface AdamState extends AdamBuffers {
  [key: string]: Float32Array | number | null | undefined;
  step: number;
}

export const ADAM_DEFAULTS: Readonly<AdamOptions> = Object.freeze({ lr: 1e-3, betas: Object.freeze([0.9, 0.999] as const), eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false });

const fround = Math.fround;

/**
 * One Adam step for one parameter, in place (`param`, `state` buffers). `step` is this parameter's step
 * count including this step (1 on the first). Allocates nothing.
 */
export function adamStep(param: Float32Array, grad: Float32Array, state: AdamBuffers, options: AdamOptions, step: number): void {
  adamUpdate('adamStep', param, grad, state, options.lr, options.betas[0], options.betas[1], options.eps, options.weightDecay, 1, options.amsgrad, options.maximize, step);
}

/**
 * The loop Adam and AdamW share. `l2` is Adam's weight decay (added to the gradient); `decay` is AdamW's
 * factor 1 − γλ applied to θ before the update (1 for Adam, and then not applied).
 * @internal
 */
export function adamUpdate(
  fn: string, param: Float32Array, grad: Float32Array, state: AdamBuffers, lr: number, beta1: number, beta2: number, eps: number,
  l2: number, decay: number, amsgrad: boolean, maximize: boolean, step: number,
): void {
  const n = param.length;
  const m = state.exp_avg;
  const v = state.exp_avg_sq;
  const vmax = state.max_exp_avg_sq;
  checkLength(fn, 'grad', grad, n);
  checkLength(fn, 'state.exp_avg', m, n);
  checkLength(fn, 'state.exp_avg_sq', v, n);
  if (amsgrad) {
    if (vmax == null) throw new TypeError(`${fn}: amsgrad needs state.max_exp_avg_sq, got ${describe(vmax)}`);
    checkLength(fn, 'state.max_exp_avg_sq', vmax, n);
  }
  // Scalars as PyTorch computes them (double), then rounded to float32 where its kernels take them.
  const stepSize = lr / (1 - beta1 ** step);
  const bc2Sqrt = fround(Math.sqrt(1 - beta2 ** step));
  const b1 = fround(beta1);
  const c1 = fround(1 - beta1);
  const b2 = fround(beta2);
  const c2 = fround(1 - beta2);
  const e = fround(eps);
  const wd = fround(l2);
  const f = fround(decay);
  const negStep = fround(-stepSize);
  // The common cases get loops of their own: V8 neither unswitches loops nor keeps a conditionally
  // reassigned θ cheap, and these straight-line loops run ~1.7× faster. Same operations, same order.
  if (!amsgrad && l2 === 0 && !maximize) {
    if (decay === 1) {
      for (let i = 0; i < n; i++) {
        const g = grad[i];
        const mi = fma32(c1, g, fround(m[i] * b1));
        const vi = fma32(fround(c2 * g), g, fround(v[i] * b2));
        m[i] = mi;
        v[i] = vi;
        const denom = fround(fround(fround(Math.sqrt(vi)) / bc2Sqrt) + e);
        param[i] = fround(param[i] + fround(fround(negStep * mi) / denom));
      }
    } else {
      for (let i = 0; i < n; i++) {
        const g = grad[i];
        const p = fround(param[i] * f);
        const mi = fma32(c1, g, fround(m[i] * b1));
        const vi = fma32(fround(c2 * g), g, fround(v[i] * b2));
        m[i] = mi;
        v[i] = vi;
        const denom = fround(fround(fround(Math.sqrt(vi)) / bc2Sqrt) + e);
        param[i] = fround(p + fround(fround(negStep * mi) / denom));
      }
    }
    return;
  }
  const sign = maximize ? -1 : 1;
  for (let i = 0; i < n; i++) {
    let p = param[i];
    let g = sign * grad[i];
    if (l2 !== 0) g = fma32(wd, p, g); // grad.add(param, alpha=λ): one fused rounding
    if (decay !== 1) p = fround(p * f); // AdamW: param.mul_(1 − γλ)
    const mi = fma32(c1, g, fround(m[i] * b1)); // exp_avg.mul_(β1).add_(g, alpha=1−β1)
    const vi = fma32(fround(c2 * g), g, fround(v[i] * b2)); // exp_avg_sq.mul_(β2).addcmul_(g, g, value=1−β2)
    m[i] = mi;
    v[i] = vi;
    let s = vi;
    if (amsgrad) {
      s = Math.max(vmax![i], vi); // torch.maximum (NaN propagates, as in Math.max)
      vmax![i] = s;
    }
    const denom = fround(fround(fround(Math.sqrt(s)) / bc2Sqrt) + e); // (v.sqrt() / √bc2).add_(ε)
    param[i] = fround(p + fround(fround(negStep * mi) / denom)); // addcdiv_(m, denom, value=−stepSize)
  }
}

export class Adam extends Optimizer<AdamOptions, AdamState> {
  constructor(params: ParamsInput<AdamOptions>, options?: Partial<AdamOptions>) {
    super('Adam', params, withDefaults('Adam', ADAM_DEFAULTS, options));
  }

  protected validateOptions(o: AdamOptions): void {
    validateAdamOptions(this.name, o);
  }

  protected createState(p: ParameterLike, group: ParamGroup<AdamOptions>): AdamState {
    return { step: 0, exp_avg: zerosLike(p), exp_avg_sq: zerosLike(p), ...(group.amsgrad ? { max_exp_avg_sq: zerosLike(p) } : {}) };
  }

  protected updateParameter(p: ParameterLike, grad: Float32Array, s: AdamState, group: ParamGroup<AdamOptions>): void {
    if (group.amsgrad && s.max_exp_avg_sq == null) s.max_exp_avg_sq = zerosLike(p); // amsgrad switched on mid-training
    s.step = fround(s.step + 1); // PyTorch keeps Adam's step in a float32 tensor
    const o = group;
    if (!adamUpdateWasm(p.data, grad, s, o.lr, o.betas[0], o.betas[1], o.eps, o.weightDecay, 1, o.amsgrad, o.maximize, s.step)) adamStep(p.data, grad, s, o, s.step);
  }

  protected stateSchema(group: ParamGroup<AdamOptions>): StateSchema {
    return adamStateSchema(group.amsgrad);
  }
}

/** @internal Shared with AdamW. */
export function adamStateSchema(amsgrad: boolean): StateSchema {
  return amsgrad ? { required: ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'], optional: [] } : { required: ['exp_avg', 'exp_avg_sq'], optional: ['max_exp_avg_sq'] };
}

/** @internal Shared with AdamW: PyTorch's checks and wording. */
export function validateAdamOptions(name: string, o: AdamOptions): void {
  checkTypes(name, o, ['eps'], ['amsgrad']);
  if (!Array.isArray(o.betas) || o.betas.length !== 2 || typeof o.betas[0] !== 'number' || typeof o.betas[1] !== 'number') {
    throw new TypeError(`${name}: option betas must be a pair of numbers [beta1, beta2], got ${describe(o.betas)}`);
  }
  checkTypes(name, o, ['lr'], []);
  check(o.lr >= 0, `Invalid learning rate: ${o.lr}`);
  check(o.eps >= 0, `Invalid epsilon value: ${o.eps}`);
  check(o.betas[0] >= 0 && o.betas[0] < 1, `Invalid beta parameter at index 0: ${o.betas[0]}`);
  check(o.betas[1] >= 0 && o.betas[1] < 1, `Invalid beta parameter at index 1: ${o.betas[1]}`);
  checkCommon(name, o);
}
