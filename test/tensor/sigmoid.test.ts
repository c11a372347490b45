/**
 * The WebAssembly SIMD sigmoid (src/tensor/gemm/wasm/sigmoid.ts) against σ in float64 rounded once:
 * within 4 float32 ulps everywhere (densely sampled over [−90, 90], both sides of the ±80 switch to the
 * exact path, and every sign/zero), NaN propagating; plus ops.sigmoid choosing it for heap arrays only.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { sigmoidBackwardWasm, sigmoidWasm } from '../../src/tensor/gemm/activations.js';
import { Tensor, sigmoid, sigmoidBackward, wasmHeap } from '../../src/tensor/index.js';

function exact(v: number): number {
  return Math.fround(v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
}

/** Distance in float32 ulps (units of the spacing at the larger magnitude). */
function ulps(a: number, b: number): number {
  if (Object.is(a, b)) return 0;
  const m = Math.max(Math.abs(a), Math.abs(b));
  const e = Math.max(Math.floor(Math.log2(m)), -126);
  return Math.abs(a - b) / 2 ** (e - 23);
}

describe('sigmoid (WebAssembly SIMD)', () => {
  it('is within 4 ulps of the correctly rounded σ over [−90, 90], exact outside ±80 and for NaN', () => {
    const heap = wasmHeap();
    const n = 400_003;
    const x = heap.allocFloat32(n), y = heap.allocFloat32(n);
    for (let i = 0; i < n; i++) x[i] = -90 + (180 * i) / (n - 1);
    x.set([0, -0, 1e-30, -1e-30, 80, -80, 80.00001, -80.00001, NaN, Infinity, -Infinity, 88.7, -103], 0);
    expect(sigmoidWasm(y, 0, x, 0, n)).toBe(true);
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const want = exact(x[i]);
      if (Number.isNaN(want)) {
        expect(y[i]).toBeNaN();
        continue;
      }
      const d = ulps(y[i], want);
      if (Math.abs(x[i]) > 80) expect(d, `x = ${x[i]}`).toBe(0);
      worst = Math.max(worst, d);
    }
    expect(worst).toBeLessThanOrEqual(4);
    expect(y[0]).toBe(0.5);
    heap.freeArray(x);
    heap.freeArray(y);
  });

  it('ops.sigmoid uses it for heap arrays and stays exact for JS arrays', () => {
    const heap = wasmHeap();
    const xs = heap.allocFloat32(64), ys = heap.allocFloat32(64);
    for (let i = 0; i < 64; i++) xs[i] = (i - 32) / 3.7;
    sigmoid(new Tensor(ys, [64]), new Tensor(xs, [64]));
    const yj = new Float32Array(64);
    sigmoid(new Tensor(yj, [64]), new Tensor(Float32Array.from(xs), [64]));
    for (let i = 0; i < 64; i++) {
      expect(yj[i]).toBe(exact(xs[i]));
      expect(ulps(ys[i], yj[i])).toBeLessThanOrEqual(4);
    }
    // Overlapping operands are left to the exact JS loop.
    expect(sigmoidWasm(xs, 0, xs, 0, 64)).toBe(false);
    heap.freeArray(xs);
    heap.freeArray(ys);
  });
});

describe('sigmoid backward (WebAssembly SIMD)', () => {
  // PyTorch 1.13's torch.ops.aten.sigmoid_backward on 4099 pairs (tools/reference/sigmoid_backward.py).
  const fixture = JSON.parse(readFileSync(new URL('../fixtures/activations/sigmoid_backward.json', import.meta.url), 'utf8')) as { y_bits: number[]; dy_bits: number[]; dx_bits: number[] };
  const fromBits = (bits: number[], into: Float32Array): Float32Array => {
    new Uint32Array(into.buffer, into.byteOffset, bits.length).set(bits);
    return into;
  };

  it("gives PyTorch's bits, vectorised body and scalar tail alike (NaN, ±inf, ±0 included)", () => {
    const heap = wasmHeap();
    const n = fixture.y_bits.length;
    const y = fromBits(fixture.y_bits, heap.allocFloat32(n)), dy = fromBits(fixture.dy_bits, heap.allocFloat32(n)), dx = heap.allocFloat32(n);
    expect(sigmoidBackwardWasm(dx, 0, y, 0, dy, 0, n)).toBe(true);
    const got = Array.from(new Uint32Array(dx.buffer, dx.byteOffset, n));
    // NaN payloads may differ between engines: compare NaN as NaN, everything else bit for bit.
    const norm = (bits: number[]): (number | string)[] => bits.map((b) => ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0 ? 'NaN' : b));
    expect(norm(got)).toEqual(norm(fixture.dx_bits));
    for (const a of [y, dy, dx]) heap.freeArray(a);
  });

  it('ops.sigmoidBackward takes it for heap arrays (in place on dy too) and rounds once from float64 for JS arrays', () => {
    const heap = wasmHeap();
    const n = 37;
    const ys = Float32Array.from({ length: n }, (_, i) => 0.02 + i / 40), gs = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 3);
    const want = Float32Array.from(ys, (s, i) => Math.fround(Math.fround(gs[i] * Math.fround(1 - s)) * s));
    const yW = heap.allocFloat32(n), gW = heap.allocFloat32(n);
    yW.set(ys);
    gW.set(gs);
    const inPlace = new Tensor(gW, [n]);
    sigmoidBackward(inPlace, new Tensor(yW, [n]), inPlace);
    expect(Array.from(gW)).toEqual(Array.from(want));
    const js = new Tensor(new Float32Array(n), [n]);
    sigmoidBackward(js, new Tensor(ys.slice(), [n]), new Tensor(gs.slice(), [n]));
    expect(Array.from(js.data)).toEqual(Array.from(ys, (s, i) => Math.fround(gs[i] * s * (1 - s))));
    heap.freeArray(yW);
    heap.freeArray(gW);
  });
});
