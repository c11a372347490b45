/**
 * The slice of the WebAssembly JavaScript API this library uses, typed locally.
 *
 * The project compiles against `lib: ES2022` + Node types, neither of which declares the `WebAssembly`
 * global; rather than pull the DOM lib into every consumer's build, the few calls we make are typed here and
 * reached through `globalThis`.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(deltaPages: number): number;
}

export interface WasmModule {
  readonly __wasmModule?: never;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

export interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  validate(bytes: Uint8Array): boolean;
}

/** The engine's WebAssembly API, or `null` where the engine has none. */
export function wasmApi(): WasmApi | null {
  const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  return api ?? null;
}

/** Bytes per WebAssembly page. */
export const PAGE_BYTES = 65536;
