/**
 * `npm run bench -- optim [--json] [--runs N]`: optimizer step throughput on the dissertation's
 * 784-256-10 network (weights 256×784 and 10×256, biases 256 and 10: 203,530 parameters).
 *
 * For each optimizer, timed interleaved in the same run (CPU time of this process, median of runs after
 * warm-up; the machine is shared):
 * - `JS`: `step()` with parameters, gradients and state on the JS heap — the JavaScript step functions;
 * - `WASM`: `step()` with everything in WebAssembly memory (`useWasmMemory()`) — the SIMD kernels, in the
 *   lowering chosen by default (`fma` where relaxed SIMD is verified to be a fused multiply-add, as under
 *   `npm run bench`, else `exact`);
 * - `WASM exact`: the same kernels forced to the exact-emulation lowering (what an engine without relaxed
 *   SIMD runs; the mode switch around each step costs well under a microsecond);
 * - `memcpy`: a plain copy of the parameters' bytes (`Float32Array.prototype.set` on the JS heap: 4 B read
 *   + 4 B written per parameter) — the issue's baseline;
 * - `same-bytes copy`: a copy of every array the step reads (θ, g and the state buffers), i.e. the bytes
 *   the step has to move at least once — the fair baseline for a memory-bound update that touches 12–36
 *   B per parameter where memcpy moves 8.
 * All results are bit-identical between the paths (test/optim); this measures speed only.
 *
 * The last rows time a variant of Adam that is not shipped — every operation in double, one rounding per
 * store — and report how far it lands from PyTorch on the committed fixture, to show what PyTorch's
 * per-operation float32 rounding costs and buys.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../src/tensor/random.js';
import { allocFloat32, freeFloat32, useWasmMemory } from '../src/tensor/memory.js';
import { Adadelta, AdadeltaK, Adagrad, AdagradK, Adam, AdamW, RMSprop, SGD, adamStep, type AdamOptions, type ParameterLike } from '../src/optim/index.js';
import { kernelStats, optimKernelMode, setOptimKernelMode } from '../src/optim/wasm/index.js';
import { hasFlag, median, printJsonLine, printTable, timeInterleaved } from './harness.js';

const SHAPES: Array<[string, number]> = [
  ['fc1.weight 256×784', 256 * 784],
  ['fc1.bias 256', 256],
  ['fc2.weight 10×256', 10 * 256],
  ['fc2.bias 10', 10],
];

interface Param {
  data: Float32Array;
  grad: Float32Array;
}

type Opt = { step(): void; dispose(): void };

interface Case {
  name: string;
  /** Float32 arrays the step reads (θ, g, state); it writes θ and the state. */
  reads: number;
  writes: number;
  make: (ps: ParameterLike[]) => Opt;
  /** False for the experimental optimizers, which have no WebAssembly kernel. */
  kernel: boolean;
}

const CASES: Case[] = [
  { name: 'SGD (lr 0.1)', reads: 2, writes: 1, kernel: true, make: (ps) => new SGD(ps, { lr: 0.1 }) },
  { name: 'SGD momentum 0.9', reads: 3, writes: 2, kernel: true, make: (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9 }) },
  { name: 'SGD momentum 0.9, nesterov', reads: 3, writes: 2, kernel: true, make: (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true }) },
  { name: 'Adagrad (lr 0.1)', reads: 3, writes: 2, kernel: true, make: (ps) => new Adagrad(ps, { lr: 0.1 }) },
  { name: 'Adadelta (lr 1, rho 0.9)', reads: 4, writes: 3, kernel: true, make: (ps) => new Adadelta(ps, { lr: 1, rho: 0.9 }) },
  { name: 'Adam (lr 1e-3)', reads: 4, writes: 3, kernel: true, make: (ps) => new Adam(ps, { lr: 1e-3 }) },
  { name: 'Adam amsgrad', reads: 5, writes: 4, kernel: true, make: (ps) => new Adam(ps, { lr: 1e-3, amsgrad: true }) },
  { name: 'AdamW', reads: 4, writes: 3, kernel: true, make: (ps) => new AdamW(ps) },
  { name: 'RMSprop', reads: 3, writes: 2, kernel: true, make: (ps) => new RMSprop(ps) },
  { name: 'RMSprop centered, momentum', reads: 5, writes: 4, kernel: true, make: (ps) => new RMSprop(ps, { centered: true, momentum: 0.9 }) },
  { name: 'AdagradK (experimental)', reads: 3, writes: 2, kernel: false, make: (ps) => new AdagradK(ps, { k: 1e-6 }) },
  { name: 'AdadeltaK (experimental)', reads: 4, writes: 3, kernel: false, make: (ps) => new AdadeltaK(ps, { k: 1 }) },
];

/**
 * CPU seconds per call (user + system of this process), interleaved and median of `runs` like
 * `timeInterleaved`. On a shared, oversubscribed machine wall-clock time mostly measures the scheduler;
 * CPU time excludes the time this process was not running (cache and hyper-thread contention remain).
 */
function cpuInterleaved(fns: Array<() => void>, runs: number, minSampleSeconds: number): number[] {
  const samples: number[][] = fns.map(() => []);
  for (let r = 0; r < runs; r++) {
    fns.forEach((fn, f) => {
      let reps = 0;
      const c0 = process.cpuUsage();
      let used = 0;
      do {
        fn();
        reps++;
        const c = process.cpuUsage(c0);
        used = (c.user + c.system) / 1e6;
      } while (used < minSampleSeconds);
      samples[f].push(used / reps);
    });
  }
  return samples.map(median);
}

/** Parameters with seeded values, allocated by `allocFloat32` (so in WebAssembly memory when it is on). */
function makeParams(seed: number): Param[] {
  const rng = new Rng(seed);
  return SHAPES.map(([, n]) => ({ data: rng.fillNormal(allocFloat32(n), 0, 0.05), grad: rng.fillNormal(allocFloat32(n), 0, 0.01) }));
}

function freeParams(ps: Param[]): void {
  for (const p of ps) {
    freeFloat32(p.data);
    freeFloat32(p.grad);
  }
}

/**
 * NOT SHIPPED — Adam with every operation in double and one rounding per store, for comparison only.
 */
function adamRoundOnce(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, o: AdamOptions, step: number): void {
  const [b1, b2] = o.betas;
  const stepSize = o.lr / (1 - b1 ** step);
  const bc2Sqrt = Math.sqrt(1 - b2 ** step);
  const c1 = 1 - b1;
  const c2 = 1 - b2;
  for (let i = 0; i < param.length; i++) {
    const g = grad[i];
    const mi = b1 * m[i] + c1 * g;
    const vi = b2 * v[i] + c2 * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] = param[i] - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + o.eps);
  }
}

/** Largest ulp distance from PyTorch over the plain-Adam fixture cases (no amsgrad/decay/maximize). */
function fixtureUlps(kernel: 'shipped' | 'round-once'): number {
  const here = dirname(fileURLToPath(import.meta.url));
  const fx = JSON.parse(readFileSync(join(here, '..', 'test', 'fixtures', 'optim', 'adam.json'), 'utf8')) as {
    init: number[][];
    grads: Array<Array<number[] | null>>;
    cases: Array<{ kwargs: Record<string, unknown>; groups: unknown; params_after_step: number[][][] }>;
  };
  const f32 = new Float32Array(2);
  const i32 = new Int32Array(f32.buffer);
  const ulps = (a: number, b: number): number => {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
    f32[0] = a;
    f32[1] = b;
    const o = (x: number): number => (x < 0 ? -0x80000000 - x : x);
    return Math.abs(o(i32[0]) - o(i32[1]));
  };
  let worst = 0;
  for (const c of fx.cases) {
    const k = c.kwargs as { lr?: number; betas?: [number, number]; eps?: number; amsgrad?: boolean; weight_decay?: number; maximize?: boolean };
    if (c.groups || k.amsgrad || k.weight_decay || k.maximize) continue;
    const o: AdamOptions = { lr: k.lr ?? 1e-3, betas: k.betas ?? [0.9, 0.999], eps: k.eps ?? 1e-8, weightDecay: 0, amsgrad: false, maximize: false };
    const ps = fx.init.map((v) => Float32Array.from(v));
    const st = ps.map((p) => ({ exp_avg: new Float32Array(p.length), exp_avg_sq: new Float32Array(p.length), step: 0 }));
    fx.grads.forEach((gs, t) => {
      gs.forEach((g, i) => {
        if (g === null) return;
        const s = st[i];
        s.step++;
        const grad = Float32Array.from(g);
        if (kernel === 'shipped') adamStep(ps[i], grad, s, o, s.step);
        else adamRoundOnce(ps[i], grad, s.exp_avg, s.exp_avg_sq, o, s.step);
      });
      ps.forEach((p, i) => p.forEach((x, j) => (worst = Math.max(worst, ulps(x, c.params_after_step[t][i][j])))));
    });
  }
  return worst;
}

export async function main(args: string[]): Promise<void> {
  const json = hasFlag(args, 'json');
  const runsArg = args.indexOf('--runs');
  const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : 9;
  const count = SHAPES.reduce((s, [, n]) => s + n, 0);
  const ns = (seconds: number): number => (seconds / count) * 1e9;

  // Baselines on the JS heap (a memcpy there is faster than on the shared WebAssembly memory).
  useWasmMemory(false);
  const rng = new Rng(7);
  const maxReads = Math.max(...CASES.map((c) => c.reads));
  const srcs = Array.from({ length: maxReads }, () => SHAPES.map(([, n]) => rng.fillNormal(new Float32Array(n))));
  const dsts = srcs.map((arrays) => arrays.map((a) => new Float32Array(a.length)));
  const copyArrays = (k: number): void => {
    for (let j = 0; j < k; j++) {
      const s = srcs[j];
      const d = dsts[j];
      for (let i = 0; i < s.length; i++) d[i].set(s[i]);
    }
  };
  const memcpy = (): void => copyArrays(1);

  // Warm the kernels in both lowerings before timing: compile, and give V8 time to replace the baseline
  // (Liftoff) code by optimized code — compiled in the background, which a busy machine can delay.
  useWasmMemory(true);
  for (const lowering of ['exact', 'auto'] as const) {
    setOptimKernelMode(lowering);
    const ps = makeParams(1);
    const opts = CASES.filter((c) => c.kernel).map((c) => c.make(ps));
    const until = process.cpuUsage().user + 2e6;
    do for (const o of opts) o.step();
    while (process.cpuUsage().user < until);
    opts.forEach((o) => o.dispose());
    freeParams(ps);
  }
  const mode = optimKernelMode();

  const rows: Array<Record<string, string | number>> = [];
  const timing = { runs, warmup: 5, minSampleSeconds: 0.05 };
  let seed = 100;
  for (const c of CASES) {
    // A first step under each allocator creates the state there (SGD's momentum buffer is created lazily).
    useWasmMemory(false);
    const jsParams = makeParams(seed);
    const jsOpt = c.make(jsParams);
    jsOpt.step();
    useWasmMemory(true);
    const wasmParams = makeParams(seed);
    const wasmOpt = c.make(wasmParams);
    wasmOpt.step();
    const exactParams = makeParams(seed++);
    const exactOpt = c.make(exactParams);
    exactOpt.step();
    useWasmMemory(false);
    const exactStep = (): void => {
      setOptimKernelMode('exact');
      exactOpt.step();
      setOptimKernelMode('auto');
    };
    const sameBytes = (): void => copyArrays(c.reads);
    const calls = kernelStats.calls;
    const fns = c.kernel ? [() => jsOpt.step(), () => wasmOpt.step(), exactStep, memcpy, sameBytes] : [() => jsOpt.step(), memcpy, sameBytes];
    const wall = timeInterleaved(fns, timing).map((t) => t.median);
    const cpu = cpuInterleaved(fns, runs, 0.05);
    if (c.kernel && kernelStats.calls === calls) throw new Error(`bench: ${c.name} never ran a WebAssembly kernel`);
    const [js, wasm, exact, copy, same] = c.kernel ? cpu : [cpu[0], NaN, NaN, cpu[1], cpu[2]];
    const bytes = 4 * (c.reads + c.writes);
    rows.push({
      step: c.name,
      'B/param': bytes,
      'JS ns/param': ns(js),
      'WASM ns/param': c.kernel ? ns(wasm) : '—',
      'WASM exact ns/param': c.kernel ? ns(exact) : '—',
      'memcpy ns/param': ns(copy),
      'JS × memcpy': js / copy,
      'WASM × memcpy': c.kernel ? wasm / copy : '—',
      'WASM × same-bytes copy': c.kernel ? wasm / same : '—',
      'WASM exact × same-bytes copy': c.kernel ? exact / same : '—',
      'JS ÷ WASM': c.kernel ? js / wasm : '—',
    });
    if (json) {
      printJsonLine({
        bench: 'optim', params: count, step: c.name, bytes_per_param: bytes, arrays_read: c.reads, arrays_written: c.writes, wasm_mode: c.kernel ? mode : null,
        js_ns_per_param_cpu: ns(js), js_ns_per_param_wall: ns(wall[0]),
        wasm_ns_per_param_cpu: c.kernel ? ns(wasm) : null, wasm_ns_per_param_wall: c.kernel ? ns(wall[1]) : null,
        wasm_exact_ns_per_param_cpu: c.kernel ? ns(exact) : null,
        memcpy_ns_per_param_cpu: ns(copy), same_bytes_copy_ns_per_param_cpu: ns(same),
        js_ratio_to_memcpy: js / copy, wasm_ratio_to_memcpy: c.kernel ? wasm / copy : null,
        wasm_ratio_to_same_bytes_copy: c.kernel ? wasm / same : null, wasm_exact_ratio_to_same_bytes_copy: c.kernel ? exact / same : null,
        js_over_wasm: c.kernel ? js / wasm : null,
      });
    }
    for (const o of [jsOpt, wasmOpt, exactOpt]) o.dispose();
    freeParams(wasmParams);
    freeParams(exactParams);
  }

  // Per-operation float32 rounding (shipped) against one rounding per store (not shipped), Adam only.
  const rounding: Array<Record<string, string | number>> = [];
  {
    const ps = makeParams(9);
    const mk = () => ps.map((p) => ({ exp_avg: new Float32Array(p.data.length), exp_avg_sq: new Float32Array(p.data.length) }));
    const s1 = mk();
    const s2 = mk();
    const o: AdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false };
    let n1 = 0;
    let n2 = 0;
    const shipped = (): void => {
      n1++;
      ps.forEach((p, i) => adamStep(p.data, p.grad, s1[i], o, n1));
    };
    const once = (): void => {
      n2++;
      ps.forEach((p, i) => adamRoundOnce(p.data, p.grad, s2[i].exp_avg, s2[i].exp_avg_sq, o, n2));
    };
    const cpu = cpuInterleaved([shipped, once, memcpy], runs, 0.05);
    const variants: Array<[string, number, 'shipped' | 'round-once']> = [
      ['adamStep: float32 per operation, as PyTorch (shipped)', cpu[0], 'shipped'],
      ['Adam: double, one rounding per store (not shipped)', cpu[1], 'round-once'],
    ];
    for (const [name, c, kernel] of variants) {
      const ulp = fixtureUlps(kernel);
      rounding.push({ variant: name, 'ns/param': ns(c), '× memcpy': c / cpu[2], 'max ulp vs torch (fixtures)': ulp });
      if (json) printJsonLine({ bench: 'optim', variant: name, ns_per_param_cpu: ns(c), ratio_to_memcpy_cpu: c / cpu[2], max_ulp_vs_torch: ulp });
    }
  }

  if (!json) {
    console.log(`Optimizer step on the 784-256-10 net: ${count.toLocaleString('en')} parameters (${SHAPES.map(([n]) => n).join(', ')}); median of ${runs} runs, CPU time.`);
    console.log(`JS: arrays on the JS heap (JavaScript step functions). WASM: arrays in WebAssembly memory (SIMD kernels, '${mode}' lowering). WASM exact: the exact-emulation lowering.`);
    console.log('memcpy: the parameters copied once (8 B/param). same-bytes copy: every array the step reads, copied once. Results are bit-identical across paths.');
    printTable(rows);
    console.log('\nFloat32 rounding strategy, Adam, JavaScript (same run; ulps against the committed PyTorch fixtures, plain-Adam cases):');
    printTable(rounding);
  }
}
