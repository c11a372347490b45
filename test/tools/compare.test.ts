/**
 * tools/compare.ts: the seed-distribution agreement check between our results and PyTorch's.
 *
 * Every case is built by hand from results records (no training): the expected means, SEMs, ranges,
 * tolerances and z-scores are derived in the comments. Values are float64 sums of a few decimals, so
 * `toBeCloseTo(x, 12)` (|error| < 5e-13) leaves room only for the last-bit rounding of those sums.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunConfigInput } from '../../src/experiments/config.js';
import type { LayerRecord } from '../../src/experiments/records.js';
import { recordToJson, RunWriter, type RunResult } from '../../src/experiments/results.js';
import { summarize } from '../../src/experiments/summary.js';
import { compareRuns, configDifferences, main, type Check } from '../../tools/compare.js';
import { layer, run } from '../experiments/fixtures.js';
import { runTool } from './run-tool.js';


/** One run per seed; `accs[i]` are seed i's test accuracies per epoch. */
function seeds(input: RunConfigInput, seedList: number[], accs: number[][], layers?: (seedIndex: number) => LayerRecord[]): RunResult[] {
  return seedList.map((seed, i) => run({ ...input, seed }, accs[i], layers ? { layers: () => layers(i) } : {}));
}

function check(checks: Check[], label: string, epoch: number, metric: string): Check {
  const c = checks.find((x) => x.label === label && x.epoch === epoch && x.metric === metric);
  if (!c) throw new Error(`no check ${label}/e${epoch}/${metric} among ${checks.map((x) => `${x.label}/e${x.epoch}/${x.metric}`).join(', ')}`);
  return c;
}

describe('compareRuns: the criterion, hand-derived', () => {
  it('agrees within the ours range although our mean is outside the torch seeds', () => {
    // ours  0.90, 0.92, 0.94: mean 0.92, s = 0.02, SEM = 0.02/√3 = 0.0115470, range 0.04.
    // torch 0.93, 0.95:       mean 0.94, s = √(2·0.01²/1) = 0.0141421, SEM = s/√2 = 0.01, range 0.02.
    // D = −0.02; 2·√(SEM_o² + SEM_t²) = 2·√(1.3333e-4 + 1e-4) = 2·0.0152753 = 0.0305505;
    // tol = max(0.0305505, 0.02, 0.04) = 0.04 (the ours range) ≥ 0.02 → agree.
    // z = −0.02 / 0.0152753 = −1.30931. 0.92 ∉ [0.93, 0.95] → not in the torch range.
    const ours = seeds({ optimizer: 'adam', epochs: 1 }, [1, 100, 1234], [[0.9], [0.92], [0.94]]);
    const torch = seeds({ optimizer: 'adam', epochs: 1 }, [1, 100], [[0.93], [0.95]]);
    const { checks } = compareRuns(ours, torch, ['test_acc']);
    expect(checks).toHaveLength(1);
    const c = checks[0];
    expect(c).toMatchObject({ label: 'adam', epoch: 1, metric: 'test_acc', agree: true, inTorchRange: false });
    expect(c.ours.n).toBe(3);
    expect(c.ours.mean).toBeCloseTo(0.92, 12);
    expect(c.ours.sem).toBeCloseTo(0.02 / Math.sqrt(3), 12);
    expect([c.ours.min, c.ours.max]).toEqual([0.9, 0.94]);
    expect(c.ours.values).toEqual([0.9, 0.92, 0.94]);
    expect(c.torch.n).toBe(2);
    expect(c.torch.mean).toBeCloseTo(0.94, 12);
    expect(c.torch.sem).toBeCloseTo(0.01, 12);
    expect(c.diff).toBeCloseTo(-0.02, 12);
    expect(c.tol).toBeCloseTo(0.04, 12);
    expect(c.z).toBeCloseTo(-0.02 / Math.sqrt(0.0004 / 3 + 0.0001), 10);
    expect(c.z).toBeCloseTo(-1.30931, 5);
  });

  it('flags a shift larger than every tolerance term', () => {
    // ours  0.80, 0.81, 0.82: mean 0.81, SEM = 0.01/√3 = 0.0057735, range 0.02.
    // torch 0.90, 0.91, 0.92: mean 0.91, the same SEM and range.
    // D = −0.10; 2·√(2·0.0057735²) = 2·0.0081650 = 0.0163299; tol = max(0.0163299, 0.02, 0.02) = 0.02 < 0.10.
    // z = −0.10 / 0.0081650 = −12.2474 (= −√150).
    const ours = seeds({ optimizer: 'sgd', epochs: 1 }, [1, 2, 3], [[0.8], [0.81], [0.82]]);
    const torch = seeds({ optimizer: 'sgd', epochs: 1 }, [1, 2, 3], [[0.9], [0.91], [0.92]]);
    const c = compareRuns(ours, torch, ['test_acc']).checks[0];
    expect(c.agree).toBe(false);
    expect(c.inTorchRange).toBe(false);
    expect(c.diff).toBeCloseTo(-0.1, 12);
    expect(c.tol).toBeCloseTo(0.02, 12);
    expect(c.z).toBeCloseTo(-Math.sqrt(150), 9);
  });

  it('uses two standard errors of the difference when that is the largest term', () => {
    // ours  0.50, 0.60: mean 0.55, s = √(2·0.05²) = 0.0707107, SEM = 0.05, range 0.10.
    // torch 0.62, 0.68: mean 0.65, s = √(2·0.03²) = 0.0424264, SEM = 0.03, range 0.06.
    // 2·√(0.05² + 0.03²) = 2·√0.0034 = 0.1166190 > 0.10 → tol = 0.1166190 ≥ |D| = 0.10 → agree
    // (with the ranges alone it would be flagged). z = −0.10/√0.0034 = −1.71499.
    const ours = seeds({ optimizer: 'adagrad', epochs: 1 }, [1, 2], [[0.5], [0.6]]);
    const torch = seeds({ optimizer: 'adagrad', epochs: 1 }, [1, 2], [[0.62], [0.68]]);
    const c = compareRuns(ours, torch, ['test_acc']).checks[0];
    expect(c.tol).toBeCloseTo(2 * Math.sqrt(0.0034), 12);
    expect(c.agree).toBe(true);
    expect(c.inTorchRange).toBe(false);
    expect(c.z).toBeCloseTo(-0.1 / Math.sqrt(0.0034), 9);
  });

  it('uses the torch range when that is the largest term', () => {
    // ours  0.65 ×3: mean 0.65, SEM 0, range 0.
    // torch 0.30, 0.31, 0.60: mean 0.403333; deviations −0.103333, −0.093333, 0.196667;
    //   Σd² = 0.0106778 + 0.0087111 + 0.0386778 = 0.0580667; s² = 0.0290333; SEM = √(s²/3) = 0.0983757.
    // 2·√(0 + SEM²) = 0.196751 < D = 0.246667 ≤ range_torch = 0.30 → agree only thanks to the torch range.
    const ours = seeds({ optimizer: 'adadelta', epochs: 1 }, [1, 2, 3], [[0.65], [0.65], [0.65]]);
    const torch = seeds({ optimizer: 'adadelta', epochs: 1 }, [1, 2, 3], [[0.3], [0.31], [0.6]]);
    const c = compareRuns(ours, torch, ['test_acc']).checks[0];
    expect(c.ours.sem).toBe(0);
    expect(c.torch.sem).toBeCloseTo(Math.sqrt(0.0580666666666667 / 2 / 3), 12);
    expect(c.diff).toBeCloseTo(0.65 - 1.21 / 3, 12);
    expect(c.tol).toBeCloseTo(0.3, 12);
    expect(c.agree).toBe(true);
    expect(c.inTorchRange).toBe(false); // 0.65 > 0.60, the torch max
  });

  it('counts |D| = tol as agreeing, and a mean on the torch max as inside the range (both bounds inclusive)', () => {
    // ours 0.75, 0.75: mean 0.75, SEM 0, range 0. torch 0, 0.5: mean 0.25, SEM = √(2·0.25²)/√2 = 0.25, range 0.5.
    // D = 0.5 exactly (binary fractions); tol = max(2·0.25, 0.5) = 0.5 (the range is exact) → agree.
    const c = compareRuns(
      seeds({ optimizer: 'sgd', epochs: 1 }, [1, 2], [[0.75], [0.75]]),
      seeds({ optimizer: 'sgd', epochs: 1 }, [1, 2], [[0], [0.5]]),
      ['test_acc'],
    ).checks[0];
    expect(c.diff).toBe(0.5);
    expect(c.tol).toBeGreaterThanOrEqual(0.5);
    expect(c.agree).toBe(true);
    expect(c.inTorchRange).toBe(false);
    // ours 0.5, 0.5 against torch 0.25, 0.5: our mean equals the torch max → inside.
    const edge = compareRuns(
      seeds({ optimizer: 'sgd', epochs: 1 }, [1, 2], [[0.5], [0.5]]),
      seeds({ optimizer: 'sgd', epochs: 1 }, [1, 2], [[0.25], [0.5]]),
      ['test_acc'],
    ).checks[0];
    expect(edge.inTorchRange).toBe(true);
  });

  it('with one seed a side has no SEM: the tolerance is the other side’s range (0 if both have one seed)', () => {
    // 1 vs 1: tol = max(0 (SEMs undefined), 0, 0) = 0; z = D/NaN = NaN. Equal values agree, unequal ones flag.
    const one = (acc: number) => seeds({ optimizer: 'adam', epochs: 1 }, [1], [[acc]]);
    const same = compareRuns(one(0.9), one(0.9), ['test_acc']).checks[0];
    expect(same).toMatchObject({ diff: 0, tol: 0, agree: true, inTorchRange: true });
    const differ = compareRuns(one(0.9), one(0.91), ['test_acc']).checks[0];
    expect(differ.tol).toBe(0);
    expect(differ.agree).toBe(false);
    expect(differ.z).toBeNaN();
    expect(differ.ours).toMatchObject({ n: 1, min: 0.9, max: 0.9 });
    // 1 vs 3: the SEM term is dropped (ours' SEM is undefined), so tol = range_torch = 0.94 − 0.90 = 0.04;
    // D = 0.95 − 0.92 = 0.03 ≤ 0.04 → agree.
    const c = compareRuns(one(0.95), seeds({ optimizer: 'adam', epochs: 1 }, [1, 2, 3], [[0.9], [0.92], [0.94]]), ['test_acc']).checks[0];
    expect(c.tol).toBeCloseTo(0.04, 12);
    expect(c.agree).toBe(true);
    expect(c.inTorchRange).toBe(false);
  });
});

describe('compareRuns: matching and layer metrics', () => {
  it('matches conditions by label (not order) and takes each side’s values from that condition’s seeds only', () => {
    const ours = [
      ...seeds({ optimizer: 'adam', epochs: 1 }, [1, 2], [[0.97], [0.98]]),
      ...seeds({ optimizer: 'sgd', epochs: 1 }, [1, 2], [[0.5], [0.6]]),
    ];
    const torch = [
      ...seeds({ optimizer: 'sgd', epochs: 1 }, [7, 8], [[0.52], [0.58]]),
      ...seeds({ optimizer: 'adam', epochs: 1 }, [7, 8], [[0.96], [0.99]]),
    ];
    const { checks } = compareRuns(ours, torch, ['test_acc']);
    expect(checks.map((c) => c.label)).toEqual(['adam', 'sgd']); // our order
    const adam = check(checks, 'adam', 1, 'test_acc');
    expect(adam.ours.values).toEqual([0.97, 0.98]);
    expect(adam.torch.values).toEqual([0.96, 0.99]);
    expect([adam.torch.min, adam.torch.max]).toEqual([0.96, 0.99]);
    expect(adam.agree).toBe(true);
    const sgd = check(checks, 'sgd', 1, 'test_acc');
    expect(sgd.torch.values).toEqual([0.52, 0.58]);
    expect(sgd.torch.mean).toBeCloseTo(0.55, 12);
  });

  it('compares per epoch and skips epochs and conditions the torch side does not have', () => {
    // ours: adam 3 epochs, rmsprop; torch: adam 2 epochs. Epoch 3 and rmsprop have no counterpart.
    const ours = [
      ...seeds({ optimizer: 'adam', epochs: 3 }, [1, 2], [[0.9, 0.95, 0.97], [0.92, 0.96, 0.98]]),
      ...seeds({ optimizer: 'rmsprop', epochs: 1 }, [1], [[0.5]]),
    ];
    const torch = seeds({ optimizer: 'adam', epochs: 2 }, [1, 2], [[0.91, 0.5], [0.93, 0.52]]);
    const { checks, ours: so, torch: st } = compareRuns(ours, torch, ['test_acc', 'train_loss']);
    expect(checks.map((c) => `${c.label}/e${c.epoch}/${c.metric}`)).toEqual([
      'adam/e1/test_acc',
      'adam/e1/train_loss',
      'adam/e2/test_acc',
      'adam/e2/train_loss',
    ]);
    expect(so.groups.map((g) => g.label)).toEqual(['adam', 'rmsprop']);
    expect(st.groups.map((g) => g.label)).toEqual(['adam']);
    // Epoch 2: ours 0.955 ± 0.005 (range 0.01); torch 0.51 ± 0.01 (range 0.02) → D = 0.445 ≫ tol → flagged.
    expect(check(checks, 'adam', 2, 'test_acc').agree).toBe(false);
    expect(check(checks, 'adam', 1, 'test_acc').agree).toBe(true); // D = 0.91 − 0.92 = −0.01 ≤ range 0.02
    // train_loss is 1/epoch in every fixture run: equal on both sides, D = 0, tol = 0 → agree.
    expect(check(checks, 'adam', 2, 'train_loss')).toMatchObject({ diff: 0, tol: 0, agree: true });
  });

  it('counts only runs that reached the epoch (a diverged seed drops out)', () => {
    // ours seed 3 diverges in epoch 2: epoch 2 has seeds 1, 2 only → values 0.9, 0.94, mean 0.92.
    const ours = [
      ...seeds({ optimizer: 'sgd', epochs: 2 }, [1, 2], [[0.8, 0.9], [0.82, 0.94]]),
      run({ optimizer: 'sgd', seed: 3, epochs: 2 }, [0.1], { diverge: true }),
    ];
    const torch = seeds({ optimizer: 'sgd', epochs: 2 }, [1, 2], [[0.81, 0.91], [0.83, 0.93]]);
    const { checks } = compareRuns(ours, torch, ['test_acc']);
    const e1 = check(checks, 'sgd', 1, 'test_acc');
    expect(e1.ours.n).toBe(3);
    expect(e1.ours.values).toEqual([0.8, 0.82, 0.1]);
    const e2 = check(checks, 'sgd', 2, 'test_acc');
    expect(e2.ours.n).toBe(2);
    expect(e2.ours.values).toEqual([0.9, 0.94]);
    expect(e2.ours.mean).toBeCloseTo(0.92, 12);
  });

  it('reduces layer metrics to the plain mean over layers (eq. 5.1) per run before the seed statistics', () => {
    // Two hidden layers. Run i has sparsity (0.2 + 0.1i, 0.4 + 0.1i) → per-run mean 0.3 + 0.1i:
    // ours seeds → 0.3, 0.4 (mean 0.35, SEM 0.05, range 0.1); torch (0.2, 0.6) → 0.4 for both (SEM 0).
    // D = −0.05, tol = max(2·0.05, 0.1, 0) = 0.1 → agree; 0.35 ∉ [0.4, 0.4].
    const cfg = { optimizer: 'adam' as const, hidden: [256, 256], epochs: 1 };
    const ours = seeds(cfg, [1, 2], [[0.9], [0.9]], (i) => [layer(0.2 + 0.1 * i, 0.5), layer(0.4 + 0.1 * i, 0.7)]);
    const torch = seeds(cfg, [1, 2], [[0.9], [0.9]], () => [layer(0.2, 0.5), layer(0.6, 0.5)]);
    const { checks } = compareRuns(ours, torch, ['sparsity_mean', 'selectivity_mean']);
    const sp = check(checks, 'adam', 1, 'sparsity_mean');
    expect(sp.ours.values.map((v) => +v.toFixed(12))).toEqual([0.3, 0.4]);
    expect(sp.torch.values.map((v) => +v.toFixed(12))).toEqual([0.4, 0.4]);
    expect(sp.diff).toBeCloseTo(-0.05, 12);
    expect(sp.tol).toBeCloseTo(0.1, 12);
    expect(sp.agree).toBe(true);
    expect(sp.inTorchRange).toBe(false);
    // selectivity: ours (0.5 + 0.7)/2 = 0.6 both seeds, torch 0.5 both: D = 0.1, tol 0 → flagged.
    const se = check(checks, 'adam', 1, 'selectivity_mean');
    expect(se.diff).toBeCloseTo(0.1, 12);
    expect(se.agree).toBe(false);
  });

  it('flags a metric no run has (mean NaN): an unknown or misspelt metric never passes silently', () => {
    const ours = seeds({ optimizer: 'adam', epochs: 1 }, [1, 2], [[0.9], [0.9]]);
    const c = compareRuns(ours, ours, ['test_accuracy' as never]).checks[0];
    expect(c.ours.n).toBe(0);
    expect(c.diff).toBeNaN();
    expect(c.agree).toBe(false);
    expect(c.inTorchRange).toBe(false);
  });

  // The per-seed values behind min/max/range come from the summary's own per-epoch reduction
  // (epochMetricValues), so train_* (from train_layers) and *_weighted metrics have them too.
  it('gives per-seed values for train_* and *_weighted metrics too', () => {
    const cfg = { optimizer: 'adam' as const, hidden: [256, 256], epochs: 1, metrics: { train: true } };
    const withTrain = (rs: RunResult[]) => {
      for (const r of rs) for (const e of r.epochs) e.train_layers = [layer(0.2, 0.5), layer(0.4, 0.5)];
      return rs;
    };
    // Two hidden layers, so the activation-weighted mean (eq. 5.2) is defined.
    const twoLayers = () => [layer(0.3, 0.4), layer(0.5, 0.6)];
    const ours = withTrain(seeds(cfg, [1, 2], [[0.9], [0.9]], twoLayers));
    const torch = withTrain(seeds(cfg, [1, 2], [[0.9], [0.9]], twoLayers));
    const { checks } = compareRuns(ours, torch, ['train_sparsity_mean', 'sparsity_mean_weighted']);
    for (const c of checks) {
      expect(c.ours.values).toHaveLength(2);
      expect(c.inTorchRange).toBe(true); // identical sides
    }
  });
});

describe('configDifferences', () => {
  it('names a differing hyper-parameter with both values, and ignores epochs and seed', () => {
    // Different seeds and epochs on the two sides, and Adam's lr 0.001 (default) vs 0.002, batch 50 vs 100.
    const ours = summarize(seeds({ optimizer: 'adam', epochs: 2 }, [1, 2], [[0.9, 0.9], [0.9, 0.9]]));
    const torch = summarize(seeds({ optimizer: { name: 'adam', lr: 0.002 }, batchSize: 100, epochs: 3 }, [7], [[0.9, 0.9, 0.9]]));
    expect(ours.groups[0].label).toBe('adam');
    expect(torch.groups[0].label).toBe('adam');
    expect(configDifferences(ours, torch, 'adam').sort()).toEqual(['batchSize: ours 50, torch 100', 'optimizer.lr: ours 0.001, torch 0.002']);
  });

  it('is empty for the same condition run with other seeds and epochs', () => {
    const ours = summarize(seeds({ optimizer: 'sgd', epochs: 1 }, [1], [[0.9]]));
    const torch = summarize(seeds({ optimizer: 'sgd', epochs: 5 }, [100, 1234], [[0.9], [0.9]]));
    expect(configDifferences(ours, torch, 'sgd')).toEqual([]);
  });

  it('reports nested and array fields by their dotted path, and a field one side lacks as absent', () => {
    const ours = summarize(seeds({ optimizer: 'adam', hidden: [256], epochs: 1 }, [1], [[0.9]]));
    const torch = summarize(seeds({ optimizer: 'adam', hidden: [128], sampler: { kind: 'sequential' }, epochs: 1 }, [1], [[0.9]]));
    // A torch config written by another tool may lack a field: simulate one without `evalBatchSize`.
    delete (torch.groups[0].config as Partial<typeof torch.groups[0]['config']>).evalBatchSize;
    expect(configDifferences(ours, torch, 'adam').sort()).toEqual([
      'evalBatchSize: ours 50, torch (absent)',
      'hidden: ours [256], torch [128]',
      'sampler.kind: ours "shuffled", torch "sequential"',
    ]);
  });

  it('is empty for a label one side does not have', () => {
    const ours = summarize(seeds({ optimizer: 'sgd', epochs: 1 }, [1], [[0.9]]));
    const torch = summarize(seeds({ optimizer: 'adam', epochs: 1 }, [1], [[0.9]]));
    expect(configDifferences(ours, torch, 'sgd')).toEqual([]);
    expect(configDifferences(ours, torch, 'adam')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// main: files on disk, printed report, exit codes

let tmp = '';
let out: string[] = [];
let err: string[] = [];

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'sl-compare-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function capture(): void {
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
}
afterEach(() => {
  vi.restoreAllMocks();
});

/** All runs concatenated into one JSONL file (how a torch script writes them). */
function writeFile(name: string, runs: RunResult[], tail = ''): string {
  const path = join(tmp, name);
  const lines = runs.flatMap((r) => [r.header, ...r.epochs].map((rec) => recordToJson(rec)));
  writeFileSync(path, `${lines.join('\n')}\n${tail}`);
  return path;
}

/** One file per run in a fresh directory (how our sweep writes them). */
function writeDir(name: string, runs: RunResult[]): string {
  const dir = join(tmp, name);
  for (const r of runs) {
    const w = new RunWriter(dir, r.header);
    for (const e of r.epochs) w.epoch(e);
    w.close();
  }
  return dir;
}

function withSeconds(runs: RunResult[], seconds: number): RunResult[] {
  for (const r of runs) for (const e of r.epochs) e.seconds = seconds;
  return runs;
}

// adam agrees at both epochs; sgd is off by 0.1 at epoch 1 (flagged) and agrees at epoch 2.
const oursRuns = (): RunResult[] => [
  ...seeds({ optimizer: 'adam', epochs: 2 }, [1, 100, 1234], [[0.9, 0.95], [0.92, 0.96], [0.94, 0.97]]),
  ...seeds({ optimizer: 'sgd', epochs: 2 }, [1, 100, 1234], [[0.8, 0.9], [0.81, 0.91], [0.82, 0.92]]),
];
const torchRuns = (): RunResult[] =>
  withSeconds(
    [
      ...seeds({ optimizer: 'sgd', epochs: 2 }, [1, 100, 1234], [[0.9, 0.9], [0.91, 0.91], [0.92, 0.92]]),
      ...seeds({ optimizer: 'adam', epochs: 2 }, [1, 100, 1234], [[0.89, 0.95], [0.9, 0.96], [0.91, 0.97]]),
    ],
    3,
  );

describe('main', () => {
  it('prints the criterion, one table per condition and the totals; returns 1 when a check is flagged', () => {
    const ours = writeDir('flag-ours', oursRuns());
    const torch = writeFile('flag-torch.jsonl', torchRuns());
    capture();
    expect(main(['--ours', ours, '--torch', torch, '--metrics', 'test_acc'])).toBe(1);
    const text = out.join('\n');
    expect(text).toContain('Criterion: agree ⇔ |mean_ours − mean_torch| ≤ tol');
    expect(text).toContain('== adam ==');
    expect(text).toContain('== sgd ==');
    expect(text).not.toContain('WARNING');
    expect(text).not.toContain('no torch counterpart');
    const lines = text.split('\n');
    // sgd epoch 1: ours 0.81 ± 0.0058 [0.80, 0.82], torch 0.91 ± 0.0058 [0.90, 0.92]; D = −0.1, tol 0.02,
    // z = −√150 = −12.25 (see "flags a shift larger than every tolerance term").
    const sgdRow = lines.find((l) => /^1\s+test_acc\s+0\.8100/.test(l));
    expect(sgdRow).toBeDefined();
    expect(sgdRow!.split(/\s{2,}/)).toEqual([
      '1',
      'test_acc',
      '0.8100 ± 0.0058 [0.8000, 0.8200] n=3',
      '0.9100 ± 0.0058 [0.9000, 0.9200] n=3',
      '-0.1000',
      '0.0200',
      '-12.25',
      'no',
      'FLAG',
    ]);
    // adam epoch 1: ours 0.92 ± 0.0115 [0.90, 0.94]; torch 0.90 ± 0.0058 [0.89, 0.91]; D = 0.02;
    // 2·√(0.02²/3 + 0.01²/3) = 2·0.0129099 = 0.0258199 < range_ours 0.04 = tol → ok; z = 0.02/0.0129099 = 1.549;
    // 0.92 > 0.91 → not in the torch range.
    const adamRow = lines.find((l) => /^1\s+test_acc\s+0\.9200/.test(l));
    expect(adamRow!.split(/\s{2,}/).slice(2)).toEqual([
      '0.9200 ± 0.0115 [0.9000, 0.9400] n=3',
      '0.9000 ± 0.0058 [0.8900, 0.9100] n=3',
      '0.0200',
      '0.0400',
      '1.55',
      'no',
      'ok',
    ]);
    // Timing: ours 1.5 s per epoch (fixture), torch 3 s → ratio 0.50.
    expect(text).toContain('== seconds per epoch (training + evaluation, mean over epochs and seeds) ==');
    const timing = lines.slice(lines.findIndex((l) => l.startsWith('== seconds per epoch')) + 1);
    expect(timing[0].split(/\s{2,}/)).toEqual(['condition', 'ours', 'torch', 'ours / torch']);
    expect(timing.slice(2, 4).map((l) => l.split(/\s{2,}/))).toEqual([
      ['adam', '1.50', '3.00', '0.50'],
      ['sgd', '1.50', '3.00', '0.50'],
    ]);
    // 2 conditions × 2 epochs × 1 metric = 4 checks; only sgd epoch 1 flagged.
    expect(text).toContain('3 of 4 checks agree; 1 flagged: sgd/e1/test_acc');
    expect(text).toMatch(/\|z\| > 2: 1 of 4 \(sgd\/e1\/test_acc z=-12\.25\)/);
    expect(err).toEqual([]);
  });

  it('returns 0 when every check agrees, and checks the three default metrics', () => {
    const runs = oursRuns().filter((r) => r.header.config.optimizer.name === 'adam');
    const ours = writeFile('ok-ours.jsonl', runs);
    const torch = writeFile('ok-torch.jsonl', torchRuns().filter((r) => r.header.config.optimizer.name === 'adam'));
    capture();
    expect(main(['--ours', ours, '--torch', torch])).toBe(0);
    const text = out.join('\n');
    // 1 condition × 2 epochs × (test_acc, sparsity_mean, selectivity_mean).
    expect(text).toContain('6 of 6 checks agree; 0 flagged');
    for (const m of ['test_acc', 'sparsity_mean', 'selectivity_mean']) expect(text).toMatch(new RegExp(`^2\\s+${m}\\s`, 'm'));
    expect(text).not.toContain('FLAG');
  });

  it('--markdown writes markdown tables and headings', () => {
    const ours = writeFile('md-ours.jsonl', oursRuns());
    const torch = writeFile('md-torch.jsonl', torchRuns());
    capture();
    expect(main(['--markdown', '--ours', ours, '--torch', torch, '--metrics', 'test_acc'])).toBe(1);
    const text = out.join('\n');
    expect(text).toContain('### adam');
    expect(text).toContain('| epoch | metric | ours | torch | diff | tol | z | in torch range |  |');
    expect(text).toContain('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    expect(text).toContain('| 1 | test_acc | 0.8100 ± 0.0058 [0.8000, 0.8200] n=3 | 0.9100 ± 0.0058 [0.9000, 0.9200] n=3 | -0.1000 | 0.0200 | -12.25 | no | FLAG |');
    expect(text).toContain('| adam | 1.50 | 3.00 | 0.50 |');
    expect(text).not.toContain('== adam ==');
  });

  it('merges several paths per side, warns on a differing configuration and names conditions without a counterpart', () => {
    const all = oursRuns();
    const a = writeFile('merge-a.jsonl', all.slice(0, 3)); // adam
    const b = writeFile('merge-b.jsonl', all.slice(3)); // sgd
    const torch = writeFile(
      'merge-torch.jsonl',
      seeds({ optimizer: { name: 'adam', lr: 0.01 }, epochs: 2 }, [1, 2], [[0.9, 0.95], [0.94, 0.97]]),
    );
    capture();
    expect(main(['--ours', a, b, '--torch', torch, '--metrics', 'test_acc'])).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('no torch counterpart for: sgd');
    expect(text).toContain('WARNING: configurations differ: optimizer.lr: ours 0.001, torch 0.01');
    expect(text).toContain('2 of 2 checks agree; 0 flagged');
  });

  it('passes the reader’s warnings on, naming the side (a truncated last line)', () => {
    const ours = writeFile('warn-ours.jsonl', oursRuns());
    const torch = writeFile('warn-torch.jsonl', torchRuns(), '{"run": "x", "type": "ep');
    capture();
    main(['--ours', ours, '--torch', torch, '--metrics', 'test_acc']);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^warning \(torch\): .*warn-torch\.jsonl:\d+: ignored a truncated last line/);
  });

  it('rejects bad input with an error naming the side, path, flag or line', () => {
    const good = writeFile('bad-good.jsonl', oursRuns());
    const empty = join(tmp, 'bad-empty');
    mkdirSync(empty);
    const missing = join(tmp, 'no-such.jsonl');
    const broken = join(tmp, 'bad-broken.jsonl');
    writeFileSync(broken, `${recordToJson(oursRuns()[0].header)}\n{"run": 1}\n{}\n`);
    capture();
    expect(() => main(['--ours', missing, '--torch', good])).toThrow(`--ours: no such file or directory: ${missing}`);
    expect(() => main(['--ours', good, '--torch', missing])).toThrow(`--torch: no such file or directory: ${missing}`);
    expect(() => main(['--ours', good, '--torch', empty])).toThrow(`--torch: no runs found in ${empty}`);
    expect(() => main(['--ours', good])).toThrow('--torch: expected at least one results file or directory');
    expect(() => main(['--torch', good])).toThrow('--ours: expected at least one results file or directory');
    expect(() => main([good, '--ours', good])).toThrow(`${good}: give paths after --ours or --torch`);
    expect(() => main(['--ours', good, '--torch', good, '--metric', 'test_acc'])).toThrow('unknown flag --metric (expected --ours, --torch, --metrics, --markdown)');
    expect(() => main(['--ours', good, '--torch', good, '--metrics'])).toThrow('--metrics: expected a comma-separated list');
    expect(() => main(['--ours', broken, '--torch', good])).toThrow(`${broken}:2: field "run": expected a run id string, got 1`);
    // A misspelt metric is an error naming it (not a table of flags), and sides with no condition in
    // common are an error (not "0 of 0 checks agree" and exit 0).
    expect(() => main(['--ours', good, '--torch', good, '--metrics', 'test_acc,test_accuracy'])).toThrow("--metrics: unknown metric 'test_accuracy' (known: train_loss, test_loss, test_acc,");
    const other = writeFile('bad-other.jsonl', seeds({ optimizer: 'adagrad', epochs: 1 }, [1], [[0.9]]));
    expect(() => main(['--ours', good, '--torch', other])).toThrow(/^nothing to compare: no condition and epoch on both sides \(ours: .*adam.*; torch: adagrad\)$/);
    expect(out).toEqual([]); // nothing printed before the error
  });
});

describe('the command line', () => {
  // One subprocess each (tsx start-up ≈ 1–2 s), run concurrently: the isMain guard and the exit codes
  // 0/1 (main's result) and 2 (an error, printed to stderr as "error: …").
  const cli = (args: string[]) => runTool('compare.ts', args);

  it('exits 1 on a flagged check and 2 with "error: …" on bad input', async () => {
    const ours = writeFile('cli-ours.jsonl', oursRuns());
    const torch = writeFile('cli-torch.jsonl', torchRuns());
    const missing = join(tmp, 'cli-missing');
    const [flagged, bad] = await Promise.all([cli(['--ours', ours, '--torch', torch, '--metrics', 'test_acc']), cli(['--ours', missing, '--torch', torch])]);
    expect(flagged.stderr).toBe('');
    expect(flagged.stdout).toContain('3 of 4 checks agree; 1 flagged: sgd/e1/test_acc');
    expect(flagged.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim()).toBe(`error: --ours: no such file or directory: ${missing}`);
    expect(bad.code).toBe(2);
  });
});
