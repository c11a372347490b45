import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Adagrad, Adam, RMSprop, SGD, type OptimizerStateDict } from '../../src/optim/index.js';
import { heapAddress, kernelStats } from '../../src/optim/wasm/index.js';
import { allocFloat32, freeFloat32, setFloat32Allocator, useWasmMemory, wasmHeap, type Float32Allocator } from '../../src/tensor/memory.js';

/**
 * Optimizer state lives where `allocFloat32` puts it — WebAssembly memory after `useWasmMemory()`, next to
 * the parameters, so the kernels apply — and `dispose()` gives it back (WebAssembly memory is not
 * garbage-collected).
 */
let previous: Float32Allocator;
const owned: Float32Array[] = [];

beforeEach(() => {
  previous = useWasmMemory(true);
});
afterEach(() => {
  setFloat32Allocator(previous);
  for (const a of owned.splice(0)) freeFloat32(a);
});

function param(n: number, seed = 1): { data: Float32Array; grad: Float32Array } {
  const data = allocFloat32(n);
  const grad = allocFloat32(n);
  for (let i = 0; i < n; i++) {
    data[i] = Math.sin(i * seed);
    grad[i] = Math.cos(i + seed) * 0.1;
  }
  owned.push(data, grad);
  return { data, grad };
}

describe('optimizer state in WebAssembly memory', () => {
  it('is allocated there (lazily, and eagerly for Adagrad), and the kernels run', () => {
    const p = param(21);
    const adam = new Adam([p], { amsgrad: true });
    const adagrad = new Adagrad([param(5)], { initialAccumulatorValue: 0.5 });
    expect(heapAddress(adagrad.state.values().next().value!.sum)).toBeGreaterThan(0);
    const calls = kernelStats.calls;
    adam.step();
    adagrad.step();
    expect(kernelStats.calls - calls).toBe(2);
    const s = adam.state.get(p)!;
    for (const k of ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq']) expect(heapAddress(s[k] as Float32Array), k).toBeGreaterThan(0);
    adam.dispose();
    adagrad.dispose();
  });

  it('dispose() returns every state block; the optimizer is retired', () => {
    const heap = wasmHeap();
    const ps = [param(100), param(7), param(3)];
    const before = heap.bytesInUse;
    const opt = new RMSprop(ps, { centered: true, momentum: 0.9 });
    opt.step();
    expect(heap.bytesInUse - before).toBe(3 * (448 + 64 + 64)); // three buffers per parameter, 64-byte blocks
    opt.dispose();
    expect(heap.bytesInUse).toBe(before);
    expect(opt.isDisposed).toBe(true);
    expect(opt.state.size).toBe(0);
    opt.dispose(); // twice is harmless
    expect(() => opt.step()).toThrow('RMSprop.step: the optimizer has been disposed (dispose() freed its state)');
    expect(() => opt.stateDict()).toThrow(/RMSprop\.stateDict: the optimizer has been disposed/);
    expect(() => opt.loadStateDict({ state: {}, param_groups: [] })).toThrow(/RMSprop\.loadStateDict: the optimizer has been disposed/);
    expect(() => opt.addParamGroup({ params: [param(2)] })).toThrow(/RMSprop\.addParamGroup: the optimizer has been disposed/);
  });

  it('dispose() on the JS heap leaves arrays to the garbage collector and still retires the optimizer', () => {
    useWasmMemory(false);
    const p = { data: new Float32Array(4), grad: new Float32Array(4).fill(1) };
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
    opt.step();
    const buf = opt.state.get(p)!.momentum_buffer!;
    opt.dispose();
    expect(buf).toEqual(new Float32Array(4).fill(1)); // untouched, still usable
    expect(() => opt.step()).toThrow(/SGD\.step: the optimizer has been disposed/);
  });

  it('loadStateDict() decodes into WebAssembly memory, frees the old state, and the kernels continue bit for bit', () => {
    const heap = wasmHeap();
    const a = param(37, 2);
    const b = { data: allocFloat32(37), grad: allocFloat32(37) };
    owned.push(b.data, b.grad);
    b.data.set(a.data);
    b.grad.set(a.grad);
    const oa = new Adam([a], { lr: 0.01 });
    const ob = new Adam([b], { lr: 0.01 });
    for (let t = 0; t < 3; t++) oa.step();
    ob.step();
    const inUse = heap.bytesInUse;
    const saved: OptimizerStateDict = JSON.parse(JSON.stringify(oa.stateDict()));
    b.data.set(a.data);
    ob.loadStateDict(saved);
    expect(heap.bytesInUse).toBe(inUse); // old state freed, new state allocated
    const s = ob.state.get(b)!;
    expect(heapAddress(s.exp_avg as Float32Array)).toBeGreaterThan(0);
    const calls = kernelStats.calls;
    for (let t = 0; t < 3; t++) {
      oa.step();
      ob.step();
    }
    expect(kernelStats.calls - calls).toBe(6);
    expect(b.data).toEqual(a.data);
    // A bad dict changes nothing and leaks nothing.
    const bad = JSON.parse(JSON.stringify(saved)) as OptimizerStateDict;
    (bad.state['0'] as Record<string, unknown>).exp_avg = [1, 2, 3];
    expect(() => ob.loadStateDict(bad)).toThrow(/exp_avg has 3 values, but the parameter has 37/);
    expect(heap.bytesInUse).toBe(inUse);
    expect(ob.state.get(b)!.exp_avg).toBe(s.exp_avg);
    oa.dispose();
    ob.dispose();
  });
});
