/**
 * The PyTorch fixture suite as plain functions, so that one spec runs on every implementation: the
 * JavaScript step functions (arrays on the JS heap) and the WebAssembly kernels (arrays in WebAssembly
 * memory after `useWasmMemory()`), in vitest (torch.test.ts, rounding.test.ts) and in a child process with
 * relaxed SIMD (relaxed.test.ts → relaxed-run.ts). A case returns its first failure (or null) and
 * accumulates deviations; it never throws for a numerical mismatch.
 */
import { Adadelta, Adagrad, Adam, AdamW, RMSprop, SGD, type OptimizerStateDict, type ParameterLike } from '../../src/optim/index.js';
import { kernelStats } from '../../src/optim/wasm/index.js';
import { allocFloat32, freeFloat32, setFloat32Allocator, useWasmMemory } from '../../src/tensor/memory.js';
import { compare, loadFixture, maxAbs, newDeviation, num, toOptions, type Deviation, type Num, type OptimizerCase, type OptimizerFixture, type TorchStateDict } from './fixtures.js';

/**
 * Tolerance for the ordinary fixtures: 0 — every parameter and state value must be bit-identical to
 * PyTorch 1.13's (0 ulp; ±0 compare equal). The steps follow PyTorch's operation order and rounding,
 * including the single rounding of its fused multiply-adds (src/optim/fused.ts), and every path (JS,
 * WebAssembly, relaxed SIMD) reproduces it on every fixture, Adam's bias corrections (V8's `pow` against
 * PyTorch's libm) included. A looser bound would let an operation-order change (two roundings instead of
 * one, ~1e-7 relative) pass; this one fails on it. (`compare` still takes a relative bound for callers
 * that need one.)
 */
export const RTOL = 0;

export type Path = 'js' | 'wasm';

export type Ctor = new (params: never, options?: never) => {
  step(): void;
  stateDict(): OptimizerStateDict;
  loadStateDict(d: OptimizerStateDict): void;
  dispose(): void;
};

export const OPTIMIZERS: Array<[string, Ctor]> = [
  ['sgd', SGD as unknown as Ctor],
  ['adagrad', Adagrad as unknown as Ctor],
  ['adadelta', Adadelta as unknown as Ctor],
  ['adam', Adam as unknown as Ctor],
  ['adamw', AdamW as unknown as Ctor],
  ['rmsprop', RMSprop as unknown as Ctor],
];

export const CTORS: Record<string, Ctor> = { SGD: OPTIMIZERS[0][1], Adagrad: OPTIMIZERS[1][1], Adadelta: OPTIMIZERS[2][1], Adam: OPTIMIZERS[3][1], AdamW: OPTIMIZERS[4][1], RMSprop: OPTIMIZERS[5][1] };

/**
 * Run `fn` with arrays (parameters, gradients, optimizer state) allocated where `path` needs them: the JS
 * heap, or WebAssembly memory. Parameters made with {@link makeParam} inside are freed afterwards (the
 * cases dispose their optimizers, which frees the state).
 */
export function onPath<T>(path: Path, fn: () => T): T {
  const previous = useWasmMemory(path === 'wasm');
  const mark = owned.length;
  try {
    return fn();
  } finally {
    setFloat32Allocator(previous);
    for (const a of owned.splice(mark)) freeFloat32(a);
  }
}

const owned: Float32Array[] = [];

/** A parameter whose value and gradient are allocated once (with allocFloat32, so on the active path). */
export interface Param extends ParameterLike {
  data: Float32Array;
  grad: Float32Array | null;
  /** The gradient buffer, kept while `grad` is null. */
  gradBuffer: Float32Array;
}

export function makeParam(values: ArrayLike<Num>): Param {
  const data = allocFloat32(values.length);
  for (let i = 0; i < values.length; i++) data[i] = num(values[i]);
  const gradBuffer = allocFloat32(values.length);
  owned.push(data, gradBuffer);
  return { data, grad: null, gradBuffer };
}

export function setGrad(p: Param, g: Num[] | null): void {
  if (g === null) {
    p.grad = null;
    return;
  }
  for (let i = 0; i < g.length; i++) p.gradBuffer[i] = num(g[i]);
  p.grad = p.gradBuffer;
}

function floorOf(values: ArrayLike<number | string>): number {
  return Math.max(1e-3 * maxAbs(values as never), 1e-30);
}

/** Compare our state dict with torch's; returns the first failure or null. */
export function compareState(ours: OptimizerStateDict, torch: TorchStateDict, label: string, dev: Deviation, rtol = RTOL): string | null {
  const keys = (o: object): string => Object.keys(o).sort().join(',');
  if (keys(ours.state) !== keys(torch.state)) return `${label}: parameters with state ${keys(ours.state)}, torch ${keys(torch.state)}`;
  for (const [idx, entry] of Object.entries(torch.state)) {
    const mine = ours.state[idx];
    if (keys(mine) !== keys(entry)) return `${label}: state[${idx}] entries ${keys(mine)}, torch ${keys(entry)}`;
    for (const [key, value] of Object.entries(entry)) {
      if (Array.isArray(value)) {
        const failure = compare(mine[key] as number[], value, rtol, floorOf(value), `${label} state[${idx}].${key}`, dev);
        if (failure) return failure;
      } else if (value === null) {
        if (mine[key] !== null) return `${label} state[${idx}].${key}: ours ${String(mine[key])}, torch null`;
      } else if (mine[key] !== num(value)) {
        return `${label} state[${idx}].${key}: ours ${String(mine[key])}, torch ${String(value)}`;
      }
    }
  }
  for (let i = 0; i < torch.param_groups.length; i++) {
    const mine = ours.param_groups[i] as Record<string, unknown>;
    for (const [k, v] of Object.entries(torch.param_groups[i])) {
      if (['foreach', 'differentiable', 'capturable', 'fused'].includes(k)) continue;
      if (JSON.stringify(mine[k]) !== JSON.stringify(v)) return `${label} param_groups[${i}].${k}: ours ${JSON.stringify(mine[k])}, torch ${JSON.stringify(v)}`;
    }
  }
  return null;
}

/** Parameter updates that ran in WebAssembly during `fn`, and how many parameters had a gradient. */
export interface KernelCount {
  wasm: number;
  updates: number;
}

export function newKernelCount(): KernelCount {
  return { wasm: 0, updates: 0 };
}

function counted(params: Param[], count: KernelCount, fn: () => void): void {
  const before = kernelStats.calls;
  fn();
  count.wasm += kernelStats.calls - before;
  count.updates += params.filter((p) => p.grad !== null).length;
}

function build(Cls: Ctor, c: OptimizerCase, params: Param[]): InstanceType<Ctor> {
  const opts = toOptions(c.kwargs);
  const input = c.groups ? c.groups.map((g) => ({ params: g.params.map((i) => params[i]), ...toOptions(g.options) })) : params;
  return new Cls(input as never, opts as never);
}

/** Ten steps from the fixture's start, parameters after each, then the final state dict. */
export function runFromStart(Cls: Ctor, fx: OptimizerFixture, c: OptimizerCase, dev: Deviation, stateDev: Deviation, count: KernelCount): string | null {
  const params = fx.init.map(makeParam);
  const opt = build(Cls, c, params);
  try {
    for (let t = 0; t < fx.grads.length; t++) {
      params.forEach((p, i) => setGrad(p, fx.grads[t][i]));
      counted(params, count, () => opt.step());
      for (let i = 0; i < params.length; i++) {
        const expected = c.params_after_step[t][i];
        const failure = compare(params[i].data, expected, RTOL, floorOf(expected), `step ${t + 1} param ${i}`, dev);
        if (failure) return failure;
      }
    }
    return compareState(opt.stateDict(), c.state_dict_final, 'final', stateDev);
  } finally {
    opt.dispose();
  }
}

/** Load torch's state dict saved after `mid_step` steps into a fresh optimizer and continue. */
export function runResumed(Cls: Ctor, fx: OptimizerFixture, c: OptimizerCase, dev: Deviation, stateDev: Deviation, count: KernelCount): string | null {
  const mid = fx.mid_step;
  const params = c.params_after_step[mid - 1].map(makeParam);
  const opt = build(Cls, c, params);
  try {
    opt.loadStateDict(JSON.parse(JSON.stringify(c.state_dict_mid)) as OptimizerStateDict);
    for (let t = mid; t < fx.grads.length; t++) {
      params.forEach((p, i) => setGrad(p, fx.grads[t][i]));
      counted(params, count, () => opt.step());
      for (let i = 0; i < params.length; i++) {
        const expected = c.params_after_step[t][i];
        const failure = compare(params[i].data, expected, RTOL, floorOf(expected), `resumed step ${t + 1} param ${i}`, dev);
        if (failure) return failure;
      }
    }
    return compareState(opt.stateDict(), c.state_dict_final, 'resumed final', stateDev);
  } finally {
    opt.dispose();
  }
}

export function optimizerFixture(name: string): OptimizerFixture {
  return loadFixture<OptimizerFixture>(`${name}.json`);
}

// The double-rounding fixture (tools/reference/optim_rounding.py) ------------------------------------

export interface RoundingCase {
  name: string;
  optimizer: string;
  kwargs: Record<string, unknown>;
  crafted: string;
  init: Num[];
  grads: Num[][];
  state_dict_before: TorchStateDict;
  params_after_step: Num[][];
  state_dict_final: TorchStateDict;
}

export interface RoundingFixture {
  torch: string;
  cases: RoundingCase[];
}

/**
 * One crafted case: load the state, step, and require every value to be bit-identical (tolerance 0: the
 * cases exist to tell one rounding from two, a difference of one ulp).
 */
export function runRoundingCase(c: RoundingCase, dev: Deviation, count: KernelCount): string | null {
  const Cls = CTORS[c.optimizer];
  if (!Cls) return `unknown optimizer ${c.optimizer}`;
  const p = makeParam(c.init);
  const opt = new Cls([p] as never, toOptions(c.kwargs) as never);
  try {
    loadCraftedState(opt, p, c.state_dict_before);
    for (let t = 0; t < c.grads.length; t++) {
      setGrad(p, c.grads[t]);
      counted([p], count, () => opt.step());
      const failure = compare(p.data, c.params_after_step[t], 0, 1e-30, `step ${t + 1}`, dev);
      if (failure) return failure;
    }
    return compareState(opt.stateDict(), c.state_dict_final, 'final', dev, 0);
  } finally {
    opt.dispose();
  }
}

/**
 * Load a crafted state that may hold values no real run produces (the rounding cases mirror a tiny value
 * into a negative second moment, to tell one rounding from two on both signs). loadStateDict rightly
 * rejects negative second moments, so: load the state with those buffers' magnitudes (every other check
 * still applies), then write the crafted values into the live buffers.
 */
function loadCraftedState(opt: InstanceType<Ctor>, p: { data: Float32Array }, dict: TorchStateDict): void {
  const sane = JSON.parse(JSON.stringify(dict)) as OptimizerStateDict;
  const raw = JSON.parse(JSON.stringify(dict)) as OptimizerStateDict;
  for (const entry of Object.values(sane.state)) {
    for (const [k, v] of Object.entries(entry)) if (Array.isArray(v)) entry[k] = (v as unknown[]).flat(Infinity).map((x) => Math.abs(x as number));
  }
  opt.loadStateDict(sane);
  const live = (opt as unknown as { state: Map<unknown, Record<string, unknown>> }).state.get(p);
  for (const [k, v] of Object.entries(raw.state['0'] ?? {})) {
    if (Array.isArray(v)) (live![k] as Float32Array).set((v as unknown[]).flat(Infinity) as number[]);
  }
}

export { newDeviation, type Deviation };
