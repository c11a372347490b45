import { afterEach, describe, expect, it } from 'vitest';
import { Adadelta, Adagrad, Adam, AdamW, RMSprop, SGD } from '../../src/optim/index.js';
import { kernelStats } from '../../src/optim/wasm/index.js';
import { allocFloat32, freeFloat32, getFloat32Allocator, setFloat32Allocator, useWasmMemory, type Float32Allocator } from '../../src/tensor/memory.js';
import { Rng } from '../../src/tensor/random.js';

/**
 * An optimizer step allocates nothing after the first (which creates the state): no typed array — counted
 * through the global constructors (patched with counting proxies) and every `subarray`/`slice` view —
 * and no `allocFloat32` call, on both paths: the JavaScript step functions (arrays on the JS heap) and the
 * WebAssembly kernels (arrays in WebAssembly memory), where the per-call overhead — the address lookups,
 * the hyper-parameters passed as float32 arguments, the kernel call — must not allocate either. The wasm
 * run also checks that the kernels did run. Parameters have the dissertation net's shapes, scaled down
 * (784-256-10 → 78-25-10), so remainders and small tensors are covered.
 */

type Ctor = 'Float32Array' | 'Float64Array' | 'Int32Array' | 'Uint8Array' | 'ArrayBuffer' | 'SharedArrayBuffer';
const ctors: Ctor[] = ['Float32Array', 'Float64Array', 'Int32Array', 'Uint8Array', 'ArrayBuffer', 'SharedArrayBuffer'];

let typedArrays = 0;
let allocCalls = 0;
let restore: (() => void) | null = null;

function install(): void {
  const inner = getFloat32Allocator();
  const originals = ctors.map((name) => [name, globalThis[name]] as const);
  for (const [name, C] of originals) {
    (globalThis as any)[name] = new Proxy(C, {
      construct(target, args, newTarget) {
        typedArrays++;
        return Reflect.construct(target, args, newTarget === (globalThis as any)[name] ? target : newTarget);
      },
    });
  }
  const proto = Object.getPrototypeOf(Float32Array.prototype) as { subarray: Function; slice: Function };
  const { subarray, slice } = proto;
  proto.subarray = function (this: unknown, ...a: unknown[]) {
    typedArrays++;
    return subarray.apply(this, a);
  };
  proto.slice = function (this: unknown, ...a: unknown[]) {
    typedArrays++;
    return slice.apply(this, a);
  };
  const counting: Float32Allocator = {
    name: 'counting',
    alloc: (n) => {
      allocCalls++;
      return inner.alloc(n);
    },
  };
  const previous = setFloat32Allocator(counting);
  restore = () => {
    for (const [name, C] of originals) (globalThis as any)[name] = C;
    proto.subarray = subarray;
    proto.slice = slice;
    setFloat32Allocator(previous);
  };
}

afterEach(() => {
  restore?.();
  restore = null;
});

const SHAPES = [78 * 25, 25, 10 * 25, 10];

const CONFIGS: Array<[string, (ps: Array<{ data: Float32Array; grad: Float32Array }>) => { step(): void; dispose(): void }]> = [
  ['SGD', (ps) => new SGD(ps, { lr: 0.1 })],
  ['SGD momentum, dampening, weight decay', (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 1e-4 })],
  ['SGD nesterov, maximize', (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true, maximize: true })],
  ['Adagrad lr decay, weight decay', (ps) => new Adagrad(ps, { lr: 0.1, lrDecay: 0.01, weightDecay: 1e-4 })],
  ['Adadelta', (ps) => new Adadelta(ps)],
  ['Adam', (ps) => new Adam(ps)],
  ['Adam amsgrad, weight decay, maximize', (ps) => new Adam(ps, { amsgrad: true, weightDecay: 1e-4, maximize: true })],
  ['AdamW', (ps) => new AdamW(ps)],
  ['RMSprop', (ps) => new RMSprop(ps)],
  ['RMSprop centered, momentum, weight decay', (ps) => new RMSprop(ps, { centered: true, momentum: 0.9, weightDecay: 1e-4 })],
];

describe.each(['js', 'wasm'] as const)('optimizer steps allocate nothing after the first (%s path)', (path) => {
  it.each(CONFIGS)('%s', (_name, make) => {
    const previous = useWasmMemory(path === 'wasm');
    try {
      const rng = new Rng(5);
      const ps = SHAPES.map((n) => ({ data: rng.fillNormal(allocFloat32(n)), grad: rng.fillNormal(allocFloat32(n), 0, 0.01) }));
      install();
      freeFloat32(allocFloat32(4)); // the counters see an allocation…
      expect({ sawTypedArray: typedArrays > 0, allocCalls }).toEqual({ sawTypedArray: true, allocCalls: 1 });
      const opt = make(ps);
      opt.step(); // …and the first step may create state
      typedArrays = 0;
      allocCalls = 0;
      const calls = kernelStats.calls;
      for (let t = 0; t < 5; t++) opt.step();
      expect({ typedArrays, allocCalls }).toEqual({ typedArrays: 0, allocCalls: 0 });
      expect(kernelStats.calls - calls).toBe(path === 'wasm' ? 5 * SHAPES.length : 0);
      restore?.();
      restore = null;
      opt.dispose();
      for (const p of ps) {
        freeFloat32(p.data);
        freeFloat32(p.grad);
      }
    } finally {
      setFloat32Allocator(previous);
    }
  });
});
