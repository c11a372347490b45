/**
 * Which columns of a [rows, cols] gradient may be non-zero: the union of the input blocks a first layer's
 * sparse backward has touched since the gradient was last zeroed (dW = dYᵀ·X is exactly +0 in every
 * column k where no row of X had a non-zero block). Kept as column runs (start, length), the same for
 * every row, so that
 * - `zero(grad)` clears only those runs (at batch 1, ~220 of 784 columns instead of all), and
 * - an optimizer whose update is the identity for a +0 gradient (SGD without momentum and weight decay,
 *   Adagrad without weight decay and with ε > 0, not maximizing) steps only those runs —
 * both bit-identical to the dense operations.
 *
 * The invariant: when `all` is false, every element outside the runs is +0. `zero` establishes it, the
 * sparse backward keeps it (`addBlocks` before writing), anything else that may write the gradient sets
 * `all = true` (the dense backward does). Code that writes into a tracked gradient by hand must set
 * `all = true` too.
 */
import { allocFloat32, freeFloat32, wasmHeap } from '../memory.js';
import { sparseWasmExports } from './sparse.js';
import { SPARSE_BLOCK, type SparseRows } from './sparse-rows.js';

/**
 * Default gap (in 4-column blocks) bridged between runs. Measured with `npm run bench -- epoch --batch-size 1`
 * (SGD, MNIST, CPU ms per step, 3 rounds) with the generic per-run kernel: gap 0 → 0.236, 8 → 0.119,
 * 64 → 0.132 (per-call overhead dominated short runs). With a block-run kernel (no per-call prologue: `emitBlockRunsKernel`) gaps 0
 * and 8 measured within noise (0.120 / 0.128); 2 is a middle choice, not finely tuned.
 */
export const GRAD_COLUMNS_MERGE_GAP = 2;

export class GradColumns {
  /** True: nothing is known (the whole gradient may be non-zero); the runs are then ignored. */
  all = true;
  /** Runs in use. */
  count = 0;
  /** Runs are whole 4-column blocks (always, here). */
  readonly blockRuns = true;
  /** Pairs (byte offset of the run's first column within a row, length in elements); in `allocFloat32` storage. */
  readonly runs: Int32Array;
  private readonly storage: Float32Array;
  private readonly marked: Uint8Array;
  private released = false;

  /** Unmarked blocks a run may bridge (see `rebuildRuns`); 0 keeps runs exact. */
  mergeGap = GRAD_COLUMNS_MERGE_GAP;

  constructor(readonly rows: number, readonly cols: number) {
    if (!Number.isInteger(cols) || cols % SPARSE_BLOCK !== 0 || cols < SPARSE_BLOCK) throw new RangeError(`GradColumns: cols must be a positive multiple of ${SPARSE_BLOCK}, got ${cols}`);
    const blocks = cols / SPARSE_BLOCK;
    this.storage = allocFloat32(blocks + 1); // at most ⌈blocks/2⌉ runs of 2 ints
    this.runs = new Int32Array(this.storage.buffer, this.storage.byteOffset, blocks + 1);
    this.marked = new Uint8Array(blocks);
  }

  /** Add the blocks of `x` (about to be accumulated into the gradient) to the runs. */
  addBlocks(x: SparseRows): void {
    const marked = this.marked, feat = x.blockFeature;
    let added = false;
    for (let b = 0, n = x.blocks; b < n; b++) {
      const u = feat[b] >> 2;
      if (marked[u] === 0) {
        marked[u] = 1;
        added = true;
      }
    }
    if (added) this.rebuildRuns();
  }

  /**
   * Runs of marked blocks, where gaps of at most {@link mergeGap} unmarked blocks are bridged: stepping or
   * zeroing a +0 gradient element is as exact as skipping it, and one call per longer run costs less than
   * a call per short one.
   */
  private rebuildRuns(): void {
    const marked = this.marked, runs = this.runs, gap = this.mergeGap;
    let n = 0;
    for (let u = 0; u < marked.length; ) {
      if (marked[u] === 0) {
        u++;
        continue;
      }
      const start = u;
      let last = u;
      while (u < marked.length && u - last <= gap) {
        if (marked[u] !== 0) last = u;
        u++;
      }
      runs[2 * n] = start * SPARSE_BLOCK * 4;
      runs[2 * n + 1] = (last + 1 - start) * SPARSE_BLOCK;
      n++;
      u = last + 1;
    }
    this.count = n;
  }

  /** Zero `grad` ([rows, cols], row-major): only the runs when known, else all of it. Afterwards no run is needed. */
  zero(grad: Float32Array): void {
    const ex = this.all ? null : sparseWasmExports();
    const heap = ex === null ? null : wasmHeap();
    const at = heap === null ? -1 : heap.addressOf(grad);
    if (this.all) grad.fill(0);
    else if (at >= 0 && heap!.addressOf(this.storage) >= 0 && grad.length === this.rows * this.cols) {
      ex!.zero_runs(this.rows, 4 * this.cols, this.count, heap!.addressOf(this.storage), at);
    } else {
      const runs = this.runs, cols = this.cols;
      for (let r = 0, base = 0; r < this.rows; r++, base += cols) {
        for (let q = 0; q < this.count; q++) {
          // An element loop: a `fill` call per short run costs more than the run (thousands per step).
          for (let p = base + (runs[2 * q] >> 2), end = p + runs[2 * q + 1]; p < end; p++) grad[p] = 0;
        }
      }
    }
    this.all = false;
    this.count = 0;
    this.marked.fill(0);
  }

  /** Elements inside the runs (what a skipping step touches). */
  get touched(): number {
    if (this.all) return this.rows * this.cols;
    let n = 0;
    for (let q = 0; q < this.count; q++) n += this.runs[2 * q + 1];
    return n * this.rows;
  }

  dispose(): void {
    if (this.released) return;
    this.released = true;
    freeFloat32(this.storage);
  }
}
