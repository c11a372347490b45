/**
 * WebAssembly SIMD versions of Conv2d's patch unrolling (src/layers/conv2d.ts `im2col`, `col2imAdd`, the
 * plain JS reference implementations), over one example, every operand in the module's memory:
 *
 *   im2col:      cols[(c·kh + i)·kw + j][oh·OW + ow] = X[c, oh·sh − ph + i, ow·sw − pw + j]   (0 in the padding)
 *   col2im_add:  X[c, oh·sh − ph + i, ow·sw − pw + j] += cols[(c·kh + i)·kw + j][oh·OW + ow]   (padding dropped)
 *
 * Same loop nest as the JS: per cols row (c, i, j, oh) the in-bounds output columns [first, end) are
 * computed once per (c, i, j) as `inside` does (integer ceil/floor divisions instead of float ones),
 * rows whose input row ih lies in the padding are zero-filled (im2col) or skipped (col2im). Any stride,
 * padding and kernel size: with stride-1 columns (sw = 1) a row's in-bounds run is moved four floats per
 * f32x4 load/store — im2col ends the run with one overlapping vector (re-writing the same values), so
 * there is no scalar tail once the run has ≥ 4 floats; col2im_add ends it with scalar adds, since an
 * overlapping vector would add twice. With sw > 1 the run is a scalar strided loop.
 *
 * Bit-identical to the JS: im2col only copies; in col2im_add every X element receives its additions in
 * the JS loop order — rows (c, i, j, oh) in the same order, and within one row each ow touches a distinct
 * element (sw ≥ 1), so adding four lanes at once changes no element's order; a float32 add rounds like
 * JS's float64 add rounded to float32 (the double rounding is innocuous for +).
 *
 * im2col(x, C, H, W, kh, kw, sh, sw, ph, pw, OH, OW, cols)
 * col2im_add(cols, C, H, W, kh, kw, sh, sw, ph, pw, OH, OW, dx)
 * x, cols, dx: byte addresses of the example's first element; sh, sw, kh, kw ≥ 1, ph, pw ≥ 0 (checked by
 * the caller, ../im2col.ts, which also keeps the regions inside their arrays and apart).
 */
import { FunctionBuilder, Local, ModuleBuilder, addTo, whileLoop } from './builder.js';
import { ValType } from './opcodes.js';

const { i32 } = ValType;

const SHAPE = [['C', i32], ['H', i32], ['W', i32], ['kh', i32], ['kw', i32], ['sh', i32], ['sw', i32], ['ph', i32], ['pw', i32], ['OH', i32], ['OW', i32]] as const;

/** The locals a row body may read (byte quantities). */
interface Row {
  /** The cols row. */
  r: Local;
  /** The plane element of the row's first in-bounds column (valid in in-bounds rows only). */
  src: Local;
  firstB: Local;
  endB: Local;
  runB: Local;
  owB: Local;
  /** sw·4: the plane step between consecutive output columns. */
  swB: Local;
}

/** `a = min(a, b)` / `a = max(a, b)` (signed). */
function minInto(f: FunctionBuilder, a: Local, b: Local): void {
  f.lget(a).lget(b).lget(a).lget(b).i32LtS().select().lset(a);
}
function maxInto(f: FunctionBuilder, a: Local, b: Local): void {
  f.lget(a).lget(b).lget(a).lget(b).i32GtS().select().lset(a);
}

/**
 * The loop nest shared by both kernels: c, i, j (with [first, end) per (c, i, j)), oh; `inRow` for rows whose
 * input row is inside the plane, `padRow` (if any) for the others. `plane` walks the example's planes.
 */
function emitNest(f: FunctionBuilder, plane: Local, cols: Local, inRow: (row: Row) => void, padRow: ((row: Row) => void) | null): void {
  const P = (n: string) => f.get(n);
  const C = P('C'), H = P('H'), W = P('W'), kh = P('kh'), kw = P('kw'), sh = P('sh'), sw = P('sw'), ph = P('ph'), pw = P('pw'), OH = P('OH'), OW = P('OW');
  const c = f.local(i32), i = f.local(i32), j = f.local(i32), oh = f.local(i32), ih = f.local(i32);
  const first = f.local(i32), end = f.local(i32), t = f.local(i32), rowBase = f.local(i32), planeB = f.local(i32), wB = f.local(i32);
  const row: Row = {
    r: cols, src: f.local(i32), firstB: f.local(i32), endB: f.local(i32), runB: f.local(i32), owB: f.local(i32), swB: f.local(i32),
  };
  f.lget(OW).i32(2).i32Shl().lset(row.owB);
  f.lget(sw).i32(2).i32Shl().lset(row.swB);
  f.lget(W).i32(2).i32Shl().lset(wB);
  f.lget(H).lget(wB).i32Mul().lset(planeB);
  f.i32(0).lset(c);
  whileLoop(f, () => f.lget(c).lget(C).i32LtS(), () => {
    f.i32(0).lset(i);
    whileLoop(f, () => f.lget(i).lget(kh).i32LtS(), () => {
      f.i32(0).lset(j);
      whileLoop(f, () => f.lget(j).lget(kw).i32LtS(), () => {
        // first = min(OW, t > 0 ? ⌈t / sw⌉ : 0), t = pw − j
        f.lget(pw).lget(j).i32Sub().lset(t);
        f.lget(t).lget(sw).i32Add().i32(1).i32Sub().lget(sw).i32DivS().i32(0).lget(t).i32(0).i32GtS().select().lset(first);
        minInto(f, first, OW);
        // end = max(first, min(OW, t ≥ 0 ? ⌊t / sw⌋ + 1 : 0)), t = W − 1 + pw − j
        f.lget(W).i32(1).i32Sub().lget(pw).i32Add().lget(j).i32Sub().lset(t);
        f.lget(t).lget(sw).i32DivS().i32(1).i32Add().i32(0).lget(t).i32(0).i32GeS().select().lset(end);
        minInto(f, end, OW);
        maxInto(f, end, first);
        f.lget(first).i32(2).i32Shl().lset(row.firstB);
        f.lget(end).i32(2).i32Shl().lset(row.endB);
        f.lget(row.endB).lget(row.firstB).i32Sub().lset(row.runB);
        // rowBase = plane + (first·sw − pw + j)·4; the row's src adds ih·W·4
        f.lget(plane).lget(first).lget(sw).i32Mul().lget(pw).i32Sub().lget(j).i32Add().i32(2).i32Shl().i32Add().lset(rowBase);
        f.lget(i).lget(ph).i32Sub().lset(ih);
        f.i32(0).lset(oh);
        whileLoop(f, () => f.lget(oh).lget(OH).i32LtS(), () => {
          f.lget(ih).lget(H).i32GeU(); // ih < 0 or ih ≥ H
          f.if();
          if (padRow) padRow(row);
          f.else();
          f.lget(rowBase).lget(ih).lget(wB).i32Mul().i32Add().lset(row.src);
          inRow(row);
          f.end();
          addTo(f, row.r, row.owB);
          addTo(f, oh, 1);
          addTo(f, ih, sh);
        });
        addTo(f, j, 1);
      });
      addTo(f, i, 1);
    });
    addTo(f, plane, planeB);
    addTo(f, c, 1);
  });
}

/** mem[dst + k] = 0 for k in [from, to) in bytes, scalar (the few padding columns of a row). */
function emitZeroScalar(f: FunctionBuilder, dst: Local, k: Local, from: Local | number, to: Local): void {
  if (typeof from === 'number') f.i32(from).lset(k);
  else f.lget(from).lset(k);
  whileLoop(f, () => f.lget(k).lget(to).i32LtS(), () => {
    f.lget(dst).lget(k).i32Add().f32(0).f32Store();
    addTo(f, k, 4);
  });
}

/**
 * Move n bytes (a multiple of 4) from `src` to `dst`, or zero them when `src` is null: f32x4 steps and one
 * final vector ending at n (overlapping the last step) when n ≥ 16, scalar otherwise.
 */
function emitCopyRun(f: FunctionBuilder, dst: Local, src: Local | null, n: Local, k: Local, lim: Local): void {
  const load = (at: (g: FunctionBuilder) => void) => {
    if (src === null) f.v128Zero();
    else {
      f.lget(src);
      at(f);
      f.i32Add().v128Load();
    }
  };
  f.lget(n).i32(16).i32GeS();
  f.if();
  f.i32(0).lset(k);
  f.lget(n).i32(16).i32Sub().lset(lim);
  whileLoop(f, () => f.lget(k).lget(lim).i32LeS(), () => {
    f.lget(dst).lget(k).i32Add();
    load((g) => g.lget(k));
    f.v128Store();
    addTo(f, k, 16);
  });
  f.lget(dst).lget(lim).i32Add();
  load((g) => g.lget(lim));
  f.v128Store();
  f.else();
  f.i32(0).lset(k);
  whileLoop(f, () => f.lget(k).lget(n).i32LtS(), () => {
    f.lget(dst).lget(k).i32Add();
    if (src === null) f.f32(0);
    else f.lget(src).lget(k).i32Add().f32Load();
    f.f32Store();
    addTo(f, k, 4);
  });
  f.end();
}

export function emitIm2col(m: ModuleBuilder): void {
  const f = m.declare('im2col', [['x', i32], ...SHAPE, ['cols', i32]]);
  const k = f.local(i32), lim = f.local(i32), d = f.local(i32), s = f.local(i32), e = f.local(i32);
  emitNest(f, f.get('x'), f.get('cols'), (row) => {
    emitZeroScalar(f, row.r, k, 0, row.firstB);
    f.lget(row.r).lget(row.firstB).i32Add().lset(d);
    f.lget(f.get('sw')).i32(1).i32Eq();
    f.if();
    emitCopyRun(f, d, row.src, row.runB, k, lim);
    f.else();
    // Strided columns: one float per output column, sw floats apart in the plane.
    f.lget(row.src).lset(s);
    f.lget(row.r).lget(row.endB).i32Add().lset(e);
    whileLoop(f, () => f.lget(d).lget(e).i32LtU(), () => {
      f.lget(d).lget(s).f32Load().f32Store();
      addTo(f, d, 4);
      addTo(f, s, row.swB);
    });
    f.end();
    emitZeroScalar(f, row.r, k, row.endB, row.owB);
  }, (row) => emitCopyRun(f, row.r, null, row.owB, k, lim));
}

export function emitCol2imAdd(m: ModuleBuilder): void {
  const f = m.declare('col2im_add', [['cols', i32], ...SHAPE, ['dx', i32]]);
  const k = f.local(i32), lim = f.local(i32), s = f.local(i32), d = f.local(i32), e = f.local(i32);
  emitNest(f, f.get('dx'), f.get('cols'), (row) => {
    // s: the row's first in-bounds cols entry; d: the dx element it adds into.
    f.lget(row.r).lget(row.firstB).i32Add().lset(s);
    f.lget(row.src).lset(d);
    f.lget(f.get('sw')).i32(1).i32Eq();
    f.if();
    f.i32(0).lset(k);
    f.lget(row.runB).i32(16).i32Sub().lset(lim);
    whileLoop(f, () => f.lget(k).lget(lim).i32LeS(), () => {
      f.lget(d).lget(k).i32Add();
      f.lget(d).lget(k).i32Add().v128Load().lget(s).lget(k).i32Add().v128Load().f32x4Add();
      f.v128Store();
      addTo(f, k, 16);
    });
    whileLoop(f, () => f.lget(k).lget(row.runB).i32LtS(), () => {
      f.lget(d).lget(k).i32Add();
      f.lget(d).lget(k).i32Add().f32Load().lget(s).lget(k).i32Add().f32Load().f32Add();
      f.f32Store();
      addTo(f, k, 4);
    });
    f.else();
    f.lget(s).lget(row.runB).i32Add().lset(e);
    whileLoop(f, () => f.lget(s).lget(e).i32LtU(), () => {
      f.lget(d).lget(d).f32Load().lget(s).f32Load().f32Add().f32Store();
      addTo(f, s, 4);
      addTo(f, d, row.swB);
    });
    f.end();
  }, null);
}

/** The module with both kernels, importing the heap's memory (`shared` as the heap is). */
export function buildIm2colModule(shared = true): Uint8Array {
  const m = new ModuleBuilder({ module: 'env', field: 'memory', initialPages: 1, maximumPages: 65536, shared });
  emitIm2col(m);
  emitCol2imAdd(m);
  return m.encode();
}

export interface Im2colExports {
  im2col(x: number, C: number, H: number, W: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, OH: number, OW: number, cols: number): void;
  col2im_add(cols: number, C: number, H: number, W: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, OH: number, OW: number, dx: number): void;
}
