/**
 * Packing: copy a block of op(A) or op(B) into k-major panels of width w (mr for A, nr for B),
 * element (p, k) of panel q at `dst + ((q·kc + k)·w + p)·4`, the last panel zero-padded. The micro-kernel
 * then reads both operands with unit stride and compile-time offsets, whatever the caller's layout.
 *
 * Which way a layout is "contiguous" decides the copy:
 * - along the panel width (B not transposed, A transposed): each k is a w-wide contiguous run → vector
 *   copies (v128 / i64 / f32 pieces).
 * - along k (B transposed, A not transposed): a transpose. Full groups of 4×4 use the shuffle transpose
 *   below; the rest is scalar.
 *
 * All take (src, ld, kc, count, dst) with `count` the panel-direction extent (n for B, m for A), bytes for
 * addresses and ld. `pack_scalar(src, strideP, strideK, valid, w, kc, dst)` is the general fallback for
 * one panel: dst[k·w + p] = p < valid ? src[p·strideP + k·strideK] : 0.
 */
import { FunctionBuilder, Local, ModuleBuilder, addTo, whileLoop } from './builder.js';
import { ValType } from './opcodes.js';

const { i32, v128 } = ValType;

export function emitPackScalar(m: ModuleBuilder): void {
  const f = m.declare('pack_scalar', [['src', i32], ['strideP', i32], ['strideK', i32], ['valid', i32], ['w', i32], ['kc', i32], ['dst', i32]], [], true);
  const k = f.local(i32);
  const p = f.local(i32);
  const s = f.local(i32);
  const d = f.local(i32);
  f.lget(f.get('dst')).lset(d);
  whileLoop(f, () => f.lget(k).lget(f.get('kc')).i32LtS(), () => {
    f.i32(0).lset(p);
    f.lget(f.get('src')).lset(s);
    whileLoop(f, () => f.lget(p).lget(f.get('w')).i32LtS(), () => {
      f.lget(p).lget(f.get('valid')).i32LtS().if();
      f.lget(d).lget(s).f32Load().f32Store();
      f.else();
      f.lget(d).f32(0).f32Store();
      f.end();
      addTo(f, s, f.get('strideP'));
      addTo(f, d, 4);
      addTo(f, p, 1);
    });
    addTo(f, f.get('src'), f.get('strideK'));
    addTo(f, k, 1);
  });
}

/** Copy w contiguous floats from [s] to [d] with the widest pieces (v128, i64, f32). */
function copyRun(f: FunctionBuilder, s: Local, d: Local, w: number): void {
  let o = 0;
  for (; o + 4 <= w; o += 4) f.lget(d).lget(s).v128Load(o * 4).v128Store(o * 4);
  for (; o + 2 <= w; o += 2) f.lget(d).lget(s).i64Load(o * 4).i64Store(o * 4);
  for (; o < w; o++) f.lget(d).lget(s).f32Load(o * 4).f32Store(o * 4);
}

/**
 * `name(src, ld, kc, count, dst)` for a layout contiguous along the panel: element (p, k) at
 * src + k·ld + p·4.
 */
export function emitPackContiguous(m: ModuleBuilder, fnName: string, w: number): void {
  const f = m.declare(fnName, [['src', i32], ['ld', i32], ['kc', i32], ['count', i32], ['dst', i32]], [], true);
  const q0 = f.local(i32);
  const k = f.local(i32);
  const s = f.local(i32);
  const d = f.local(i32);
  f.lget(f.get('dst')).lset(d);
  whileLoop(f, () => f.lget(q0).lget(f.get('count')).i32LtS(), () => {
    f.lget(f.get('count')).lget(q0).i32Sub().i32(w).i32GeS().if();
    f.lget(f.get('src')).lset(s);
    f.i32(0).lset(k);
    whileLoop(f, () => f.lget(k).lget(f.get('kc')).i32LtS(), () => {
      copyRun(f, s, d, w);
      addTo(f, s, f.get('ld'));
      addTo(f, d, w * 4);
      addTo(f, k, 1);
    });
    f.else();
    // Last, partial panel.
    f.lget(f.get('src')).i32(4).lget(f.get('ld')).lget(f.get('count')).lget(q0).i32Sub().i32(w).lget(f.get('kc')).lget(d);
    f.call(m.indexOf('pack_scalar'));
    f.end();
    addTo(f, f.get('src'), w * 4);
    addTo(f, q0, w);
  });
}

/**
 * `name(src, ld, kc, count, dst)` for a layout contiguous along k: element (p, k) at src + p·ld + k·4.
 * Full panels (w a multiple of 4) move 4×4 blocks through registers with the shuffle transpose.
 */
export function emitPackTransposed(m: ModuleBuilder, fnName: string, w: number): void {
  const f = m.declare(fnName, [['src', i32], ['ld', i32], ['kc', i32], ['count', i32], ['dst', i32]], [], true);
  const q0 = f.local(i32);
  const k = f.local(i32);
  const d = f.local(i32);
  const panel = f.local(i32);
  const row: Local[] = [];
  for (let t = 0; t < w; t++) row.push(f.local(i32));
  const r = [f.local(v128), f.local(v128), f.local(v128), f.local(v128)];
  const t = [f.local(v128), f.local(v128), f.local(v128), f.local(v128)];
  f.lget(f.get('dst')).lset(panel);
  whileLoop(f, () => f.lget(q0).lget(f.get('count')).i32LtS(), () => {
    f.lget(f.get('count')).lget(q0).i32Sub().i32(w).i32GeS().if();
    // Row pointers of this panel.
    for (let p = 0; p < w; p++) {
      if (p === 0) f.lget(f.get('src')).lset(row[0]);
      else f.lget(row[p - 1]).lget(f.get('ld')).i32Add().lset(row[p]);
    }
    f.lget(panel).lset(d);
    f.i32(0).lset(k);
    if (w % 4 === 0) {
      whileLoop(f, () => f.lget(k).i32(4).i32Add().lget(f.get('kc')).i32LeS(), () => {
        for (let g = 0; g < w / 4; g++) {
          for (let x = 0; x < 4; x++) f.lget(row[g * 4 + x]).v128Load().lset(r[x]);
          f.lget(r[0]).lget(r[1]).shuffle32([0, 4, 1, 5]).lset(t[0]);
          f.lget(r[0]).lget(r[1]).shuffle32([2, 6, 3, 7]).lset(t[1]);
          f.lget(r[2]).lget(r[3]).shuffle32([0, 4, 1, 5]).lset(t[2]);
          f.lget(r[2]).lget(r[3]).shuffle32([2, 6, 3, 7]).lset(t[3]);
          // Column x of the 4×4 block (k = x) goes to dst + (x·w + 4g)·4.
          f.lget(d).lget(t[0]).lget(t[2]).shuffle32([0, 1, 4, 5]).v128Store((0 * w + 4 * g) * 4);
          f.lget(d).lget(t[0]).lget(t[2]).shuffle32([2, 3, 6, 7]).v128Store((1 * w + 4 * g) * 4);
          f.lget(d).lget(t[1]).lget(t[3]).shuffle32([0, 1, 4, 5]).v128Store((2 * w + 4 * g) * 4);
          f.lget(d).lget(t[1]).lget(t[3]).shuffle32([2, 3, 6, 7]).v128Store((3 * w + 4 * g) * 4);
        }
        for (const p of row) addTo(f, p, 16);
        addTo(f, d, 4 * w * 4);
        addTo(f, k, 4);
      });
    }
    // Remaining k steps (all of them when w is not a multiple of 4): one scalar gather per row.
    whileLoop(f, () => f.lget(k).lget(f.get('kc')).i32LtS(), () => {
      for (let p = 0; p < w; p++) f.lget(d).lget(row[p]).f32Load().f32Store(p * 4);
      for (const p of row) addTo(f, p, 4);
      addTo(f, d, w * 4);
      addTo(f, k, 1);
    });
    f.else();
    f.lget(f.get('src')).lget(f.get('ld')).i32(4).lget(f.get('count')).lget(q0).i32Sub().i32(w).lget(f.get('kc')).lget(panel);
    f.call(m.indexOf('pack_scalar'));
    f.end();
    f.lget(f.get('src')).lget(f.get('ld')).i32(w).i32Mul().i32Add().lset(f.get('src'));
    f.lget(panel).lget(f.get('kc')).i32(w * 4).i32Mul().i32Add().lset(panel);
    addTo(f, q0, w);
  });
}

/**
 * `name(src, ld, kc, count, dst)`: pack op(A) for the 'bcast' micro-kernel — panels of w rows, k-major,
 * each element broadcast to a 16-byte vector: element (p, k) of panel q at dst + ((q·kc + k)·w + p)·16,
 * rows past `count` zero. `alongK` says how the source is laid out: element (p, k) at src + p·ld + k·4
 * (A not transposed) or at src + k·ld + p·4 (A transposed).
 */
export function emitPackBroadcast(m: ModuleBuilder, fnName: string, w: number, alongK: boolean): void {
  const f = m.declare(fnName, [['src', i32], ['ld', i32], ['kc', i32], ['count', i32], ['dst', i32]], [], true);
  const q0 = f.local(i32);
  const k = f.local(i32);
  const valid = f.local(i32);
  const d = f.local(i32);
  const kPtr = f.local(i32);
  const tmp = f.local(v128);
  const row: Local[] = [];
  for (let t = 0; t < w; t++) row.push(f.local(i32));
  f.lget(f.get('dst')).lset(d);
  whileLoop(f, () => f.lget(q0).lget(f.get('count')).i32LtS(), () => {
    f.lget(f.get('count')).lget(q0).i32Sub().lset(valid);
    if (alongK) {
      // Row pointers; those of rows past `valid` are computed but never dereferenced.
      for (let p = 0; p < w; p++) {
        if (p === 0) f.lget(f.get('src')).lset(row[0]);
        else f.lget(row[p - 1]).lget(f.get('ld')).i32Add().lset(row[p]);
      }
    }
    f.lget(f.get('src')).lset(kPtr);
    f.i32(0).lset(k);
    whileLoop(f, () => f.lget(k).lget(f.get('kc')).i32LtS(), () => {
      for (let p = 0; p < w; p++) {
        const load = (): void => {
          if (alongK) f.lget(row[p]).v128Load32Splat();
          else f.lget(kPtr).v128Load32Splat(p * 4);
        };
        if (p === 0) load();
        else {
          f.i32(p).lget(valid).i32LtS().if();
          load();
          f.lset(tmp);
          f.else();
          f.v128Zero().lset(tmp);
          f.end();
          f.lget(tmp);
        }
        f.lset(tmp);
        f.lget(d).lget(tmp).v128Store(p * 16);
      }
      if (alongK) for (const r of row) addTo(f, r, 4);
      else addTo(f, kPtr, f.get('ld'));
      addTo(f, d, w * 16);
      addTo(f, k, 1);
    });
    if (alongK) f.lget(f.get('src')).lget(f.get('ld')).i32(w).i32Mul().i32Add().lset(f.get('src'));
    else addTo(f, f.get('src'), w * 4);
    addTo(f, q0, w);
  });
}
