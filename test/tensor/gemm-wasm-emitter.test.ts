import { describe, expect, it } from 'vitest';
import { WasmHeap } from '../../src/tensor/index.js';
import { wasmApi } from '../../src/tensor/gemm/wasm/api.js';
import { ModuleBuilder, addTo, whileLoop } from '../../src/tensor/gemm/wasm/builder.js';
import { f32Bytes, sleb, uleb } from '../../src/tensor/gemm/wasm/encoding.js';
import { wasmFeatures } from '../../src/tensor/gemm/wasm/features.js';
import { gemmModule, instantiateGemm } from '../../src/tensor/gemm/wasm/instance.js';
import { buildGemmModule } from '../../src/tensor/gemm/wasm/module.js';
import { ValType } from '../../src/tensor/gemm/wasm/opcodes.js';

describe('wasm binary encoding', () => {
  it('encodes LEB128 as the spec examples', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(127)).toEqual([0x7f]);
    expect(uleb(128)).toEqual([0x80, 0x01]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]); // the DWARF / Wikipedia example
    expect(uleb(0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]); // bit 6 set: needs a second byte to stay positive
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(sleb(0xffffffff)).toEqual(sleb(-1)); // same i32 bit pattern
    expect(f32Bytes(1)).toEqual([0x00, 0x00, 0x80, 0x3f]);
    expect(() => uleb(-1)).toThrow(/uleb: expected an integer in \[0, 2\^32\)/);
    expect(() => sleb(2 ** 33)).toThrow(/sleb: expected a 32-bit integer/);
  });
});

describe('ModuleBuilder', () => {
  it('emits a module the engine validates and runs: a SIMD axpy loop over shared memory', () => {
    const heap = new WasmHeap(1, 4);
    const m = new ModuleBuilder({ module: 'env', field: 'memory', initialPages: 1, maximumPages: 65536, shared: true });
    // axpy4(x, y, n, a): y[0..4n) += a·x[0..4n), four floats per step.
    const f = m.declare('axpy4', [['x', ValType.i32], ['y', ValType.i32], ['n', ValType.i32], ['a', ValType.f32]]);
    const av = f.local(ValType.v128);
    f.lget(f.get('a')).f32x4Splat().lset(av);
    whileLoop(f, () => f.lget(f.get('n')).i32(0).i32GtS(), () => {
      f.lget(f.get('y')).lget(f.get('x')).v128Load().lget(av).f32x4Mul().lget(f.get('y')).v128Load().f32x4Add().v128Store();
      addTo(f, f.get('x'), 16);
      addTo(f, f.get('y'), 16);
      addTo(f, f.get('n'), -1);
    });
    const api = wasmApi()!;
    const bytes = m.encode();
    expect(api.validate(bytes)).toBe(true);
    const inst = new api.Instance(new api.Module(bytes), { env: { memory: heap.memory } });
    const x = heap.allocFloat32(8);
    const y = heap.allocFloat32(8);
    x.set([1, 2, 3, 4, 5, 6, 7, 8]);
    y.fill(1);
    (inst.exports.axpy4 as (x: number, y: number, n: number, a: number) => void)(heap.addressOf(x), heap.addressOf(y), 2, 0.5);
    expect(Array.from(y)).toEqual([1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5]);
  });

  it('rejects duplicate names and unknown locals', () => {
    const m = new ModuleBuilder({ module: 'env', field: 'memory', initialPages: 1, maximumPages: 1, shared: false });
    const f = m.declare('f', [['a', ValType.i32]]);
    expect(() => m.declare('f', [])).toThrow(/declared twice/);
    expect(() => f.get('b')).toThrow(/no local 'b'/);
    expect(() => m.indexOf('g')).toThrow(/no function 'g'/);
  });

  it('generates a valid gemm module for every tile shape the kernels use', () => {
    const api = wasmApi()!;
    for (const [mr, nr] of [[1, 4], [3, 12], [4, 8], [6, 8], [2, 16]]) {
      expect(api.validate(buildGemmModule({ mr, nr, unroll: 2, fma: false }))).toBe(true);
    }
    expect(wasmFeatures().simd).toBe(true);
    // The relaxed build validates exactly where the engine has relaxed SIMD.
    expect(api.validate(buildGemmModule({ mr: 3, nr: 12, unroll: 1, fma: true }))).toBe(wasmFeatures().relaxedSimd);
  });
});

describe('packers', () => {
  const config = { mr: 3, nr: 8, unroll: 1, fma: false };
  /** op(X)[p, k] for p < count, k < kc, from a row-major R×Cols matrix, packed k-major in panels of w. */
  function expected(get: (p: number, k: number) => number, count: number, kc: number, w: number): number[] {
    const out: number[] = [];
    for (let q0 = 0; q0 < count; q0 += w) for (let k = 0; k < kc; k++) for (let p = 0; p < w; p++) out.push(q0 + p < count ? get(q0 + p, k) : 0);
    return out;
  }

  it('pack op(A) and op(B) panels in every layout, zero-padding the last panel, 4×4 transposes and k tails', () => {
    const heap = new WasmHeap(4, 16);
    const x = instantiateGemm(gemmModule(config), heap);
    const rows = 19, ld = 15; // src: 19 rows of 13 used columns, leading dimension 15
    const src = heap.allocFloat32(rows * ld);
    for (let i = 0; i < src.length; i++) src[i] = i + 1;
    const dst = heap.allocFloat32(4096);
    const s = heap.addressOf(src);
    const d = heap.addressOf(dst);
    const read = (n: number) => Array.from(dst.subarray(0, n));
    const at = (r: number, c: number) => src[r * ld + c];
    // B not transposed: element (j, k) = src[k, j]; B transposed: (j, k) = src[j, k].
    for (const [count, kc] of [[13, 19], [8, 6], [5, 3]]) {
      x.pack_b_n(s, ld * 4, kc, count, d);
      expect(read(Math.ceil(count / 8) * 8 * kc)).toEqual(expected((j, k) => at(k, j), count, kc, 8));
    }
    for (const [count, kc] of [[19, 13], [16, 9], [8, 4], [3, 2]]) {
      x.pack_b_t(s, ld * 4, kc, count, d);
      expect(read(Math.ceil(count / 8) * 8 * kc)).toEqual(expected((j, k) => at(j, k), count, kc, 8));
    }
    // A not transposed: (i, k) = src[i, k]; transposed: (i, k) = src[k, i].
    for (const [count, kc] of [[19, 13], [6, 5], [2, 7]]) {
      x.pack_a_n(s, ld * 4, kc, count, d);
      expect(read(Math.ceil(count / 3) * 3 * kc)).toEqual(expected((i, k) => at(i, k), count, kc, 3));
    }
    for (const [count, kc] of [[13, 19], [3, 1], [4, 6]]) {
      x.pack_a_t(s, ld * 4, kc, count, d);
      expect(read(Math.ceil(count / 3) * 3 * kc)).toEqual(expected((i, k) => at(k, i), count, kc, 3));
    }
    // The broadcast layout: the same sequence with every element repeated in 4 lanes.
    const times4 = (v: number[]) => v.flatMap((e) => [e, e, e, e]);
    for (const [count, kc] of [[19, 13], [5, 3], [2, 7]]) {
      x.pack_a_n_bcast(s, ld * 4, kc, count, d);
      expect(read(Math.ceil(count / 3) * 12 * kc)).toEqual(times4(expected((i, k) => at(i, k), count, kc, 3)));
      x.pack_a_t_bcast(s, ld * 4, Math.min(kc, 13), Math.min(count, 13), d);
      expect(read(Math.ceil(Math.min(count, 13) / 3) * 12 * Math.min(kc, 13))).toEqual(times4(expected((i, k) => at(k, i), Math.min(count, 13), Math.min(kc, 13), 3)));
    }
  });
});
