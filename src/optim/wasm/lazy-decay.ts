/**
 * The two kernels behind Adadelta's lazy columns (../lazy-columns.ts), emitted into the Adadelta module:
 *
 * - `decay_runs(rows, rowBytes, count, runs, pending, span, a, b, rho)`: for every row and every column c
 *   of the runs (pairs: byte offset within a row, length in elements; whole 4-column blocks), multiply
 *   a[r, c] and b[r, c] by ρ, rounding to float32 each time, pending[c] times (`pending` is an Int32Array
 *   laid out like a row; `span` holds each block's least and greatest count) — the state change of
 *   pending[c] Adadelta steps with a +0 gradient, replayed in registers. Four rows at a time (eight
 *   independent multiplication chains); plain multiplications while every lane is due, masked ones after.
 *   Every 16 multiplications it checks whether another would change anything; once none would (0, or a
 *   subnormal that ρ·x rounds back to: a fixed point), the rest are skipped — the same result.
 * - `bounded_runs(rows, rowBytes, count, runs, a, limit) → i32`: 1 if every a value in the runs is below
 *   `limit` (NaN is not), else 0.
 *
 * Plain SIMD only (f32x4.mul is IEEE float32 multiplication), so both fused-operation modes share them.
 */
import { type ModuleBuilder, addTo, whileLoop } from '../../tensor/gemm/wasm/builder.js';
import { overRuns } from './lower.js';
import { ValType } from '../../tensor/gemm/wasm/opcodes.js';

const { i32, f32, v128 } = ValType;

/** Rows replayed together: 2 × ROWS independent multiplication chains keep the multiplier busy. */
const ROWS = 4;
/** Iterations between checks for a fixed point. */
const CHECK_EVERY = 16;

export function emitDecayRuns(m: ModuleBuilder): void {
  const f = m.declare('decay_runs', [['rows', i32], ['rowBytes', i32], ['count', i32], ['runs', i32], ['pending', i32], ['span', i32], ['a', i32], ['b', i32], ['rho', f32]]);
  const P = (n: string) => f.get(n);
  const rho = f.local(v128), k = f.local(v128), mask = f.local(v128);
  const x = Array.from({ length: 2 * ROWS }, () => f.local(v128));
  const addr = Array.from({ length: 2 * ROWS }, () => f.local(i32));
  const q = f.local(i32), end = f.local(i32), off = f.local(i32), stop = f.local(i32), r = f.local(i32);
  const kmin = f.local(i32), kmax = f.local(i32), i = f.local(i32), pa = f.local(i32), pb = f.local(i32);
  f.lget(P('rho')).f32x4Splat().lset(rho);

  /** Replay `g` rows from pa / pb (x[0..g) ← a rows, x[g..2g) ← b rows). */
  const group = (g: number): void => {
    const v = [...x.slice(0, g), ...x.slice(ROWS, ROWS + g)];
    const at = [...addr.slice(0, g), ...addr.slice(ROWS, ROWS + g)];
    for (let j = 0; j < g; j++) {
      f.lget(pa).lget(P('rowBytes')).i32(j).i32Mul().i32Add().lset(at[j]);
      f.lget(pb).lget(P('rowBytes')).i32(j).i32Mul().i32Add().lset(at[g + j]);
    }
    v.forEach((l, j) => f.lget(at[j]).v128Load().lset(l));
    const anyChanges = (masked: boolean): void => {
      v.forEach((l, j) => {
        f.lget(l).lget(rho).f32x4Mul().lget(l).f32x4Ne();
        if (j > 0) f.v128Or();
      });
      if (masked) f.lget(mask).v128And();
      f.v128AnyTrue();
    };
    f.i32(0).lset(i);
    f.block(); // $done
    f.block(); // $uniform-end
    f.loop(); // every lane pending: plain multiplications
    f.lget(i).lget(kmin).i32GeS().brIf(1);
    for (const l of v) f.lget(l).lget(rho).f32x4Mul().lset(l);
    addTo(f, i, 1);
    f.lget(i).i32(CHECK_EVERY - 1).i32And().i32Eqz().if();
    anyChanges(false);
    f.i32Eqz().brIf(3); // all at a fixed point: nothing more changes
    f.end();
    f.br(0).end();
    f.end(); // $uniform-end
    f.loop(); // some lanes pending
    f.lget(i).i32x4Splat().lget(k).i32x4LtS().ltee(mask).v128AnyTrue().i32Eqz().brIf(1);
    for (const l of v) f.lget(l).lget(rho).f32x4Mul().lget(l).lget(mask).v128Bitselect().lset(l);
    addTo(f, i, 1);
    f.lget(i).i32(CHECK_EVERY - 1).i32And().i32Eqz().if();
    anyChanges(true);
    f.i32Eqz().brIf(2);
    f.end();
    f.br(0).end();
    f.end(); // $done
    v.forEach((l, j) => f.lget(at[j]).lget(l).v128Store());
  };

  whileLoop(f, () => f.lget(q).lget(P('count')).i32LtS(), () => {
    f.lget(q).i32(3).i32Shl().lget(P('runs')).i32Add().ltee(end).i32Load().lset(off);
    f.lget(end).i32Load(4).i32(2).i32Shl().lget(off).i32Add().lset(stop);
    whileLoop(f, () => f.lget(off).lget(stop).i32LtS(), () => {
      // span: (min, max) of the block's pending counts, 8 bytes per 16-byte block, so at byte off/2.
      f.lget(P('span')).lget(off).i32(1).i32ShrU().i32Add().ltee(end).i32Load().lset(kmin);
      f.lget(end).i32Load(4).lset(kmax);
      f.lget(kmax).i32(0).i32GtS().if();
      f.lget(P('pending')).lget(off).i32Add().v128Load().lset(k);
      f.lget(P('a')).lget(off).i32Add().lset(pa);
      f.lget(P('b')).lget(off).i32Add().lset(pb);
      f.i32(0).lset(r);
      whileLoop(f, () => f.lget(r).i32(ROWS).i32Add().lget(P('rows')).i32LeS(), () => {
        group(ROWS);
        for (const p of [pa, pb]) f.lget(p).lget(P('rowBytes')).i32(ROWS).i32Mul().i32Add().lset(p);
        addTo(f, r, ROWS);
      });
      whileLoop(f, () => f.lget(r).lget(P('rows')).i32LtS(), () => {
        group(1);
        for (const p of [pa, pb]) addTo(f, p, P('rowBytes'));
        addTo(f, r, 1);
      });
      f.end();
      addTo(f, off, 16);
    });
    addTo(f, q, 1);
  });
}

export function emitBoundedRuns(m: ModuleBuilder): void {
  const f = m.declare('bounded_runs', [['rows', i32], ['rowBytes', i32], ['count', i32], ['runs', i32], ['a', i32], ['limit', f32]], [i32]);
  const P = (n: string) => f.get(n);
  const bad = f.local(v128), x = f.local(v128), limit = f.local(v128);
  f.lget(P('limit')).f32x4Splat().lset(limit);
  f.v128Zero().lset(bad);
  overRuns(f, (base, off) => {
    f.lget(P('a')).lget(base).i32Add().lget(off).i32Add().v128Load().lset(x);
    f.lget(bad).lget(x).lget(limit).f32x4Ge().lget(x).lget(x).f32x4Ne().v128Or().v128Or().lset(bad);
  });
  f.lget(bad).v128AnyTrue().i32Eqz();
}
