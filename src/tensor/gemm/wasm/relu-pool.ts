/**
 * WebAssembly SIMD versions of the CNN's ReLU and 2×2 max pooling, four lanes at a time, every operand in
 * the module's memory. The plain JS functions are the specification, matched bit for bit:
 *
 *   relu_f32(n, x, out):                 out = x ≤ 0 ? +0 : x            (`ops.relu`)
 *   relu_backward_f32(n, dy, y, dx):     dx = y > 0 ? dy : +0            (`ops.reluBackward`)
 *   maxpool2x2_f32(x, planes, H, W, OH, OW, y, am)            (`pool2x2` of src/layers/maxpool2d.ts)
 *   maxpool2x2_backward_f32(g, am, planes, H, W, OH, OW, dx)  (MaxPool2d.backward, kernel 2 = stride 2)
 *
 * How each matches the JS, which reads every float32 into a float64 and stores it back:
 * - Masks instead of arithmetic, so values pass through as bits: ReLU clears the lanes where x ≤ 0 (−0
 *   included, giving +0 like `v <= 0 ? 0 : v`; NaN compares false and passes); its backward keeps dy where
 *   y > 0 (NaN y gives +0, like the JS).
 * - NaNs: the float32 → float64 → float32 round trip of the JS quiets a signalling NaN (sets mantissa bit
 *   22, keeping sign and payload — measured in V8, interpreted and optimised); every NaN a kernel stores
 *   gets that bit ORed in, so even signalling NaNs come out as the JS makes them.
 * - Pooling: the window scanned (0,0), (0,1), (1,0), (1,1) from −∞, the running maximum and its plane index
 *   replaced where `v > best || v !== v` — per lane, with bitselect — so ties go to the first maximum and
 *   the last NaN wins, as in the JS. Lanes are four adjacent windows of one output row (the two rows'
 *   eight floats de-interleaved by shuffles). The argmax is the plane index ih·W + iw (i32), the same
 *   array the JS backward reads, so either direction may fall back to the JS independently.
 * - Pooling backward: with kernel 2 = stride 2 the windows do not overlap, so the JS's `dx.fill(0)` then
 *   `dx[argmax] += g` stores +0 + g in each winner (−0 → +0, NaN quietened) and +0 elsewhere — here by
 *   comparing each input element's plane index with its window's argmax; rows and columns no window
 *   covers (odd H or W) are zeroed.
 *
 * Ragged ends: ReLU takes n a multiple of 4 (the caller does the rest in JS); the pooling kernels end each
 * output row with one block shifted back to end at OW (recomputing a few outputs with the same values —
 * assignments, never additions), so they need OW ≥ 4 (forward) and OW ≥ 2 (backward); ../relu-pool.ts
 * checks that and the rest. Byte addresses; x may equal out, dx may equal dy or y.
 */
import { FunctionBuilder, type Local, ModuleBuilder, addTo, whileLoop } from './builder.js';
import { ValType } from './opcodes.js';

const { i32, v128 } = ValType;

/** A v128 constant with four i32 lanes (little-endian bytes). */
function i32x4Const(f: FunctionBuilder, lanes: readonly [number, number, number, number]): FunctionBuilder {
  const bytes: number[] = [];
  for (const v of lanes) for (let b = 0; b < 4; b++) bytes.push((v >>> (8 * b)) & 0xff);
  return f.v128Const(bytes);
}

/** float32's quiet bit (mantissa bit 22). */
const QUIET = 0x00400000;

/** Stack: v → v with the quiet bit set in its NaN lanes (what a float32 → float64 → float32 trip does). */
function quieten(f: FunctionBuilder, v: Local, quiet: Local): void {
  f.lget(v).lget(v).lget(v).f32x4Ne().lget(quiet).v128And().v128Or();
}

export function emitRelu(m: ModuleBuilder): void {
  const f = m.declare('relu_f32', [['n', i32], ['x', i32], ['out', i32]]);
  const p = f.local(i32), end = f.local(i32), v = f.local(v128), q = f.local(v128);
  i32x4Const(f, [QUIET, QUIET, QUIET, QUIET]).lset(q);
  f.lget(f.get('n')).i32(2).i32Shl().lset(end);
  whileLoop(f, () => f.lget(p).lget(end).i32LtS(), () => {
    f.lget(f.get('x')).lget(p).i32Add().v128Load().lset(v);
    f.lget(f.get('out')).lget(p).i32Add();
    quieten(f, v, q);
    f.lget(v).v128Zero().f32x4Le().v128Andnot(); // clear the lanes with x ≤ 0 (NaN: kept)
    f.v128Store();
    addTo(f, p, 16);
  });
}

export function emitReluBackward(m: ModuleBuilder): void {
  const f = m.declare('relu_backward_f32', [['n', i32], ['dy', i32], ['y', i32], ['dx', i32]]);
  const p = f.local(i32), end = f.local(i32), r = f.local(v128), q = f.local(v128);
  i32x4Const(f, [QUIET, QUIET, QUIET, QUIET]).lset(q);
  f.lget(f.get('n')).i32(2).i32Shl().lset(end);
  whileLoop(f, () => f.lget(p).lget(end).i32LtS(), () => {
    f.lget(f.get('dy')).lget(p).i32Add().v128Load();
    f.lget(f.get('y')).lget(p).i32Add().v128Load().v128Zero().f32x4Gt().v128And().lset(r);
    f.lget(f.get('dx')).lget(p).i32Add();
    quieten(f, r, q);
    f.v128Store();
    addTo(f, p, 16);
  });
}

const POOL_SHAPE = [['planes', i32], ['H', i32], ['W', i32], ['OH', i32], ['OW', i32]] as const;

export function emitMaxPool2x2(m: ModuleBuilder): void {
  const f = m.declare('maxpool2x2_f32', [['x', i32], ...POOL_SHAPE, ['y', i32], ['am', i32]]);
  const P = (s: string) => f.get(s);
  const plane = f.local(i32), oh = f.local(i32), ow = f.local(i32), last = f.local(i32);
  const r0 = f.local(i32), s = f.local(i32), wB = f.local(i32), rowIdx = f.local(i32), yRow = f.local(i32), amRow = f.local(i32);
  const a = f.local(v128), b = f.local(v128), c = f.local(v128), d = f.local(v128);
  const I = f.local(v128), best = f.local(v128), at = f.local(v128), e = f.local(v128), cond = f.local(v128), q = f.local(v128);
  const I1 = f.local(v128), IW = f.local(v128), IW1 = f.local(v128);
  i32x4Const(f, [QUIET, QUIET, QUIET, QUIET]).lset(q);
  f.lget(P('W')).i32(2).i32Shl().lset(wB);
  f.lget(P('OW')).i32(4).i32Sub().lset(last);
  f.lget(P('y')).lset(yRow);
  f.lget(P('am')).lset(amRow);
  // One scan step: cond = v > best | v ≠ v; best = cond ? v : best; at = cond ? idx : at.
  const step = (v: Local, idx: Local) => {
    f.lget(v).lget(best).f32x4Gt().lget(v).lget(v).f32x4Ne().v128Or().lset(cond);
    f.lget(v).lget(best).lget(cond).v128Bitselect().lset(best);
    f.lget(idx).lget(at).lget(cond).v128Bitselect().lset(at);
  };
  f.i32(0).lset(plane);
  whileLoop(f, () => f.lget(plane).lget(P('planes')).i32LtS(), () => {
    f.i32(0).lset(oh);
    whileLoop(f, () => f.lget(oh).lget(P('OH')).i32LtS(), () => {
      // r0: the window's top row in bytes; rowIdx its plane index 2·oh·W.
      f.lget(oh).lget(P('W')).i32Mul().i32(1).i32Shl().lset(rowIdx);
      f.lget(P('x')).lget(rowIdx).i32(2).i32Shl().i32Add().lset(r0);
      f.i32(0).lset(ow);
      whileLoop(f, () => f.lget(ow).lget(P('OW')).i32LtS(), () => {
        // ow = min(ow, OW − 4): the row's last block ends at OW.
        f.lget(ow).lget(last).lget(ow).lget(last).i32LtS().select().lset(ow);
        f.lget(r0).lget(ow).i32(3).i32Shl().i32Add().lset(s);
        f.lget(s).v128Load().lset(a);
        f.lget(s).v128Load(16).lset(b);
        f.lget(s).lget(wB).i32Add().ltee(s).v128Load().lset(c);
        f.lget(s).v128Load(16).lset(d);
        f.lget(rowIdx).lget(ow).i32(1).i32Shl().i32Add().i32x4Splat();
        i32x4Const(f, [0, 2, 4, 6]).i32x4Add().lset(I);
        f.lget(I).i32(1).i32x4Splat().i32x4Add().lset(I1);
        f.lget(I).lget(P('W')).i32x4Splat().i32x4Add().ltee(IW).i32(1).i32x4Splat().i32x4Add().lset(IW1);
        f.f32(-Infinity).f32x4Splat().lset(best);
        f.lget(I).lset(at);
        f.lget(a).lget(b).shuffle32([0, 2, 4, 6]).lset(e);
        step(e, I);
        f.lget(a).lget(b).shuffle32([1, 3, 5, 7]).lset(e);
        step(e, I1);
        f.lget(c).lget(d).shuffle32([0, 2, 4, 6]).lset(e);
        step(e, IW);
        f.lget(c).lget(d).shuffle32([1, 3, 5, 7]).lset(e);
        step(e, IW1);
        f.lget(yRow).lget(ow).i32(2).i32Shl().i32Add();
        quieten(f, best, q);
        f.v128Store();
        f.lget(amRow).lget(ow).i32(2).i32Shl().i32Add().lget(at).v128Store();
        addTo(f, ow, 4);
      });
      f.lget(P('OW')).i32(2).i32Shl().lset(s);
      addTo(f, yRow, s);
      addTo(f, amRow, s);
      addTo(f, oh, 1);
    });
    f.lget(P('H')).lget(wB).i32Mul().lset(s);
    addTo(f, P('x'), s);
    addTo(f, plane, 1);
  });
}

/** mem[from … to) = +0, scalar (bytes; the uncovered last column or rows). */
function emitZero(f: FunctionBuilder, k: Local, to: Local): void {
  whileLoop(f, () => f.lget(k).lget(to).i32LtU(), () => {
    f.lget(k).f32(0).f32Store();
    addTo(f, k, 4);
  });
}

export function emitMaxPool2x2Backward(m: ModuleBuilder): void {
  const f = m.declare('maxpool2x2_backward_f32', [['g', i32], ['am', i32], ...POOL_SHAPE, ['dx', i32]]);
  const P = (s: string) => f.get(s);
  const plane = f.local(i32), oh = f.local(i32), ow = f.local(i32), last = f.local(i32), wB = f.local(i32);
  const r0 = f.local(i32), s = f.local(i32), k = f.local(i32), to = f.local(i32), rowB = f.local(i32);
  const J = f.local(v128), Jc = f.local(v128), gv = f.local(v128), av = f.local(v128), t = f.local(v128), q = f.local(v128);
  i32x4Const(f, [QUIET, QUIET, QUIET, QUIET]).lset(q);
  f.lget(P('W')).i32(2).i32Shl().lset(wB);
  f.lget(P('OW')).i32(2).i32Sub().lset(last);
  f.lget(P('OW')).i32(2).i32Shl().lset(rowB);
  f.i32(0).lset(plane);
  whileLoop(f, () => f.lget(plane).lget(P('planes')).i32LtS(), () => {
    f.i32(0).lset(oh);
    whileLoop(f, () => f.lget(oh).lget(P('OH')).i32LtS(), () => {
      // J: the plane indices of the top row's columns 0…3; r0 its bytes.
      f.lget(oh).lget(P('W')).i32Mul().i32(1).i32Shl().ltee(s).i32x4Splat();
      i32x4Const(f, [0, 1, 2, 3]).i32x4Add().lset(J);
      f.lget(P('dx')).lget(s).i32(2).i32Shl().i32Add().lset(r0);
      f.i32(0).lset(ow);
      whileLoop(f, () => f.lget(ow).lget(P('OW')).i32LtS(), () => {
        f.lget(ow).lget(last).lget(ow).lget(last).i32LtS().select().lset(ow);
        // gv = [g0, g0, g1, g1] with −0 → +0 and NaN quietened (= +0 + g); av = [a0, a0, a1, a1].
        f.lget(P('g')).lget(ow).i32(2).i32Shl().i32Add().v128Load64Zero().ltee(t).lget(t).shuffle32([0, 0, 1, 1]).lset(t);
        f.lget(t).lget(t).v128Zero().f32x4Eq().v128Andnot().lset(gv);
        quieten(f, gv, q);
        f.lset(gv);
        f.lget(P('am')).lget(ow).i32(2).i32Shl().i32Add().v128Load64Zero().ltee(av).lget(av).shuffle32([0, 0, 1, 1]).lset(av);
        f.lget(J).lget(ow).i32(1).i32Shl().i32x4Splat().i32x4Add().lset(Jc);
        f.lget(r0).lget(ow).i32(3).i32Shl().i32Add().ltee(s);
        f.lget(gv).lget(av).lget(Jc).i32x4Eq().v128And().v128Store();
        f.lget(s).lget(wB).i32Add();
        f.lget(gv).lget(av).lget(Jc).lget(P('W')).i32x4Splat().i32x4Add().i32x4Eq().v128And().v128Store();
        addTo(f, ow, 2);
      });
      // Odd W: the last column of both rows is in no window.
      f.lget(r0).lget(P('OW')).i32(3).i32Shl().i32Add().lset(k);
      f.lget(r0).lget(wB).i32Add().lset(to);
      emitZero(f, k, to);
      f.lget(k).lget(P('OW')).i32(3).i32Shl().i32Add().lset(k);
      f.lget(to).lget(wB).i32Add().lset(to);
      emitZero(f, k, to);
      addTo(f, P('g'), rowB);
      addTo(f, P('am'), rowB);
      addTo(f, oh, 1);
    });
    // Odd H: the last row is in no window.
    f.lget(P('dx')).lget(P('OH')).i32(1).i32Shl().lget(wB).i32Mul().i32Add().lset(k);
    f.lget(P('H')).lget(wB).i32Mul().lget(P('dx')).i32Add().ltee(to).lset(P('dx'));
    emitZero(f, k, to);
    addTo(f, plane, 1);
  });
}

/** The module with the four kernels, importing the heap's memory (`shared` as the heap is). */
export function buildReluPoolModule(shared = true): Uint8Array {
  const m = new ModuleBuilder({ module: 'env', field: 'memory', initialPages: 1, maximumPages: 65536, shared });
  emitRelu(m);
  emitReluBackward(m);
  emitMaxPool2x2(m);
  emitMaxPool2x2Backward(m);
  return m.encode();
}

export interface ReluPoolExports {
  relu_f32(n: number, x: number, out: number): void;
  relu_backward_f32(n: number, dy: number, y: number, dx: number): void;
  maxpool2x2_f32(x: number, planes: number, H: number, W: number, OH: number, OW: number, y: number, am: number): void;
  maxpool2x2_backward_f32(g: number, am: number, planes: number, H: number, W: number, OH: number, OW: number, dx: number): void;
}
