/**
 * Building, checking and instantiating the optimizer kernels on the shared WebAssembly heap
 * (src/tensor/memory.ts), and telling whether an array lives there.
 *
 * A family's module (SGD's 20 variants, Adam's 16, …) is generated and compiled the first time a step
 * with arrays in WebAssembly memory needs it — never for arrays on the JS heap — once per fused-operation
 * mode. The mode is `'fma'` where the engine has relaxed SIMD *and* its relaxed madd is verified, by
 * running it on halfway cases, to round once like a hardware FMA; otherwise `'exact'` (see ./lower.ts).
 * Both give the same bits; `'fma'` is faster.
 */
import { wasmApi } from '../../tensor/gemm/wasm/api.js';
import { ModuleBuilder, addTo, whileLoop } from '../../tensor/gemm/wasm/builder.js';
import { wasmFeatures } from '../../tensor/gemm/wasm/features.js';
import { MODULE_MAX_PAGES } from '../../tensor/gemm/wasm/module.js';
import { ValType } from '../../tensor/gemm/wasm/opcodes.js';
import { type WasmHeap, existingWasmHeap, wasmHeap, wasmMemoryAvailable } from '../../tensor/memory.js';
import { fma32 } from '../fused.js';
import { FAMILIES, type FamilyName, type KernelFamily } from './kernels.js';
import { emitBoundedRuns, emitDecayRuns } from './lazy-decay.js';
import { type FusedMode, emitBlockRunsKernel, emitKernel, scratchBytes } from './lower.js';

/** A kernel: (n, scratch, …array addresses, …float32 hyper-parameters). */
export type KernelFn = (...args: number[]) => void;

/** One family's kernels, instantiated on the shared heap. */
export interface FamilyKernels {
  readonly mode: FusedMode;
  /** Byte address of the remainder scratch (16 bytes per array). */
  readonly scratch: number;
  /** Indexed by key (undefined where the combination cannot occur). */
  readonly fns: ReadonlyArray<KernelFn | undefined>;
  /** The same kernels over column runs of any length (see `emitRunsWrapper`), by key. */
  readonly runs: ReadonlyArray<KernelFn | undefined>;
  /** The same kernels over runs of whole 4-column blocks, one prologue per call (`emitBlockRunsKernel`), by key. */
  readonly blockRuns: ReadonlyArray<KernelFn | undefined>;
  /** Adadelta's module only: the lazy columns' replayed decay and bound check (./lazy-decay.ts). */
  readonly decayRuns?: KernelFn;
  readonly boundedRuns?: (...args: number[]) => number;
}

/** Build the module of `families`' kernels (all of them by default) for `mode`. */
export function buildOptimModule(mode: FusedMode, families: readonly KernelFamily[] = FAMILIES, shared = true): Uint8Array {
  const m = new ModuleBuilder({ module: 'env', field: 'memory', initialPages: 1, maximumPages: MODULE_MAX_PAGES, shared });
  for (const fam of families) {
    for (let key = 0; key < fam.keys; key++) {
      const body = fam.body(key);
      if (body) {
        emitKernel(m, `${fam.name}_${key}`, fam, body, mode);
        emitRunsWrapper(m, `${fam.name}_${key}`, fam);
        emitBlockRunsKernel(m, `${fam.name}_${key}_blockruns`, fam, body, mode);
      }
    }
    if (fam.name === 'adadelta') {
      emitDecayRuns(m);
      emitBoundedRuns(m);
    }
  }
  return m.encode();
}

/**
 * `<kernel>_runs(rows, rowBytes, count, runs, scratch, …arrays, …scalars)`: the kernel over the column runs
 * of a [rows, ·] matrix — for every row r and run q, the kernel on runs[2q + 1] elements from byte
 * r·rowBytes + runs[2q] of every array. The same arithmetic as one call over everything (the kernels are
 * element-wise), for the elements in the runs; used by the optimizers to step only a gradient's
 * possibly non-zero columns (../../tensor/gemm/grad-columns.ts).
 */
function emitRunsWrapper(m: ModuleBuilder, kernel: string, fam: KernelFamily): void {
  const { i32, f32 } = ValType;
  const f = m.declare(`${kernel}_runs`, [['rows', i32], ['rowBytes', i32], ['count', i32], ['runs', i32], ['scratch', i32],
    ...fam.arrays.map((a) => [a, i32] as const), ...fam.scalars.map((s) => [s, f32] as const)]);
  const P = (n: string) => f.get(n);
  const r = f.local(i32), q = f.local(i32), end = f.local(i32), off = f.local(i32), base = f.local(i32);
  const fn = m.indexOf(kernel);
  whileLoop(f, () => f.lget(r).lget(P('rows')).i32LtS(), () => {
    f.lget(P('runs')).lset(q);
    f.lget(P('count')).i32(3).i32Shl().lget(q).i32Add().lset(end);
    whileLoop(f, () => f.lget(q).lget(end).i32LtS(), () => {
      f.lget(q).i32Load().lget(base).i32Add().lset(off);
      f.lget(q).i32Load(4).lget(P('scratch'));
      for (const a of fam.arrays) f.lget(P(a)).lget(off).i32Add();
      for (const s of fam.scalars) f.lget(P(s));
      f.call(fn);
      addTo(f, q, 8);
    });
    addTo(f, base, P('rowBytes'));
    addTo(f, r, 1);
  });
}

const T = 1 + 2 ** -12;
/**
 * Halfway cases a·b + c where one rounding and two roundings differ (T·T = 1 + 2^-11 + 2^-24 is halfway
 * between two floats; 2^-60 tips it), mirrored, and a product whose low bits only a fused operation keeps.
 */
const PROBE: ReadonlyArray<[number, number, number]> = [
  [T, T, 2 ** -60],
  [-T, T, -(2 ** -60)],
  [1 + 2 ** -23, 1 - 2 ** -23, -1],
  [Math.fround(1 / 3), 3, -1],
];

/** Whether f32x4.relaxed_madd rounds once on this engine and CPU (checked, not assumed). */
function relaxedMaddIsFused(heap: WasmHeap): boolean {
  const api = wasmApi();
  if (!api || !wasmFeatures().relaxedSimd) return false;
  const m = new ModuleBuilder({ module: 'env', field: 'memory', initialPages: 1, maximumPages: MODULE_MAX_PAGES, shared: heap.shared });
  const f = m.declare('probe', [['at', ValType.i32]]);
  const at = f.get('at');
  f.lget(at).lget(at).v128Load(0).lget(at).v128Load(16).lget(at).v128Load(32).f32x4RelaxedMadd().v128Store(48);
  const addr = heap.allocBytes(64);
  try {
    const probe = new api.Instance(new api.Module(m.encode()), { env: { memory: heap.memory } }).exports.probe as (at: number) => void;
    const mem = heap.f32();
    const base = addr / 4;
    PROBE.forEach(([a, b, c], lane) => {
      mem[base + lane] = a;
      mem[base + 4 + lane] = b;
      mem[base + 8 + lane] = c;
    });
    probe(addr);
    return PROBE.every(([a, b, c], lane) => Object.is(heap.f32()[base + 12 + lane], fma32(Math.fround(a), Math.fround(b), Math.fround(c))));
  } finally {
    heap.freeBytes(addr);
  }
}

let requested: FusedMode | 'auto' = 'auto';
let autoMode: FusedMode | undefined;
let unavailable = false;
/** Instantiated families by mode; a family is generated and compiled the first time a step needs it. */
const instances: Record<FusedMode, Partial<Record<FamilyName, FamilyKernels>>> = { fma: {}, exact: {} };
let scratch = -1;
let currentMode: FusedMode | null = null;

/** The mode in effect, resolving 'auto' once (null where the engine has no SIMD or shared memory). */
function resolveMode(): FusedMode | null {
  if (currentMode !== null) return currentMode;
  if (unavailable) return null;
  if (!wasmFeatures().simd || !wasmMemoryAvailable()) {
    unavailable = true;
    return null;
  }
  currentMode = requested === 'auto' ? (autoMode ??= relaxedMaddIsFused(wasmHeap()) ? 'fma' : 'exact') : requested;
  return currentMode;
}

/**
 * `family`'s kernels in the current mode, instantiated on the shared heap on first use (null where the
 * engine has no SIMD or shared memory). The same object is returned every time: calling this allocates
 * nothing after the first call.
 */
export function familyKernels(family: FamilyName): FamilyKernels | null {
  const mode = currentMode ?? resolveMode();
  if (mode === null) return null;
  const hit = instances[mode][family];
  if (hit) return hit;
  const heap = wasmHeap();
  const fam = FAMILIES.find((f) => f.name === family)!;
  const api = wasmApi()!;
  const instance = new api.Instance(new api.Module(buildOptimModule(mode, [fam], heap.shared)), { env: { memory: heap.memory } });
  if (scratch < 0) scratch = heap.allocBytes(scratchBytes(Math.max(...FAMILIES.map((f) => f.arrays.length))));
  const k: FamilyKernels = {
    mode,
    scratch,
    fns: Array.from({ length: fam.keys }, (_, key) => instance.exports[`${fam.name}_${key}`] as KernelFn | undefined),
    runs: Array.from({ length: fam.keys }, (_, key) => instance.exports[`${fam.name}_${key}_runs`] as KernelFn | undefined),
    blockRuns: Array.from({ length: fam.keys }, (_, key) => instance.exports[`${fam.name}_${key}_blockruns`] as KernelFn | undefined),
    decayRuns: instance.exports.decay_runs as KernelFn | undefined,
    boundedRuns: instance.exports.bounded_runs as ((...args: number[]) => number) | undefined,
  };
  instances[mode][family] = k;
  return k;
}

/**
 * Choose how the fused operations are lowered: `'auto'` (the default) uses the hardware FMA where it is
 * verified and exact emulation elsewhere; `'exact'` forces the emulation (tests and benchmarks compare the
 * two); `'fma'` forces relaxed madd and throws unless it is verified fused here. Returns the previous
 * setting.
 */
export function setOptimKernelMode(mode: FusedMode | 'auto'): FusedMode | 'auto' {
  if (mode !== 'auto' && mode !== 'exact' && mode !== 'fma') throw new RangeError(`setOptimKernelMode: expected 'auto', 'exact' or 'fma', got ${String(mode)}`);
  if (mode !== 'auto') {
    if (!wasmFeatures().simd || !wasmMemoryAvailable()) throw new Error(`setOptimKernelMode('${mode}'): this engine has no WebAssembly SIMD or no WebAssembly memory`);
    if (mode === 'fma' && !relaxedMaddIsFused(wasmHeap())) {
      throw new Error("setOptimKernelMode('fma'): this engine's relaxed-SIMD madd is unavailable or not a fused multiply-add");
    }
  }
  const previous = requested;
  requested = mode;
  currentMode = null;
  return previous;
}

/** The mode the kernels use now (`null` where WebAssembly kernels are unavailable). */
export function optimKernelMode(): FusedMode | null {
  return resolveMode();
}

/**
 * Byte address of `a` in the WebAssembly heap, or −1 if it lives elsewhere. Arrays on the JS heap are
 * recognised without creating the heap or compiling anything (an array in the heap means it exists).
 */
export function heapAddress(a: Float32Array): number {
  if (unavailable) return -1;
  const heap = existingWasmHeap();
  return heap === null ? -1 : heap.addressOf(a);
}

/** Parameter updates run by a WebAssembly kernel since the process started (a diagnostic for tests). */
export const kernelStats = { calls: 0 };
