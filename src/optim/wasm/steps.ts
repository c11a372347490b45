/**
 * The WebAssembly counterparts of the pure step functions, with the same arguments. Each returns `true`
 * after updating in place, or `false` — having touched nothing — when the kernel cannot run: an array is
 * not in the WebAssembly heap, lengths differ, a buffer the options need is missing, or the engine has no
 * SIMD. The optimizer classes then call the JavaScript step function, which also produces the error
 * messages; so nothing here throws for bad input, and no array is ever read or written out of bounds.
 *
 * Hyper-parameters are computed exactly as in the JavaScript step functions (in double, then rounded to
 * float32 — here by the call itself, since the kernels take f32 arguments). A call allocates nothing.
 */
import type { AdadeltaBuffers, AdadeltaOptions } from '../adadelta.js';
import type { AdagradBuffers, AdagradOptions } from '../adagrad.js';
import type { AdamBuffers } from '../adam.js';
import type { RMSpropBuffers, RMSpropOptions } from '../rmsprop.js';
import type { SGDBuffers, SGDOptions } from '../sgd.js';
import { ADAM_AMSGRAD, ADAM_DECAY, MAXIMIZE, RMSPROP_CENTERED, RMSPROP_MOMENTUM, SGD_FIRST, SGD_MOMENTUM, SGD_NESTEROV, WEIGHT_DECAY } from './kernels.js';
import { familyKernels, heapAddress, kernelStats } from './runtime.js';

/** Address of `a` if it is in the heap and has `n` values, else −1. */
function addressOf(a: Float32Array | null | undefined, n: number): number {
  if (a == null || a.length !== n) return -1;
  return heapAddress(a);
}

export function sgdStepWasm(param: Float32Array, grad: Float32Array, state: SGDBuffers, options: SGDOptions, step: number): boolean {
  const n = param.length;
  const pp = addressOf(param, n);
  if (pp < 0) return false;
  const pg = addressOf(grad, n);
  if (pg < 0) return false;
  const { momentum, dampening, weightDecay, nesterov, maximize, lr } = options;
  let pb = 0;
  let key = (maximize ? MAXIMIZE : 0) | (weightDecay !== 0 ? WEIGHT_DECAY : 0);
  if (momentum !== 0) {
    pb = addressOf(state.momentum_buffer, n);
    if (pb < 0) return false;
    key |= SGD_MOMENTUM | (nesterov ? SGD_NESTEROV : 0) | (step === 1 ? SGD_FIRST : 0);
  }
  const k = familyKernels('sgd');
  const fn = k?.fns[key];
  if (!fn) return false;
  fn(n, k!.scratch, pp, pg, pb, weightDecay, momentum, 1 - dampening, -lr);
  kernelStats.calls++;
  return true;
}

export function adagradStepWasm(param: Float32Array, grad: Float32Array, state: AdagradBuffers, options: AdagradOptions, step: number): boolean {
  const n = param.length;
  const pp = addressOf(param, n);
  if (pp < 0) return false;
  const pg = addressOf(grad, n);
  const ps = addressOf(state.sum, n);
  if (pg < 0 || ps < 0) return false;
  const { lr, lrDecay, weightDecay, eps, maximize } = options;
  const k = familyKernels('adagrad');
  const fn = k?.fns[(maximize ? MAXIMIZE : 0) | (weightDecay !== 0 ? WEIGHT_DECAY : 0)];
  if (!fn) return false;
  const clr = lr / (1 + (step - 1) * lrDecay);
  fn(n, k!.scratch, pp, pg, ps, weightDecay, -clr, eps);
  kernelStats.calls++;
  return true;
}

export function adadeltaStepWasm(param: Float32Array, grad: Float32Array, state: AdadeltaBuffers, options: AdadeltaOptions, _step: number): boolean {
  const n = param.length;
  const pp = addressOf(param, n);
  if (pp < 0) return false;
  const pg = addressOf(grad, n);
  const pv = addressOf(state.square_avg, n);
  const pu = addressOf(state.acc_delta, n);
  if (pg < 0 || pv < 0 || pu < 0) return false;
  const { lr, rho, eps, weightDecay, maximize } = options;
  const k = familyKernels('adadelta');
  const fn = k?.fns[(maximize ? MAXIMIZE : 0) | (weightDecay !== 0 ? WEIGHT_DECAY : 0)];
  if (!fn) return false;
  fn(n, k!.scratch, pp, pg, pv, pu, weightDecay, rho, 1 - rho, eps, -lr);
  kernelStats.calls++;
  return true;
}

/** Adam (`decay` = 1) and AdamW (`l2` = 0, `decay` = 1 − γλ): the arguments of `adamUpdate` in ../adam.ts. */
export function adamUpdateWasm(
  param: Float32Array, grad: Float32Array, state: AdamBuffers, lr: number, beta1: number, beta2: number, eps: number,
  l2: number, decay: number, amsgrad: boolean, maximize: boolean, step: number,
): boolean {
  const n = param.length;
  const pp = addressOf(param, n);
  if (pp < 0) return false;
  const pg = addressOf(grad, n);
  const pm = addressOf(state.exp_avg, n);
  const pv = addressOf(state.exp_avg_sq, n);
  if (pg < 0 || pm < 0 || pv < 0) return false;
  let pmax = 0;
  if (amsgrad) {
    pmax = addressOf(state.max_exp_avg_sq, n);
    if (pmax < 0) return false;
  }
  const key = (maximize ? MAXIMIZE : 0) | (l2 !== 0 ? WEIGHT_DECAY : 0) | (decay !== 1 ? ADAM_DECAY : 0) | (amsgrad ? ADAM_AMSGRAD : 0);
  const k = familyKernels('adam');
  const fn = k?.fns[key];
  if (!fn) return false;
  const stepSize = lr / (1 - beta1 ** step);
  const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
  fn(n, k!.scratch, pp, pg, pm, pv, pmax, l2, decay, beta1, 1 - beta1, beta2, 1 - beta2, bc2Sqrt, eps, -stepSize);
  kernelStats.calls++;
  return true;
}

export function rmspropStepWasm(param: Float32Array, grad: Float32Array, state: RMSpropBuffers, options: RMSpropOptions, _step: number): boolean {
  const n = param.length;
  const pp = addressOf(param, n);
  if (pp < 0) return false;
  const pg = addressOf(grad, n);
  const pv = addressOf(state.square_avg, n);
  if (pg < 0 || pv < 0) return false;
  const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = options;
  let pa = 0;
  let pb = 0;
  if (centered) {
    pa = addressOf(state.grad_avg, n);
    if (pa < 0) return false;
  }
  if (momentum > 0) {
    pb = addressOf(state.momentum_buffer, n);
    if (pb < 0) return false;
  }
  const key = (maximize ? MAXIMIZE : 0) | (weightDecay !== 0 ? WEIGHT_DECAY : 0) | (centered ? RMSPROP_CENTERED : 0) | (momentum > 0 ? RMSPROP_MOMENTUM : 0);
  const k = familyKernels('rmsprop');
  const fn = k?.fns[key];
  if (!fn) return false;
  fn(n, k!.scratch, pp, pg, pv, pa, pb, weightDecay, alpha, 1 - alpha, eps, momentum, -lr);
  kernelStats.calls++;
  return true;
}

/** What a parameter may carry about its gradient's non-zero columns (../../tensor/gemm/grad-columns.ts). */
export interface ColumnRuns {
  readonly all: boolean;
  readonly rows: number;
  readonly cols: number;
  readonly count: number;
  readonly runs: Int32Array;
  /** Every run starts and ends on a multiple of 4 columns (what the `blockRuns` kernels need). */
  readonly blockRuns?: boolean;
}

function runsArgs(param: Float32Array, grad: Float32Array, support: ColumnRuns): number {
  const n = param.length;
  if (support.all || support.rows * support.cols !== n) return -1;
  if (addressOf(param, n) < 0 || addressOf(grad, n) < 0) return -1;
  return heapAddress(support.runs as unknown as Float32Array);
}

/**
 * SGD without momentum, weight decay or maximize, over the gradient's column runs only: where the
 * gradient is +0, θ − γ·(+0) = θ exactly, so skipping those elements is bit-identical to the full step.
 * Returns false (touching nothing) when the options or operands do not allow it.
 */
export function sgdStepWasmRuns(param: Float32Array, grad: Float32Array, options: SGDOptions, support: ColumnRuns): boolean {
  if (options.momentum !== 0 || options.weightDecay !== 0 || options.maximize) return false;
  const pr = runsArgs(param, grad, support);
  if (pr < 0) return false;
  const k = familyKernels('sgd');
  if (k?.blockRuns[0] && support.blockRuns) {
    k.blockRuns[0](support.rows, 4 * support.cols, support.count, pr, heapAddress(param), heapAddress(grad), 0, 0, 0, 1, -options.lr);
    kernelStats.calls++;
    return true;
  }
  const fn = k?.runs[0];
  if (!fn) return false;
  fn(support.rows, 4 * support.cols, support.count, pr, k!.scratch, heapAddress(param), heapAddress(grad), 0, 0, 0, 1, -options.lr);
  kernelStats.calls++;
  return true;
}

/**
 * Adagrad without weight decay or maximize and with ε > 0, over the gradient's column runs only: where
 * g = +0, G + 0² = G and θ + (−γ̃·0)/(√G + ε) = θ exactly (√G + ε > 0), so skipping is bit-identical.
 */
export function adagradStepWasmRuns(param: Float32Array, grad: Float32Array, state: AdagradBuffers, options: AdagradOptions, step: number, support: ColumnRuns): boolean {
  const { lr, lrDecay, weightDecay, eps, maximize } = options;
  if (weightDecay !== 0 || maximize || !(Math.fround(eps) > 0)) return false;
  const pr = runsArgs(param, grad, support);
  const ps = addressOf(state.sum, param.length);
  if (pr < 0 || ps < 0) return false;
  const k = familyKernels('adagrad');
  const clr = lr / (1 + (step - 1) * lrDecay);
  if (k?.blockRuns[0] && support.blockRuns) {
    k.blockRuns[0](support.rows, 4 * support.cols, support.count, pr, heapAddress(param), heapAddress(grad), ps, 0, -clr, eps);
    kernelStats.calls++;
    return true;
  }
  const fn = k?.runs[0];
  if (!fn) return false;
  fn(support.rows, 4 * support.cols, support.count, pr, k!.scratch, heapAddress(param), heapAddress(grad), ps, 0, -clr, eps);
  kernelStats.calls++;
  return true;
}

/** What Adadelta's lazy columns keep in the heap (../lazy-columns.ts). */
export interface LazyColumnsHeap {
  /** Int32 per column, laid out like a row: replays still due before the columns are stepped. */
  readonly pending: Int32Array;
  /** Int32 pairs per 4-column block: the least and the most of its columns' `pending`. */
  readonly span: Int32Array;
  /** One run over every column: (0, cols). */
  readonly fullRun: Int32Array;
}

/**
 * Whether Adadelta's step for this parameter may defer its +0-gradient columns (see ../lazy-columns.ts):
 * no weight decay, not maximizing, 2^−126 ≤ ε ≤ 2^100 (so √(u + ε)/√(v + ε) is finite for every finite state,
 * and u's growth bound holds), a known column support of whole 4-column blocks over a [rows, cols] matrix,
 * everything in the heap, and the kernels there.
 */
export function adadeltaLazyPossible(param: Float32Array, grad: Float32Array, state: AdadeltaBuffers, options: AdadeltaOptions, support: ColumnRuns): boolean {
  const e = Math.fround(options.eps);
  if (options.weightDecay !== 0 || options.maximize || !(e >= 2 ** -126 && e <= 2 ** 100) || support.blockRuns !== true) return false;
  const n = param.length;
  if (runsArgs(param, grad, support) < 0 || addressOf(state.square_avg, n) < 0 || addressOf(state.acc_delta, n) < 0) return false;
  const k = familyKernels('adadelta');
  return k?.decayRuns !== undefined && k.boundedRuns !== undefined && k.blockRuns[0] !== undefined;
}

/** Replay the pending decays of both state buffers over `runs` (`count` runs) of every row. */
export function adadeltaDecayWasm(state: AdadeltaBuffers, rows: number, cols: number, runs: Int32Array, count: number, lazy: LazyColumnsHeap, rho: number): void {
  const k = familyKernels('adadelta')!;
  const at = (a: Int32Array) => heapAddress(a as unknown as Float32Array);
  k.decayRuns!(rows, 4 * cols, count, at(runs), at(lazy.pending), at(lazy.span), heapAddress(state.square_avg), heapAddress(state.acc_delta), rho);
}

/** Adadelta's full step over the support's runs only (after their decays were replayed). */
export function adadeltaStepWasmRuns(param: Float32Array, grad: Float32Array, state: AdadeltaBuffers, options: AdadeltaOptions, support: ColumnRuns): void {
  const k = familyKernels('adadelta')!;
  const { lr, rho, eps } = options;
  const pr = heapAddress(support.runs as unknown as Float32Array);
  k.blockRuns[0]!(support.rows, 4 * support.cols, support.count, pr, heapAddress(param), heapAddress(grad), heapAddress(state.square_avg), heapAddress(state.acc_delta), 0, rho, 1 - rho, eps, -lr);
  kernelStats.calls++;
}

/** Whether every acc_delta value is below `limit` (and none is NaN). */
export function adadeltaAccBoundedWasm(state: AdadeltaBuffers, rows: number, cols: number, lazy: LazyColumnsHeap, limit: number): boolean {
  const k = familyKernels('adadelta')!;
  return k.boundedRuns!(rows, 4 * cols, 1, heapAddress(lazy.fullRun as unknown as Float32Array), heapAddress(state.acc_delta), limit) === 1;
}
