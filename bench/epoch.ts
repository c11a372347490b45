/**
 * `npm run bench -- epoch [--batch-size 50] [--optimizers sgd,adam] [--inputs mnist,noise] [--paths sparse,dense]
 *   [--memory wasm] [--steps N] [--rounds R] [--torch] [--no-test] [--json]`:
 * where the time of a training epoch goes, on the real configuration (784-256-10 sigmoid, the
 * dissertation's optimizer settings, built by the runner's `setupRun`), and how it compares with PyTorch.
 *
 * Cases: optimizer × input × path (× memory).
 * - input `mnist`: the MNIST training images (81 % exact zeros); `noise`: uniform noise on [0, 1) with MNIST's
 *   labels — the dense-input control.
 * - path `sparse`: sparse-input mode 'auto' (the default: the first layer takes the sparse kernels when the
 *   data is sparse enough — so `noise` runs dense here too); `dense`: mode 'dense' (the gemm path).
 * - memory `wasm` (default, as the CLI runs): all float32 storage in the WebAssembly heap; `heap`: JS heap
 *   (the sparse kernels then stay off in 'auto').
 * For each case and round: warm up, then time N training steps phase by phase — gather (the runner's
 * `gatherBatch`: dense rows, or on the sparse path only the batch's block form), forward (zeroGrad +
 * forward), loss, backward (`backwardParams`), optim — exactly the runner's step loop; then (unless --no-test) one test pass (the runner's Evaluator).
 *
 * With --torch (and /usr/bin/python3 with torch present), tools/pytorch/time-steps.py times PyTorch's own
 * training loop on the same input, batch size and optimizer, single-threaded with OpenBLAS loaded, in the
 * same round. Rounds interleave every case, so load changes hit all alike (this machine is shared). The
 * table gives medians over rounds of wall ms per step and CPU ms per step (this process's user + system
 * time: robust to other processes' load on an oversubscribed machine), the samples/s the wall time makes,
 * and `torch÷ours`, the median over rounds of the paired ratio of CPU times (> 1: ours faster).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { epochBatches, loadMnist, type Dataset } from '../src/data/index.js';
import { baselineConfigs, type OptimizerName } from '../src/experiments/config.js';
import { gatherBatch, imageRows, setupRun } from '../src/experiments/runner.js';
import { Linear } from '../src/layers/linear.js';
import { SparseInputFeed } from '../src/layers/sparse-input.js';
import { activeGemmKernel, setSparseInputMode } from '../src/tensor/gemm/index.js';
import { freeFloat32, getFloat32Allocator, setFloat32Allocator, useWasmMemory } from '../src/tensor/memory.js';
import { Rng } from '../src/tensor/random.js';
import { Tensor, zeros } from '../src/tensor/tensor.js';
import { hasFlag, median, printJsonLine, printTable } from './harness.js';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

const PHASES = ['gather', 'forward', 'loss', 'backward', 'optim'] as const;
type Phase = (typeof PHASES)[number];
type Input = 'mnist' | 'noise';
type Path = 'sparse' | 'dense';
type Memory = 'heap' | 'wasm';

interface Sample {
  /** Wall ms per step by phase. */
  perStep: Record<Phase, number>;
  /** CPU ms per step (user + system) over the timed steps. */
  cpuStep: number;
  /** ms for one test pass (NaN with --no-test). */
  test: number;
  gcs: number;
  /** Whether the first layer ran sparse on the timed steps. */
  sparse: boolean;
}

let gcCount = 0;
const observer = new PerformanceObserver((list) => {
  gcCount += list.getEntries().length;
});

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Case {
  optimizer: OptimizerName;
  input: Input;
  path: Path;
  memory: Memory;
}

async function measure(c: Case, train: Dataset, test: Dataset, B: number, warmup: number, steps: number, withTest: boolean): Promise<Sample> {
  const previous = getFloat32Allocator();
  const previousMode = setSparseInputMode(c.path === 'sparse' ? 'auto' : 'dense');
  if (c.memory === 'wasm') useWasmMemory(true);
  const [base] = baselineConfigs({ optimizers: [c.optimizer], seeds: [1], epochs: 1 });
  const s = setupRun({ ...base, batchSize: B }, { train, test });
  const { model, loss, optimizer: opt, sampler, taps, evaluator } = s;
  const F = train.features;
  const xBuf: Tensor = zeros([B, F]);
  const y = new Uint8Array(B);
  const feed = SparseInputFeed.forModel(model, train, B);
  const { order, ends } = epochBatches(sampler, 1);
  // As the runner: one view per training image, made once, so the gather is a memcpy per row.
  const rowsOf = imageRows(train);
  const total: Record<Phase, number> = { gather: 0, forward: 0, loss: 0, backward: 0, optim: 0 };
  const run = (from: number, to: number, timed: boolean): void => {
    for (let step = from; step < to; step++) {
      const t0 = performance.now();
      gatherBatch(train, rowsOf, feed, order, step * B, B, xBuf, y); // the runner's gather
      taps.setLabels(y);
      const t1 = performance.now();
      model.zeroGrad();
      const logits = model.forwardTrusted(xBuf); // as the runner: the images were checked once
      const t2 = performance.now();
      loss.forward(logits, y);
      const t3 = performance.now();
      model.backwardParams(loss.backward());
      const t4 = performance.now();
      opt.step();
      const t5 = performance.now();
      if (timed) {
        total.gather += t1 - t0;
        total.forward += t2 - t1;
        total.loss += t3 - t2;
        total.backward += t4 - t3;
        total.optim += t5 - t4;
      }
    }
  };
  if (warmup + steps > ends.length) throw new Error(`bench epoch: --steps ${steps} plus ${warmup} warm-up steps exceed the epoch's ${ends.length}`);
  try {
    run(0, warmup, false);
    if (withTest) evaluator.run(); // warm the test pass too
    await nextTurn(); // deliver the warm-up's GC entries before counting
    const gc0 = gcCount;
    const cpu0 = process.cpuUsage();
    run(warmup, warmup + steps, true);
    const cpu = process.cpuUsage(cpu0);
    await nextTurn();
    const gcs = gcCount - gc0;
    let testMs = NaN;
    if (withTest) {
      const t0 = performance.now();
      evaluator.run();
      testMs = performance.now() - t0;
    }
    const perStep = Object.fromEntries(PHASES.map((p) => [p, total[p] / steps])) as Record<Phase, number>;
    const first = model.layers[0];
    return { perStep, cpuStep: (cpu.user + cpu.system) / 1000 / steps, test: testMs, gcs, sparse: first instanceof Linear && first.lastForwardSparse };
  } finally {
    feed?.dispose();
    s.dispose();
    freeFloat32(xBuf.data);
    setFloat32Allocator(previous);
    setSparseInputMode(previousMode);
  }
}

const PYTHON = '/usr/bin/python3';
const OPENBLAS_DIR = '/usr/lib/x86_64-linux-gnu/openblas-pthread';

function torchAvailable(): boolean {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

/** PyTorch's training loop (tools/pytorch/time-steps.py), 1 thread, OpenBLAS when installed: { wall, cpu } ms per step. */
function timeTorch(optimizer: string, input: Input, B: number, warmup: number, steps: number): { wall: number; cpu: number } {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  if (existsSync(OPENBLAS_DIR)) env.LD_LIBRARY_PATH = OPENBLAS_DIR;
  const r = spawnSync(PYTHON, ['tools/pytorch/time-steps.py', '--optimizer', optimizer, '--batch-size', String(B), '--input', input, '--warmup', String(warmup), '--steps', String(steps)], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench epoch: tools/pytorch/time-steps.py failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms_per_step: number; cpu_ms_per_step: number };
  return { wall: out.ms_per_step, cpu: out.cpu_ms_per_step };
}

function noiseLike(ds: Dataset): Dataset {
  const images = new Rng(1).fillUniform(new Float32Array(ds.images.length), 0, 1);
  return { ...ds, name: `${ds.name}-noise`, images };
}

export async function main(args: string[]): Promise<void> {
  const json = hasFlag(args, 'json');
  const B = Number(option(args, 'batch-size') ?? 50);
  const optimizers = (option(args, 'optimizers') ?? 'sgd,adam').split(',') as OptimizerName[];
  const inputs = (option(args, 'inputs') ?? 'mnist,noise').split(',') as Input[];
  const paths = (option(args, 'paths') ?? 'sparse,dense').split(',') as Path[];
  const memories = (option(args, 'memory') ?? 'wasm').split(',') as Memory[];
  for (const m of memories) if (m !== 'heap' && m !== 'wasm') throw new Error(`bench epoch: --memory takes heap and/or wasm, got "${m}"`);
  for (const i of inputs) if (i !== 'mnist' && i !== 'noise') throw new Error(`bench epoch: --inputs takes mnist and/or noise, got "${i}"`);
  for (const p of paths) if (p !== 'sparse' && p !== 'dense') throw new Error(`bench epoch: --paths takes sparse and/or dense, got "${p}"`);
  if (!Number.isInteger(B) || B < 1) throw new Error(`bench epoch: --batch-size must be a positive integer, got ${option(args, 'batch-size')}`);
  const steps = Number(option(args, 'steps') ?? (B >= 50 ? 300 : Math.ceil(6000 / B)));
  const warmup = Number(option(args, 'warmup') ?? Math.max(20, Math.ceil(1000 / B)));
  const rounds = Number(option(args, 'rounds') ?? 3);
  const withTest = !hasFlag(args, 'no-test');
  const torch = hasFlag(args, 'torch') && torchAvailable();
  if (hasFlag(args, 'torch') && !torch) console.error('bench epoch: /usr/bin/python3 with torch not found; skipping the PyTorch rows');
  const data = loadMnist();
  const trains: Record<Input, Dataset> = { mnist: data.train, noise: inputs.includes('noise') ? noiseLike(data.train) : data.train };
  const stepsPerEpoch = Math.ceil(data.train.count / B);
  observer.observe({ entryTypes: ['gc'] });
  const cases: Case[] = optimizers.flatMap((o) => inputs.flatMap((i) => paths.flatMap((p) => memories.map((m) => ({ optimizer: o, input: i, path: p, memory: m })))));
  const torchCases = torch ? optimizers.flatMap((o) => inputs.map((i) => ({ optimizer: o, input: i }))) : [];
  const samples: Sample[][] = cases.map(() => []);
  const torchSamples: Array<Array<{ wall: number; cpu: number }>> = torchCases.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let c = 0; c < cases.length; c++) samples[c].push(await measure(cases[c], trains[cases[c].input], data.test, B, warmup, steps, withTest));
    for (let c = 0; c < torchCases.length; c++) torchSamples[c].push(timeTorch(torchCases[c].optimizer, torchCases[c].input, B, warmup, steps));
  }
  observer.disconnect();
  const rows: Array<Record<string, string | number>> = [];
  const torchOf = (o: string, i: Input) => torchSamples[torchCases.findIndex((t) => t.optimizer === o && t.input === i)];
  cases.forEach((c, k) => {
    const ss = samples[k];
    const per = Object.fromEntries(PHASES.map((p) => [p, median(ss.map((s) => s.perStep[p]))])) as Record<Phase, number>;
    const stepMs = median(ss.map((s) => PHASES.reduce((a, p) => a + s.perStep[p], 0)));
    const cpuMs = median(ss.map((s) => s.cpuStep));
    const test = median(ss.map((s) => s.test));
    const ts = torch ? torchOf(c.optimizer, c.input) : null;
    const ratio = ts ? median(ss.map((s, r) => ts[r].cpu / s.cpuStep)) : NaN;
    const record = {
      bench: 'epoch', batch_size: B, optimizer: c.optimizer, input: c.input, path: c.path, memory: c.memory,
      first_layer: ss.every((s) => s.sparse) ? 'sparse' : 'dense', kernel: activeGemmKernel().name, steps, rounds,
      ...Object.fromEntries(PHASES.map((p) => [`${p}_ms`, per[p]])),
      step_ms: stepMs, cpu_step_ms: cpuMs, samples_per_s: (1000 * B) / stepMs, test_pass_ms: test,
      train_epoch_s: (stepMs * stepsPerEpoch) / 1000, torch_over_ours_cpu: ratio, gcs_in_timed_steps: Math.max(...ss.map((s) => s.gcs)),
    };
    if (json) printJsonLine(record);
    rows.push({
      optimizer: c.optimizer, input: c.input, path: `${c.path}${memories.length > 1 ? `/${c.memory}` : ''}`, 'first layer': record.first_layer,
      ...Object.fromEntries(PHASES.map((p) => [`${p} ms`, per[p]])),
      'step ms': stepMs, 'cpu ms': cpuMs, 'samples/s': record.samples_per_s, 'train epoch s': record.train_epoch_s,
      ...(withTest ? { 'test pass ms': test } : {}), gc: record.gcs_in_timed_steps, 'torch÷ours': ratio,
    });
  });
  torchCases.forEach((t, k) => {
    const ts = torchSamples[k];
    const wall = median(ts.map((s) => s.wall)), cpu = median(ts.map((s) => s.cpu));
    if (json) printJsonLine({ bench: 'epoch', batch_size: B, optimizer: t.optimizer, input: t.input, path: 'pytorch+openblas', step_ms: wall, cpu_step_ms: cpu, samples_per_s: (1000 * B) / wall, train_epoch_s: (wall * stepsPerEpoch) / 1000 });
    rows.push({
      optimizer: t.optimizer, input: t.input, path: 'pytorch', 'first layer': 'openblas t1',
      ...Object.fromEntries(PHASES.map((p) => [`${p} ms`, NaN])),
      'step ms': wall, 'cpu ms': cpu, 'samples/s': (1000 * B) / wall, 'train epoch s': (wall * stepsPerEpoch) / 1000,
      ...(withTest ? { 'test pass ms': NaN } : {}), gc: NaN, 'torch÷ours': 1,
    });
  });
  if (!json) {
    console.log(`epoch: 784-256-10 sigmoid, batch ${B}; gemm ${activeGemmKernel().name}; ${steps} timed steps × ${rounds} interleaved rounds (medians); load ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    printTable(rows);
  }
}
