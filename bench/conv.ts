/**
 * `npm run bench -- conv [--json] [--rounds R] [--no-torch]`: the CNN condition's cost (Sec. 5.10) against
 * Debian's PyTorch 1.13 at one thread, timed back to back.
 *
 * Cases (batch 50, MNIST-shaped, the dissertation's CNN; our default gemm kernel, WebAssembly memory as the CLI):
 *   conv0 / conv1 forward            Conv2d(1→32, 3, pad 1) on [50, 1, 28, 28]; Conv2d(32→64, 3, pad 1) on [50, 32, 14, 14]
 *   conv0 / conv1 forward+backward   forward, then weight, bias and input gradients
 *   cnn step                         zeroGrad, forward, cross-entropy, backward, Adam step of the whole CNN
 *   cnn eval forward                 forward of a test batch in eval mode
 *   epoch (estimate)                 1,200 steps + 200 test batches: 60,000 training and 10,000 test images
 * and, to show where a convolution's time goes, the parts of our conv1 (im2col alone — as Conv2d runs it and
 * the JS reference —, the backward's col2imAdd alike, and the gemm products
 * alone, per example as Conv2d runs them), and its forward product as one [64, 288]·[288, 50·196] product
 * instead of 50 per-example ones (the layout an implicit-gemm or batched-im2col design would use); and the
 * first ReLU and MaxPool2d(2), forward+backward, on conv0's output [50, 32, 28, 28] (as training runs them,
 * WebAssembly SIMD, and on JS-heap arrays, which run the JS references).
 *
 * Each round runs our cases (interleaved, medians of samples of ≥ 50 ms after warm-up) and then
 * tools/pytorch/time_conv.py with OMP_NUM_THREADS=1 (same method, OpenBLAS/oneDNN as Debian links them);
 * the table gives the medians over rounds and torch ÷ ours (> 1: ours is faster). Rounds alternate the
 * two sides so that load changes on this shared machine hit both.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Conv2d, CrossEntropyLoss, MaxPool2d, ReLU, cnn } from '../src/layers/index.js';
import { col2imAdd, im2col } from '../src/layers/conv2d.js';
import { col2imAddWasm, im2colWasm } from '../src/tensor/gemm/im2col.js';
import { Adam } from '../src/optim/index.js';
import { activeGemmKernel, sgemm } from '../src/tensor/gemm/index.js';
import { allocFloat32, useWasmMemory } from '../src/tensor/memory.js';
import { Rng } from '../src/tensor/random.js';
import { Tensor, zeros } from '../src/tensor/tensor.js';
import { hasFlag, median, printJsonLine, printTable, timeInterleaved } from './harness.js';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

function rand(shape: number[], rng: Rng): Tensor {
  const t = zeros(shape);
  rng.fillUniform(t.data, 0, 1);
  return t;
}

function ourCases(): Array<[string, () => void]> {
  const rng = new Rng(1);
  const cases: Array<[string, () => void]> = [];
  const conv = (name: string, layer: Conv2d, shape: number[]) => {
    const x = rand(shape, rng);
    const g = rand(layer.outputShape(shape), rng);
    cases.push([`${name} forward`, () => layer.forward(x)]);
    cases.push([`${name} forward+backward`, () => {
      layer.zeroGrad();
      layer.forward(x);
      layer.backward(g);
    }]);
    return x;
  };
  conv('conv0', new Conv2d(1, 32, 3, { rng, padding: 1 }), [50, 1, 28, 28]);
  const x1 = conv('conv1', new Conv2d(32, 64, 3, { rng, padding: 1 }), [50, 32, 14, 14]);
  const net = cnn({ rng });
  const opt = new Adam(net.parameters(), { lr: 1e-3 });
  const ce = new CrossEntropyLoss();
  const xb = rand([50, 1, 28, 28], rng);
  const yb = Int32Array.from({ length: 50 }, () => rng.int(10));
  cases.push(['cnn step', () => {
    net.zeroGrad();
    ce.forward(net.forward(xb), yb);
    net.backwardParams(ce.backward());
    opt.step();
  }]);
  cases.push(['cnn eval forward', () => {
    net.eval();
    net.forward(xb);
    net.train();
  }]);
  // conv1's parts: im2col of the batch, and the three products per example.
  const K = 288, P = 196, O = 64;
  const cols = allocFloat32(50 * K * P), w = allocFloat32(O * K), y = allocFloat32(50 * O * P), dw = allocFloat32(O * K), dcols = allocFloat32(K * P);
  // As Conv2d runs it (WebAssembly SIMD when the arrays live in the WebAssembly heap), and the JS reference.
  cases.push(['conv1 part: im2col only', () => {
    for (let n = 0; n < 50; n++) {
      if (!im2colWasm(x1.data, n * 32 * P, 32, 14, 14, 3, 3, 1, 1, 1, 1, 14, 14, cols, n * K * P)) {
        im2col(x1.data, n * 32 * P, 32, 14, 14, 3, 3, 1, 1, 1, 1, 14, 14, cols, n * K * P);
      }
    }
  }]);
  cases.push(['conv1 part: im2col only (JS reference)', () => {
    for (let n = 0; n < 50; n++) im2col(x1.data, n * 32 * P, 32, 14, 14, 3, 3, 1, 1, 1, 1, 14, 14, cols, n * K * P);
  }]);
  // The backward's col2im: one example's dcols added into each example's dX (as Conv2d runs it, and JS).
  const dx1 = allocFloat32(50 * 32 * P);
  cases.push(['conv1 part: col2imAdd only', () => {
    for (let n = 0; n < 50; n++) {
      if (!col2imAddWasm(cols, 0, 32, 14, 14, 3, 3, 1, 1, 1, 1, 14, 14, dx1, n * 32 * P)) {
        col2imAdd(cols, 0, 32, 14, 14, 3, 3, 1, 1, 1, 1, 14, 14, dx1, n * 32 * P);
      }
    }
  }]);
  cases.push(['conv1 part: col2imAdd only (JS reference)', () => {
    for (let n = 0; n < 50; n++) col2imAdd(cols, 0, 32, 14, 14, 3, 3, 1, 1, 1, 1, 14, 14, dx1, n * 32 * P);
  }]);
  cases.push(['conv1 part: 3 products only', () => {
    for (let n = 0; n < 50; n++) {
      sgemm(false, false, O, P, K, 1, w, 0, K, cols, n * K * P, P, 0, y, n * O * P, P);
      sgemm(false, true, O, K, P, 1, y, n * O * P, P, cols, n * K * P, P, 1, dw, 0, K);
      sgemm(true, false, K, P, O, 1, w, 0, K, y, n * O * P, P, 0, dcols, 0, P);
    }
  }]);
  // The alternative layout: the batch's cols as one [K, N·P] matrix and one product per layer (would then
  // need an [O, N, P] → NCHW permute and a dY gather, not counted here).
  const Yb = allocFloat32(50 * O * P);
  cases.push(['conv1 part: forward products per example', () => {
    for (let n = 0; n < 50; n++) sgemm(false, false, O, P, K, 1, w, 0, K, cols, n * K * P, P, 0, y, n * O * P, P);
  }]);
  cases.push(['conv1 part: forward as one batched product', () => {
    sgemm(false, false, O, 50 * P, K, 1, w, 0, K, cols, 0, 50 * P, 0, Yb, 0, 50 * P);
  }]);
  // The first ReLU and pool of the CNN on conv0's output (WebAssembly SIMD in this memory; JS before).
  const rng2 = new Rng(2);
  const a0 = rand([50, 32, 28, 28], rng2), ga0 = rand([50, 32, 28, 28], rng2), gp0 = rand([50, 32, 14, 14], rng2);
  for (let i = 0; i < a0.size; i++) a0.data[i] -= 0.5; // half negative, as after a convolution
  const relu0 = new ReLU(), pool0 = new MaxPool2d(2);
  cases.push(['relu0 forward+backward', () => {
    relu0.forward(a0);
    relu0.backward(ga0);
  }]);
  cases.push(['maxpool0 forward+backward', () => {
    pool0.forward(a0);
    pool0.backward(gp0);
  }]);
  // The same on JS-heap inputs and gradients, so the JS references run (separate layers, own buffers).
  const onJsHeap = (t: Tensor) => new Tensor(t.data.slice(), t.shape);
  const a0js = onJsHeap(a0), ga0js = onJsHeap(ga0), gp0js = onJsHeap(gp0);
  const relu0js = new ReLU(), pool0js = new MaxPool2d(2);
  cases.push(['relu0 forward+backward (JS reference)', () => {
    relu0js.forward(a0js);
    relu0js.backward(ga0js);
  }]);
  cases.push(['maxpool0 forward+backward (JS reference)', () => {
    pool0js.forward(a0js);
    pool0js.backward(gp0js);
  }]);
  return cases;
}

function torchRound(): Map<string, number> | null {
  const script = new URL('../tools/pytorch/time_conv.py', import.meta.url).pathname;
  if (!existsSync('/usr/bin/python3')) return null;
  try {
    const out = execFileSync('/usr/bin/python3', [script, '--threads', '1'], { env: { ...process.env, OMP_NUM_THREADS: '1' }, encoding: 'utf8' });
    return new Map(out.trim().split('\n').map((l) => {
      const r = JSON.parse(l) as { case: string; ms: number };
      return [r.case, r.ms] as const;
    }));
  } catch (e) {
    console.error(`bench conv: PyTorch timing failed (${(e as Error).message.split('\n')[0]}); ours only`);
    return null;
  }
}

export async function main(args: string[]): Promise<void> {
  const json = hasFlag(args, 'json');
  const rounds = Number(option(args, 'rounds') ?? 3);
  const withTorch = !hasFlag(args, 'no-torch');
  useWasmMemory(true);
  const cases = ourCases();
  const ours: number[][] = cases.map(() => []);
  const torch = new Map<string, number[]>();
  for (let r = 0; r < rounds; r++) {
    const t = timeInterleaved(cases.map((c) => c[1]), { warmup: 2, runs: 3, minSampleSeconds: 0.05 });
    t.forEach((x, i) => ours[i].push(x.median * 1000));
    if (withTorch) {
      const tr = torchRound();
      if (tr) for (const [k, v] of tr) torch.set(k, [...(torch.get(k) ?? []), v]);
    }
  }
  const rows: Array<Record<string, string | number>> = [];
  const med = new Map<string, { ours: number; torch?: number }>();
  cases.forEach(([name], i) => {
    const t = torch.get(name);
    med.set(name, { ours: median(ours[i]), ...(t && { torch: median(t) }) });
  });
  const step = med.get('cnn step')!, ev = med.get('cnn eval forward')!;
  med.set('epoch (estimate, s)', {
    ours: (1200 * step.ours + 200 * ev.ours) / 1000,
    ...(step.torch !== undefined && ev.torch !== undefined && { torch: (1200 * step.torch + 200 * ev.torch) / 1000 }),
  });
  for (const [name, m] of med) {
    const ratio = m.torch !== undefined ? m.torch / m.ours : NaN;
    if (json) printJsonLine({ bench: 'conv', case: name, kernel: activeGemmKernel().name, rounds, ours: m.ours, torch: m.torch ?? null, torch_over_ours: Number.isNaN(ratio) ? null : ratio, unit: name.startsWith('epoch') ? 's' : 'ms' });
    rows.push({ case: name, ours: m.ours, torch: m.torch ?? '—', 'torch÷ours': Number.isNaN(ratio) ? '—' : ratio });
  }
  if (!json) {
    console.log(`CNN (Sec. 5.10), batch 50; ms per call (epoch row: seconds); gemm ${activeGemmKernel().name}, WebAssembly memory; PyTorch ${withTorch ? 'at 1 thread' : 'not run'}; medians over ${rounds} rounds`);
    printTable(rows);
  }
}
