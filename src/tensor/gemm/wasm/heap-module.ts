/**
 * The SIMD helper modules (sparse products' helpers, im2col, ReLU/pooling) are generated, compiled and
 * instantiated on the process-wide WebAssembly heap the first time they are needed, once per process.
 */
import { wasmHeap, wasmMemoryAvailable } from '../../memory.js';
import { wasmApi } from './api.js';
import { wasmFeatures } from './features.js';

/** Instantiate module bytes built for the process-wide heap (shared or not, as `build` is told) on it. */
export function instantiateOnHeap<E>(build: (shared: boolean) => Uint8Array): E {
  const api = wasmApi();
  if (!api) throw new Error('instantiateOnHeap: this engine has no WebAssembly');
  const heap = wasmHeap();
  return new api.Instance(new api.Module(build(heap.shared)), { env: { memory: heap.memory } }).exports as unknown as E;
}

/**
 * A getter of a lazily built module's exports: built and instantiated on the first call, then cached; null
 * (also cached) where the engine lacks WebAssembly SIMD or the heap is unavailable.
 */
export function simdHeapModule<E>(build: (shared: boolean) => Uint8Array): () => E | null {
  let exports: E | null | undefined;
  return () => {
    if (exports === undefined) exports = wasmApi() && wasmFeatures().simd && wasmMemoryAvailable() ? instantiateOnHeap<E>(build) : null;
    return exports;
  };
}
