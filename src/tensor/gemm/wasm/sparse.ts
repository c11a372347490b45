/**
 * The WebAssembly SIMD kernels of the sparse-input path (see ../sparse-rows.ts for the block form):
 *
 *   spmm_fwd:  Y[i, j] += Σ_b  X_b · W[j, k_b … k_b+3]           over the blocks b of row i   (Y = X·Wᵀ)
 *   spmm_dw:   dW[j, k_b … k_b+3] += dY[i, j] · X_b               for every block b of row i   (dW += dYᵀ·X)
 *
 * W and dW stay in PyTorch's [out, in] layout: a block's four weights W[j, k … k+3] are one 16-byte load.
 * The forward keeps `width` (8) outputs j … j+width−1 in registers (one f32x4 accumulator per output, lanes
 * = the block's four features) and walks the row's blocks once for all of them (one X load per `width`
 * W loads); the four lanes are reduced with two shuffle-add rounds, ((l0 + l2) + (l1 + l3)), and added to
 * Y. The weight gradient splats dY[i, j] for `width` outputs and adds splat·X_b into the `width` rows of
 * dW (load, multiply, add, store). Both run j outermost, so the `width` rows of W (or dW) — 25 KiB for
 * 8 rows of 784 — stay in L1 while every row of the batch passes. Multiply and add are separate (no
 * relaxed FMA) unless built with `fma` (where the engine has relaxed SIMD, as the gemm kernels do).
 *
 * spmm_fwd(M, N, rowStart, blockFeature, values, W, ldw, Y, ldy)
 * spmm_dw(M, N, rowStart, blockFeature, values, dY, ldy, dW, ldw)
 * Addresses and leading dimensions in bytes; rowStart/blockFeature are i32 arrays; block features are
 * feature indices (multiplied by 4 here).
 */
import { FunctionBuilder, Local, ModuleBuilder, addTo, whileLoop } from './builder.js';
import { ValType } from './opcodes.js';
import { emitSigmoid } from './sigmoid.js';

const { i32, v128 } = ValType;

/**
 * Outputs per pass of the forward and of the weight gradient. Measured (CPU time, 784 → 256, an MNIST batch
 * of 50, 7 interleaved rounds): forward 4 → 397 µs, 8 → 309 µs, 12 → 438 µs, 16 → 513 µs (register
 * spills); the weight gradient within noise for 4–16; batch 1 within noise.
 */
export const SPARSE_WIDTH = 8;

interface RowLoop {
  /** Emitted once per row before its blocks. */
  beforeRow(): void;
  /** Emitted per block, with `x` = the block's values and `c` = its feature's byte offset (k·4). */
  block(x: Local, c: Local): void;
  /** Emitted once per row after its blocks. */
  afterRow(): void;
}

/** for i in 0..M: beforeRow; for b in row i: block(x_b, 4·k_b); afterRow — with rowStart advanced per row. */
function forEachRowBlock(f: FunctionBuilder, loop: RowLoop): void {
  const P = (n: string) => f.get(n);
  const i = f.local(i32), rs = f.local(i32), pf = f.local(i32), pfEnd = f.local(i32), pv = f.local(i32);
  const x = f.local(v128), c = f.local(i32);
  f.i32(0).lset(i);
  f.lget(P('rowStart')).lset(rs);
  whileLoop(f, () => f.lget(i).lget(P('M')).i32LtS(), () => {
    // pf = blockFeature + 4·rowStart[i]; pfEnd = blockFeature + 4·rowStart[i+1]; pv = values + 16·rowStart[i]
    f.lget(rs).i32Load().ltee(c).i32(2).i32Shl().lget(P('blockFeature')).i32Add().lset(pf);
    f.lget(c).i32(4).i32Shl().lget(P('values')).i32Add().lset(pv);
    f.lget(rs).i32Load(4).i32(2).i32Shl().lget(P('blockFeature')).i32Add().lset(pfEnd);
    loop.beforeRow();
    whileLoop(f, () => f.lget(pf).lget(pfEnd).i32LtS(), () => {
      f.lget(pv).v128Load().lset(x);
      f.lget(pf).i32Load().i32(2).i32Shl().lset(c);
      loop.block(x, c);
      addTo(f, pv, 16);
      addTo(f, pf, 4);
    });
    loop.afterRow();
    addTo(f, rs, 4);
    addTo(f, i, 1);
  });
}

/** Sum of the four lanes of `a` as ((a0 + a2) + (a1 + a3)), left on the stack as f32. */
function hsum(f: FunctionBuilder, a: Local): void {
  f.lget(a).lget(a).lget(a).shuffle32([2, 3, 0, 1]).f32x4Add(); // [a0+a2, a1+a3, …]
  const t = f.local(v128);
  f.ltee(t).f32x4ExtractLane(0).lget(t).f32x4ExtractLane(1).f32Add();
}

/** [Σa, Σb, Σc, Σd] of four accumulators, each ((l0 + l2) + (l1 + l3)), left on the stack. */
function hsum4(f: FunctionBuilder, a: Local, b: Local, c: Local, d: Local): void {
  const t0 = f.local(v128), t1 = f.local(v128);
  // t0 = [a0+a2, b0+b2, a1+a3, b1+b3]
  f.lget(a).lget(b).shuffle32([0, 4, 1, 5]).lget(a).lget(b).shuffle32([2, 6, 3, 7]).f32x4Add().lset(t0);
  f.lget(c).lget(d).shuffle32([0, 4, 1, 5]).lget(c).lget(d).shuffle32([2, 6, 3, 7]).f32x4Add().lset(t1);
  // [(a0+a2)+(a1+a3), (b0+b2)+(b1+b3), …]
  f.lget(t0).lget(t1).shuffle32([0, 1, 4, 5]).lget(t0).lget(t1).shuffle32([2, 3, 6, 7]).f32x4Add();
}

function emitForward(m: ModuleBuilder, width: number, fma: boolean): void {
  const f = m.declare('spmm_fwd', [['M', i32], ['N', i32], ['rowStart', i32], ['blockFeature', i32], ['values', i32], ['W', i32], ['ldw', i32], ['Y', i32], ['ldy', i32]]);
  const P = (n: string) => f.get(n);
  const j = f.local(i32), yp = f.local(i32);
  const wr = Array.from({ length: width }, () => f.local(i32));
  const acc = Array.from({ length: width }, () => f.local(v128));
  const pass = (w: number): void => {
    // wr[r] = W + (j + r)·ldw; yp = Y + 4j
    f.lget(j).lget(P('ldw')).i32Mul().lget(P('W')).i32Add().lset(wr[0]);
    for (let r = 1; r < w; r++) f.lget(wr[r - 1]).lget(P('ldw')).i32Add().lset(wr[r]);
    f.lget(j).i32(2).i32Shl().lget(P('Y')).i32Add().lset(yp);
    forEachRowBlock(f, {
      beforeRow: () => {
        for (let r = 0; r < w; r++) f.v128Zero().lset(acc[r]);
      },
      block: (x, c) => {
        for (let r = 0; r < w; r++) {
          if (fma) f.lget(x).lget(wr[r]).lget(c).i32Add().v128Load().lget(acc[r]).f32x4RelaxedMadd().lset(acc[r]);
          else f.lget(acc[r]).lget(x).lget(wr[r]).lget(c).i32Add().v128Load().f32x4Mul().f32x4Add().lset(acc[r]);
        }
      },
      afterRow: () => {
        if (w === 1) {
          f.lget(yp).lget(yp).f32Load();
          hsum(f, acc[0]);
          f.f32Add().f32Store();
        } else {
          for (let q = 0; q < w; q += 4) {
            f.lget(yp).lget(yp).v128Load(4 * q);
            hsum4(f, acc[q], acc[q + 1], acc[q + 2], acc[q + 3]);
            f.f32x4Add().v128Store(4 * q);
          }
        }
        addTo(f, yp, P('ldy'));
      },
    });
    addTo(f, j, w);
  };
  whileLoop(f, () => f.lget(j).i32(width).i32Add().lget(P('N')).i32LeS(), () => pass(width));
  if (width > 4) whileLoop(f, () => f.lget(j).i32(4).i32Add().lget(P('N')).i32LeS(), () => pass(4));
  whileLoop(f, () => f.lget(j).lget(P('N')).i32LtS(), () => pass(1));
}

function emitGradWeight(m: ModuleBuilder, width: number, fma: boolean): void {
  const f = m.declare('spmm_dw', [['M', i32], ['N', i32], ['rowStart', i32], ['blockFeature', i32], ['values', i32], ['dY', i32], ['ldy', i32], ['dW', i32], ['ldw', i32]]);
  const P = (n: string) => f.get(n);
  const j = f.local(i32), dyp = f.local(i32), p = f.local(i32);
  const wr = Array.from({ length: width }, () => f.local(i32));
  const s = Array.from({ length: width }, () => f.local(v128));
  const pass = (w: number): void => {
    f.lget(j).lget(P('ldw')).i32Mul().lget(P('dW')).i32Add().lset(wr[0]);
    for (let r = 1; r < w; r++) f.lget(wr[r - 1]).lget(P('ldw')).i32Add().lset(wr[r]);
    f.lget(j).i32(2).i32Shl().lget(P('dY')).i32Add().lset(dyp);
    forEachRowBlock(f, {
      beforeRow: () => {
        for (let r = 0; r < w; r++) f.lget(dyp).v128Load32Splat(4 * r).lset(s[r]);
      },
      block: (x, c) => {
        for (let r = 0; r < w; r++) {
          f.lget(wr[r]).lget(c).i32Add().ltee(p);
          if (fma) f.lget(s[r]).lget(x).lget(p).v128Load().f32x4RelaxedMadd().v128Store();
          else f.lget(p).v128Load().lget(s[r]).lget(x).f32x4Mul().f32x4Add().v128Store();
        }
      },
      afterRow: () => addTo(f, dyp, P('ldy')),
    });
    addTo(f, j, w);
  };
  whileLoop(f, () => f.lget(j).i32(width).i32Add().lget(P('N')).i32LeS(), () => pass(width));
  if (width > 4) whileLoop(f, () => f.lget(j).i32(4).i32Add().lget(P('N')).i32LeS(), () => pass(4));
  whileLoop(f, () => f.lget(j).lget(P('N')).i32LtS(), () => pass(1));
}

/**
 * zero_runs(rows, rowBytes, count, runs, A): A[r, run] = +0 for every row r and column run q
 * (runs[2q] = the run's byte offset in a row, runs[2q + 1] = its length in elements, a multiple of 4;
 * A + r·rowBytes + runs[2q] 16-byte aligned or not — v128 stores take any address).
 */
function emitZeroRuns(m: ModuleBuilder): void {
  const f = m.declare('zero_runs', [['rows', i32], ['rowBytes', i32], ['count', i32], ['runs', i32], ['A', i32]]);
  const P = (n: string) => f.get(n);
  const r = f.local(i32), q = f.local(i32), end = f.local(i32), p = f.local(i32), stop = f.local(i32), base = f.local(i32);
  f.lget(P('A')).lset(base);
  whileLoop(f, () => f.lget(r).lget(P('rows')).i32LtS(), () => {
    f.lget(P('runs')).lset(q);
    f.lget(P('count')).i32(3).i32Shl().lget(q).i32Add().lset(end);
    whileLoop(f, () => f.lget(q).lget(end).i32LtS(), () => {
      f.lget(q).i32Load().lget(base).i32Add().lset(p);
      f.lget(q).i32Load(4).i32(2).i32Shl().lget(p).i32Add().lset(stop);
      whileLoop(f, () => f.lget(p).lget(stop).i32LtS(), () => {
        f.lget(p).v128Zero().v128Store();
        addTo(f, p, 16);
      });
      addTo(f, q, 8);
    });
    addTo(f, base, P('rowBytes'));
    addTo(f, r, 1);
  });
}

/**
 * `fma`: multiply-adds as f32x4.relaxed_madd (needs relaxed SIMD; fused on x64), else mul + add. `shared`:
 * import a shared memory (the default heap) or a non-shared one (a page that is not cross-origin isolated),
 * matching the heap it is instantiated with.
 */
export function buildSparseModule(width = SPARSE_WIDTH, fma = false, shared = true): Uint8Array {
  if (width !== 1 && width % 4 !== 0) throw new RangeError(`buildSparseModule: width must be 1 or a multiple of 4, got ${width}`);
  const m = new ModuleBuilder({ module: 'env', field: 'memory', initialPages: 1, maximumPages: 65536, shared });
  emitForward(m, width, fma);
  emitGradWeight(m, width, fma);
  emitZeroRuns(m);
  emitSigmoid(m);
  return m.encode();
}

export interface SparseExports {
  spmm_fwd(M: number, N: number, rowStart: number, blockFeature: number, values: number, W: number, ldw: number, Y: number, ldy: number): void;
  spmm_dw(M: number, N: number, rowStart: number, blockFeature: number, values: number, dY: number, ldy: number, dW: number, ldw: number): void;
  zero_runs(rows: number, rowBytes: number, count: number, runs: number, A: number): void;
  sigmoid_f32(n: number, x: number, out: number): number;
}

