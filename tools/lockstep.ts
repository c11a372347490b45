/**
 * Lock-step check against PyTorch: replay a run dumped by tools/pytorch/lockstep.py — same initial weights,
 * same batches — through our model, optimizer and test pass, and compare every number.
 *
 *   /usr/bin/python3 tools/pytorch/lockstep.py --optimizer adam --seed 1 --steps 1200 --out /tmp/adam.json
 *   npx tsx tools/lockstep.ts /tmp/adam.json [--dense]
 *
 * As the CLI trains: float32 storage in the WebAssembly heap (where the engine has it) and the first layer
 * on the sparse-input path (mode 'auto', fed by SparseInputFeed); `--dense` replays on the JS heap through
 * the dense gemm path instead.
 *
 * Prints the largest difference of the per-step training loss (first 10 steps, and all steps), of the final
 * weights (absolute, and relative to the largest weight), and of the test pass's numbers. With identical
 * formulas, only float32 rounding order differs (our gemm vs torch's BLAS): the first steps agree to ~1e-6
 * and the drift grows slowly over an epoch. A formula difference shows up from the first steps on.
 */
import { readFileSync } from 'node:fs';
import { loadMnist } from '../src/data/index.js';
import { normalizeConfig } from '../src/experiments/config.js';
import { setupRun } from '../src/experiments/runner.js';
import { Linear, SparseInputFeed } from '../src/layers/index.js';
import { getFloat32Allocator, useWasmMemory, wasmMemoryAvailable, zeros } from '../src/tensor/index.js';

interface Dump {
  optimizer: { name: string };
  seed: number;
  steps: number;
  batch_size: number;
  torch: string;
  blas: string;
  order: number[];
  initial: Record<string, number[]>;
  final: Record<string, number[]>;
  losses: number[];
  test_loss: number;
  test_acc: number;
  layers: Array<Record<string, number>>;
}

function main(argv: string[]): number {
  const dense = argv.includes('--dense');
  const files = argv.filter((a) => a !== '--dense');
  if (files.length !== 1) throw new Error('usage: npx tsx tools/lockstep.ts DUMP.json [--dense] (DUMP from tools/pytorch/lockstep.py)');
  const dump = JSON.parse(readFileSync(files[0], 'utf8')) as Dump;
  if (!dense && wasmMemoryAvailable()) useWasmMemory(true);
  const data = loadMnist();
  const config = normalizeConfig({ optimizer: dump.optimizer.name as 'adam', seed: dump.seed, epochs: 1, batchSize: dump.batch_size });
  const s = setupRun(config, { train: data.train, test: data.test });
  const params = s.model.parameters();
  for (const p of params) {
    const init = dump.initial[p.name];
    if (!init) throw new Error(`${argv[0]}: no initial values for parameter ${p.name} (have ${Object.keys(dump.initial).join(', ')})`);
    if (init.length !== p.data.length) throw new Error(`${p.name}: dump has ${init.length} values, the model ${p.data.length}`);
    p.data.set(init);
  }
  const B = dump.batch_size;
  const F = s.train.features;
  const x = zeros([B, F]);
  const y = new Uint8Array(B);
  const feed = dense ? null : SparseInputFeed.forModel(s.model, s.train, B);
  const losses: number[] = [];
  for (let step = 0; step < dump.steps; step++) {
    for (let r = 0; r < B; r++) {
      const i = dump.order[step * B + r];
      x.data.set(s.train.images.subarray(i * F, (i + 1) * F), r * F);
      y[r] = s.train.labels[i];
    }
    feed?.gather(dump.order, step * B, B, x);
    s.model.zeroGrad();
    const l = s.loss.forward(s.model.forward(x), y);
    s.model.backwardParams(s.loss.backward());
    s.optimizer.step();
    losses.push(l);
  }
  const first = s.model.layers[0];
  const path = first instanceof Linear && first.lastForwardSparse ? 'sparse-input first layer' : 'dense'; // of the training steps
  const ev = s.evaluator.run();

  const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>, n = a.length) => {
    let m = 0;
    for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m;
  };
  console.log(`${dump.optimizer.name} seed ${dump.seed}, ${dump.steps} steps of ${B}; torch ${dump.torch} (BLAS ${dump.blas}); ours: ${path}, ${getFloat32Allocator().name} memory`);
  console.log(`train loss: max |ours − torch| over the first 10 steps ${maxAbs(losses, dump.losses, Math.min(10, losses.length)).toExponential(2)}, over all ${maxAbs(losses, dump.losses).toExponential(2)}`);
  for (const p of params) {
    const f = dump.final[p.name];
    let scale = 0;
    for (const v of f) scale = Math.max(scale, Math.abs(v));
    const d = maxAbs(p.data, f);
    console.log(`final ${p.name.padEnd(15)} max |diff| ${d.toExponential(2)}  (largest |w| ${scale.toExponential(2)}, relative ${(d / scale).toExponential(2)})`);
  }
  const rows: Array<[string, number, number]> = [
    ['test_acc', ev.accuracy, dump.test_acc],
    ['test_loss', ev.loss, dump.test_loss],
  ];
  for (const k of ['sparsity_mean', 'sparsity_std', 'selectivity_mean', 'selectivity_std'] as const) {
    rows.push([k, ev.layers[0][k] ?? NaN, dump.layers[0][k]]);
  }
  console.log('\nmetric            ours            torch           diff');
  for (const [k, o, t] of rows) console.log(`${k.padEnd(17)} ${o.toFixed(8).padEnd(15)} ${t.toFixed(8).padEnd(15)} ${(o - t).toExponential(2)}`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  console.error(`error: ${(e as Error).message}`);
  process.exitCode = 2;
}
