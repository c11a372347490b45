/**
 * `npm run bench -- optim [--json] [--runs N]`: optimizer step throughput on the dissertation's
 * 784-256-10 network (weights 256×784 and 10×256, biases 256 and 10: 203,530 parameters).
 *
 * For each optimizer: ns per parameter per `step()` (median of runs, after warm-up), and, timed interleaved
 * in the same run, a plain copy of the parameters' bytes (`Float32Array.prototype.set`, i.e. memcpy: 4 B
 * read + 4 B written per parameter) — the issue's baseline — plus the same copy as a JavaScript element
 * loop. An optimizer step touches more than that: Adam reads θ, g, m, v and writes θ, m, v (28 B per
 * parameter against the copy's 8), so the table gives both the plain time ratio ("× copy") and the ratio
 * per byte touched ("× copy per byte" = step time/bytes ÷ copy time/bytes), which is the fair measure of
 * how close a memory-bound update runs to memory speed.
 *
 * The last rows time a variant of Adam that is not shipped — every operation in double, one rounding per
 * store — and report how far it lands from PyTorch on the committed fixture, to show what PyTorch's
 * per-operation float32 rounding costs and buys.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../src/tensor/random.js';
import { allocFloat32 } from '../src/tensor/memory.js';
import { Adadelta, AdadeltaK, Adagrad, AdagradK, Adam, AdamW, RMSprop, SGD, adamStep, type AdamOptions } from '../src/optim/index.js';
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

interface Case {
  name: string;
  /** Bytes read + written per parameter by one step (float32 arrays only). */
  bytes: number;
  make: (ps: Param[]) => { step(): void };
}

const CASES: Case[] = [
  // θ, g read; θ written.
  { name: 'SGD (lr 0.1)', bytes: 12, make: (ps) => new SGD(ps, { lr: 0.1 }) },
  // + buffer read and written.
  { name: 'SGD momentum 0.9, nesterov', bytes: 20, make: (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true }) },
  { name: 'Adagrad (lr 0.1)', bytes: 20, make: (ps) => new Adagrad(ps, { lr: 0.1 }) },
  // θ, g, square_avg, acc_delta read; θ, square_avg, acc_delta written.
  { name: 'Adadelta (lr 1, rho 0.9)', bytes: 28, make: (ps) => new Adadelta(ps, { lr: 1, rho: 0.9 }) },
  { name: 'Adam (lr 1e-3)', bytes: 28, make: (ps) => new Adam(ps, { lr: 1e-3 }) },
  { name: 'Adam amsgrad', bytes: 36, make: (ps) => new Adam(ps, { lr: 1e-3, amsgrad: true }) },
  { name: 'AdamW', bytes: 28, make: (ps) => new AdamW(ps) },
  { name: 'RMSprop', bytes: 20, make: (ps) => new RMSprop(ps) },
  { name: 'RMSprop centered, momentum', bytes: 36, make: (ps) => new RMSprop(ps, { centered: true, momentum: 0.9 }) },
  { name: 'AdagradK (experimental)', bytes: 20, make: (ps) => new AdagradK(ps, { k: 1e-6 }) },
  { name: 'AdadeltaK (experimental)', bytes: 28, make: (ps) => new AdadeltaK(ps, { k: 1 }) },
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

function makeParams(rng: Rng): Param[] {
  return SHAPES.map(([, n]) => {
    const data = rng.fillNormal(allocFloat32(n), 0, 0.05);
    const grad = rng.fillNormal(allocFloat32(n), 0, 0.01);
    return { data, grad };
  });
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
  const rng = new Rng(7);
  const count = SHAPES.reduce((s, [, n]) => s + n, 0);

  // The baseline: the parameters' bytes copied once (memcpy), and the same as a JS loop.
  const src = makeParams(rng).map((p) => p.data);
  const dst = src.map((a) => allocFloat32(a.length));
  const copySet = (): void => {
    for (let i = 0; i < src.length; i++) dst[i].set(src[i]);
  };
  const copyLoop = (): void => {
    for (let k = 0; k < src.length; k++) {
      const s = src[k];
      const d = dst[k];
      for (let i = 0; i < s.length; i++) d[i] = s[i];
    }
  };

  const rows: Array<Record<string, string | number>> = [];
  const rounding: Array<Record<string, string | number>> = [];
  /** `wall` and `cpu`: seconds per call of [step, memcpy copy, JS-loop copy]. */
  const emit = (name: string, bytes: number, wall: number[], cpu: number[]): void => {
    const [t, copy, loop] = cpu;
    const ns = (t / count) * 1e9;
    rows.push({
      step: name,
      'ns/param': ns,
      'wall ns/param': (wall[0] / count) * 1e9,
      'B/param': bytes,
      'GB/s': (bytes * count) / t / 1e9,
      '× copy': t / copy,
      '× copy per byte': t / bytes / (copy / 8),
      '× JS-loop copy': t / loop,
    });
    if (json) {
      printJsonLine({
        bench: 'optim', params: count, step: name, bytes_per_param: bytes,
        ns_per_param_cpu: ns, ns_per_param_wall: (wall[0] / count) * 1e9,
        copy_ns_per_param_cpu: (copy / count) * 1e9, copy_ns_per_param_wall: (wall[1] / count) * 1e9,
        js_loop_copy_ns_per_param_cpu: (loop / count) * 1e9,
        ratio_to_copy_cpu: t / copy, ratio_to_copy_wall: wall[0] / wall[1], ratio_to_copy_per_byte_cpu: t / bytes / (copy / 8),
        ratio_to_js_loop_copy_cpu: t / loop,
      });
    }
  };

  const timing = { runs, warmup: 5, minSampleSeconds: 0.05 };
  const measure = (fns: Array<() => void>): [number[], number[]] => {
    const wall = timeInterleaved(fns, timing).map((t) => t.median);
    const cpu = cpuInterleaved(fns, runs, 0.05);
    return [wall, cpu];
  };
  for (const c of CASES) {
    const ps = makeParams(rng);
    const opt = c.make(ps);
    const [wall, cpu] = measure([() => opt.step(), copySet, copyLoop]);
    emit(c.name, c.bytes, wall, cpu);
  }

  // Per-operation float32 rounding (shipped) against one rounding per store (not shipped), Adam only.
  {
    const ps = makeParams(rng);
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
    const [wall, cpu] = measure([shipped, once, copySet, copyLoop]);
    const variants: Array<[string, number, number, 'shipped' | 'round-once']> = [
      ['adamStep: float32 per operation, as PyTorch (shipped)', wall[0], cpu[0], 'shipped'],
      ['Adam: double, one rounding per store (not shipped)', wall[1], cpu[1], 'round-once'],
    ];
    for (const [name, w, c, kernel] of variants) {
      const ulp = fixtureUlps(kernel);
      rounding.push({ variant: name, 'ns/param': (c / count) * 1e9, '× copy': c / cpu[2], '× JS-loop copy': c / cpu[3], 'max ulp vs torch (fixtures)': ulp });
      if (json) printJsonLine({ bench: 'optim', variant: name, ns_per_param_cpu: (c / count) * 1e9, ns_per_param_wall: (w / count) * 1e9, ratio_to_copy_cpu: c / cpu[2], max_ulp_vs_torch: ulp });
    }
  }

  if (!json) {
    console.log(`Optimizer step on the 784-256-10 net: ${count.toLocaleString('en')} parameters (${SHAPES.map(([n]) => n).join(', ')}); median of ${runs} runs.`);
    console.log('Times are CPU time of this process (the machine is shared); "wall ns/param" is wall-clock for reference.');
    console.log('"× copy": step ÷ memcpy of the parameters (8 B/param); "× copy per byte": the same per byte touched (B/param);');
    console.log('"× JS-loop copy": step ÷ the same copy written as a JavaScript loop.');
    printTable(rows);
    console.log('\nFloat32 rounding strategy, Adam (same run; ulps against the committed PyTorch fixtures, plain-Adam cases):');
    printTable(rounding);
  }
}
