/**
 * Adagrad — Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online Learning and Stochastic
 * Optimization", JMLR 2011. Step for step PyTorch 1.13's `torch.optim.Adagrad` (`_single_tensor_adagrad`,
 * dense gradients, CPU, float32):
 *
 *     γ̃ ← γ / (1 + (t − 1)·η)           (lrDecay η; t = this parameter's step, from 1)
 *     g ← ∇θ f(θ)                        (−∇ when maximize)
 *     g ← g + λ·θ                        (weightDecay λ ≠ 0)
 *     G ← G + g²                         (state `sum`, starting at initialAccumulatorValue)
 *     θ ← θ − γ̃ · g / (√G + ε)
 *
 * Defaults: γ = 0.01, η = 0, λ = 0, G₀ = 0, ε = 1e-10. State is created for every parameter when the
 * optimizer is built (step 0), as PyTorch does — and, unlike PyTorch 1.13, also for groups added later
 * with `addParamGroup` (PyTorch would fail on their first step). As in PyTorch, the accumulators of the
 * groups given to the constructor start at the constructor's `initialAccumulatorValue` even where a group
 * sets its own; a group added later starts at its own value.
 *
 * Float32 as PyTorch on CPU: `G + g·g` rounds once (its `addcmul_` is fused), √G and ε are added in
 * float32, γ̃ is computed in double and rounded to float32 by the `addcdiv_` kernel. The step count is a
 * float32 number as in PyTorch.
 *
 * How others differ: TensorFlow.js `tf.train.adagrad` starts the accumulator at 0.1 and puts ε (the
 * backend's, 1e-7) inside the root, θ ← θ − γ·g/√(G + ε), with no lr decay or weight decay; Keras `Adagrad`
 * also starts at 0.1, with ε = 1e-7 and γ = 0.001. The dissertation's eq. 4.17 writes ε inside the root,
 * but the PyTorch it ran adds ε outside, as here.
 */
import { Optimizer, type CommonOptions, type ParamGroup, type ParameterLike, type ParamsInput, type StateSchema, withDefaults, zerosLike } from './optimizer.js';
import { check, checkCommon, checkLength, checkTypes } from './checks.js';
import { fma32 } from './fused.js';
import { adagradStepWasm, adagradStepWasmRuns, type ColumnRuns } from './wasm/steps.js';
import { skippingZeroGradients } from './skip-zero.js';

export interface AdagradOptions extends CommonOptions {
  /** Learning rate γ. Default 0.01. */
  lr: number;
  /** η in γ / (1 + (t − 1)·η). Default 0. */
  lrDecay: number;
  /** L2 penalty λ added to the gradient. Default 0. */
  weightDecay: number;
  /** Starting value of the accumulator G. Default 0. */
  initialAccumulatorValue: number;
  /** Added to √G. Default 1e-10. */
  eps: number;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

export interface AdagradBuffers {
  /** The running sum of squared gradients, G. */
  sum: Float32Array;
}

export interface AdagradState extends AdagradBuffers {
  [key: string]: Float32Array | number | null | undefined;
  step: number;
}

export const ADAGRAD_DEFAULTS: Readonly<AdagradOptions> = Object.freeze({ lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false });

const fround = Math.fround;

/** One Adagrad step for one parameter, in place. `step` counts this parameter's steps including this one. */
export function adagradStep(param: Float32Array, grad: Float32Array, state: AdagradBuffers, options: AdagradOptions, step: number): void {
  const n = param.length;
  const sum = state.sum;
  checkLength('adagradStep', 'grad', grad, n);
  checkLength('adagradStep', 'state.sum', sum, n);
  const { lr, lrDecay, weightDecay, eps, maximize } = options;
  const clr = lr / (1 + (step - 1) * lrDecay);
  const negClr = fround(-clr);
  const wd = fround(weightDecay);
  const e = fround(eps);
  if (weightDecay === 0 && !maximize) {
    // The common case as a straight-line loop (see adam.ts): same operations, same order.
    for (let i = 0; i < n; i++) {
      const g = grad[i];
      const s = fma32(g, g, sum[i]);
      sum[i] = s;
      const std = fround(fround(Math.sqrt(s)) + e);
      param[i] = fround(param[i] + fround(fround(negClr * g) / std));
    }
    return;
  }
  const sign = maximize ? -1 : 1;
  for (let i = 0; i < n; i++) {
    const p = param[i];
    let g = sign * grad[i];
    if (weightDecay !== 0) g = fma32(wd, p, g); // grad.add(param, alpha=λ)
    const s = fma32(g, g, sum[i]); // state_sum.addcmul_(g, g, value=1)
    sum[i] = s;
    const std = fround(fround(Math.sqrt(s)) + e); // state_sum.sqrt().add_(ε)
    param[i] = fround(p + fround(fround(negClr * g) / std)); // param.addcdiv_(g, std, value=−γ̃)
  }
}

export class Adagrad extends Optimizer<AdagradOptions, AdagradState> {
  constructor(params: ParamsInput<AdagradOptions>, options?: Partial<AdagradOptions>) {
    super('Adagrad', params, withDefaults('Adagrad', ADAGRAD_DEFAULTS, options));
    // PyTorch fills the accumulators of the constructor's groups with the constructor's
    // initial_accumulator_value, ignoring a group's own value; so do we (groups added later use theirs).
    for (const group of this.paramGroups) for (const p of group.params) this.state.get(p)!.sum.fill(this.defaults.initialAccumulatorValue);
  }

  protected validateOptions(o: AdagradOptions): void {
    checkTypes(this.name, o, ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps'], ['maximize']);
    check(o.lr >= 0, `Invalid learning rate: ${o.lr}`);
    check(o.lrDecay >= 0, `Invalid lr_decay value: ${o.lrDecay}`);
    check(o.weightDecay >= 0, `Invalid weight_decay value: ${o.weightDecay}`);
    check(o.initialAccumulatorValue >= 0, `Invalid initial_accumulator_value value: ${o.initialAccumulatorValue}`);
    check(o.eps >= 0, `Invalid epsilon value: ${o.eps}`);
    checkCommon(this.name, o);
  }

  protected override onGroupAdded(group: ParamGroup<AdagradOptions>): void {
    for (const p of group.params) this.state.set(p, this.createState(p, group));
  }

  protected createState(p: ParameterLike, group: ParamGroup<AdagradOptions>): AdagradState {
    const sum = zerosLike(p);
    sum.fill(group.initialAccumulatorValue);
    return { step: 0, sum };
  }

  protected updateParameter(p: ParameterLike, grad: Float32Array, s: AdagradState, group: ParamGroup<AdagradOptions>): void {
    s.step = fround(s.step + 1); // a float32 tensor in PyTorch
    const support = (p as { gradColumns?: ColumnRuns | null }).gradColumns;
    if (support != null && grad === p.grad && skippingZeroGradients() && adagradStepWasmRuns(p.data, grad, s, group, s.step, support)) return;
    if (!adagradStepWasm(p.data, grad, s, group, s.step)) adagradStep(p.data, grad, s, group, s.step);
  }

  protected stateSchema(): StateSchema {
    return { required: ['sum'], optional: [] };
  }
}
