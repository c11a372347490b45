/**
 * Compile the generated gemm module once per configuration and instantiate it on a WebAssembly heap.
 */
import { WasmHeap } from '../../memory.js';
import { WasmModule, wasmApi } from './api.js';
import { GemmExports, WasmGemmConfig, buildGemmModule } from './module.js';

const compiled = new Map<string, WasmModule>();

function key(c: WasmGemmConfig, shared: boolean): string {
  return `${c.mr}x${c.nr}u${c.unroll}${c.fma ? 'f' : ''}${shared ? 's' : ''}`;
}

/**
 * The compiled module for `config` importing a shared (default) or non-shared memory, matching the heap it
 * is instantiated on (cached; a WebAssembly.Module can also be posted to workers).
 */
export function gemmModule(config: WasmGemmConfig, shared = true): WasmModule {
  const api = wasmApi();
  if (!api) throw new Error('gemmModule: this engine has no WebAssembly');
  let mod = compiled.get(key(config, shared));
  if (!mod) {
    mod = new api.Module(buildGemmModule(config, shared));
    compiled.set(key(config, shared), mod);
  }
  return mod;
}

export function instantiateGemm(module: WasmModule, heap: WasmHeap): GemmExports {
  const api = wasmApi();
  if (!api) throw new Error('instantiateGemm: this engine has no WebAssembly');
  const instance = new api.Instance(module, { env: { memory: heap.memory } });
  return instance.exports as unknown as GemmExports;
}
