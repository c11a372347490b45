/**
 * Adadelta's steps on +0-gradient columns, deferred and replayed exactly.
 *
 * A first layer fed sparse inputs (MNIST at batch 1: ~150 of 784 pixels non-zero) has a weight gradient
 * that is exactly +0 outside the columns of the batch's non-zero inputs (src/tensor/gemm/grad-columns.ts).
 * For such an element, with no weight decay and not maximizing, PyTorch's Adadelta step computes
 *
 *     v ← ρ·v + (1 − ρ)·0·0 = fl(ρ·v)                          (+0 added exactly)
 *     Δ ← √(u + ε)/√(v + ε) · (+0) = +0                        (the ratio is finite: ε ≥ 2^−126, u, v finite)
 *     u ← ρ·u + (1 − ρ)·Δ² = fl(ρ·u)
 *     θ ← θ − γ·(+0) = θ                                        (θ + (−0) is θ, also for θ = ±0)
 *
 * So θ does not move, and the state only decays: v and u are multiplied by ρ, rounded, once per step.
 * Rather than streaming all of v, u, θ and g through memory every step (most of Adadelta's batch-1 cost),
 * the step here updates only the support's columns and records, per column, the step count `last[c]` its
 * state is current at. When a column is next stepped (or anyone reads the state), the k = t − 1 − last[c]
 * missed multiplications are replayed first, in registers, one rounding each — the same operations in the
 * same order per element, so the result is bit-identical to stepping every element every time (the tests
 * compare the two). Replays stop early once ρ·x rounds back to x (0, or a subnormal fixed point).
 *
 * The deferral needs u finite: u = ∞ makes a skipped step's Δ = ∞·0 = NaN and θ NaN. (v = ∞ gives Δ = 0,
 * harmless; v or u NaN come only from a NaN gradient, whose step already made θ NaN.) Deferred columns
 * cannot overflow (multiplying by ρ ∈ [0, 1]); a stepped one can, but only slowly: v ≥ (1 − ρ)·g² after the
 * step, so (1 − ρ)·Δ² = (1 − ρ)·(u + ε)·g²/(v + ε) ≤ u + ε, and u ← ρ·u + (1 − ρ)·Δ² ≤ 2u + ε — at most
 * doubling (plus ε ≤ 2^100, and a few roundings) per step. So the step checks, right after the first deferred
 * step and then every {@link LAZY_BOUND_EVERY} steps, that every u is below {@link LAZY_BOUND} = 2^100:
 * then none can reach 2^128 (∞) before the next check. If one is not (or is NaN), the parameter catches up
 * and is stepped in full from then on. A change of ρ catches up with the old ρ first.
 */
import { wasmHeap } from '../tensor/memory.js';
import type { LazyColumnsHeap } from './wasm/steps.js';

/** The bound u must stay below at each check (see the module comment). */
export const LAZY_BOUND = 2 ** 100;
/** Steps between checks: 2^100 · 2^16 (doubling per step, with margin for ε and rounding) < 2^128. */
export const LAZY_BOUND_EVERY = 16;

export class LazyColumns implements LazyColumnsHeap {
  /** Lazy steps until u is next checked against {@link LAZY_BOUND}: the first deferred step checks. */
  stepsToBoundCheck = 1;
  /** Per column: the step count its state is current at. */
  readonly last: Int32Array;
  readonly pending: Int32Array;
  readonly span: Int32Array;
  readonly fullRun: Int32Array;
  private readonly storage: Float32Array;

  /**
   * @param cols a multiple of 4 (the kernels replay whole 4-column blocks)
   * @param current the parameter's step count now (every column's state is current at it)
   * @param rho the ρ the deferred decays use
   */
  constructor(readonly rows: number, readonly cols: number, current: number, public rho: number) {
    if (cols % 4 !== 0) throw new RangeError(`LazyColumns: cols must be a multiple of 4, got ${cols}`);
    this.last = new Int32Array(cols).fill(current);
    // The kernels read `pending`, `span` and `fullRun`: in the WebAssembly heap, one allocation.
    this.storage = wasmHeap().allocFloat32(cols + cols / 2 + 2);
    const at = this.storage.byteOffset, buffer = this.storage.buffer;
    this.pending = new Int32Array(buffer, at, cols);
    this.span = new Int32Array(buffer, at + 4 * cols, cols / 2);
    this.fullRun = new Int32Array(buffer, at + 6 * cols, 2);
    this.fullRun[0] = 0;
    this.fullRun[1] = cols;
  }

  /**
   * Before step `t` over `count` runs (pairs: byte offset of the first column within a row, length, both
   * whole 4-column blocks): the decays each run column missed since it was current (t − 1 − last), then
   * mark it current at `t`.
   */
  beforeStep(runs: Int32Array, count: number, t: number): void {
    for (let q = 0; q < count; q++) {
      const start = runs[2 * q] >> 2;
      this.due(start, start + runs[2 * q + 1], t - 1, t);
    }
  }

  /** The decays every column misses to be current at step count `t` (then all are current at `t`). */
  catchUp(t: number): void {
    this.due(0, this.cols, t, t);
  }

  /** pending = upTo − last over columns [start, end), each block's (min, max) into `span`; last = now. */
  private due(start: number, end: number, upTo: number, now: number): void {
    const last = this.last, pending = this.pending, span = this.span;
    for (let c = start; c < end; c += 4) {
      let lo = 0x7fffffff, hi = 0;
      for (let j = c; j < c + 4; j++) {
        const k = upTo - last[j];
        pending[j] = k;
        last[j] = now;
        if (k < lo) lo = k;
        if (k > hi) hi = k;
      }
      span[c >> 1] = lo;
      span[(c >> 1) + 1] = hi;
    }
  }

  dispose(): void {
    wasmHeap().freeArray(this.storage);
  }
}
