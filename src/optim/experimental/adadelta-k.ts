/**
 * EXPERIMENTAL — Adadelta with an extra k·(E[g²])² factor, the second optimizer the dissertation proposes
 * as further work (Sec. 6.3.1, eq. 6.2). The dissertation never ran it, and there is no PyTorch (or any
 * other) reference implementation: it is tested against a float64 re-implementation of the formula,
 * hand-derived cases, and its reduction to Adadelta.
 *
 *     g ← ∇θ f(θ)                          (−∇ when maximize; + λ·θ with weightDecay λ ≠ 0)
 *     v ← ρ·v + (1 − ρ)·g²                 (state `square_avg`, E[g²])
 *     Δ ← k·v² · √(u + ε) / √(v + ε) · g    (u = state `acc_delta`, E[Δθ²], from the previous step)
 *     u ← ρ·u + (1 − ρ)·Δ²
 *     θ ← θ − γ·Δ                           (eq. 6.2)
 *
 * One choice the dissertation leaves open: which Δθ feeds E[Δθ²]. Its eq. 4.21 defines E[Δθ²] from the
 * parameter update, and PyTorch's Adadelta (which the dissertation ran) accumulates the update before γ;
 * so here u accumulates the k-scaled Δ above. (Its linked notebook, which may have chosen otherwise, was
 * not available to check.) With that choice the method reduces exactly to Adadelta whenever k·v² = 1 — for
 * example ρ = 0 and a constant gradient c with k = 1/c⁴ — which the tests check step by step.
 *
 * A warning from testing it: u feeds Δ back into the next step, so once k·v² is around 1 or more the
 * steps grow geometrically — with unit-variance gradients, k = 0.5 and ρ = 0.5 reach |θ| ≈ 1e17 within ten
 * steps, and k = 10 overflows float32. The k-scaling is only tame when k·(E[g²])² stays well below 1.
 *
 * Defaults (ours; the dissertation gives none beyond Adadelta's): γ = 1.0, ρ = 0.9, ε = 1e-6, k = 1, λ = 0.
 * Float32: Adadelta's operations in PyTorch's order (see adadelta.ts), then Δ·(v²·k) rounded once more.
 */
import { Optimizer, type CommonOptions, type ParamGroup, type ParameterLike, type ParamsInput, type StateSchema, withDefaults, zerosLike } from '../optimizer.js';
import { check, checkCommon, checkLength, checkTypes } from '../checks.js';
import { fma32 } from '../fused.js';

export interface AdadeltaKOptions extends CommonOptions {
  /** Learning rate γ. Default 1.0. */
  lr: number;
  /** Decay ρ of both running averages, in [0, 1]. Default 0.9. */
  rho: number;
  /** Added inside both roots. Default 1e-6. */
  eps: number;
  /** The factor k on (E[g²])². Default 1. */
  k: number;
  /** L2 penalty λ added to the gradient. Default 0. */
  weightDecay: number;
  maximize: boolean;
}

export interface AdadeltaKBuffers {
  square_avg: Float32Array;
  acc_delta: Float32Array;
}

export interface AdadeltaKState extends AdadeltaKBuffers {
  [key: string]: Float32Array | number | null | undefined;
  step: number;
}

export const ADADELTA_K_DEFAULTS: Readonly<AdadeltaKOptions> = Object.freeze({ lr: 1.0, rho: 0.9, eps: 1e-6, k: 1, weightDecay: 0, maximize: false });

const fround = Math.fround;

/** One eq.-6.2 step for one parameter, in place. The step count is not used. Allocates nothing. */
export function adadeltaKStep(param: Float32Array, grad: Float32Array, state: AdadeltaKBuffers, options: AdadeltaKOptions, _step: number): void {
  const n = param.length;
  const sq = state.square_avg;
  const acc = state.acc_delta;
  checkLength('adadeltaKStep', 'grad', grad, n);
  checkLength('adadeltaKStep', 'state.square_avg', sq, n);
  checkLength('adadeltaKStep', 'state.acc_delta', acc, n);
  const r = fround(options.rho);
  const c = fround(1 - options.rho);
  const e = fround(options.eps);
  const kf = fround(options.k);
  const wd = fround(options.weightDecay);
  const negLr = fround(-options.lr);
  const sign = options.maximize ? -1 : 1;
  const decay = options.weightDecay !== 0;
  for (let i = 0; i < n; i++) {
    const p = param[i];
    let g = sign * grad[i];
    if (decay) g = fma32(wd, p, g);
    const v = fma32(fround(c * g), g, fround(sq[i] * r));
    sq[i] = v;
    const std = fround(Math.sqrt(fround(v + e)));
    const u = acc[i];
    const plain = fround(fround(fround(Math.sqrt(fround(u + e))) / std) * g);
    const delta = fround(plain * fround(fround(v * v) * kf));
    acc[i] = fma32(fround(c * delta), delta, fround(u * r));
    param[i] = fma32(negLr, delta, p);
  }
}

/** EXPERIMENTAL: eq. 6.2 of the dissertation (see the module comment). Never run by the dissertation. */
export class AdadeltaK extends Optimizer<AdadeltaKOptions, AdadeltaKState> {
  constructor(params: ParamsInput<AdadeltaKOptions>, options?: Partial<AdadeltaKOptions>) {
    super('AdadeltaK', params, withDefaults('AdadeltaK', ADADELTA_K_DEFAULTS, options));
  }

  protected validateOptions(o: AdadeltaKOptions): void {
    checkTypes(this.name, o, ['lr', 'rho', 'eps', 'k', 'weightDecay'], ['maximize']);
    check(o.lr >= 0, `Invalid learning rate: ${o.lr}`);
    check(o.rho >= 0 && o.rho <= 1, `Invalid rho value: ${o.rho}`);
    check(o.eps >= 0, `Invalid epsilon value: ${o.eps}`);
    check(o.k >= 0, `Invalid k value: ${o.k}`);
    checkCommon(this.name, o);
  }

  protected createState(p: ParameterLike): AdadeltaKState {
    return { step: 0, square_avg: zerosLike(p), acc_delta: zerosLike(p) };
  }

  protected updateParameter(p: ParameterLike, grad: Float32Array, s: AdadeltaKState, group: ParamGroup<AdadeltaKOptions>): void {
    s.step += 1;
    adadeltaKStep(p.data, grad, s, group, s.step);
  }

  protected stateSchema(): StateSchema {
    return { required: ['square_avg', 'acc_delta'], optional: [] };
  }
}
