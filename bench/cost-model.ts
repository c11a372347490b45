/**
 * `node --experimental-wasm-relaxed-simd --import tsx bench/cost-model.ts [--optimizers sgd,adagrad,adadelta,adam]
 * [--rounds 3] [--no-cnn] [--no-test] [--json]`: the measurements behind the dry-run's CPU-time estimate
 * (src/experiments/cost-model.ts). `--no-cnn` / `--no-test` leave out the CNN and the test-pass cases (to
 * re-measure only some optimizers).
 *
 * For each case (optimizer × hidden width × batch size, and the conv preset's CNN) it trains real runs
 * through `runExperiment` (the CLI's runner, WebAssembly heap as the CLI runs) of 1 and of 2 epochs on two
 * training-subset sizes: the second epoch's time (2-epoch run − 1-epoch run) cancels the once-per-run set-up
 * (data preparation, the block form of the training images, which grow with the subset too), and the two
 * subset sizes cancel the test pass: seconds per training image per epoch. The test pass is measured the
 * same way from two test-subset sizes. Cases run interleaved, round by round; medians over rounds. Prints
 * a table and one JSON line per case.
 *
 * Time is this process's CPU time (user + system, `process.cpuUsage`), not wall time: the estimate is of
 * CPU-hours, and CPU time is far less disturbed than wall time on a machine shared with other jobs.
 */
import { loadMnist } from '../src/data/index.js';
import { normalizeConfig, type OptimizerName } from '../src/experiments/config.js';
import { runExperiment } from '../src/experiments/runner.js';
import { activeGemmKernel } from '../src/tensor/index.js';
import { median, printJsonLine, printTable } from './harness.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const KNOWN: OptimizerName[] = ['sgd', 'adagrad', 'adadelta', 'adam'];
const optimizers = (option('optimizers') ?? KNOWN.join(',')).split(',') as OptimizerName[];
for (const o of optimizers) if (!KNOWN.includes(o)) throw new Error(`bench cost-model: --optimizers takes ${KNOWN.join(', ')}, got "${o}"`);
const rounds = Number(option('rounds') ?? 3);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`bench cost-model: --rounds must be a positive integer, got ${option('rounds')}`);
const withCnn = !args.includes('--no-cnn'), withTest = !args.includes('--no-test');
const data = loadMnist();

async function runSeconds(optimizer: OptimizerName, width: number, batch: number, train: number, test: number, epochs: number, cnn: boolean): Promise<number> {
  const config = normalizeConfig({ optimizer, hidden: [width], batchSize: batch, epochs, data: { train: { start: 0, end: train }, test: { start: 0, end: test } }, ...(cnn && { model: { kind: 'cnn' } }) });
  const t0 = process.cpuUsage();
  await runExperiment(config, { data, wasmMemory: true });
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1e6;
}

/** CPU seconds of one epoch (after the first) on `train` training and `test` test images. */
async function epochSeconds(optimizer: OptimizerName, width: number, batch: number, train: number, test: number, cnn = false): Promise<number> {
  const one = await runSeconds(optimizer, width, batch, train, test, 1, cnn);
  const two = await runSeconds(optimizer, width, batch, train, test, 2, cnn);
  return two - one;
}

interface Case { optimizer: OptimizerName; width: number; batch: number; n1: number; n2: number }
const cases: Case[] = [];
for (const optimizer of optimizers) {
  for (const width of [256, 768]) {
    cases.push({ optimizer, width, batch: 50, n1: 10000, n2: 30000 });
    cases.push({ optimizer, width, batch: 1, n1: 1000, n2: 4000 });
  }
}
const samples = new Map<Case, number[]>(cases.map((c) => [c, []]));
const evalSamples = new Map<number, number[]>(withTest ? [[256, []], [768, []]] : []);
// The CNN of the conv preset (Adam, batch 50; its step is dominated by the convolutions, not the optimizer).
const cnnTrain: number[] = [], cnnTest: number[] = [];
for (let r = 0; r < rounds; r++) {
  if (withCnn) {
    const a = await epochSeconds('adam', 256, 50, 300, 300, true);
    const b = await epochSeconds('adam', 256, 50, 900, 300, true);
    const c = await epochSeconds('adam', 256, 50, 300, 1300, true);
    cnnTrain.push((b - a) / 600);
    cnnTest.push((c - a) / 1000);
  }
  for (const c of cases) {
    const a = await epochSeconds(c.optimizer, c.width, c.batch, c.n1, 1000);
    const b = await epochSeconds(c.optimizer, c.width, c.batch, c.n2, 1000);
    samples.get(c)!.push((b - a) / (c.n2 - c.n1));
  }
  for (const w of evalSamples.keys()) {
    const a = await epochSeconds('sgd', w, 50, 1000, 2000);
    const b = await epochSeconds('sgd', w, 50, 1000, 10000);
    evalSamples.get(w)!.push((b - a) / 8000);
  }
}
const rows: Array<Record<string, string | number>> = cases.map((c) => {
  const us = median(samples.get(c)!) * 1e6;
  printJsonLine({ bench: 'cost-model', kind: 'train', optimizer: c.optimizer, width: c.width, batch: c.batch, us_per_image: us, gemm: activeGemmKernel().name });
  return { optimizer: c.optimizer, width: c.width, batch: c.batch, 'µs/image': us.toFixed(2), 's per 60k': ((us * 60000) / 1e6).toFixed(1) };
});
for (const [w, s] of evalSamples) {
  const us = median(s) * 1e6;
  printJsonLine({ bench: 'cost-model', kind: 'test', width: w, us_per_image: us, gemm: activeGemmKernel().name });
  rows.push({ optimizer: '(test pass)', width: w, batch: 50, 'µs/image': us.toFixed(2), 's per 60k': `${((us * 10000) / 1e6).toFixed(1)} (10k)` });
}
for (const [kind, s] of [['train', cnnTrain], ['test', cnnTest]] as const) {
  if (!withCnn) break;
  const us = median(s) * 1e6;
  printJsonLine({ bench: 'cost-model', kind: `cnn-${kind}`, optimizer: 'adam', batch: 50, us_per_image: us, gemm: activeGemmKernel().name });
  rows.push({ optimizer: kind === 'train' ? 'adam (cnn)' : '(cnn test pass)', width: 256, batch: 50, 'µs/image': us.toFixed(2), 's per 60k': kind === 'train' ? ((us * 60000) / 1e6).toFixed(1) : `${((us * 10000) / 1e6).toFixed(1)} (10k)` });
}
printTable(rows);
