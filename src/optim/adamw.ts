/**
 * AdamW — Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019. Step for step PyTorch
 * 1.13's `torch.optim.AdamW` (`_single_tensor_adamw`, CPU, float32):
 *
 *     θ ← θ·(1 − γλ)                   (decoupled weight decay, before the Adam update)
 *     g ← ∇θ f(θ)                      (−∇ when maximize)
 *     m ← β1·m + (1 − β1)·g ;  v ← β2·v + (1 − β2)·g² ;  v̂ ← max(v̂, v) (amsgrad)
 *     θ ← θ − (γ / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
 *
 * Adam's update (see adam.ts for the float32 details) with the decay applied to θ instead of added to the
 * gradient, so it is not rescaled by 1/√v. Defaults: γ = 1e-3, β = (0.9, 0.999), ε = 1e-8, λ = 1e-2 (note:
 * not 0 as in Adam). 1 − γλ is computed in double and rounded to float32 once, as PyTorch's `mul_` does.
 *
 * How others differ: Keras `AdamW` defaults λ = 0.004 and ε = 1e-7 and builds on Keras's ε-hat form of
 * Adam (see adam.ts). TensorFlow.js has no AdamW.
 */
import { Optimizer, type ParamGroup, type ParameterLike, type ParamsInput, type StateSchema, withDefaults, zerosLike } from './optimizer.js';
import { adamUpdateWasm } from './wasm/steps.js';
import { type AdamBuffers, type AdamOptions, type AdamState, adamStateSchema, adamUpdate, validateAdamOptions } from './adam.js';

export type AdamWOptions = AdamOptions;
export type AdamWState = AdamState;

export const ADAMW_DEFAULTS: Readonly<AdamWOptions> = Object.freeze({ lr: 1e-3, betas: Object.freeze([0.9, 0.999] as const), eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false });

/**
 * One AdamW step for one parameter, in place. `step` counts this parameter's steps including this one.
 * Allocates nothing.
 */
export function adamwStep(param: Float32Array, grad: Float32Array, state: AdamBuffers, options: AdamWOptions, step: number): void {
  adamUpdate('adamwStep', param, grad, state, options.lr, options.betas[0], options.betas[1], options.eps, 0, 1 - options.lr * options.weightDecay, options.amsgrad, options.maximize, step);
}

export class AdamW extends Optimizer<AdamWOptions, AdamWState> {
  constructor(params: ParamsInput<AdamWOptions>, options?: Partial<AdamWOptions>) {
    super('AdamW', params, withDefaults('AdamW', ADAMW_DEFAULTS, options));
  }

  protected validateOptions(o: AdamWOptions): void {
    validateAdamOptions(this.name, o);
  }

  protected createState(p: ParameterLike, group: ParamGroup<AdamWOptions>): AdamWState {
    return { step: 0, exp_avg: zerosLike(p), exp_avg_sq: zerosLike(p), ...(group.amsgrad ? { max_exp_avg_sq: zerosLike(p) } : {}) };
  }

  protected updateParameter(p: ParameterLike, grad: Float32Array, s: AdamWState, group: ParamGroup<AdamWOptions>): void {
    if (group.amsgrad && s.max_exp_avg_sq == null) s.max_exp_avg_sq = zerosLike(p);
    s.step = Math.fround(s.step + 1); // a float32 tensor in PyTorch
    const o = group;
    if (!adamUpdateWasm(p.data, grad, s, o.lr, o.betas[0], o.betas[1], o.eps, 0, 1 - o.lr * o.weightDecay, o.amsgrad, o.maximize, s.step)) adamwStep(p.data, grad, s, o, s.step);
  }

  protected stateSchema(group: ParamGroup<AdamWOptions>): StateSchema {
    return adamStateSchema(group.amsgrad);
  }
}
