/**
 * The WebAssembly SIMD kernels of the sparse-input path (see ../sparse-rows.ts for the block form):
 *
 *   spmm_fwd:      Y[i, j] += Σ_b  X_b · W[j, k_b … k_b+3]         over the blocks b of row i   (Y = X·Wᵀ)
 *   spmm_dw:       dW[j, k_b … k_b+3] += dY[i, j] · X_b             for every block b of row i   (dW += dYᵀ·X)
 *   spmm_dw_cols:  the same weight gradient walked column by column over the batch's column index
 *                  (SparseRows.columns(), built here by `sparse_columns`) — for batches of ≥ 4 rows
 *
 * W and dW stay in PyTorch's [out, in] layout: a block's four weights W[j, k … k+3] are one 16-byte load.
 * The forward keeps `width` (6) outputs j … j+width−1 in registers (one f32x4 accumulator per output, lanes
 * = the block's four features) and walks the row's blocks once for all of them (one X load per `width`
 * W loads); the four lanes are reduced with two shuffle-add rounds, ((l0 + l2) + (l1 + l3)), and added to
 * Y. The row weight gradient splats dY[i, j] for `width` outputs and adds splat·X_b into the `width` rows
 * of dW (load, multiply, add, store); the column form (see emitGradWeightColumns) keeps dW's blocks in
 * registers instead. Multiply and add are separate (no relaxed FMA) unless built with `fma` (where the
 * engine has relaxed SIMD, as the gemm kernels do).
 *
 * The products are built per leading dimension of W (`buildSparseProductModule(ldwBytes)`): the rows
 * j … j+width−1 sit at immediate load offsets r·ldw from one pointer.
 *
 * spmm_fwd(M, N, rowStart, blockFeature, values, W, Y, ldy)
 * spmm_dw(M, N, rowStart, blockFeature, values, dY, ldy, dW)
 * spmm_dw_cols(N, columns, colStart, entries, values, dY, ldy, dW)
 * Addresses and leading dimensions in bytes; rowStart/blockFeature/colStart/entries are i32 arrays; block
 * features are feature indices (multiplied by 4 here).
 */
import { FunctionBuilder, Local, ModuleBuilder, addTo, whileLoop } from './builder.js';
import { ValType } from './opcodes.js';
import { emitSigmoid, emitSigmoidBackward } from './sigmoid.js';

const { i32, v128 } = ValType;

/**
 * Outputs per pass of the forward and of the row-form weight gradient. Measured (CPU µs per call, 784 → 256,
 * an MNIST batch of 50, product modules specialised per leading dimension, 5 rounds, medians): forward
 * width 4 → 263, 5 → 237, 6 → 217, 7 → 227, 8 → 273. V8 issues a pass's `width` weight loads ahead of
 * its multiply-adds, so `width` accumulators + `width` loaded weights + the block must fit the 16 SIMD
 * registers: 8 spills, 6 does not. Batch 1: 6 and 8 within noise (forward ~10 µs, weight gradient ~11 µs).
 * (Before the per-leading-dimension modules, with a pointer register per row: 4 → 397, 8 → 309, 12 → 438.)
 */
export const SPARSE_WIDTH = 6;

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

function emitForward(m: ModuleBuilder, ldw: number, width: number, fma: boolean): void {
  const f = m.declare('spmm_fwd', [['M', i32], ['N', i32], ['rowStart', i32], ['blockFeature', i32], ['values', i32], ['W', i32], ['Y', i32], ['ldy', i32]]);
  const P = (n: string) => f.get(n);
  const j = f.local(i32), yp = f.local(i32), wr = f.local(i32), p = f.local(i32);
  const acc = Array.from({ length: width }, () => f.local(v128));
  const pass = (w: number): void => {
    // wr = W + j·ldw (row j; rows j+r at the immediate offsets r·ldw); yp = Y + 4j
    f.lget(j).i32(ldw).i32Mul().lget(P('W')).i32Add().lset(wr);
    f.lget(j).i32(2).i32Shl().lget(P('Y')).i32Add().lset(yp);
    forEachRowBlock(f, {
      beforeRow: () => {
        for (let r = 0; r < w; r++) f.v128Zero().lset(acc[r]);
      },
      block: (x, c) => {
        f.lget(wr).lget(c).i32Add().lset(p);
        for (let r = 0; r < w; r++) {
          if (fma) f.lget(x).lget(p).v128Load(r * ldw).lget(acc[r]).f32x4RelaxedMadd().lset(acc[r]);
          else f.lget(acc[r]).lget(x).lget(p).v128Load(r * ldw).f32x4Mul().f32x4Add().lset(acc[r]);
        }
      },
      afterRow: () => {
        let q = 0;
        for (; q + 4 <= w; q += 4) {
          f.lget(yp).lget(yp).v128Load(4 * q);
          hsum4(f, acc[q], acc[q + 1], acc[q + 2], acc[q + 3]);
          f.f32x4Add().v128Store(4 * q);
        }
        for (; q < w; q++) {
          f.lget(yp).lget(yp).f32Load(4 * q);
          hsum(f, acc[q]);
          f.f32Add().f32Store(4 * q);
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

function emitGradWeightRows(m: ModuleBuilder, ldw: number, width: number, fma: boolean): void {
  const f = m.declare('spmm_dw', [['M', i32], ['N', i32], ['rowStart', i32], ['blockFeature', i32], ['values', i32], ['dY', i32], ['ldy', i32], ['dW', i32]]);
  const P = (n: string) => f.get(n);
  const j = f.local(i32), dyp = f.local(i32), wr = f.local(i32), p = f.local(i32);
  const s = Array.from({ length: width }, () => f.local(v128));
  const pass = (w: number): void => {
    f.lget(j).i32(ldw).i32Mul().lget(P('dW')).i32Add().lset(wr);
    f.lget(j).i32(2).i32Shl().lget(P('dY')).i32Add().lset(dyp);
    forEachRowBlock(f, {
      beforeRow: () => {
        for (let r = 0; r < w; r++) f.lget(dyp).v128Load32Splat(4 * r).lset(s[r]);
      },
      block: (x, c) => {
        f.lget(wr).lget(c).i32Add().lset(p);
        for (let r = 0; r < w; r++) {
          f.lget(p);
          if (fma) f.lget(s[r]).lget(x).lget(p).v128Load(r * ldw).f32x4RelaxedMadd();
          else f.lget(p).v128Load(r * ldw).lget(s[r]).lget(x).f32x4Mul().f32x4Add();
          f.v128Store(r * ldw);
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

/** In-register 4×4 transpose: rows a, b, c, d → columns into out[0…3] (8 shuffles). */
function transpose4(f: FunctionBuilder, a: Local, b: Local, c: Local, d: Local, out: Local[], t: Local[]): void {
  f.lget(a).lget(b).shuffle32([0, 4, 1, 5]).lset(t[0]); // a0 b0 a1 b1
  f.lget(a).lget(b).shuffle32([2, 6, 3, 7]).lset(t[1]); // a2 b2 a3 b3
  f.lget(c).lget(d).shuffle32([0, 4, 1, 5]).lset(t[2]);
  f.lget(c).lget(d).shuffle32([2, 6, 3, 7]).lset(t[3]);
  f.lget(t[0]).lget(t[2]).shuffle32([0, 1, 4, 5]).lset(out[0]); // a0 b0 c0 d0
  f.lget(t[0]).lget(t[2]).shuffle32([2, 3, 6, 7]).lset(out[1]);
  f.lget(t[1]).lget(t[3]).shuffle32([0, 1, 4, 5]).lset(out[2]);
  f.lget(t[1]).lget(t[3]).shuffle32([2, 3, 6, 7]).lset(out[3]);
}

/**
 * spmm_dw_cols(N, columns, colStart, entries, values, dY, ldy, dW): the weight gradient over the batch's
 * column index (SparseRows.columns()), for batches of many rows. Lanes run along outputs instead of
 * features: for each group of 8 outputs j … j+7 and each block column u that has entries, dW's blocks
 * dW[j … j+7, 4u … 4u+3] are loaded once and transposed in registers (lanes = outputs), every row i
 * holding block u adds dY[i, j … j+7]·x_f for its four features f (two loads of dY, a splat per feature,
 * one FMA per feature and group of 4 outputs), and the blocks are transposed back and stored once — where
 * the row kernel (spmm_dw) loads and stores dW once per row, block and output. Outputs past the last whole
 * group of 4 are left to the caller (the row kernel).
 *
 * The same float32 operations in the same order as spmm_dw (rows added in increasing order onto dW's
 * value, each product x·dY rounded as there), so both kernels give the same bits.
 *
 * Measured (784 → 256, an MNIST batch of 50, CPU time, 3 rounds): ~190 µs against ~355 µs for spmm_dw.
 * The same idea for the forward (Y read and written per entry, W's tile transposed per column) measured
 * no faster than spmm_fwd (V8 recomputed the loop-invariant transpose per entry; from a scratch tile it
 * needed 8 more loads per entry), so the forward keeps the row kernel.
 */
function emitGradWeightColumns(m: ModuleBuilder, ldw: number, fma: boolean): void {
  const f = m.declare('spmm_dw_cols', [['N', i32], ['columns', i32], ['colStart', i32], ['entries', i32], ['values', i32], ['dY', i32], ['ldy', i32], ['dW', i32]]);
  const P = (n: string) => f.get(n);
  const j = f.local(i32), wr = f.local(i32), dyj = f.local(i32), p = f.local(i32);
  const u = f.local(i32), cs = f.local(i32), e = f.local(i32), eEnd = f.local(i32), q = f.local(i32);
  const x = f.local(v128), sp = f.local(v128);
  // acc[h][f]: dW[j+4h … j+4h+3, 4u+f] (lanes = outputs); rows/t: transpose scratch; d[h]: dY[i, j+4h … j+4h+3].
  const acc = Array.from({ length: 2 }, () => Array.from({ length: 4 }, () => f.local(v128)));
  const rows = Array.from({ length: 4 }, () => f.local(v128));
  const t = Array.from({ length: 4 }, () => f.local(v128));
  const d = Array.from({ length: 2 }, () => f.local(v128));
  const pass = (groups: number): void => {
    f.lget(j).i32(ldw).i32Mul().lget(P('dW')).i32Add().lset(wr);
    f.lget(j).i32(2).i32Shl().lget(P('dY')).i32Add().lset(dyj);
    f.i32(0).lset(u);
    f.lget(P('colStart')).lset(cs);
    whileLoop(f, () => f.lget(u).lget(P('columns')).i32LtS(), () => {
      // e = entries + 8·colStart[u]; eEnd = entries + 8·colStart[u+1]
      f.lget(cs).i32Load().i32(3).i32Shl().lget(P('entries')).i32Add().lset(e);
      f.lget(cs).i32Load(4).i32(3).i32Shl().lget(P('entries')).i32Add().lset(eEnd);
      f.lget(e).lget(eEnd).i32LtS().if();
      {
        f.lget(u).i32(4).i32Shl().lget(wr).i32Add().lset(p);
        for (let h = 0; h < groups; h++) {
          for (let r = 0; r < 4; r++) f.lget(p).v128Load((4 * h + r) * ldw).lset(rows[r]);
          transpose4(f, rows[0], rows[1], rows[2], rows[3], acc[h], t);
        }
        whileLoop(f, () => f.lget(e).lget(eEnd).i32LtS(), () => {
          f.lget(e).i32Load().lget(P('values')).i32Add().v128Load().lset(x);
          f.lget(e).i32Load(4).lget(P('ldy')).i32Mul().lget(dyj).i32Add().lset(q);
          for (let h = 0; h < groups; h++) f.lget(q).v128Load(16 * h).lset(d[h]);
          for (let lane = 0; lane < 4; lane++) {
            f.lget(x).lget(x).shuffle32([lane, lane, lane, lane]).lset(sp);
            for (let h = 0; h < groups; h++) {
              if (fma) f.lget(sp).lget(d[h]).lget(acc[h][lane]).f32x4RelaxedMadd().lset(acc[h][lane]);
              else f.lget(acc[h][lane]).lget(sp).lget(d[h]).f32x4Mul().f32x4Add().lset(acc[h][lane]);
            }
          }
          addTo(f, e, 8);
        });
        for (let h = 0; h < groups; h++) {
          transpose4(f, acc[h][0], acc[h][1], acc[h][2], acc[h][3], rows, t);
          for (let r = 0; r < 4; r++) f.lget(p).lget(rows[r]).v128Store((4 * h + r) * ldw);
        }
      }
      f.end();
      addTo(f, cs, 4);
      addTo(f, u, 1);
    });
    addTo(f, j, 4 * groups);
  };
  whileLoop(f, () => f.lget(j).i32(8).i32Add().lget(P('N')).i32LeS(), () => pass(2));
  whileLoop(f, () => f.lget(j).i32(4).i32Add().lget(P('N')).i32LeS(), () => pass(1));
}

/**
 * sparse_columns(rows, rowStart, blockFeature, columns, colStart, entries): SparseRows.columns() — the column
 * index of a block form — built in place: count per column into colStart[u+1], prefix-sum, place each block's
 * (16·b, row) while advancing colStart[u], then shift colStart back by one column.
 */
function emitColumnIndex(m: ModuleBuilder): void {
  const f = m.declare('sparse_columns', [['rows', i32], ['rowStart', i32], ['blockFeature', i32], ['columns', i32], ['colStart', i32], ['entries', i32]]);
  const P = (n: string) => f.get(n);
  const p = f.local(i32), end = f.local(i32), r = f.local(i32), b = f.local(i32), bEnd = f.local(i32), c = f.local(i32), at = f.local(i32);
  // colStart[0 … columns] = 0
  f.lget(P('colStart')).lset(p);
  f.lget(P('columns')).i32(2).i32Shl().lget(P('colStart')).i32Add().lset(end);
  whileLoop(f, () => f.lget(p).lget(end).i32LeS(), () => {
    f.lget(p).i32(0).i32Store();
    addTo(f, p, 4);
  });
  // counts: colStart[u + 1]++ for every block (u = feature >> 2, so the byte offset is feature + 4)
  f.lget(P('blockFeature')).lset(p);
  f.lget(P('rows')).i32(2).i32Shl().lget(P('rowStart')).i32Add().i32Load().i32(2).i32Shl().lget(P('blockFeature')).i32Add().lset(end);
  whileLoop(f, () => f.lget(p).lget(end).i32LtS(), () => {
    f.lget(p).i32Load().lget(P('colStart')).i32Add().ltee(c).lget(c).i32Load(4).i32(1).i32Add().i32Store(4);
    addTo(f, p, 4);
  });
  // prefix sums: colStart[u + 1] += colStart[u]
  f.lget(P('colStart')).lset(p);
  f.lget(P('columns')).i32(2).i32Shl().lget(P('colStart')).i32Add().lset(end);
  whileLoop(f, () => f.lget(p).lget(end).i32LtS(), () => {
    f.lget(p).lget(p).i32Load(4).lget(p).i32Load().i32Add().i32Store(4);
    addTo(f, p, 4);
  });
  // place: for each row r and block b: at = colStart[u]++; entries[2at] = 16b, entries[2at + 1] = r
  whileLoop(f, () => f.lget(r).lget(P('rows')).i32LtS(), () => {
    f.lget(r).i32(2).i32Shl().lget(P('rowStart')).i32Add().ltee(p).i32Load().lset(b);
    f.lget(p).i32Load(4).lset(bEnd);
    whileLoop(f, () => f.lget(b).lget(bEnd).i32LtS(), () => {
      f.lget(b).i32(2).i32Shl().lget(P('blockFeature')).i32Add().i32Load().lget(P('colStart')).i32Add().ltee(c).i32Load().lset(at);
      f.lget(c).lget(at).i32(1).i32Add().i32Store();
      f.lget(at).i32(3).i32Shl().lget(P('entries')).i32Add().ltee(p);
      f.lget(b).i32(4).i32Shl().i32Store();
      f.lget(p).lget(r).i32Store(4);
      addTo(f, b, 1);
    });
    addTo(f, r, 1);
  });
  // shift back: colStart[u] = colStart[u − 1] for u = columns … 1; colStart[0] = 0
  f.lget(P('columns')).i32(2).i32Shl().lget(P('colStart')).i32Add().lset(p);
  whileLoop(f, () => f.lget(p).lget(P('colStart')).i32GtS(), () => {
    f.lget(p).lget(p).i32(4).i32Sub().i32Load().i32Store();
    addTo(f, p, -4);
  });
  f.lget(P('colStart')).i32(0).i32Store();
}

/**
 * sparse_gather(count, order, srcRowStart, srcFeature, srcValues, rowStart, blockFeature, values): the rows
 * order[0 … count−1] of a block form (SparseRows.gather): per row one contiguous copy of its block features
 * (4 bytes each) and values (16 bytes each, as v128), and rowStart advanced. The caller checks the row
 * indices and the capacity first.
 */
function emitGather(m: ModuleBuilder): void {
  const f = m.declare('sparse_gather', [['count', i32], ['order', i32], ['srcRowStart', i32], ['srcFeature', i32], ['srcValues', i32], ['rowStart', i32], ['blockFeature', i32], ['values', i32]]);
  const P = (n: string) => f.get(n);
  const r = f.local(i32), b = f.local(i32), from = f.local(i32), to = f.local(i32), s = f.local(i32), pf = f.local(i32), pv = f.local(i32), q = f.local(i32);
  f.lget(P('rowStart')).i32(0).i32Store();
  f.lget(P('blockFeature')).lset(pf);
  f.lget(P('values')).lset(pv);
  whileLoop(f, () => f.lget(r).lget(P('count')).i32LtS(), () => {
    // from, to = srcRowStart[i], srcRowStart[i + 1] with i = order[r]
    f.lget(r).i32(2).i32Shl().lget(P('order')).i32Add().i32Load().i32(2).i32Shl().lget(P('srcRowStart')).i32Add().ltee(q).i32Load().lset(from);
    f.lget(q).i32Load(4).lset(to);
    f.lget(from).lset(s);
    whileLoop(f, () => f.lget(s).lget(to).i32LtS(), () => {
      f.lget(pf).lget(s).i32(2).i32Shl().lget(P('srcFeature')).i32Add().i32Load().i32Store();
      f.lget(pv).lget(s).i32(4).i32Shl().lget(P('srcValues')).i32Add().v128Load().v128Store();
      addTo(f, pf, 4);
      addTo(f, pv, 16);
      addTo(f, s, 1);
    });
    // b += to − from; rowStart[r + 1] = b
    f.lget(b).lget(to).i32Add().lget(from).i32Sub().lset(b);
    f.lget(r).i32(2).i32Shl().lget(P('rowStart')).i32Add().lget(b).i32Store(4);
    addTo(f, r, 1);
  });
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
 * The two products for weights whose rows are `ldwBytes` bytes apart (baked in as immediate load offsets,
 * which frees the registers and adds that per-row pointers cost: one module per leading dimension).
 * `fma`: multiply-adds as f32x4.relaxed_madd (needs relaxed SIMD; fused on x64), else mul + add. `shared`:
 * import a shared memory (the default heap) or a non-shared one (a page that is not cross-origin isolated),
 * matching the heap it is instantiated with.
 */
export function buildSparseProductModule(ldwBytes: number, width = SPARSE_WIDTH, fma = false, shared = true): Uint8Array {
  if (!Number.isInteger(width) || width < 1 || width > 12) throw new RangeError(`buildSparseProductModule: width must be an integer in 1…12, got ${width}`);
  if (!Number.isInteger(ldwBytes) || ldwBytes < 4 || ldwBytes % 4 !== 0) throw new RangeError(`buildSparseProductModule: ldwBytes must be a positive multiple of 4, got ${ldwBytes}`);
  const m = new ModuleBuilder({ module: 'env', field: 'memory', initialPages: 1, maximumPages: 65536, shared });
  emitForward(m, ldwBytes, width, fma);
  emitGradWeightRows(m, ldwBytes, width, fma);
  emitGradWeightColumns(m, ldwBytes, fma);
  return m.encode();
}

/** The helpers beside the products: zero_runs (GradColumns), sparse_columns and sparse_gather (block forms), sigmoid_f32 and sigmoid_backward_f32 (activations.ts). */
export function buildSparseModule(shared = true): Uint8Array {
  const m = new ModuleBuilder({ module: 'env', field: 'memory', initialPages: 1, maximumPages: 65536, shared });
  emitZeroRuns(m);
  emitColumnIndex(m);
  emitGather(m);
  emitSigmoid(m);
  emitSigmoidBackward(m);
  return m.encode();
}

export interface SparseProductExports {
  spmm_fwd(M: number, N: number, rowStart: number, blockFeature: number, values: number, W: number, Y: number, ldy: number): void;
  spmm_dw(M: number, N: number, rowStart: number, blockFeature: number, values: number, dY: number, ldy: number, dW: number): void;
  spmm_dw_cols(N: number, columns: number, colStart: number, entries: number, values: number, dY: number, ldy: number, dW: number): void;
}

export interface SparseExports {
  sparse_gather(count: number, order: number, srcRowStart: number, srcFeature: number, srcValues: number, rowStart: number, blockFeature: number, values: number): void;
  sparse_columns(rows: number, rowStart: number, blockFeature: number, columns: number, colStart: number, entries: number): void;
  zero_runs(rows: number, rowBytes: number, count: number, runs: number, A: number): void;
  sigmoid_f32(n: number, x: number, out: number): number;
  sigmoid_backward_f32(n: number, dy: number, y: number, dx: number): void;
}

