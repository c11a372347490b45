/**
 * The JS side of the WebAssembly gemm: chooses the path, stages operands that live outside the
 * WebAssembly memory, and runs the outer Goto/BLIS loops (N by NC, K by KC, M by MC), calling the packers
 * and macro-kernels in the module.
 *
 * Paths:
 * - M = 1, B not transposed: `gemv_n` streams B four rows at a time (./gemv.ts).
 * - M < mr ("a few rows"): nothing is packed. B not transposed → the
 *   row micro-kernels read B in place (the last < nr columns go through a zero-padded panel); B transposed
 *   → `dot_nt`, contiguous dot products. A transposed is first gathered into contiguous rows (O(M·K)).
 * - otherwise: B is packed per (KC × NC) block (a copy or a 4×4-shuffle transpose by layout); A is packed
 *   per (MC × KC) block, except when A is not transposed and N is small (the 10-wide output layer), where
 *   packing A would cost as much as the product and the row micro-kernels read it in place.
 *
 * Operands outside the WebAssembly memory (ordinary JS arrays) are copied into it — only the span the
 * call touches — and C is copied back. `useWasmMemory()` avoids the copies.
 *
 * Staging allocates nothing per call (the library's rule for hot paths): no `subarray` views are made.
 * A span that is the whole array (what every layer buffer is) moves with one `TypedArray.set` — a memcpy,
 * ~0.2 ns per element; C is copied back from a view of its staging region kept in a small cache (the
 * region and the shapes repeat from call to call, so the views are made once). Any other span (an
 * operand at an offset into a larger array, a C with padding between rows) is copied by an element loop,
 * ~2–4 ns per element on V8 — still small next to the product, which costs K (or N) multiply-adds per
 * copied element. Measured on Node 20 (x64) while choosing: `set` from a fresh `subarray` per row costs
 * the same as `set` from a cached view for rows of ≥ 2,560 elements but allocates; the element loop is
 * 10–20× slower than either.
 */
import { WasmHeap } from '../../memory.js';
import { GemmExports, WasmGemmConfig } from './module.js';

export interface BlockSizes {
  /** Rows of A per packed block (multiple of mr). */
  mc: number;
  /** Depth per block. */
  kc: number;
  /** Columns of B per packed block (multiple of nr). */
  nc: number;
  /** Below this N (and A not transposed) A is read in place rather than packed. */
  packANMin: number;
}

export const DEFAULT_BLOCKS: BlockSizes = { mc: 120, kc: 256, nc: 2040, packANMin: 48 };

/** Scratch regions the loops need, by role; each returns a byte address of at least `bytes`. */
export interface ScratchSpace {
  ensure(slot: ScratchSlot, bytes: number): number;
}
export type ScratchSlot = 'packA' | 'packB' | 'tile' | 'rowsA' | 'stageA' | 'stageB' | 'stageC';

/** Scratch regions on a {@link WasmHeap}, each grown (by ≥ 1.5×) on demand and reused across calls. */
export class HeapScratch implements ScratchSpace {
  private readonly regions = new Map<ScratchSlot, { addr: number; bytes: number }>();
  constructor(private readonly heap: WasmHeap) {}
  ensure(slot: ScratchSlot, bytes: number): number {
    const r = this.regions.get(slot);
    if (r && r.bytes >= bytes) return r.addr;
    if (r) this.heap.freeBytes(r.addr);
    const grown = Math.max(bytes, r ? Math.ceil(r.bytes * 1.5) : 0, 64);
    const next = { addr: this.heap.allocBytes(grown), bytes: grown };
    this.regions.set(slot, next);
    return next.addr;
  }
}

/** Bytes of the packed-A scratch of the general path: room for the broadcast layout (4 floats per element). */
export function packABytes(config: WasmGemmConfig, blocks: BlockSizes, K: number): number {
  return (blocks.mc + config.mr) * Math.min(blocks.kc, K) * 16;
}

/** Bytes of the packed-B scratch of the general path. */
export function packBBytes(config: WasmGemmConfig, blocks: BlockSizes, N: number, K: number): number {
  return (Math.min(blocks.nc, N) + config.nr) * Math.min(blocks.kc, K) * 4;
}

/** Bytes of each scratch slot the general (M ≥ mr) path needs for an M×N×K product. */
export function generalScratchBytes(config: WasmGemmConfig, blocks: BlockSizes, N: number, K: number): { packA: number; packB: number; tile: number } {
  return { packA: packABytes(config, blocks, K), packB: packBBytes(config, blocks, N, K), tile: config.mr * config.nr * 4 };
}

export class WasmGemmDriver {
  constructor(
    readonly x: GemmExports,
    readonly config: WasmGemmConfig,
    readonly blocks: BlockSizes,
    readonly scratch: ScratchSpace,
    /** The heap operands are staged into; null in a worker, which only runs {@link run}. */
    readonly heap: WasmHeap | null,
  ) {
    this.broadcastA = !config.fma;
  }

  /** Address of element `off` of `data` in the wasm memory, staging a copy of `span` elements if needed. */
  private place(heap: WasmHeap, data: Float32Array, off: number, span: number, slot: ScratchSlot, copyIn: boolean): number {
    const addr = heap.addressOf(data);
    if (addr >= 0) return addr + off * 4;
    const dst = this.scratch.ensure(slot, span * 4);
    if (copyIn) {
      const mem = heap.f32();
      const base = dst >> 2;
      if (off === 0 && span === data.length) mem.set(data, base);
      else for (let i = 0; i < span; i++) mem[base + i] = data[off + i];
    }
    return dst;
  }

  /**
   * Views of the start of C's staging region, one per length seen, all from byte `stagedBase`. The region
   * moves only when a larger C makes it grow; the views are then remade at the new address at once, so
   * the calls after the first use of each shape (e.g. every training step after the first) make none.
   */
  private readonly stagedViews: Float32Array[] = [];
  private stagedBase = -1;
  /** More distinct C sizes than a deep net's training step and test pass use; the oldest view is dropped beyond. */
  private static readonly STAGED_VIEWS = 32;

  /** A Float32Array over `length` elements of the wasm memory from byte `addr` (C's staging region). */
  private stagedView(heap: WasmHeap, addr: number, length: number): Float32Array {
    const views = this.stagedViews;
    if (addr !== this.stagedBase) {
      // The region moved (it only grows, so every length seen before still fits): remake the views there.
      // A view over any of the memory's buffers aliases the same bytes, before and after a grow.
      const buffer = heap.buffer();
      for (let i = 0; i < views.length; i++) views[i] = new Float32Array(buffer, addr, views[i].length);
      this.stagedBase = addr;
    }
    for (let i = 0; i < views.length; i++) if (views[i].length === length) return views[i];
    const v = new Float32Array(heap.buffer(), addr, length);
    if (views.length >= WasmGemmDriver.STAGED_VIEWS) views.shift();
    views.push(v);
    return v;
  }

  /** Copy the staged M×N result at byte address `c` (row stride ldc elements) back into C. */
  private copyBack(heap: WasmHeap, c: number, M: number, N: number, C: Float32Array, cOff: number, ldc: number): void {
    if (ldc === N || M === 1) {
      // One contiguous span: a memcpy from a cached view of the staging region.
      C.set(this.stagedView(heap, c, (M - 1) * ldc + N), cOff);
      return;
    }
    // Row by row, so padding between rows of C is left as the caller had it.
    const mem = heap.f32();
    const base = c >> 2;
    for (let i = 0; i < M; i++) {
      const from = base + i * ldc, to = cOff + i * ldc;
      for (let j = 0; j < N; j++) C[to + j] = mem[from + j];
    }
  }

  /** Full sgemm on validated arguments (kernel.ts semantics); alpha ≠ 0, K > 0, M, N > 0. */
  sgemm(
    tA: boolean, tB: boolean, M: number, N: number, K: number, alpha: number,
    A: Float32Array, aOff: number, lda: number, B: Float32Array, bOff: number, ldb: number,
    beta: number, C: Float32Array, cOff: number, ldc: number,
  ): void {
    const spanA = ((tA ? K : M) - 1) * lda + (tA ? M : K);
    const spanB = ((tB ? N : K) - 1) * ldb + (tB ? K : N);
    const spanC = (M - 1) * ldc + N;
    const heap = this.heap;
    if (!heap) throw new Error('WasmGemmDriver.sgemm: this driver has no heap to stage operands in');
    const a = this.place(heap, A, aOff, spanA, 'stageA', true);
    const b = this.place(heap, B, bOff, spanB, 'stageB', true);
    const cIn = heap.addressOf(C) >= 0;
    const c = this.place(heap, C, cOff, spanC, 'stageC', beta !== 0);
    this.dispatch(tA, tB, M, N, K, alpha, a, lda * 4, b, ldb * 4, beta, c, ldc * 4);
    if (!cIn) this.copyBack(heap, c, M, N, C, cOff, ldc);
  }

  /**
   * Set by the thread pool: runs the product across threads and returns true, or returns false to leave
   * it to this thread.
   */
  parallel: ((self: WasmGemmDriver, tA: boolean, tB: boolean, M: number, N: number, K: number, alpha: number, a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number) => boolean) | null = null;

  /**
   * Pack A pre-broadcast for the 'bcast' micro-kernel (else the 'packed' one). Measured on Zen 4: +4–8%
   * for the mul+add kernel, which is bound by instruction count; no gain for the FMA kernel.
   */
  broadcastA: boolean;

  dispatch(tA: boolean, tB: boolean, M: number, N: number, K: number, alpha: number, a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number): void {
    if (this.parallel && this.parallel(this, tA, tB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc)) return;
    this.run(tA, tB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc);
  }

  /** The loops, on byte addresses inside the wasm memory. */
  run(tA: boolean, tB: boolean, M: number, N: number, K: number, alpha: number, a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number): void {
    const { mr, nr } = this.config;
    const x = this.x;
    const tile = this.scratch.ensure('tile', mr * nr * 4);
    if (M === 1 && !tB) {
      // Batch 1: stream B row by row (./gemv.ts); no packing, no staging of a transposed A.
      x.gemv_n(K, N, a, tA ? lda : 4, b, ldb, c, alpha, beta);
      return;
    }
    if (M < mr) {
      let rows = a;
      let rowsLd = lda;
      if (tA) {
        rows = this.scratch.ensure('rowsA', M * K * 4);
        for (let i = 0; i < M; i++) x.pack_scalar(a + i * 4, 0, lda, 1, 1, K, rows + i * K * 4);
        rowsLd = K * 4;
      }
      if (tB) {
        x.dot_nt(M, N, K, rows, rowsLd, b, ldb, c, ldc, alpha, beta);
        return;
      }
      const nFull = N - (N % nr);
      if (nFull > 0) x.macro_rs(M, nFull, K, rows, rowsLd, b, ldb, c, ldc, alpha, beta, tile);
      if (nFull < N) {
        const panel = this.scratch.ensure('packB', K * nr * 4);
        x.pack_b_n(b + nFull * 4, ldb, K, N - nFull, panel);
        x.macro_rp(M, N - nFull, K, rows, rowsLd, panel, 0, c + nFull * 4, ldc, alpha, beta, tile);
      }
      return;
    }
    const { mc: MC, kc: KC, nc: NC } = this.blocks;
    const packA = tA || N >= this.blocks.packANMin;
    // The two sizes one by one: generalScratchBytes builds an object, i.e. allocates, per call.
    const aBuf = packA ? this.scratch.ensure('packA', packABytes(this.config, this.blocks, K)) : 0;
    const bBuf = this.scratch.ensure('packB', packBBytes(this.config, this.blocks, N, K));
    for (let jc = 0; jc < N; jc += NC) {
      const nc = Math.min(NC, N - jc);
      for (let pc = 0; pc < K; pc += KC) {
        const kc = Math.min(KC, K - pc);
        const betaBlock = pc === 0 ? beta : 1;
        if (tB) x.pack_b_t(b + jc * ldb + pc * 4, ldb, kc, nc, bBuf);
        else x.pack_b_n(b + pc * ldb + jc * 4, ldb, kc, nc, bBuf);
        for (let ic = 0; ic < M; ic += MC) {
          const mc = Math.min(MC, M - ic);
          const cBlock = c + ic * ldc + jc * 4;
          if (packA && this.broadcastA) {
            if (tA) x.pack_a_t_bcast(a + pc * lda + ic * 4, lda, kc, mc, aBuf);
            else x.pack_a_n_bcast(a + ic * lda + pc * 4, lda, kc, mc, aBuf);
            x.macro_bp(mc, nc, kc, aBuf, 0, bBuf, 0, cBlock, ldc, alpha, betaBlock, tile);
          } else if (packA) {
            if (tA) x.pack_a_t(a + pc * lda + ic * 4, lda, kc, mc, aBuf);
            else x.pack_a_n(a + ic * lda + pc * 4, lda, kc, mc, aBuf);
            x.macro_pp(mc, nc, kc, aBuf, 0, bBuf, 0, cBlock, ldc, alpha, betaBlock, tile);
          } else {
            x.macro_rp(mc, nc, kc, a + ic * lda + pc * 4, lda, bBuf, 0, cBlock, ldc, alpha, betaBlock, tile);
          }
        }
      }
    }
  }
}
