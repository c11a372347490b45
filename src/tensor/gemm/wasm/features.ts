/**
 * What the engine supports, probed by validating tiny modules (never by parsing version strings):
 * - `simd`: fixed-width 128-bit SIMD (Node ≥ 16).
 * - `relaxedSimd`: f32x4.relaxed_madd (Node 20 needs `--experimental-wasm-relaxed-simd`; on by default in
 *   later engines). Detected, never required.
 * - `sharedMemory`: a shared WebAssembly.Memory can be created (needed for the allocator's no-detach growth
 *   and for worker threads).
 */
import { wasmApi } from './api.js';
import { ModuleBuilder } from './builder.js';
import { ValType } from './opcodes.js';

export interface WasmFeatures {
  simd: boolean;
  relaxedSimd: boolean;
  sharedMemory: boolean;
}

function probeModule(body: (f: ReturnType<ModuleBuilder['declare']>) => void, shared: boolean): Uint8Array {
  const m = new ModuleBuilder({ module: 'env', field: 'memory', initialPages: 1, maximumPages: 1, shared });
  const f = m.declare('probe', [], [ValType.v128]);
  body(f);
  return m.encode();
}

let cached: WasmFeatures | null = null;

export function wasmFeatures(): WasmFeatures {
  if (cached) return cached;
  const api = wasmApi();
  if (!api) return (cached = { simd: false, relaxedSimd: false, sharedMemory: false });
  const validate = (bytes: Uint8Array): boolean => {
    try {
      return api.validate(bytes);
    } catch {
      return false;
    }
  };
  const simd = validate(probeModule((f) => f.v128Zero().v128Zero().f32x4Add(), false));
  const relaxedSimd = validate(probeModule((f) => f.v128Zero().v128Zero().v128Zero().f32x4RelaxedMadd(), false));
  let sharedMemory = false;
  try {
    const mem = new api.Memory({ initial: 1, maximum: 1, shared: true });
    sharedMemory = typeof SharedArrayBuffer !== 'undefined' && mem.buffer instanceof SharedArrayBuffer;
  } catch {
    sharedMemory = false;
  }
  cached = { simd, relaxedSimd, sharedMemory };
  return cached;
}
