/**
 * `npm run bench -- epoch [--json] [--optimizers sgd,adam] [--memory heap,wasm] [--steps N] [--rounds R]`:
 * where the time of a training epoch goes, on the real configuration (MNIST, 784-256-10 sigmoid, batch 50,
 * the dissertation's optimizer settings, built by the runner's `setupRun`).
 *
 * For each case (optimizer × memory) and round: warm up, then time N training steps phase by phase —
 * gather (copy the batch's rows into the input buffer), forward (zeroGrad + the net's forward), loss
 * (cross-entropy), backward (`backwardParams`), optim (the optimizer's step) — exactly the runner's step
 * loop — and one full test pass (10,000 images, the runner's Evaluator).
 * Cases run interleaved round by round, so machine noise hits all alike; the table gives medians over
 * rounds, in ms per step, and the epoch time they add up to (60,000 / batch steps + the test pass).
 * `gc` counts the garbage collections (scavenges included) observed during the timed steps (the most in
 * any round): a step loop that allocates nothing runs without any.
 *
 * memory: `heap` = parameters, gradients and activation buffers in ordinary Float32Arrays (the gemm
 * kernel stages WebAssembly operands by copying); `wasm` = all of them in the WebAssembly heap
 * (`useWasmMemory`), as the CLI runs.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { epochBatches, loadMnist } from '../src/data/index.js';
import { baselineConfigs, type OptimizerName } from '../src/experiments/config.js';
import { setupRun } from '../src/experiments/runner.js';
import { activeGemmKernel } from '../src/tensor/gemm/index.js';
import { freeFloat32, getFloat32Allocator, setFloat32Allocator, useWasmMemory, wasmHeap } from '../src/tensor/memory.js';
import { Tensor, zeros } from '../src/tensor/tensor.js';
import { hasFlag, median, printJsonLine, printTable } from './harness.js';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

const PHASES = ['gather', 'forward', 'loss', 'backward', 'optim'] as const;
type Phase = (typeof PHASES)[number];

interface Sample {
  /** ms per step by phase. */
  perStep: Record<Phase, number>;
  /** ms for one test pass. */
  test: number;
  gcs: number;
}

let gcCount = 0;
const observer = new PerformanceObserver((list) => {
  gcCount += list.getEntries().length;
});

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function measure(optimizer: OptimizerName, memory: 'heap' | 'wasm', data: ReturnType<typeof loadMnist>, warmup: number, steps: number): Promise<Sample> {
  const previous = getFloat32Allocator();
  if (memory === 'wasm') useWasmMemory(true);
  const [config] = baselineConfigs({ optimizers: [optimizer], seeds: [1], epochs: 1 });
  const s = setupRun(config, data);
  const { model, loss, optimizer: opt, sampler, taps, evaluator, train } = s;
  const B = config.batchSize, F = train.features;
  const xBuf: Tensor = zeros([B, F]);
  const y = new Uint8Array(B);
  const { order, ends } = epochBatches(sampler, 1);
  const labels = train.labels;
  // As the runner: one view per training image, made once, so the gather is a memcpy per row.
  const rowsOf = Array.from({ length: train.count }, (_, i) => train.images.subarray(i * F, i * F + F));
  const total: Record<Phase, number> = { gather: 0, forward: 0, loss: 0, backward: 0, optim: 0 };
  const run = (from: number, to: number, timed: boolean): void => {
    const xd = xBuf.data;
    for (let step = from; step < to; step++) {
      const t0 = performance.now();
      const start = step * B;
      for (let r = 0; r < B; r++) {
        const i = order[start + r];
        xd.set(rowsOf[i], r * F);
        y[r] = labels[i];
      }
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
    evaluator.run(); // warm the test pass too
    await nextTurn(); // deliver the warm-up's GC entries before counting
    const gc0 = gcCount;
    run(warmup, warmup + steps, true);
    await nextTurn();
    const gcs = gcCount - gc0;
    const t0 = performance.now();
    evaluator.run();
    const test = performance.now() - t0;
    const perStep = Object.fromEntries(PHASES.map((p) => [p, total[p] / steps])) as Record<Phase, number>;
    return { perStep, test, gcs };
  } finally {
    s.dispose();
    freeFloat32(xBuf.data);
    setFloat32Allocator(previous);
  }
}

export async function main(args: string[]): Promise<void> {
  const json = hasFlag(args, 'json');
  const optimizers = (option(args, 'optimizers') ?? 'sgd,adam').split(',') as OptimizerName[];
  const memories = (option(args, 'memory') ?? 'heap,wasm').split(',') as Array<'heap' | 'wasm'>;
  for (const m of memories) if (m !== 'heap' && m !== 'wasm') throw new Error(`bench epoch: --memory takes heap and/or wasm, got "${m}"`);
  const steps = Number(option(args, 'steps') ?? 300);
  const rounds = Number(option(args, 'rounds') ?? 3);
  const warmup = 50;
  const data = loadMnist();
  const stepsPerEpoch = Math.ceil(data.train.count / 50);
  observer.observe({ entryTypes: ['gc'] });
  const cases = optimizers.flatMap((o) => memories.map((m) => ({ optimizer: o, memory: m })));
  const samples: Sample[][] = cases.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let c = 0; c < cases.length; c++) samples[c].push(await measure(cases[c].optimizer, cases[c].memory, data, warmup, steps));
  }
  observer.disconnect();
  const rows: Array<Record<string, string | number>> = [];
  cases.forEach((c, i) => {
    const ss = samples[i];
    const per = Object.fromEntries(PHASES.map((p) => [p, median(ss.map((s) => s.perStep[p]))])) as Record<Phase, number>;
    const stepMs = median(ss.map((s) => PHASES.reduce((a, p) => a + s.perStep[p], 0)));
    const test = median(ss.map((s) => s.test));
    const epochS = (stepMs * stepsPerEpoch + test) / 1000;
    const gcs = Math.max(...ss.map((s) => s.gcs));
    const record = {
      bench: 'epoch',
      optimizer: c.optimizer,
      memory: c.memory,
      kernel: activeGemmKernel().name,
      steps,
      rounds,
      ...Object.fromEntries(PHASES.map((p) => [`${p}_ms`, per[p]])),
      step_ms: stepMs,
      test_pass_ms: test,
      epoch_s: epochS,
      gcs_in_timed_steps: gcs,
    };
    if (json) printJsonLine(record);
    rows.push({
      optimizer: c.optimizer,
      memory: c.memory,
      ...Object.fromEntries(PHASES.map((p) => [`${p} ms`, per[p]])),
      'total ms': stepMs,
      'test pass ms': test,
      'epoch s': epochS,
      gc: gcs,
    });
  });
  if (!json) {
    console.log(`epoch breakdown: 784-256-10 sigmoid, batch 50, MNIST; gemm ${activeGemmKernel().name}; ${steps} timed steps × ${rounds} rounds (medians); epoch = ${stepsPerEpoch} steps + test pass`);
    printTable(rows);
    const heap = wasmHeap();
    console.log(`WebAssembly heap after all cases: ${(heap.byteLength / 2 ** 20).toFixed(1)} MiB, ${(heap.bytesInUse / 2 ** 20).toFixed(2)} MiB in use`);
  }
}
