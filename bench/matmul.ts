/**
 * `npm run bench -- matmul [--json] [--peers] [--kernels a,b] [--shapes MxKxN,…] [--heap] [--threads] [--runs n]`
 *
 * GFLOP/s (2·M·N·K per product) per shape and kernel: median/min/max over the timed runs (wall clock),
 * and the median by CPU time (see timeWallAndCpu), all kernels of a shape timed interleaved so machine
 * noise hits them alike; `× tfjs (CPU)` is the CPU-time ratio to TensorFlow.js WASM in the same run. `default` is whatever `sgemm` uses.
 * Operands come from `allocFloat32` under `useWasmMemory()` (where the library's own buffers live);
 * `--heap` adds, for the default kernel, the same product on ordinary JS-heap arrays, which costs the copy
 * into and out of the WebAssembly memory. `--peers` adds TensorFlow.js's WASM backend (one thread) and
 * ml-matrix, timed in the same interleaved run. `--threads` adds the default kernel on 2 threads, with
 * `× 1 thread` (JSON `speedup_vs_1_thread`): its wall-clock median over the one-thread row's, same run.
 */
import { Rng, activeGemmKernel, allocFloat32, gemmKernels, sgemm, useGemmKernel, useWasmMemory, wasmMemoryAvailable, type GemmKernel } from '../src/tensor/index.js';
import { makeWasmKernel, type WasmGemmKernel } from '../src/tensor/gemm/wasm-kernel.js';
import { ModuleBuilder, addTo, whileLoop } from '../src/tensor/gemm/wasm/builder.js';
import { wasmApi } from '../src/tensor/gemm/wasm/api.js';
import { ValType } from '../src/tensor/gemm/wasm/opcodes.js';
import { median, hasFlag, printJsonLine, printTable, sample } from './harness.js';

interface Shape {
  label: string;
  M: number;
  K: number;
  N: number;
  transA: boolean;
  transB: boolean;
}

const SHAPES: Shape[] = [
  { label: 'square 128', M: 128, K: 128, N: 128, transA: false, transB: false },
  { label: 'square 256', M: 256, K: 256, N: 256, transA: false, transB: false },
  { label: 'square 512', M: 512, K: 512, N: 512, transA: false, transB: false },
  { label: 'square 1024', M: 1024, K: 1024, N: 1024, transA: false, transB: false },
  { label: 'X·W (batch 50)', M: 50, K: 784, N: 256, transA: false, transB: false },
  { label: 'output layer', M: 50, K: 256, N: 10, transA: false, transB: false },
  { label: 'Xᵀ·dH (weight grad)', M: 784, K: 50, N: 256, transA: true, transB: false },
  { label: 'dH·Wᵀ (input grad)', M: 50, K: 256, N: 784, transA: false, transB: true },
  { label: 'batch 1', M: 1, K: 784, N: 256, transA: false, transB: false },
  { label: 'X·W (batch 1000)', M: 1000, K: 784, N: 256, transA: false, transB: false },
  // The layouts src/layers/Linear calls (W stored out×in = 256×784): forward X·Wᵀ, dX = dH·W, dW += dHᵀ·X.
  { label: 'Linear fwd X·Wᵀ', M: 50, K: 784, N: 256, transA: false, transB: true },
  { label: 'Linear dX = dH·W', M: 50, K: 256, N: 784, transA: false, transB: false },
  { label: 'Linear dW = dHᵀ·X', M: 256, K: 50, N: 784, transA: true, transB: false },
];

/**
 * Like harness.timeInterleaved, but each sample records both wall-clock and this process's CPU time
 * (user + system) per call. The machines are shared (often several CPU-bound jobs on 2 cores), so the
 * wall clock counts time the scheduler gave to others; CPU time does not, and is the fairer number for
 * single-thread kernels. Multi-threaded rows are judged by wall clock (CPU time adds up the threads).
 */
function timeWallAndCpu(fns: Array<() => void>, warmup: number, runs: number, minSampleSeconds: number): Array<{ wall: number[]; cpu: number[] }> {
  for (const fn of fns) for (let i = 0; i < warmup; i++) fn();
  const out = fns.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  for (let r = 0; r < runs; r++) {
    fns.forEach((fn, f) => {
      const { wall, cpu } = sample(fn, minSampleSeconds);
      out[f].wall.push(wall);
      out[f].cpu.push(cpu);
    });
  }
  return out;
}

/**
 * Estimate this core's clock (GHz) from a dependent chain of `x = x·x + c` in WebAssembly (i32.mul then
 * i32.add: 3 + 1 cycles of latency on Zen 4), timed by CPU time. The 128-bit FMA peak is 16 flops per
 * cycle, so GFLOP/s ÷ (16 × GHz) is the fraction of peak the kernel reaches at the clock the machine
 * actually runs (a shared cloud core is often well below its 3.7 GHz boost).
 */
function estimateClockGHz(): number {
  const api = wasmApi();
  if (!api) return NaN;
  const m = new ModuleBuilder({ module: 'env', field: 'memory', initialPages: 1, maximumPages: 1, shared: false });
  const f = m.declare('chain', [['n', ValType.i32]], [ValType.i32]);
  const x = f.local(ValType.i32);
  f.lget(f.get('n')).lset(x);
  whileLoop(f, () => f.lget(f.get('n')).i32(0).i32GtS(), () => {
    for (let i = 0; i < 100; i++) f.lget(x).lget(x).i32Mul().i32(2 * i + 3).i32Add().lset(x);
    addTo(f, f.get('n'), -1);
  });
  f.lget(x);
  const memory = new api.Memory({ initial: 1, maximum: 1 });
  const chain = new api.Instance(new api.Module(m.encode()), { env: { memory } }).exports.chain as (n: number) => number;
  chain(20000);
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const c0 = process.cpuUsage();
    chain(200000);
    const cu = process.cpuUsage(c0);
    best = Math.min(best, (cu.user + cu.system) / 1e6);
  }
  return (200000 * 100 * 4) / best / 1e9;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

interface Candidate {
  kernel: string;
  threads: number;
  operands: string;
  run: () => void;
}

interface Peers {
  tfjs?: { run(shape: Shape): () => void };
  mlMatrix?: { run(shape: Shape): () => void };
}

async function loadPeers(rng: Rng): Promise<Peers> {
  const peers: Peers = {};
  const tf = await import('@tensorflow/tfjs-core');
  const tfw = await import('@tensorflow/tfjs-backend-wasm');
  tfw.setThreadsCount(1);
  await tf.setBackend('wasm');
  await tf.ready();
  peers.tfjs = {
    run(s) {
      const a = tf.tensor2d(rng.fillUniform(new Float32Array(s.M * s.K), -1, 1), s.transA ? [s.K, s.M] : [s.M, s.K]);
      const b = tf.tensor2d(rng.fillUniform(new Float32Array(s.K * s.N), -1, 1), s.transB ? [s.N, s.K] : [s.K, s.N]);
      return () => {
        const c = tf.matMul(a, b, s.transA, s.transB);
        c.dataSync();
        c.dispose();
      };
    },
  };
  const { Matrix } = await import('ml-matrix');
  peers.mlMatrix = {
    run(s) {
      const rand = (r: number, c: number) => new Matrix(Array.from({ length: r }, () => Array.from(rng.fillUniform(new Float32Array(c), -1, 1))));
      const a = s.transA ? rand(s.K, s.M) : rand(s.M, s.K);
      const b = s.transB ? rand(s.N, s.K) : rand(s.K, s.N);
      return () => {
        (s.transA ? a.transpose() : a).mmul(s.transB ? b.transpose() : b);
      };
    },
  };
  return peers;
}

function operands(s: Shape, rng: Rng, alloc: (n: number) => Float32Array) {
  const A = rng.fillUniform(alloc(s.M * s.K), -1, 1);
  const B = rng.fillUniform(alloc(s.K * s.N), -1, 1);
  const C = alloc(s.M * s.N);
  const lda = s.transA ? s.M : s.K;
  const ldb = s.transB ? s.K : s.N;
  return { A, B, C, lda, ldb };
}

export async function main(args: string[]): Promise<void> {
  const json = hasFlag(args, 'json');
  const rng = new Rng(1);
  if (wasmMemoryAvailable()) useWasmMemory();
  const defaultKernel = activeGemmKernel();
  const kernelNames = (option(args, 'kernels') ?? gemmKernels().map((k) => k.name).filter((n) => n !== 'reference').join(',')).split(',');
  const shapeFilter = option(args, 'shapes')?.split(',');
  const shapes = SHAPES.filter((s) => !shapeFilter || shapeFilter.includes(`${s.M}x${s.K}x${s.N}`) || shapeFilter.includes(s.label));
  const peers = hasFlag(args, 'peers') ? await loadPeers(rng) : {};
  // `--threads`: a second instance of the default kernel with a worker, so the single-thread default is
  // left untouched while both are timed interleaved.
  let threaded: WasmGemmKernel | null = null;
  if (hasFlag(args, 'threads') && 'driver' in defaultKernel) {
    threaded = makeWasmKernel(defaultKernel.name, (defaultKernel as WasmGemmKernel).driver.config);
    threaded.setThreads(2);
    await threaded.threadsReady();
  }
  const rows: Array<Record<string, string | number>> = [];
  for (const s of shapes) {
    const flops = 2 * s.M * s.N * s.K;
    const wasmOps = operands(s, rng, allocFloat32);
    // The public entry point with whatever kernel it uses by default, or a given kernel through it.
    const viaKernel = (kernel: GemmKernel, ops = wasmOps) => () => {
      const prev = useGemmKernel(kernel);
      sgemm(s.transA, s.transB, s.M, s.N, s.K, 1, ops.A, 0, ops.lda, ops.B, 0, ops.ldb, 0, ops.C, 0, s.N);
      useGemmKernel(prev);
    };
    const cands: Candidate[] = [{ kernel: 'default', threads: 1, operands: 'wasm', run: viaKernel(defaultKernel) }];
    if (threaded) cands.push({ kernel: 'default', threads: 2, operands: 'wasm', run: viaKernel(threaded) });
    if (hasFlag(args, 'heap')) {
      const heapOps = operands(s, rng, (n) => new Float32Array(n));
      cands.push({ kernel: 'default', threads: 1, operands: 'heap', run: viaKernel(defaultKernel, heapOps) });
    }
    for (const name of kernelNames) {
      if (name === defaultKernel.name && !option(args, 'kernels')) continue;
      const kernel = gemmKernels().find((k) => k.name === name);
      if (!kernel) throw new Error(`bench matmul: unknown kernel '${name}'; registered: ${gemmKernels().map((k) => k.name).join(', ')}`);
      cands.push({ kernel: name, threads: 1, operands: 'wasm', run: viaKernel(kernel) });
    }
    if (peers.tfjs) cands.push({ kernel: 'tfjs-wasm', threads: 1, operands: 'tfjs', run: peers.tfjs.run(s) });
    if (peers.mlMatrix) cands.push({ kernel: 'ml-matrix', threads: 1, operands: 'js', run: peers.mlMatrix.run(s) });
    const big = flops > 5e8;
    const timings = timeWallAndCpu(cands.map((c) => c.run), big ? 1 : 3, Number(option(args, 'runs') ?? 7), big ? 0.2 : 0.05);
    let tfjsCpu = NaN;
    const recs = cands.map((c, i) => {
      const { wall, cpu } = timings[i];
      const rec: Record<string, unknown> = {
        bench: 'matmul',
        shape: `${s.M}x${s.K}x${s.N}`,
        transA: s.transA,
        transB: s.transB,
        kernel: c.kernel,
        threads: c.threads,
        operands: c.operands,
        gflops_median: flops / median(wall) / 1e9,
        gflops_min: flops / Math.max(...wall) / 1e9,
        gflops_max: flops / Math.min(...wall) / 1e9,
        cpu_gflops_median: flops / median(cpu) / 1e9,
        runs: wall.length,
      };
      if (c.kernel === 'default') rec.default_is = defaultKernel.name;
      if (c.kernel === 'tfjs-wasm') tfjsCpu = rec.cpu_gflops_median as number;
      return rec;
    });
    // The default kernel on one thread, same operands: what a threaded row's wall-clock speedup is taken against.
    const single = recs.find((r) => r.kernel === 'default' && r.threads === 1 && r.operands === 'wasm');
    for (const rec of recs) {
      if (Number.isFinite(tfjsCpu) && rec.threads === 1) rec.cpu_ratio_to_tfjs = (rec.cpu_gflops_median as number) / tfjsCpu;
      if (single && rec.threads !== 1) rec.speedup_vs_1_thread = (rec.gflops_median as number) / (single.gflops_median as number);
      if (json) printJsonLine(rec);
      rows.push({
        shape: `${s.label} ${rec.shape}${s.transA ? ' Aᵀ' : ''}${s.transB ? ' Bᵀ' : ''}`,
        kernel: rec.kernel === 'default' ? `default (${defaultKernel.name})` : (rec.kernel as string),
        thr: rec.threads as number,
        operands: rec.operands as string,
        'GFLOP/s median': rec.gflops_median as number,
        min: rec.gflops_min as number,
        max: rec.gflops_max as number,
        'CPU-time GFLOP/s': rec.cpu_gflops_median as number,
        '× tfjs (CPU)': (rec.cpu_ratio_to_tfjs as number | undefined) ?? '',
        '× 1 thread': (rec.speedup_vs_1_thread as number | undefined) ?? '',
      });
    }
  }
  const ghz = estimateClockGHz();
  if (json) printJsonLine({ bench: 'matmul', clock_ghz_estimate: ghz, fma128_peak_gflops: 16 * ghz });
  else {
    printTable(rows);
    console.log(`\nestimated core clock ${ghz.toFixed(2)} GHz → 128-bit FMA peak ≈ ${(16 * ghz).toFixed(1)} GFLOP/s per core`);
  }
}
