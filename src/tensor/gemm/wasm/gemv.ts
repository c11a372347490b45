/**
 * Batch 1 with B not transposed: c = alpha·a·B + beta·c for one row a (1×K) and B (K×N, row-major).
 *
 * Streams B row by row, four rows at a time, so every load is sequential and each vector of c is read
 * and written once per four rows of B:
 *   c[j:j+4] += (alpha·a[k])·B[k, j:j+4] + … + (alpha·a[k+3])·B[k+3, j:j+4]
 * That is 4 multiply-adds per 5 loads and 1 store — close to the two-per-cycle limit — where the
 * register-tiled kernel would hold only nr/4 accumulators against one row (latency-bound) and walk B
 * column panel by column panel at a stride of a whole row.
 * alpha is folded into the a values (one extra rounding per term, within the spec's tolerance).
 *
 * gemv_n(K, N, a, aStep, B, ldb, c, alpha, beta) — addresses and strides in bytes; aStep is the distance
 * between a[k] and a[k+1] (4 for a row of A, lda for a column of a transposed A).
 */
import { FunctionBuilder, Local, ModuleBuilder, addTo, whileLoop } from './builder.js';
import { ValType } from './opcodes.js';

const { i32, f32, v128 } = ValType;

function madd(f: FunctionBuilder, acc: Local, a: Local, bAddr: () => void, fma: boolean): void {
  if (fma) {
    f.lget(a);
    bAddr();
    f.lget(acc).f32x4RelaxedMadd().lset(acc);
  } else {
    f.lget(acc).lget(a);
    bAddr();
    f.f32x4Mul().f32x4Add().lset(acc);
  }
}

export function emitGemvN(m: ModuleBuilder, fma: boolean): void {
  const f = m.declare(
    'gemv_n',
    [['K', i32], ['N', i32], ['a', i32], ['aStep', i32], ['B', i32], ['ldb', i32], ['c', i32], ['alpha', f32], ['beta', f32]],
    [],
    true,
  );
  const P = (n: string) => f.get(n);
  const j = f.local(i32);
  const k = f.local(i32);
  const cp = f.local(i32);
  const rows = [f.local(i32), f.local(i32), f.local(i32), f.local(i32)];
  const av = [f.local(v128), f.local(v128), f.local(v128), f.local(v128)];
  const as = [f.local(f32), f.local(f32), f.local(f32), f.local(f32)];
  const acc = f.local(v128);
  const nVec = f.local(i32);

  // c = beta·c (beta = 0 writes zeros without reading c).
  f.lget(P('N')).i32(-4).i32And().lset(nVec);
  f.lget(P('c')).lset(cp);
  whileLoop(f, () => f.lget(j).lget(P('N')).i32LtS(), () => {
    f.lget(cp);
    f.lget(P('beta')).f32(0).f32Eq().if();
    f.f32(0).lset(as[0]);
    f.else();
    f.lget(cp).f32Load().lget(P('beta')).f32Mul().lset(as[0]);
    f.end();
    f.lget(as[0]).f32Store();
    addTo(f, cp, 4);
    addTo(f, j, 1);
  });

  /** Add `count` rows of B (count = 4 or 1) starting at row k into c. */
  const rowsStep = (count: number): void => {
    for (let r = 0; r < count; r++) {
      // as[r] = alpha·a[k + r]; rows[r] = &B[k + r, 0]
      f.lget(P('a')).f32Load().lget(P('alpha')).f32Mul().ltee(as[r]).f32x4Splat().lset(av[r]);
      addTo(f, P('a'), P('aStep'));
      if (r === 0) f.lget(P('B')).lset(rows[0]);
      else f.lget(rows[r - 1]).lget(P('ldb')).i32Add().lset(rows[r]);
    }
    f.lget(P('c')).lset(cp);
    f.i32(0).lset(j);
    whileLoop(f, () => f.lget(j).lget(nVec).i32LtS(), () => {
      f.lget(cp).v128Load().lset(acc);
      for (let r = 0; r < count; r++) madd(f, acc, av[r], () => f.lget(rows[r]).v128Load(), fma);
      f.lget(cp).lget(acc).v128Store();
      for (let r = 0; r < count; r++) addTo(f, rows[r], 16);
      addTo(f, cp, 16);
      addTo(f, j, 4);
    });
    // Columns past the last multiple of 4.
    whileLoop(f, () => f.lget(j).lget(P('N')).i32LtS(), () => {
      f.lget(cp);
      f.lget(cp).f32Load();
      for (let r = 0; r < count; r++) f.lget(as[r]).lget(rows[r]).f32Load().f32Mul().f32Add();
      f.f32Store();
      for (let r = 0; r < count; r++) addTo(f, rows[r], 4);
      addTo(f, cp, 4);
      addTo(f, j, 1);
    });
    f.lget(P('B')).lget(P('ldb')).i32(count).i32Mul().i32Add().lset(P('B'));
    addTo(f, k, count);
  };
  whileLoop(f, () => f.lget(k).i32(4).i32Add().lget(P('K')).i32LeS(), () => rowsStep(4));
  whileLoop(f, () => f.lget(k).lget(P('K')).i32LtS(), () => rowsStep(1));
}
