/**
 * `dispose()`: layers, nets, the loss and the activation recorder give their float32 storage back to the
 * allocator. In the WebAssembly heap (`useWasmMemory()`) that is what keeps a program that builds net after
 * net at constant memory; `WasmHeap.bytesInUse` (bytes in live blocks) shows it exactly. On the JS heap
 * dispose only drops references. Either way a disposed layer refuses further use, naming itself.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActivationRecorder, CrossEntropyLoss, Linear, RowBuffers, Sigmoid, mlp, type Sequential } from '../../src/layers/index.js';
import { freeFloat32, getFloat32Allocator, setFloat32Allocator, useWasmMemory, wasmHeap, type Float32Allocator } from '../../src/tensor/memory.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor, zeros } from '../../src/tensor/tensor.js';

let previous: Float32Allocator;
beforeEach(() => {
  previous = getFloat32Allocator();
  useWasmMemory(true);
});
afterEach(() => {
  setFloat32Allocator(previous);
});

function batch(rng: Rng, rows: number, features: number): { x: Tensor; y: Int32Array } {
  const x = zeros([rows, features]);
  rng.fillUniform(x.data, 0, 1);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) y[i] = rng.int(10);
  return { x, y };
}

/** A training step at two batch sizes, so every layer holds output and gradient buffers of both. */
function train(net: Sequential, ce: CrossEntropyLoss, rng: Rng): void {
  for (const rows of [8, 3]) {
    const { x, y } = batch(rng, rows, 20);
    net.zeroGrad();
    ce.forward(net.forward(x), y);
    net.backward(ce.backward());
    freeFloat32(x.data); // the input came from the WebAssembly heap too
  }
}

describe('dispose (WebAssembly heap)', () => {
  it('a trained net and its loss give back every block they took; building and freeing nets repeatedly stays flat', () => {
    const heap = wasmHeap();
    const rng = new Rng(1);
    // One round first: the gemm kernel's own scratch regions (kept for later products) grow on first use.
    const warm = mlp([20, 16, 16, 10], { rng });
    const warmLoss = new CrossEntropyLoss();
    train(warm, warmLoss, rng);
    warm.dispose();
    warmLoss.dispose();
    const inUse = heap.bytesInUse;
    const size = heap.byteLength;
    for (let round = 0; round < 5; round++) {
      const net = mlp([20, 16, 16, 10], { rng });
      const ce = new CrossEntropyLoss();
      train(net, ce, rng);
      // 4 parameters × (data + grad) and per layer and batch size an output and an input-gradient buffer.
      expect(heap.bytesInUse).toBeGreaterThan(inUse);
      net.dispose();
      ce.dispose();
      expect(heap.bytesInUse).toBe(inUse);
    }
    expect(heap.byteLength).toBe(size);
  });

  it('is idempotent: a second dispose frees nothing that has since been handed to someone else', () => {
    const heap = wasmHeap();
    const net = mlp([20, 16, 10], { rng: new Rng(2) });
    const before = heap.bytesInUse;
    net.dispose();
    const after = heap.bytesInUse;
    expect(after).toBeLessThan(before);
    const other = new Linear(20, 16, { rng: new Rng(3) }); // reuses freed blocks (first fit)
    const withOther = heap.bytesInUse;
    // A double free would throw (block not live) or, worse, free `other`'s block: neither may happen.
    net.dispose();
    for (const p of net.parameters()) p.dispose();
    expect(heap.bytesInUse).toBe(withOther);
    other.dispose();
    expect(heap.bytesInUse).toBe(after);
  });

  it('refuses use after dispose, naming the layer and the call', () => {
    const rng = new Rng(4);
    const net = mlp([20, 16, 10], { rng });
    const { x } = batch(rng, 4, 20);
    const out = net.forward(x);
    net.dispose();
    expect(net.disposed).toBe(true);
    expect(net.parameters().every((p) => p.disposed)).toBe(true);
    expect(() => net.forward(x)).toThrow('sequential: forward called after dispose()');
    expect(() => net.backward(out)).toThrow('sequential: backward called after dispose()');
    expect(() => net.backwardParams(out)).toThrow('sequential: backwardParams called after dispose()');
    expect(() => net.layers[0].forward(x)).toThrow('linear0: forward called after dispose()');
    expect(() => net.layers[1].backward(zeros([4, 16]))).toThrow('sigmoid0: backward called after dispose()');
    const lin = new Linear(20, 16, { rng, name: 'fc' });
    lin.dispose();
    expect(() => (lin as unknown as { backwardParams(g: Tensor): void }).backwardParams(zeros([4, 16]))).toThrow('fc: backward called after dispose()');
  });

  it('RowBuffers frees the buffer of the batch size it drops; dispose frees the rest', () => {
    const heap = wasmHeap();
    const base = heap.bytesInUse;
    const rb = new RowBuffers(16, 2); // 16 floats = 64 bytes per row
    rb.get(1);
    rb.get(2);
    expect(heap.bytesInUse - base).toBe(64 * 3);
    rb.get(4); // drops the 1-row buffer
    expect(heap.bytesInUse - base).toBe(64 * 6);
    rb.dispose();
    expect(heap.bytesInUse).toBe(base);
  });

  it('an activation’s buffers, the loss’s gradient and an ActivationRecorder’s matrix are freed too', () => {
    const heap = wasmHeap();
    const base = heap.bytesInUse;
    const act = new Sigmoid();
    const rec = new ActivationRecorder(act, 100);
    const ce = new CrossEntropyLoss();
    const rng = new Rng(5);
    const { x, y } = batch(rng, 10, 20);
    ce.forward(act.forward(x), y.map((v) => v % 10));
    act.backward(ce.backward());
    expect(rec.rowsFilled).toBe(10);
    expect(heap.bytesInUse).toBeGreaterThan(base + 100 * 20 * 4);
    rec.dispose();
    act.dispose();
    ce.dispose();
    heap.freeArray(x.data);
    expect(heap.bytesInUse).toBe(base);
    expect(() => rec.matrix).toThrow(/nothing recorded yet/);
  });
});

describe('dispose (JS heap)', () => {
  it('marks the net disposed and refuses use; the arrays are left to the garbage collector', () => {
    setFloat32Allocator(null);
    const heap = wasmHeap();
    const before = heap.bytesInUse;
    const net = mlp([20, 16, 10], { rng: new Rng(6) });
    expect(net.parameters()[0].data.buffer).toBeInstanceOf(ArrayBuffer);
    net.dispose();
    expect(heap.bytesInUse).toBe(before);
    expect(() => net.forward(zeros([2, 20]))).toThrow('sequential: forward called after dispose()');
  });
});
