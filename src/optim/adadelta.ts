/**
 * Adadelta — Zeiler, "ADADELTA: An Adaptive Learning Rate Method", arXiv:1212.5701, 2012. Step for step
 * PyTorch 1.13's `torch.optim.Adadelta` (`_single_tensor_adadelta`, CPU, float32):
 *
 *     g ← ∇θ f(θ)                              (−∇ when maximize)
 *     g ← g + λ·θ                               (weightDecay λ ≠ 0)
 *     v ← ρ·v + (1 − ρ)·g²                      (state `square_avg`, E[g²])
 *     Δ ← √(u + ε) / √(v + ε) · g               (u = state `acc_delta`, E[Δθ²], from the previous step)
 *     u ← ρ·u + (1 − ρ)·Δ²
 *     θ ← θ − γ·Δ
 *
 * Defaults: γ = 1.0, ρ = 0.9, ε = 1e-6, λ = 0. γ is PyTorch's addition; Zeiler's method is γ = 1.
 * ρ may be anything in [0, 1]: ρ = 0 uses the current gradient only, ρ = 1 keeps v = u = 0 and reduces to
 * θ ← θ − γ·g.
 *
 * Float32 as PyTorch on CPU: each operation rounds in PyTorch's order (`mul_`, a fused `addcmul_`,
 * `add(ε)`, `sqrt_`, `div_`, `mul_`), ρ and 1 − ρ (computed in double) rounded to float32 where its
 * kernels take them.
 *
 * How others differ: TensorFlow.js `tf.train.adadelta` divides by √ of the *previous* E[g²] (the average
 * before this step's gradient is added) — a bug its own tests froze — and defaults γ = 0.001, ρ = 0.95,
 * ε = 1e-7 (backend epsilon); Keras `Adadelta` defaults γ = 0.001, ρ = 0.95, ε = 1e-7 ("use 1.0 to match
 * the paper").
 */
import { Optimizer, type CommonOptions, type ParamGroup, type ParameterLike, type ParamsInput, type StateSchema, withDefaults, zerosLike } from './optimizer.js';
import { check, checkCommon, checkLength, checkTypes } from './checks.js';
import { fma32 } from './fused.js';
import { skippingZeroGradients } from './skip-zero.js';
import { LAZY_BOUND, LAZY_BOUND_EVERY, LazyColumns } from './lazy-columns.js';
import { type ColumnRuns, adadeltaAccBoundedWasm, adadeltaDecayWasm, adadeltaLazyPossible, adadeltaStepWasm, adadeltaStepWasmRuns } from './wasm/steps.js';

export interface AdadeltaOptions extends CommonOptions {
  /** Learning rate γ (a multiplier on Zeiler's step). Default 1.0. */
  lr: number;
  /** Decay ρ of both running averages, in [0, 1]. Default 0.9. */
  rho: number;
  /** Added inside both roots. Default 1e-6. */
  eps: number;
  /** L2 penalty λ added to the gradient. Default 0. */
  weightDecay: number;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

export interface AdadeltaBuffers {
  /** E[g²]. */
  square_avg: Float32Array;
  /** E[Δθ²] (of the update before γ). */
  acc_delta: Float32Array;
}

export interface AdadeltaState extends AdadeltaBuffers {
  [key: string]: Float32Array | number | null | undefined;
  step: number;
}

export const ADADELTA_DEFAULTS: Readonly<AdadeltaOptions> = Object.freeze({ lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false });

const fround = Math.fround;

/**
 * One Adadelta step for one parameter, in place. Adadelta does not use the step count; `step` is accepted
 * for the common signature. Allocates nothing.
 */
export function adadeltaStep(param: Float32Array, grad: Float32Array, state: AdadeltaBuffers, options: AdadeltaOptions, _step: number): void {
  const n = param.length;
  const sq = state.square_avg;
  const acc = state.acc_delta;
  checkLength('adadeltaStep', 'grad', grad, n);
  checkLength('adadeltaStep', 'state.square_avg', sq, n);
  checkLength('adadeltaStep', 'state.acc_delta', acc, n);
  const { lr, rho, eps, weightDecay, maximize } = options;
  const r = fround(rho);
  const c = fround(1 - rho);
  const e = fround(eps);
  const wd = fround(weightDecay);
  const negLr = fround(-lr);
  if (weightDecay === 0 && !maximize) {
    // The common case as a straight-line loop (see adam.ts): same operations, same order.
    for (let i = 0; i < n; i++) {
      const g = grad[i];
      const v = fma32(fround(c * g), g, fround(sq[i] * r));
      sq[i] = v;
      const std = fround(Math.sqrt(fround(v + e)));
      const u = acc[i];
      const delta = fround(fround(fround(Math.sqrt(fround(u + e))) / std) * g);
      acc[i] = fma32(fround(c * delta), delta, fround(u * r));
      param[i] = fma32(negLr, delta, param[i]);
    }
    return;
  }
  const sign = maximize ? -1 : 1;
  for (let i = 0; i < n; i++) {
    const p = param[i];
    let g = sign * grad[i];
    if (weightDecay !== 0) g = fma32(wd, p, g); // grad.add(param, alpha=λ)
    const v = fma32(fround(c * g), g, fround(sq[i] * r)); // square_avg.mul_(ρ).addcmul_(g, g, value=1−ρ)
    sq[i] = v;
    const std = fround(Math.sqrt(fround(v + e))); // square_avg.add(ε).sqrt_()
    const u = acc[i];
    const delta = fround(fround(fround(Math.sqrt(fround(u + e))) / std) * g); // acc_delta.add(ε).sqrt_().div_(std).mul_(g)
    acc[i] = fma32(fround(c * delta), delta, fround(u * r)); // acc_delta.mul_(ρ).addcmul_(Δ, Δ, value=1−ρ)
    param[i] = fma32(negLr, delta, p); // param.add_(Δ, alpha=−γ)
  }
}

/**
 * The optimizer. Where a parameter's gradient has a known column support (a first layer fed sparse
 * inputs, in WebAssembly memory) and the options allow it, a step updates only the support's columns and
 * defers the rest exactly (./lazy-columns.ts): the same bits as the full step, at a fraction of its cost
 * at batch 1. Reading `state` or `stateDict()` brings the deferred columns up to date first;
 * `setSkipZeroGradients(false)` turns the deferral off.
 */
export class Adadelta extends Optimizer<AdadeltaOptions, AdadeltaState> {
  /** Parameters with deferred columns. */
  private readonly lazy = new Map<ParameterLike, LazyColumns>();
  /** Parameters whose acc_delta reached the bound of ./lazy-columns.ts (or NaN): stepped in full from then on. */
  private readonly eagerOnly = new Set<ParameterLike>();

  constructor(params: ParamsInput<AdadeltaOptions>, options?: Partial<AdadeltaOptions>) {
    super('Adadelta', params, withDefaults('Adadelta', ADADELTA_DEFAULTS, options));
  }

  protected validateOptions(o: AdadeltaOptions): void {
    checkTypes(this.name, o, ['lr', 'rho', 'eps', 'weightDecay'], ['maximize']);
    check(o.lr >= 0, `Invalid learning rate: ${o.lr}`);
    check(o.rho >= 0 && o.rho <= 1, `Invalid rho value: ${o.rho}`);
    check(o.eps >= 0, `Invalid epsilon value: ${o.eps}`);
    check(o.weightDecay >= 0, `Invalid weight_decay value: ${o.weightDecay}`);
    checkCommon(this.name, o);
  }

  protected createState(p: ParameterLike): AdadeltaState {
    return { step: 0, square_avg: zerosLike(p), acc_delta: zerosLike(p) };
  }

  protected updateParameter(p: ParameterLike, grad: Float32Array, s: AdadeltaState, group: ParamGroup<AdadeltaOptions>): void {
    let deferred = this.lazy.get(p);
    if (deferred !== undefined && deferred.rho !== group.rho) {
      this.catchUp(deferred, s); // the decays already missed use the ρ they were missed under
      deferred.rho = group.rho;
    }
    const support = (p as { gradColumns?: ColumnRuns | null }).gradColumns;
    if (support != null && !support.all && grad === p.grad && skippingZeroGradients() && !this.eagerOnly.has(p) && adadeltaLazyPossible(p.data, grad, s, group, support)) {
      if (deferred === undefined) {
        deferred = new LazyColumns(support.rows, support.cols, s.step, group.rho);
        this.lazy.set(p, deferred);
      }
      s.step += 1;
      deferred.beforeStep(support.runs, support.count, s.step);
      adadeltaDecayWasm(s, support.rows, support.cols, support.runs, support.count, deferred, deferred.rho);
      adadeltaStepWasmRuns(p.data, grad, s, group, support);
      if (--deferred.stepsToBoundCheck <= 0) {
        if (adadeltaAccBoundedWasm(s, support.rows, support.cols, deferred, LAZY_BOUND)) deferred.stepsToBoundCheck = LAZY_BOUND_EVERY;
        else {
          // u may overflow within the next steps: from here on, the full step (exact either way).
          this.catchUp(deferred, s);
          this.dropDeferred(p);
          this.eagerOnly.add(p);
        }
      }
      return;
    }
    if (deferred !== undefined) {
      this.catchUp(deferred, s);
      this.dropDeferred(p);
    }
    s.step += 1; // a Python int in PyTorch's Adadelta
    if (!adadeltaStepWasm(p.data, grad, s, group, s.step)) adadeltaStep(p.data, grad, s, group, s.step);
  }

  /** Replay every column's missed decays up to the parameter's current step count. */
  private catchUp(deferred: LazyColumns, s: AdadeltaState): void {
    deferred.catchUp(s.step);
    adadeltaDecayWasm(s, deferred.rows, deferred.cols, deferred.fullRun, 1, deferred, deferred.rho);
  }

  private dropDeferred(p: ParameterLike): void {
    this.lazy.get(p)?.dispose();
    this.lazy.delete(p);
  }

  protected override syncState(): void {
    if (this.lazy === undefined || this.lazy.size === 0) return; // (called before the fields exist, too)
    for (const [p, deferred] of this.lazy) this.catchUp(deferred, this.states.get(p)!);
  }

  protected override onStateReplaced(): void {
    for (const p of [...this.lazy.keys()]) this.dropDeferred(p);
    this.eagerOnly.clear();
  }

  protected stateSchema(): StateSchema {
    return { required: ['square_avg', 'acc_delta'], optional: [] };
  }
}
