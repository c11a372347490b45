/**
 * `npm run bench -- metrics [--json] [--quick]`: the metrics on one MNIST-sized layer, 10,000 × 256 float32
 * (10 MB), as the experiments compute them every epoch.
 *
 * Baselines, timed interleaved in the same run: a plain sum over the same 10 MB (one accumulator, the
 * simplest loop a reader would write) and a 4-accumulator sum (about the fastest scalar JS pass over the
 * data). Each metric's time is printed with its ratio to both; "ns/elem" divides by 2,560,000.
 * The streaming rows feed the accumulators the test-loader's batches of 50 rows (200 `add` calls).
 */
import { hasFlag, printJsonLine, printTable, timeInterleaved } from './harness.js';
import {
  ccmasSelectivity,
  CcmasAccumulator,
  fractionBelow,
  giniIndex,
  hoyerSparsity,
  HoyerAccumulator,
  trevesRollsSparseness,
} from '../src/metrics/index.js';
import { Rng, Tensor } from '../src/tensor/index.js';

/** The simplest loop a reader would write: one float64 accumulator (add latency bound). */
function plainSum(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/** Four independent accumulators: about the fastest scalar JS pass over the data. */
function fourAccumulatorSum(a: Float32Array): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const n = a.length - (a.length % 4);
  // Separate counters for the two loops: sharing one `i` makes V8 run the main loop ~5× slower.
  for (let i = 0; i < n; i += 4) {
    s0 += a[i];
    s1 += a[i + 1];
    s2 += a[i + 2];
    s3 += a[i + 3];
  }
  for (let i = n; i < a.length; i++) s0 += a[i];
  return s0 + s1 + s2 + s3;
}

export async function main(args: string[]): Promise<void> {
  const json = hasFlag(args, 'json');
  const quick = hasFlag(args, 'quick');
  const rows = 10_000;
  const cols = 256;
  const classes = 10;
  const rng = new Rng(2024);
  const data = new Float32Array(rows * cols);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    labels[r] = rng.int(classes);
    for (let c = 0; c < cols; c++) {
      // sigmoid-like: mostly low, high on the unit's preferred class
      const u = rng.random();
      data[r * cols + c] = c % classes === labels[r] ? 1 - u * u : u * u * 0.5;
    }
  }
  const m = { data, shape: [rows, cols] };
  const transposedStore = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) transposedStore[c * rows + r] = data[r * cols + c];
  const strided = new Tensor(transposedStore, [cols, rows]).transpose();
  const B = 50;
  const batches = Array.from({ length: rows / B }, (_, i) => ({
    m: { data: data.subarray(i * B * cols, (i + 1) * B * cols), shape: [B, cols] },
    labels: labels.subarray(i * B, (i + 1) * B),
  }));
  const hoyerAcc = new HoyerAccumulator(cols);
  const ccmasAcc = new CcmasAccumulator(cols, classes);

  let sink = 0;
  const cases: Array<[string, () => void]> = [
    ['baseline: plain sum', () => void (sink += plainSum(data))],
    ['baseline: sum, 4 accumulators', () => void (sink += fourAccumulatorSum(data))],
    ['hoyerSparsity', () => void (sink += hoyerSparsity(m).mean)],
    ['ccmasSelectivity', () => void (sink += ccmasSelectivity(m, labels, classes).mean)],
    [
      'HoyerAccumulator, 200 batches of 50',
      () => {
        hoyerAcc.reset();
        for (const b of batches) hoyerAcc.add(b.m);
        sink += hoyerAcc.result().mean;
      },
    ],
    [
      'CcmasAccumulator, 200 batches of 50',
      () => {
        ccmasAcc.reset();
        for (const b of batches) ccmasAcc.add(b.m, b.labels);
        sink += ccmasAcc.result().mean;
      },
    ],
    ['hoyerSparsity, strided (transposed view)', () => void (sink += hoyerSparsity(strided).mean)],
    ['trevesRollsSparseness', () => void (sink += trevesRollsSparseness(m).mean)],
    ['fractionBelow', () => void (sink += fractionBelow(m, 0.1).mean)],
    ['giniIndex (sorts every row)', () => void (sink += giniIndex(m).mean)],
  ];

  const opts = quick ? { warmup: 2, runs: 3, minSampleSeconds: 0.02 } : { warmup: 5, runs: 9, minSampleSeconds: 0.1 };
  const timings = timeInterleaved(cases.map(([, fn]) => fn), opts);
  const plain = timings[0].median;
  const fast = timings[1].median;
  const tableRows = cases.map(([name], i) => {
    const t = timings[i];
    return {
      case: name,
      'median ms': t.median * 1e3,
      'min ms': t.min * 1e3,
      'ns/elem': (t.median * 1e9) / (rows * cols),
      'x plain sum': t.median / plain,
      'x 4-acc sum': t.median / fast,
    };
  });
  if (!json) {
    console.log(`metrics on ${rows} × ${cols} float32 (${((rows * cols * 4) / 1e6).toFixed(2)} MB), ${classes} classes; median of ${opts.runs} runs`);
    printTable(tableRows);
    console.log(`(checksum ${sink.toPrecision(6)})`);
  }
  for (const r of tableRows) {
    printJsonLine({
      bench: 'metrics',
      case: r.case,
      rows,
      cols,
      medianMs: r['median ms'],
      minMs: r['min ms'],
      nsPerElement: r['ns/elem'],
      ratioToPlainSum: r['x plain sum'],
      ratioToFourAccumulatorSum: r['x 4-acc sum'],
    });
  }
}
