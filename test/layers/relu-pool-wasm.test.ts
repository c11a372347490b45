import { describe, expect, it } from 'vitest';
import { CrossEntropyLoss } from '../../src/layers/cross-entropy.js';
import { cnn } from '../../src/layers/cnn.js';
import { MaxPool2d, maxPoolBackward, pool2x2 } from '../../src/layers/maxpool2d.js';
import { maxPool2x2BackwardWasm, maxPool2x2Wasm, reluBackwardWasm, reluWasm } from '../../src/tensor/gemm/relu-pool.js';
import { wasmFeatures } from '../../src/tensor/gemm/wasm/features.js';
import { allocFloat32, freeFloat32, getFloat32Allocator, setFloat32Allocator, useWasmMemory, wasmHeap, wasmMemoryAvailable } from '../../src/tensor/memory.js';
import { relu, reluBackward } from '../../src/tensor/ops.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

/**
 * The WebAssembly SIMD ReLU and 2×2 max pooling (src/tensor/gemm/wasm/relu-pool.ts) against the JS
 * references (ops.relu / ops.reluBackward on JS-heap arrays, `pool2x2` and `maxPoolBackward` of
 * src/layers/maxpool2d.ts), bit for bit over whole arrays (so nothing outside a region is touched):
 * quiet and signalling NaNs of both signs with payloads, ±0, ±∞, subnormals, many ties (values drawn from a
 * small set), odd lengths and plane sizes, offsets ≠ 0, in place; then the whole CNN (ReLU version, so no
 * sigmoid, whose WebAssembly kernel is a few ulps from the JS) in WebAssembly memory against the JS heap.
 */
const canRun = wasmFeatures().simd && wasmMemoryAvailable();

/** Bit patterns the JS treats specially: NaNs (quiet/signalling, ±, payloads), ±0, ±∞, subnormals, ±1. */
const SPECIAL_BITS = [0x7fc00000, 0xffc00000, 0x7fc00123, 0x7f800001, 0xff800abc, 0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x00000001, 0x80000003, 0x3f800000, 0xbf800000];

/** Half special or tied values (a few bit patterns), half random of mixed magnitude, both signs. */
function fillNasty(a: Float32Array, rng: Rng): void {
  const u = new Uint32Array(a.buffer, a.byteOffset, a.length);
  for (let i = 0; i < a.length; i++) {
    const r = rng.int(4);
    if (r === 0) u[i] = SPECIAL_BITS[rng.int(SPECIAL_BITS.length)];
    else if (r === 1) a[i] = [0.5, -0.5, 2, 0][rng.int(4)];
    else a[i] = rng.uniform(-1, 1) * 2 ** (rng.int(41) - 20);
  }
}

function firstDifference(a: Float32Array | Int32Array, b: Float32Array | Int32Array): number {
  const u = new Uint32Array(a.buffer, a.byteOffset, a.length), v = new Uint32Array(b.buffer, b.byteOffset, b.length);
  if (u.length !== v.length) return 0;
  for (let i = 0; i < u.length; i++) if (u[i] !== v[i]) return i;
  return -1;
}

/** A JS-heap tensor over a copy of a[off … off + n). */
const jsCopy = (a: Float32Array, off: number, n: number) => new Tensor(a.slice(off, off + n), [n]);

describe.runIf(canRun)('ReLU and 2×2 max pooling in WebAssembly', () => {
  it('relu gives the JS bits (NaNs, ±0, ±∞), with offsets, odd lengths and in place', () => {
    const rng = new Rng(21);
    const heap = wasmHeap();
    for (const n of [8, 9, 11, 16, 37, 100, 1023, 6272]) {
      for (const inPlace of [false, true]) {
        const xOff = 1 + rng.int(5), oOff = inPlace ? xOff : 2 + rng.int(6);
        const x = heap.allocFloat32(xOff + n + 3), out = inPlace ? x : heap.allocFloat32(oOff + n + 4);
        try {
          fillNasty(x, rng);
          if (!inPlace) fillNasty(out, rng);
          const want = out.slice();
          want.set(relu(jsCopy(x, xOff, n), jsCopy(x, xOff, n)).data, oOff);
          expect(reluWasm(out, oOff, x, xOff, n), `n ${n}`).toBe(true);
          expect(firstDifference(out, want), `n ${n} in place ${inPlace}`).toBe(-1);
        } finally {
          heap.freeArray(x);
          if (!inPlace) heap.freeArray(out);
        }
      }
    }
  });

  it('reluBackward gives the JS bits, into a separate dx, into dy and into y', () => {
    const rng = new Rng(22);
    const heap = wasmHeap();
    for (const n of [8, 13, 64, 1001]) {
      for (const mode of ['apart', 'dy', 'y'] as const) {
        const off = 1 + rng.int(4);
        const y = heap.allocFloat32(off + n + 2), dy = heap.allocFloat32(off + n + 5);
        const dx = mode === 'dy' ? dy : mode === 'y' ? y : heap.allocFloat32(off + n + 1);
        try {
          fillNasty(y, rng);
          fillNasty(dy, rng);
          if (mode === 'apart') fillNasty(dx, rng);
          const want = dx.slice();
          want.set(reluBackward(new Tensor(new Float32Array(n), [n]), jsCopy(y, off, n), jsCopy(dy, off, n)).data, off);
          expect(reluBackwardWasm(dx, off, y, off, dy, off, n)).toBe(true);
          expect(firstDifference(dx, want), `n ${n}, dx ${mode}`).toBe(-1);
        } finally {
          heap.freeArray(y);
          heap.freeArray(dy);
          if (mode === 'apart') heap.freeArray(dx);
        }
      }
    }
  });

  it('max pooling forward and backward give the JS bits: ties, NaNs, odd planes, offsets', () => {
    const rng = new Rng(23);
    const heap = wasmHeap();
    const shapes: Array<[number, number, number]> = [[1, 28, 28], [32, 28, 28], [64, 14, 14], [3, 8, 8], [2, 9, 9], [5, 17, 8], [1, 2, 11], [4, 13, 23], [2, 7, 4]];
    for (const [planes, H, W] of shapes) {
      const OH = H >> 1, OW = W >> 1, xn = planes * H * W, yn = planes * OH * OW;
      const xOff = 1 + rng.int(5), yOff = 2 + rng.int(5), aOff = 3 + rng.int(5), gOff = 1 + rng.int(3), dOff = 2 + rng.int(3);
      const x = heap.allocFloat32(xOff + xn + 3), y = heap.allocFloat32(yOff + yn + 2), amStore = heap.allocFloat32(aOff + yn + 1);
      const g = heap.allocFloat32(gOff + yn + 2), dx = heap.allocFloat32(dOff + xn + 3);
      const am = new Int32Array(amStore.buffer, amStore.byteOffset, amStore.length);
      const label = `${planes}×${H}×${W}`;
      try {
        fillNasty(x, rng);
        fillNasty(y, rng);
        am.fill(-7);
        const wantY = y.slice(), wantAm = am.slice();
        pool2x2(x, xOff, planes, H, W, OH, OW, wantY.subarray(yOff), wantAm.subarray(aOff));
        const ran = maxPool2x2Wasm(x, xOff, planes, H, W, OH, OW, y, yOff, am, aOff);
        expect(ran, label).toBe(OW >= 4);
        if (ran) {
          expect(firstDifference(y, wantY), `${label} y`).toBe(-1);
          expect(firstDifference(am, wantAm), `${label} argmax`).toBe(-1);
        }
        fillNasty(g, rng);
        fillNasty(dx, rng); // stale: every element of the region must be written
        const wantDx = dx.slice();
        am.set(wantAm); // the JS argmax (also for the planes too narrow for the forward kernel)
        maxPoolBackward(g, gOff, wantAm.subarray(aOff), planes, OH * OW, H * W, wantDx.subarray(dOff, dOff + xn));
        expect(maxPool2x2BackwardWasm(g, gOff, am, aOff, planes, H, W, OH, OW, dx, dOff), label).toBe(OW >= 2);
        expect(firstDifference(dx, wantDx), `${label} dx`).toBe(-1);
      } finally {
        for (const a of [x, y, amStore, g, dx]) heap.freeArray(a);
      }
    }
  });

  it('declines (writing nothing) on JS-heap arrays, regions past the array, overlap and wrong shapes', () => {
    const heap = wasmHeap();
    const x = heap.allocFloat32(64), out = heap.allocFloat32(64), amStore = heap.allocFloat32(16);
    const am = new Int32Array(amStore.buffer, amStore.byteOffset, 16);
    try {
      x.fill(1);
      out.fill(9);
      expect(reluWasm(new Float32Array(64), 0, x, 0, 64)).toBe(false);
      expect(reluWasm(out, 1, x, 0, 64)).toBe(false);                    // one past the end
      expect(reluWasm(x, 1, x, 0, 32)).toBe(false);                      // partly overlapping
      expect(reluBackwardWasm(out, 0, x, 0, out, 4, 32)).toBe(false);    // dx partly over dy
      expect(maxPool2x2Wasm(x, 0, 1, 8, 8, 4, 4, out, 0, am, 1)).toBe(false); // argmax past its end
      expect(maxPool2x2Wasm(x, 0, 1, 8, 8, 3, 4, out, 0, am, 0)).toBe(false); // OH ≠ ⌊H/2⌋
      expect(maxPool2x2Wasm(x, 0, 1, 8, 8, 4, 4, x, 32, am, 0)).toBe(false); // y over x
      expect(maxPool2x2BackwardWasm(out, 0, am, 0, 1, 8, 8, 4, 4, out, 0)).toBe(false); // dx over g
      expect(out.every((v) => v === 9)).toBe(true);
      expect(reluWasm(out, 0, x, 0, 64)).toBe(true);
      expect(out.every((v) => v === 1)).toBe(true);
    } finally {
      for (const a of [x, out, amStore]) heap.freeArray(a);
    }
  });

  it('MaxPool2d(2) and the ReLU CNN in WebAssembly memory give the bits of the JS heap', () => {
    // Layers refuse NaN and ±∞ inputs (checkFinite), so here: ±0 and ties, the rest random.
    const fillFinite = (a: Float32Array, rng: Rng) => {
      fillNasty(a, rng);
      for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) a[i] = rng.int(2) ? -0 : 0.5;
    };
    const run = (memory: 'wasm' | 'heap', shape: number[]) => {
      const previous = getFloat32Allocator();
      useWasmMemory(memory === 'wasm');
      try {
        const rng = new Rng(9);
        const net = cnn({ rng, activation: 'relu', input: [shape[1], shape[2], shape[3]] });
        const n = shape.reduce((a, b) => a * b, 1);
        const x = new Tensor(allocFloat32(n), shape);
        fillFinite(x.data, rng);
        const loss = new CrossEntropyLoss();
        const labels = Array.from({ length: shape[0] }, (_, i) => i % 10);
        const logits = net.forward(x).data.slice();
        loss.forward(net.forward(x), labels);
        const dx = net.backward(loss.backward()).data.slice();
        const grads = net.parameters().map((p) => p.grad.slice());
        // A pool on its own with ties and an odd plane: forward and backward.
        const pool = new MaxPool2d(2);
        const px = new Tensor(allocFloat32(2 * 3 * 13 * 17), [2, 3, 13, 17]);
        fillFinite(px.data, rng);
        const py = pool.forward(px);
        const pg = new Tensor(allocFloat32(py.size), py.shape);
        rng.fillUniform(pg.data, -1, 1);
        const result = [logits, dx, ...grads, py.data.slice(), pool.backward(pg).data.slice()];
        net.dispose();
        pool.dispose();
        for (const t of [x, px, pg]) freeFloat32(t.data);
        return result;
      } finally {
        setFloat32Allocator(previous);
      }
    };
    for (const shape of [[3, 1, 28, 28], [2, 2, 17, 19]]) {
      const a = run('wasm', shape), b = run('heap', shape);
      expect(a.length).toBe(b.length);
      for (let i = 0; i < a.length; i++) expect(firstDifference(a[i], b[i]), `${JSON.stringify(shape)} output ${i}`).toBe(-1);
    }
  });
});
