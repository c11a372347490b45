/**
 * Stochastic gradient descent with momentum (Polyak 1964; the form of Sutskever et al., "On the importance
 * of initialization and momentum in deep learning", ICML 2013) and Nesterov momentum. Step for step
 * PyTorch 1.13's `torch.optim.SGD` (`_single_tensor_sgd`, CPU, float32):
 *
 *     g ← ∇θ f(θ)                      (−∇ when maximize)
 *     g ← g + λ·θ                       (weightDecay λ ≠ 0)
 *     if μ ≠ 0:
 *         b ← g                         on the first step (state `momentum_buffer`)
 *         b ← μ·b + (1 − τ)·g            afterwards (dampening τ)
 *         g ← g + μ·b   if nesterov,  else  g ← b
 *     θ ← θ − γ·g
 *
 * No default learning rate (PyTorch requires one); μ = 0, τ = 0, λ = 0. Nesterov needs μ > 0 and τ = 0.
 * Float32 as PyTorch on CPU: its `add_(x, alpha)` rounds once (a fused multiply-add); μ, 1 − τ, λ and −γ are
 * rounded to float32 where its kernels take them, after 1 − τ is computed in double.
 *
 * How others differ: PyTorch's (and so our) momentum multiplies γ outside the buffer — Sutskever et al.
 * and Keras/TF keep v ← μ·v − γ·g, which is the same until γ changes during training. TensorFlow.js's
 * `tf.train.momentum` starts its buffer at 0 (the same as copying g when τ = 0), has no dampening and no
 * weight decay. Keras `SGD` defaults γ = 0.01.
 */
import { Optimizer, type CommonOptions, type ParamGroup, type ParameterLike, type ParamsInput, type StateSchema, withDefaults, zerosLike } from './optimizer.js';
import { check, checkCommon, checkLength, checkTypes } from './checks.js';
import { fma32 } from './fused.js';
import { skippingZeroGradients } from './skip-zero.js';
import { sgdStepWasm, sgdStepWasmRuns, type ColumnRuns } from './wasm/steps.js';

export interface SGDOptions extends CommonOptions {
  /** Learning rate γ. Required (no default, as in PyTorch). */
  lr: number;
  /** Momentum factor μ ≥ 0. Default 0. */
  momentum: number;
  /** Dampening τ for momentum. Default 0. */
  dampening: number;
  /** L2 penalty λ added to the gradient. Default 0. */
  weightDecay: number;
  /** Nesterov momentum (needs μ > 0 and τ = 0). Default false. */
  nesterov: boolean;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

export interface SGDBuffers {
  /** Null until the first step with μ ≠ 0 (PyTorch's `None`); then as long as the parameter. */
  momentum_buffer: Float32Array | null;
}

export interface SGDState extends SGDBuffers {
  [key: string]: Float32Array | number | null | undefined;
  /**
   * Steps taken with the current momentum buffer (0 while μ = 0). Ours, not PyTorch's — PyTorch's SGD keeps
   * no count, so it is not saved; after `loadStateDict` it is 1 when a buffer was loaded, else 0.
   */
  step: number;
}

/** Defaults without `lr`: SGD has none. */
export const SGD_DEFAULTS: Readonly<Omit<SGDOptions, 'lr'>> = Object.freeze({ momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false });

const fround = Math.fround;


/**
 * One SGD step for one parameter, in place. With μ ≠ 0, `state.momentum_buffer` must be allocated (any
 * contents) and `step` is the buffer's step count including this one: on step 1 the buffer is set to the
 * gradient, as PyTorch clones it when the buffer is `None`. Allocates nothing.
 */
export function sgdStep(param: Float32Array, grad: Float32Array, state: SGDBuffers, options: SGDOptions, step: number): void {
  const n = param.length;
  const { momentum, dampening, weightDecay, nesterov, maximize, lr } = options;
  const buf = state.momentum_buffer;
  checkLength('sgdStep', 'grad', grad, n);
  if (momentum !== 0) {
    if (buf === null) throw new TypeError('sgdStep: momentum ≠ 0 needs state.momentum_buffer (a Float32Array as long as param)');
    checkLength('sgdStep', 'state.momentum_buffer', buf, n);
  }
  const wd = fround(weightDecay);
  const mu = fround(momentum);
  const damp = fround(1 - dampening);
  const negLr = fround(-lr);
  const first = step === 1;
  // Common cases as straight-line loops (see adam.ts): same operations, same order.
  if (weightDecay === 0 && !maximize && !(momentum !== 0 && first)) {
    if (momentum === 0) {
      for (let i = 0; i < n; i++) param[i] = fma32(negLr, grad[i], param[i]);
    } else if (nesterov) {
      for (let i = 0; i < n; i++) {
        const g = grad[i];
        const b = fma32(damp, g, fround(buf![i] * mu));
        buf![i] = b;
        param[i] = fma32(negLr, fma32(mu, b, g), param[i]);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const b = fma32(damp, grad[i], fround(buf![i] * mu));
        buf![i] = b;
        param[i] = fma32(negLr, b, param[i]);
      }
    }
    return;
  }
  const sign = maximize ? -1 : 1;
  for (let i = 0; i < n; i++) {
    const p = param[i];
    let d = sign * grad[i];
    if (weightDecay !== 0) d = fma32(wd, p, d); // d_p.add(param, alpha=λ)
    if (momentum !== 0) {
      const b = first ? d : fma32(damp, d, fround(buf![i] * mu)); // buf.mul_(μ).add_(d_p, alpha=1−τ)
      buf![i] = b;
      d = nesterov ? fma32(mu, b, d) : b; // d_p.add(buf, alpha=μ)
    }
    param[i] = fma32(negLr, d, p); // param.add_(d_p, alpha=−γ)
  }
}

export class SGD extends Optimizer<SGDOptions, SGDState> {
  /** `options.lr` may be omitted only if every group sets its own `lr`. */
  constructor(params: ParamsInput<SGDOptions>, options?: Partial<SGDOptions>) {
    super('SGD', params, withDefaults('SGD', { lr: undefined as unknown as number, ...SGD_DEFAULTS }, options));
  }

  protected override validateDefaults(o: SGDOptions): void {
    if (o.lr === undefined) this.validateOptions({ ...o, lr: 0 });
    else this.validateOptions(o);
  }

  protected validateOptions(o: SGDOptions): void {
    if (o.lr === undefined) throw new RangeError("parameter group didn't specify a value of required optimization parameter lr");
    checkTypes(this.name, o, ['lr', 'momentum', 'dampening', 'weightDecay'], ['nesterov', 'maximize']);
    check(o.lr >= 0, `Invalid learning rate: ${o.lr}`);
    check(o.momentum >= 0, `Invalid momentum value: ${o.momentum}`);
    // Not checked by PyTorch: dampening > 1 gives the gradient a negative weight in the momentum buffer,
    // so the step goes uphill.
    check(o.dampening <= 1, `Invalid dampening value: ${o.dampening} (must be ≤ 1: above 1 the gradient enters the momentum buffer with a negative weight and the step goes uphill)`);
    check(!o.nesterov || (o.momentum > 0 && o.dampening === 0), 'Nesterov momentum requires a momentum and zero dampening');
    checkCommon(this.name, o);
  }

  protected createState(): SGDState {
    return { step: 0, momentum_buffer: null };
  }

  protected updateParameter(p: ParameterLike, grad: Float32Array, s: SGDState, group: ParamGroup<SGDOptions>): void {
    if (group.momentum !== 0) {
      if (s.momentum_buffer === null) {
        s.momentum_buffer = zerosLike(p);
        s.step = 0;
      }
      s.step++;
    }
    // Only the gradient's possibly non-zero columns when they are known and the step is the identity elsewhere.
    const support = (p as { gradColumns?: ColumnRuns | null }).gradColumns;
    if (support != null && grad === p.grad && skippingZeroGradients() && sgdStepWasmRuns(p.data, grad, group, support)) return;
    if (!sgdStepWasm(p.data, grad, s, group, s.step)) sgdStep(p.data, grad, s, group, s.step);
  }

  protected override get savesStep(): boolean {
    return false;
  }

  protected stateSchema(): StateSchema {
    // PyTorch stores `momentum_buffer: None` after a step with μ = 0, so the entry may be null or absent.
    return { required: [], optional: ['momentum_buffer'] };
  }

  protected override afterStateLoaded(s: SGDState): void {
    if (s.momentum_buffer === undefined) s.momentum_buffer = null;
    s.step = s.momentum_buffer === null ? 0 : 1;
  }
}
