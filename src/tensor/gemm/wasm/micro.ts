/**
 * Register-blocked micro-kernels: an mr×nr tile of C kept in mr·nr/4 SIMD accumulators while k runs,
 * C_tile = alpha·Σ_k a(:,k)·b(k,:) + beta·C_tile, written once at the end.
 *
 * Per k step: nr/4 vector loads of b, then for each of the mr rows one broadcast load of a(i,k)
 * (`v128.load32_splat`, a single `vbroadcastss` on x64) and nr/4 multiply-adds. With relaxed SIMD the
 * multiply-add is `f32x4.relaxed_madd` (one FMA instruction); otherwise `f32x4.mul` + `f32x4.add`.
 *
 * Operand layouts (all addresses in bytes):
 * - A 'packed': a k-major panel, a(i,k) at `a + (k·mr + i)·4` (what the packers write).
 * - A 'bcast':  a k-major panel with every a(i,k) already broadcast to 4 lanes, at `a + (k·mr + i)·16`:
 *   a plain `v128.load` with a constant offset, which V8 emits as one instruction (its
 *   `load32_splat` with an offset costs an extra address computation).
 * - A 'rows':   row-major A, a(i,k) at `a + i·lda + k·4` (no packing; one pointer per row).
 * - B 'packed': a k-major panel, b(k,j) at `b + (k·nr + j)·4`.
 * - B 'strided': row-major B read in place, b(k,j) at `b + k·ldb + j·4` (full tiles only: the caller
 *   never points it past the last column).
 * beta = 0 stores without reading C, so NaN already in C does not propagate (BLAS semantics).
 */
import { FunctionBuilder, Local, ModuleBuilder, addTo, whileLoop } from './builder.js';
import { ValType } from './opcodes.js';

export type AMode = 'packed' | 'bcast' | 'rows';
export type BMode = 'packed' | 'strided';

export interface MicroShape {
  /** Rows of the register tile. */
  mr: number;
  /** Columns of the register tile, a multiple of 4. */
  nr: number;
  /** k steps per loop iteration. */
  unroll: number;
  /** Use f32x4.relaxed_madd. */
  fma: boolean;
}

export function microName(aMode: AMode, bMode: BMode, mr: number, nr: number): string {
  return `mk_${aMode[0]}${bMode[0]}_${mr}x${nr}`;
}

const { i32, f32, v128 } = ValType;

/** Emit `acc += a·b` with the three operands in locals. */
function madd(f: FunctionBuilder, acc: Local, a: Local, b: Local, fma: boolean): void {
  if (fma) f.lget(a).lget(b).lget(acc).f32x4RelaxedMadd().lset(acc);
  else f.lget(acc).lget(a).lget(b).f32x4Mul().f32x4Add().lset(acc);
}

/**
 * Declare and emit one micro-kernel. Signature:
 * (kc, a, lda, b, ldb, c, ldc, alpha, beta) — lda is ignored for packed A, ldb for packed B.
 */
export function emitMicroKernel(m: ModuleBuilder, aMode: AMode, bMode: BMode, shape: MicroShape, exported = false): void {
  const { mr, nr, unroll, fma } = shape;
  if (nr % 4 !== 0) throw new RangeError(`emitMicroKernel: nr must be a multiple of 4, got ${nr}`);
  const nv = nr / 4;
  const f = m.declare(
    microName(aMode, bMode, mr, nr),
    [['kc', i32], ['a', i32], ['lda', i32], ['b', i32], ['ldb', i32], ['c', i32], ['ldc', i32], ['alpha', f32], ['beta', f32]],
    [],
    exported,
  );
  const kc = f.get('kc');
  const a = f.get('a');
  const b = f.get('b');
  const ldb = f.get('ldb');
  const acc: Local[][] = [];
  for (let i = 0; i < mr; i++) {
    acc.push([]);
    for (let v = 0; v < nv; v++) acc[i].push(f.local(v128));
  }
  const bv: Local[] = [];
  for (let v = 0; v < nv; v++) bv.push(f.local(v128));
  const av = f.local(v128);
  // Row pointers for A in 'rows' mode.
  const rowPtr: Local[] = [];
  if (aMode === 'rows') {
    for (let i = 0; i < mr; i++) {
      const p = f.local(i32);
      if (i === 0) f.lget(a).lset(p);
      else f.lget(rowPtr[i - 1]).lget(f.get('lda')).i32Add().lset(p);
      rowPtr.push(p);
    }
  }
  for (const row of acc) for (const l of row) f.v128Zero().lset(l);

  /**
   * `steps` k steps with compile-time offsets, then advance the pointers. Steps after the first are each
   * nested in an `if (b ≠ odd constant)` — always true, b being a 4-byte-aligned address — which pins
   * their order: TurboFan places pure nodes (the multiply-adds) just before their first use, i.e. all
   * of them after the last step's loads, so an unrolled body would keep every step's operands live at
   * once and spill. A branch it cannot fold (a distinct constant per step) keeps each step's arithmetic
   * ahead of the next step's loads; the cost is one compare-and-branch per step.
   */
  const body = (steps: number): void => {
    for (let u = 0; u < steps; u++) {
      if (u > 0) f.lget(b).i32(2 * u + 1).i32Ne().if();
      for (let v = 0; v < nv; v++) {
        f.lget(b);
        f.v128Load(bMode === 'packed' ? (u * nr + v * 4) * 4 : v * 16).lset(bv[v]);
      }
      if (bMode === 'strided') addTo(f, b, ldb);
      for (let i = 0; i < mr; i++) {
        if (aMode === 'packed') f.lget(a).v128Load32Splat((u * mr + i) * 4);
        else if (aMode === 'bcast') f.lget(a).v128Load((u * mr + i) * 16);
        else f.lget(rowPtr[i]).v128Load32Splat(u * 4);
        f.lset(av);
        for (let v = 0; v < nv; v++) madd(f, acc[i][v], av, bv[v], fma);
      }
    }
    for (let u = 1; u < steps; u++) f.end();
    if (aMode === 'packed') addTo(f, a, steps * mr * 4);
    else if (aMode === 'bcast') addTo(f, a, steps * mr * 16);
    else for (const p of rowPtr) addTo(f, p, steps * 4);
    if (bMode === 'packed') addTo(f, b, steps * nr * 4);
    addTo(f, kc, -steps);
  };
  if (unroll > 1) {
    whileLoop(f, () => f.lget(kc).i32(unroll).i32GeS(), () => body(unroll));
  }
  whileLoop(f, () => f.lget(kc).i32(0).i32GtS(), () => body(1));

  // Epilogue: C = alpha·acc (+ beta·C).
  const alphaV = f.local(v128);
  const betaV = f.local(v128);
  const cRow = f.local(i32);
  f.lget(f.get('alpha')).f32x4Splat().lset(alphaV);
  f.lget(f.get('beta')).f32x4Splat().lset(betaV);
  const store = (readC: boolean): void => {
    f.lget(f.get('c')).lset(cRow);
    for (let i = 0; i < mr; i++) {
      for (let v = 0; v < nv; v++) {
        f.lget(cRow);
        f.lget(acc[i][v]).lget(alphaV).f32x4Mul();
        if (readC) f.lget(cRow).v128Load(v * 16).lget(betaV).f32x4Mul().f32x4Add();
        f.v128Store(v * 16);
      }
      if (i + 1 < mr) addTo(f, cRow, f.get('ldc'));
    }
  };
  f.lget(f.get('beta')).f32(0).f32Eq().if();
  store(false);
  f.else();
  store(true);
  f.end();
}

/**
 * merge(src, srcLd, dst, dstLd, m, n, alpha, beta): dst = alpha·src + beta·dst on an m×n block, scalar;
 * beta = 0 never reads dst. Used for edge tiles, which are computed whole into a scratch tile first.
 */
export function emitMerge(m: ModuleBuilder): void {
  const f = m.declare('merge', [['src', i32], ['srcLd', i32], ['dst', i32], ['dstLd', i32], ['m', i32], ['n', i32], ['alpha', f32], ['beta', f32]], [], true);
  const src = f.get('src');
  const dst = f.get('dst');
  const i = f.local(i32);
  const j = f.local(i32);
  const s = f.local(i32);
  const d = f.local(i32);
  const v = f.local(f32);
  whileLoop(f, () => f.lget(i).lget(f.get('m')).i32LtS(), () => {
    f.lget(src).lset(s);
    f.lget(dst).lset(d);
    f.i32(0).lset(j);
    whileLoop(f, () => f.lget(j).lget(f.get('n')).i32LtS(), () => {
      f.lget(s).f32Load().lget(f.get('alpha')).f32Mul().lset(v);
      f.lget(f.get('beta')).f32(0).f32Eq().i32Eqz().if();
      f.lget(v).lget(d).f32Load().lget(f.get('beta')).f32Mul().f32Add().lset(v);
      f.end();
      f.lget(d).lget(v).f32Store();
      addTo(f, s, 4);
      addTo(f, d, 4);
      addTo(f, j, 1);
    });
    addTo(f, src, f.get('srcLd'));
    addTo(f, dst, f.get('dstLd'));
    addTo(f, i, 1);
  });
}
