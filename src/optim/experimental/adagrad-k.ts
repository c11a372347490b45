/**
 * EXPERIMENTAL — Adagrad with an extra k·G² factor, the first of the two optimizers the dissertation
 * proposes as further work (Sec. 6.3.1, eq. 6.1). The dissertation never ran it, and there is no PyTorch
 * (or any other) reference implementation: it is tested against a float64 re-implementation of the
 * formula, hand-derived cases, and its relation to Adagrad. Expect its behaviour, not just its speed of
 * convergence, to be unexplored.
 *
 *     g ← ∇θ f(θ)                  (−∇ when maximize; + λ·θ with weightDecay λ ≠ 0, as in Adagrad)
 *     G ← G + g²                   (state `sum`, starting at initialAccumulatorValue)
 *     θ ← θ − γ·k·G² / (√G + ε) · g          (eq. 6.1)
 *
 * So each step is PyTorch's Adagrad step (ε outside the root, no lr decay) with its learning rate
 * multiplied, element by element, by k·G² — the relation the tests check. With k = 0 the parameters never
 * move while G still accumulates. Because G only grows, so does the factor: unlike Adagrad, the effective
 * step grows with the accumulated gradient (G²/√G = G^1.5), which is the biological motivation the
 * dissertation gives ("including the square of the gradient"), and which will diverge unless k is small.
 *
 * Defaults (ours; the dissertation gives none): γ = 0.01, k = 1, ε = 1e-10, G₀ = 0, λ = 0.
 * Float32: G + g·g rounds once; then G², √G + ε, (−γk)·G², ·g, / (√G + ε) and θ + … each round once.
 */
import { Optimizer, type CommonOptions, type ParamGroup, type ParameterLike, type ParamsInput, type StateSchema, withDefaults, zerosLike } from '../optimizer.js';
import { check, checkCommon, checkLength, checkTypes } from '../checks.js';
import { fma32 } from '../fused.js';

export interface AdagradKOptions extends CommonOptions {
  /** Learning rate γ. Default 0.01. */
  lr: number;
  /** The factor k on G². Default 1. */
  k: number;
  /** Added to √G. Default 1e-10. */
  eps: number;
  /** Starting value of G. Default 0. */
  initialAccumulatorValue: number;
  /** L2 penalty λ added to the gradient. Default 0. */
  weightDecay: number;
  maximize: boolean;
}

export interface AdagradKBuffers {
  sum: Float32Array;
}

export interface AdagradKState extends AdagradKBuffers {
  [key: string]: Float32Array | number | null | undefined;
  step: number;
}

export const ADAGRAD_K_DEFAULTS: Readonly<AdagradKOptions> = Object.freeze({ lr: 1e-2, k: 1, eps: 1e-10, initialAccumulatorValue: 0, weightDecay: 0, maximize: false });

const fround = Math.fround;

/** One eq.-6.1 step for one parameter, in place. The step count is not used. Allocates nothing. */
export function adagradKStep(param: Float32Array, grad: Float32Array, state: AdagradKBuffers, options: AdagradKOptions, _step: number): void {
  const n = param.length;
  const sum = state.sum;
  checkLength('adagradKStep', 'grad', grad, n);
  checkLength('adagradKStep', 'state.sum', sum, n);
  const negLrK = fround(-options.lr * options.k);
  const wd = fround(options.weightDecay);
  const e = fround(options.eps);
  const sign = options.maximize ? -1 : 1;
  const decay = options.weightDecay !== 0;
  for (let i = 0; i < n; i++) {
    const p = param[i];
    let g = sign * grad[i];
    if (decay) g = fma32(wd, p, g);
    const s = fma32(g, g, sum[i]);
    sum[i] = s;
    const std = fround(fround(Math.sqrt(s)) + e);
    const num = fround(fround(negLrK * fround(s * s)) * g);
    param[i] = fround(p + fround(num / std));
  }
}

/** EXPERIMENTAL: eq. 6.1 of the dissertation (see the module comment). Never run by the dissertation. */
export class AdagradK extends Optimizer<AdagradKOptions, AdagradKState> {
  constructor(params: ParamsInput<AdagradKOptions>, options?: Partial<AdagradKOptions>) {
    super('AdagradK', params, withDefaults('AdagradK', ADAGRAD_K_DEFAULTS, options));
  }

  protected validateOptions(o: AdagradKOptions): void {
    checkTypes(this.name, o, ['lr', 'k', 'eps', 'initialAccumulatorValue', 'weightDecay'], ['maximize']);
    check(o.lr >= 0, `Invalid learning rate: ${o.lr}`);
    check(o.k >= 0, `Invalid k value: ${o.k}`);
    check(o.eps >= 0, `Invalid epsilon value: ${o.eps}`);
    check(o.initialAccumulatorValue >= 0, `Invalid initial_accumulator_value value: ${o.initialAccumulatorValue}`);
    checkCommon(this.name, o);
  }

  protected createState(p: ParameterLike, group: ParamGroup<AdagradKOptions>): AdagradKState {
    const sum = zerosLike(p);
    sum.fill(group.initialAccumulatorValue);
    return { step: 0, sum };
  }

  protected updateParameter(p: ParameterLike, grad: Float32Array, s: AdagradKState, group: ParamGroup<AdagradKOptions>): void {
    s.step += 1;
    adagradKStep(p.data, grad, s, group, s.step);
  }

  protected stateSchema(): StateSchema {
    return { required: ['sum'], optional: [] };
  }
}
