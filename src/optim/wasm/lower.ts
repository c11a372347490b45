/**
 * Lower a kernel body (./expr.ts) to a WebAssembly SIMD function over whole arrays:
 *
 *     name(n, scratch, ptr_0, …, ptr_{A−1}, s_0, …, s_{S−1})
 *
 * `ptr_k` is the byte address of array k, `s_j` a float32 hyper-parameter, `n` the element count. Four
 * elements at a time in f32x4; the last n mod 4 elements are copied to `scratch` (16 bytes per array),
 * run through the same code, and copied back — so the kernel never touches a byte outside the arrays,
 * which may be views next to other data.
 *
 * Rounding: f32x4 add/sub/mul/div/sqrt are IEEE float32 operations, as are PyTorch's vectorised CPU
 * kernels (`_mm256_add_ps`, `_mm256_div_ps`, `_mm256_sqrt_ps`, …); f32x4.max propagates NaN as
 * torch.maximum does. The fused node — one rounding of a·b + c — has two lowerings:
 * - `'fma'`: f32x4.relaxed_madd. Relaxed SIMD lets the engine fuse or not; it is used only after
 *   ./runtime.ts has checked on this engine and CPU that it is fused (a hardware FMA, as PyTorch's
 *   `vfmadd`).
 * - `'exact'`: plain SIMD. Each half of the vector is promoted to f64x2, where a·b is exact, and the sum
 *   a·b + c is rounded to double and demoted to float32. That rounds twice, which is wrong only when the
 *   double sum lands exactly halfway between two floats; so when any lane's sum could be such a point (its
 *   low 28 mantissa bits are zero), the vector's sums are first re-rounded *to odd* — the TwoSum error e
 *   tells whether rounding to nearest was inexact and in which direction, and an inexact result moves to
 *   its odd neighbour on the exact sum's side. Rounding to odd in 53 bits followed by rounding to nearest
 *   in 24 gives the correctly rounded float32 (Boldo & Melquiond, "Emulation of FMA and correctly rounded
 *   sums: proved algorithms using rounding to odd", IEEE Trans. Computers 57(4), 2008).
 */
import { FunctionBuilder, Local, ModuleBuilder, addTo, whileLoop } from '../../tensor/gemm/wasm/builder.js';
import { ValType } from '../../tensor/gemm/wasm/opcodes.js';
import { type KernelBody, type Node, loadsOf } from './expr.js';

export type FusedMode = 'fma' | 'exact';

export interface KernelSignature {
  readonly arrays: readonly string[];
  readonly scalars: readonly string[];
}

const { i32, f32, v128 } = ValType;

/** Bytes of scratch a kernel with `arrays` arrays needs for its remainder. */
export const scratchBytes = (arrays: number): number => 16 * arrays;

function scalarsOf(body: KernelBody): { all: Set<number>; fused: Set<number> } {
  const all = new Set<number>();
  const fused = new Set<number>();
  const visited = new Set<Node>();
  const walk = (n: Node): void => {
    if (visited.has(n)) return;
    visited.add(n);
    switch (n.op) {
      case 'load': break;
      case 'scalar': all.add(n.index); break;
      case 'sqrt': case 'neg': walk(n.a); break;
      case 'fma':
        for (const x of [n.a, n.b, n.c]) if (x.op === 'scalar') fused.add(x.index);
        walk(n.a); walk(n.b); walk(n.c);
        break;
      default: walk(n.a); walk(n.b);
    }
  };
  for (const s of body.stores) walk(s.value);
  return { all, fused };
}

export function emitKernel(m: ModuleBuilder, name: string, sig: KernelSignature, body: KernelBody, mode: FusedMode): void {
  const f = m.declare(name, [['n', i32], ['scratch', i32], ...sig.arrays.map((a) => [a, i32] as const), ...sig.scalars.map((s) => [s, f32] as const)]);
  const ptr = sig.arrays.map((a) => f.get(a));
  const { used, stored } = arraysOf(body);
  const emitBody = bodyEmitter(f, sig, body, mode, ptr);

  // Main loop: whole vectors.
  const i = f.local(i32);
  const n4 = f.local(i32);
  f.lget(f.get('n')).i32(-4).i32And().lset(n4);
  whileLoop(f, () => f.lget(i).lget(n4).i32LtS(), () => {
    emitBody();
    for (const k of used) addTo(f, ptr[k], 16);
    addTo(f, i, 4);
  });

  // Remainder: through scratch, so nothing outside the arrays is read or written.
  const r = f.local(i32);
  f.lget(f.get('n')).i32(3).i32And().lset(r);
  f.lget(r).if();
  const home = used.map(() => f.local(i32));
  used.forEach((k, q) => {
    f.lget(ptr[k]).lset(home[q]);
    f.lget(f.get('scratch')).i32(16 * q).i32Add().lset(ptr[k]);
    for (let lane = 0; lane < 3; lane++) {
      f.lget(r).i32(lane).i32GtS().if();
      f.lget(ptr[k]).lget(home[q]).f32Load(4 * lane).f32Store(4 * lane);
      f.end();
    }
  });
  emitBody();
  used.forEach((k, q) => {
    if (!stored.includes(k)) return;
    for (let lane = 0; lane < 3; lane++) {
      f.lget(r).i32(lane).i32GtS().if();
      f.lget(home[q]).lget(ptr[k]).f32Load(4 * lane).f32Store(4 * lane);
      f.end();
    }
  });
  f.end();
}

/**
 * `name(rows, rowBytes, count, runs, ptr_0, …, s_0, …)`: the same element-wise arithmetic over the column
 * runs of [rows, ·] matrices — for every row r and run q, the runs[2q + 1] elements from byte
 * r·rowBytes + runs[2q] of every array — where every run's length is a multiple of 4 (a tracked gradient's
 * runs are whole 4-column blocks: src/tensor/gemm/grad-columns.ts). One prologue for all runs and no
 * remainder: the runs are short (tens of elements) and many (hundreds of row-runs per step), so a call of
 * the whole-array kernel per run would cost more in set-up than in arithmetic.
 */
export function emitBlockRunsKernel(m: ModuleBuilder, name: string, sig: KernelSignature, body: KernelBody, mode: FusedMode): void {
  const f = m.declare(name, [['rows', i32], ['rowBytes', i32], ['count', i32], ['runs', i32], ...sig.arrays.map((a) => [a, i32] as const), ...sig.scalars.map((s) => [s, f32] as const)]);
  const base = sig.arrays.map((a) => f.get(a));
  const cur = sig.arrays.map(() => f.local(i32));
  const { used } = arraysOf(body);
  const emitBody = bodyEmitter(f, sig, body, mode, cur);
  overRuns(
    f,
    () => {
      emitBody();
      for (const k of used) addTo(f, cur[k], 16);
    },
    (rowBase, off) => {
      for (const k of used) f.lget(base[k]).lget(rowBase).i32Add().lget(off).i32Add().lset(cur[k]);
    },
  );
}

/**
 * Emit `for r < rows, for run q, for every 4 columns at byte offset off: body(rowBase, off)` over the
 * parameters `rows`, `rowBytes`, `count` and `runs` (pairs: byte offset within a row, length in elements, a
 * multiple of 4) — the loop nest of every kernel over a tracked gradient's column runs. `atRunStart` emits
 * code once per row and run, before its first block (pointer set-up).
 */
export function overRuns(f: FunctionBuilder, body: (base: Local, off: Local) => void, atRunStart?: (base: Local, off: Local) => void): void {
  const P = (n: string) => f.get(n);
  const r = f.local(i32), q = f.local(i32), end = f.local(i32), off = f.local(i32), stop = f.local(i32), base = f.local(i32);
  whileLoop(f, () => f.lget(r).lget(P('rows')).i32LtS(), () => {
    f.lget(P('runs')).lset(q);
    f.lget(P('count')).i32(3).i32Shl().lget(q).i32Add().lset(end);
    whileLoop(f, () => f.lget(q).lget(end).i32LtS(), () => {
      f.lget(q).i32Load().lset(off);
      f.lget(q).i32Load(4).i32(2).i32Shl().lget(off).i32Add().lset(stop);
      atRunStart?.(base, off);
      whileLoop(f, () => f.lget(off).lget(stop).i32LtS(), () => {
        body(base, off);
        addTo(f, off, 16);
      });
      addTo(f, q, 8);
    });
    addTo(f, base, P('rowBytes'));
    addTo(f, r, 1);
  });
}

/** The arrays a body loads or stores (`used`) and those it stores, ascending. */
function arraysOf(body: KernelBody): { used: number[]; stored: number[] } {
  const loads = loadsOf(body);
  const stored = [...new Set(body.stores.map((s) => s.array))].sort((x, y) => x - y);
  return { used: [...new Set([...loads, ...stored])].sort((x, y) => x - y), stored };
}

/**
 * Emit the prologue (hyper-parameters splatted once, promoted to f64x2 where a fused node uses them in
 * 'exact' mode) and return the emitter of one vector of the body, loading from and storing to the
 * addresses in `ptr` (indexed like `sig.arrays`).
 */
function bodyEmitter(f: FunctionBuilder, sig: KernelSignature, body: KernelBody, mode: FusedMode, ptr: readonly Local[]): () => void {
  const loads = loadsOf(body);
  const { all: scalarIdx, fused: fusedScalars } = scalarsOf(body);
  const splat = new Map<number, Local>();
  const splat64 = new Map<number, Local>();
  for (const j of scalarIdx) {
    const l = f.local(v128);
    f.lget(f.get(sig.scalars[j])).f32x4Splat().lset(l);
    splat.set(j, l);
    if (mode === 'exact' && fusedScalars.has(j)) {
      const d = f.local(v128);
      f.lget(l).f64x2PromoteLowF32x4().lset(d);
      splat64.set(j, d);
    }
  }
  const consts = mode === 'exact' ? exactConstants(f) : null;

  const emitBody = (): void => {
    const value = new Map<Node, Local>();
    const promoted = new Map<Node, [Local, Local]>();
    const loaded = new Map<number, Local>();
    for (const k of loads) {
      const l = f.local(v128);
      f.lget(ptr[k]).v128Load().lset(l);
      loaded.set(k, l);
    }
    const val = (n: Node): Local => {
      if (n.op === 'load') return loaded.get(n.array)!;
      if (n.op === 'scalar') return splat.get(n.index)!;
      const hit = value.get(n);
      if (hit) return hit;
      const out = f.local(v128);
      switch (n.op) {
        case 'add': case 'sub': case 'mul': case 'div': case 'max': {
          const a = val(n.a);
          const b = val(n.b);
          f.lget(a).lget(b);
          if (n.op === 'add') f.f32x4Add();
          else if (n.op === 'sub') f.f32x4Sub();
          else if (n.op === 'mul') f.f32x4Mul();
          else if (n.op === 'div') f.f32x4Div();
          else f.f32x4Max();
          break;
        }
        case 'sqrt': f.lget(val(n.a)).f32x4Sqrt(); break;
        case 'neg': f.lget(val(n.a)).f32x4Neg(); break;
        case 'fma': {
          if (mode === 'fma') {
            const a = val(n.a);
            const b = val(n.b);
            const c = val(n.c);
            f.lget(a).lget(b).lget(c).f32x4RelaxedMadd();
          } else {
            const [alo, ahi] = promote(n.a);
            const [blo, bhi] = promote(n.b);
            const [clo, chi] = promote(n.c);
            const lo = doubleSum(f, alo, blo, clo);
            const hi = doubleSum(f, ahi, bhi, chi);
            // Only a sum whose low 28 mantissa bits are zero can be a float32 halfway point (every halfway
            // point, normal, subnormal or at the overflow threshold, has at most 25 significant bits):
            // round to odd only then, for the whole vector — rarely taken on real data.
            const k = consts!;
            f.lget(lo.s).lget(k.low28).v128And().lget(k.zero).i64x2Eq();
            f.lget(hi.s).lget(k.low28).v128And().lget(k.zero).i64x2Eq();
            f.v128Or().v128AnyTrue().if();
            roundToOdd(f, lo, k);
            roundToOdd(f, hi, k);
            f.end();
            f.lget(lo.s).f32x4DemoteF64x2Zero().lget(hi.s).f32x4DemoteF64x2Zero().shuffle32([0, 1, 4, 5]);
          }
          break;
        }
      }
      f.lset(out);
      value.set(n, out);
      return out;
    };
    /** Lanes 0–1 and 2–3 of a float32 vector as two f64x2 (exact). */
    const promote = (n: Node): [Local, Local] => {
      if (n.op === 'scalar') {
        const d = splat64.get(n.index)!;
        return [d, d];
      }
      const hit = promoted.get(n);
      if (hit) return hit;
      const v = val(n);
      const lo = f.local(v128);
      const hi = f.local(v128);
      f.lget(v).f64x2PromoteLowF32x4().lset(lo);
      f.lget(v).lget(v).shuffle32([2, 3, 2, 3]).f64x2PromoteLowF32x4().lset(hi);
      const pair: [Local, Local] = [lo, hi];
      promoted.set(n, pair);
      return pair;
    };
    const results = body.stores.map((s) => val(s.value));
    body.stores.forEach((s, k) => {
      f.lget(ptr[s.array]).lget(results[k]).v128Store();
    });
  };

  return emitBody;
}

interface ExactConstants {
  zero: Local;
  /** i64x2 (1, 1). */
  one: Local;
  /** i64x2 (2^28 − 1, 2^28 − 1): the low 28 bits of a double's mantissa. */
  low28: Local;
}

function exactConstants(f: FunctionBuilder): ExactConstants {
  const zero = f.local(v128);
  const one = f.local(v128);
  const low28 = f.local(v128);
  f.v128Zero().lset(zero);
  f.v128Const([1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]).lset(one);
  f.v128Const([0xff, 0xff, 0xff, 0x0f, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x0f, 0, 0, 0, 0]).lset(low28);
  return { zero, one, low28 };
}

/** The product p = a·b (exact) and s = p + c rounded to double, for two f64 lanes holding float32 values. */
interface DoubleSum {
  p: Local;
  c: Local;
  s: Local;
}

function doubleSum(f: FunctionBuilder, a: Local, b: Local, c: Local): DoubleSum {
  const p = f.local(v128);
  const s = f.local(v128);
  f.lget(a).lget(b).f64x2Mul().lset(p);
  f.lget(p).lget(c).f64x2Add().lset(s);
  return { p, c, s };
}

/**
 * Replace s = p + c (rounded to nearest) by p + c rounded to double *to odd*:
 *
 *     e = (p − (s − bb)) + (c − bb), bb = s − p        (p + c = s + e exactly: Knuth's TwoSum)
 *     inexact = e ≠ 0 (false for NaN: infinities and NaN pass through as s)
 *     towardZero = sign(e) ≠ sign(s)                   (the exact sum is below s in magnitude)
 *     bits(s) ← inexact ? ((bits(s) − towardZero) | 1) : bits(s)
 *
 * For odd s this keeps s; for even s it takes the odd neighbour on the exact sum's side.
 */
function roundToOdd(f: FunctionBuilder, d: DoubleSum, k: ExactConstants): void {
  const { p, c, s } = d;
  const bb = f.local(v128);
  const e = f.local(v128);
  const neg = f.local(v128);
  const inexact = f.local(v128);
  f.lget(s).lget(p).f64x2Sub().lset(bb);
  f.lget(p).lget(s).lget(bb).f64x2Sub().f64x2Sub();
  f.lget(c).lget(bb).f64x2Sub();
  f.f64x2Add().lset(e);
  f.lget(e).lget(k.zero).f64x2Lt().lset(neg);
  f.lget(k.zero).lget(e).f64x2Lt().lget(neg).v128Or().lset(inexact);
  // towardZero mask (all ones = −1 as i64) where inexact: added to bits(s) it subtracts one.
  f.lget(s);
  f.lget(neg).lget(s).lget(k.zero).f64x2Lt().v128Xor().lget(inexact).v128And();
  f.i64x2Add();
  f.lget(inexact).lget(k.one).v128And().v128Or().lset(s);
}
