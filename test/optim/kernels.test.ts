import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Adam, SGD, adamStep, fma32, sgdStep, type AdamOptions } from '../../src/optim/index.js';
import { adamUpdateWasm, buildOptimModule, kernelStats, optimKernelMode, setOptimKernelMode, sgdStepWasm } from '../../src/optim/wasm/index.js';
import { wasmApi } from '../../src/tensor/gemm/wasm/api.js';
import { wasmFeatures } from '../../src/tensor/gemm/wasm/features.js';
import { allocFloat32, freeFloat32, useWasmMemory, wasmHeap } from '../../src/tensor/memory.js';
import { kernelCases } from './kernel-spec.js';
import { FAMILIES } from '../../src/optim/wasm/kernels.js';
import { familyKernels } from '../../src/optim/wasm/runtime.js';
import { Rng } from '../../src/tensor/random.js';

/**
 * The WebAssembly kernels give the bits of the JavaScript step functions (the specification) — see
 * ./kernel-spec.ts for the inputs. vitest's Node has no relaxed SIMD, so this is the exact-emulation
 * lowering; relaxed.test.ts runs the same cases on the FMA lowering in a child process.
 */
describe('optimizer kernels equal the JavaScript step functions, bit for bit (exact lowering)', () => {
  beforeAll(() => {
    setOptimKernelMode('exact');
  });
  afterAll(() => {
    setOptimKernelMode('auto');
  });

  it('runs in the exact lowering here', () => {
    expect(optimKernelMode()).toBe('exact');
  });

  it.each(kernelCases())('%s', (_title, run) => {
    expect(run()).toBeNull();
  });
});

describe('the generated module', () => {
  it('validates in both lowerings where the engine allows them', () => {
    const api = wasmApi()!;
    expect(api.validate(buildOptimModule('exact'))).toBe(true);
    expect(api.validate(buildOptimModule('fma'))).toBe(wasmFeatures().relaxedSimd);
  });

  it("refuses 'fma' unless relaxed madd is verified fused, and bad modes", () => {
    if (!wasmFeatures().relaxedSimd) expect(() => setOptimKernelMode('fma')).toThrow(/relaxed-SIMD madd is unavailable or not a fused/);
    expect(() => setOptimKernelMode('fast' as never)).toThrow(/expected 'auto', 'exact' or 'fma', got fast/);
    expect(optimKernelMode()).not.toBeNull();
  });
});

describe('when the kernels do not apply, nothing is touched and the JavaScript path runs', () => {
  const o: AdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false };

  function wasmArrays(n: number): Float32Array[] {
    return [0, 1, 2, 3].map((k) => {
      const a = wasmHeap().allocFloat32(n);
      for (let i = 0; i < n; i++) a[i] = Math.sin(i + k) * (k === 3 ? 0.1 : 1) ** 2;
      return a;
    });
  }

  it('an array on the JS heap, a length mismatch or a missing buffer: the kernel declines', () => {
    const [p, g, m, v] = wasmArrays(9);
    const before = [p, g, m, v].map((a) => a.slice());
    const calls = kernelStats.calls;
    expect(adamUpdateWasm(p, new Float32Array(9), { exp_avg: m, exp_avg_sq: v }, 1e-3, 0.9, 0.999, 1e-8, 0, 1, false, false, 1)).toBe(false);
    expect(adamUpdateWasm(p, g, { exp_avg: m.subarray(0, 8), exp_avg_sq: v }, 1e-3, 0.9, 0.999, 1e-8, 0, 1, false, false, 1)).toBe(false);
    expect(adamUpdateWasm(p, g, { exp_avg: m, exp_avg_sq: v, max_exp_avg_sq: null }, 1e-3, 0.9, 0.999, 1e-8, 0, 1, true, false, 1)).toBe(false);
    expect(sgdStepWasm(p, g, { momentum_buffer: null }, { lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0, maximize: false }, 2)).toBe(false);
    expect(kernelStats.calls).toBe(calls);
    [p, g, m, v].forEach((a, k) => expect(a).toEqual(before[k]));
    // …and the JavaScript step function then reports the problem.
    expect(() => adamStep(p, g, { exp_avg: m.subarray(0, 8), exp_avg_sq: v }, o, 1)).toThrow(/state.exp_avg has 8 values, param has 9/);
    [p, g, m, v].forEach((a) => freeFloat32(a));
  });

  it('an optimizer whose gradient is on the JS heap runs in JavaScript, with the same result', () => {
    const prev = useWasmMemory(true);
    try {
      const n = 13;
      const mk = (gradOnHeap: boolean) => {
        const data = allocFloat32(n);
        const grad = gradOnHeap ? new Float32Array(n) : allocFloat32(n);
        for (let i = 0; i < n; i++) {
          data[i] = Math.cos(i);
          grad[i] = Math.sin(3 * i);
        }
        return { data, grad };
      };
      const a = mk(false);
      const b = mk(true);
      const oa = new Adam([a], { lr: 0.01 });
      const ob = new Adam([b], { lr: 0.01 });
      const calls = kernelStats.calls;
      for (let t = 0; t < 3; t++) oa.step();
      expect(kernelStats.calls - calls).toBe(3);
      for (let t = 0; t < 3; t++) ob.step();
      expect(kernelStats.calls - calls).toBe(3); // b ran in JavaScript
      expect(b.data).toEqual(a.data);
      oa.dispose();
      ob.dispose();
      freeFloat32(a.data);
      freeFloat32(a.grad);
      freeFloat32(b.data);
    } finally {
      useWasmMemory(prev.name === 'wasm');
    }
  });

  it('the pure step function stays JavaScript even on WebAssembly arrays', () => {
    const [p, g, m, v] = wasmArrays(6);
    const calls = kernelStats.calls;
    sgdStep(p, g, { momentum_buffer: null }, { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false }, 1);
    adamStep(p, g, { exp_avg: m, exp_avg_sq: v }, o, 1);
    expect(kernelStats.calls).toBe(calls);
    [p, g, m, v].forEach((a) => freeFloat32(a));
  });

  it('SGD.step on wasm arrays is the kernel; fma32 is exported for anyone emulating PyTorch', () => {
    const prev = useWasmMemory(true);
    try {
      const p = { data: allocFloat32(5), grad: allocFloat32(5) };
      p.data.fill(2 ** -60);
      p.grad.fill(-(1 + 2 ** -12));
      const opt = new SGD([p], { lr: 1 + 2 ** -12 });
      opt.step();
      expect(Array.from(p.data)).toEqual(new Array(5).fill(fma32(1 + 2 ** -12, 1 + 2 ** -12, 2 ** -60)));
      expect(p.data[0]).toBe(1 + 2 ** -11 + 2 ** -23);
      opt.dispose();
      freeFloat32(p.data);
      freeFloat32(p.grad);
    } finally {
      useWasmMemory(prev.name === 'wasm');
    }
  });
});

describe('the column-run kernels equal the whole-array kernel on the runs and touch nothing else', () => {
  // Every family and key: `runs` (any run length, one whole-array call per run) and `blockRuns` (runs of
  // whole 4-column blocks, one prologue) over the same [rows, cols] matrices, against the whole-array
  // kernel on a copy; outside the runs every array must keep its bits.
  const rows = 3, cols = 24;
  const runs = [[0, 8], [12, 4], [20, 4]]; // (first column, length): whole blocks, with gaps
  for (const fam of FAMILIES) {
    for (let key = 0; key < fam.keys; key++) {
      if (!fam.body(key)) continue;
      it(`${fam.name} key ${key}`, () => {
        const heap = wasmHeap();
        const k = familyKernels(fam.name)!;
        const rng = new Rng(key + 1);
        const init = fam.arrays.map(() => Float32Array.from({ length: rows * cols }, () => 0.05 + rng.uniform()));
        const scalars = fam.scalars.map(() => Math.fround(0.1 + 0.8 * rng.uniform()));
        const runsArr = heap.allocFloat32(2 * runs.length);
        const runsI = new Int32Array(runsArr.buffer, runsArr.byteOffset, 2 * runs.length);
        runs.forEach(([c, n], q) => { runsI[2 * q] = 4 * c; runsI[2 * q + 1] = n; });
        const results: Float32Array[][] = [];
        for (const variant of ['whole', 'runs', 'blockRuns'] as const) {
          const arrs = init.map((a) => { const h = heap.allocFloat32(a.length); h.set(a); return h; });
          const ptrs = arrs.map((a) => heap.addressOf(a));
          if (variant === 'whole') for (let r = 0; r < rows; r++) for (const [c, n] of runs) k.fns[key]!(n, k.scratch, ...ptrs.map((p) => p + 4 * (r * cols + c)), ...scalars);
          else if (variant === 'runs') k.runs[key]!(rows, 4 * cols, runs.length, heap.addressOf(runsArr), k.scratch, ...ptrs, ...scalars);
          else k.blockRuns[key]!(rows, 4 * cols, runs.length, heap.addressOf(runsArr), ...ptrs, ...scalars);
          results.push(arrs.map((a) => a.slice()));
          for (const a of arrs) heap.freeArray(a);
        }
        heap.freeArray(runsArr);
        const [whole, viaRuns, viaBlocks] = results;
        for (let a = 0; a < init.length; a++) {
          expect(Array.from(viaRuns[a])).toEqual(Array.from(whole[a]));
          expect(Array.from(viaBlocks[a])).toEqual(Array.from(whole[a]));
          // Columns 8–11 and 16–19 are in no run: untouched.
          for (let r = 0; r < rows; r++) for (const c of [8, 11, 16, 19]) expect(Object.is(viaBlocks[a][r * cols + c], init[a][r * cols + c])).toBe(true);
        }
      });
    }
  }
});
