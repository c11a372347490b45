import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configHash, normalizeConfig, runId, type RunConfigInput } from '../../src/experiments/config.js';
import type { EpochRecord } from '../../src/experiments/records.js';
import type { RunResult } from '../../src/experiments/results.js';
import { recordToJson } from '../../src/experiments/results.js';
import { claimVerdict, findingsMarkdown, holm, holmAdjusted, judge, judgeClaims, matches, runAnalysis, type Claim, type TestOutcome } from '../../src/experiments/findings/index.js';

/** A run whose epoch e has sparsity f(e) and selectivity g(e) (test accuracy 0.9 + 0.001·e). */
function fakeRun(input: RunConfigInput, sparsity: (e: number) => number, selectivity = sparsity): RunResult {
  const config = normalizeConfig(input);
  const id = runId(config);
  const epochs: EpochRecord[] = [];
  for (let e = 1; e <= config.epochs; e++) {
    epochs.push({
      run: id, type: 'epoch', epoch: e, train_loss: 1 / e, test_loss: 1 / e, test_acc: 0.9 + 0.001 * e, seconds: 1,
      layers: [{ sparsity_mean: sparsity(e), sparsity_std: 0.1, selectivity_mean: selectivity(e), selectivity_std: 0.1, activation_sum: 100 }],
    });
  }
  return {
    header: { run: id, type: 'header', config, seed: config.seed, version: 'test', config_hash: configHash(config), streams: { init: 'a', sampler: 'b' }, gemm_kernel: 'reference' },
    epochs,
    diverged: null,
  };
}

const seeds = [1, 100, 1234];
const jitter = (seed: number): number => (seed % 7) * 1e-3;

describe('analyses', () => {
  it('epoch-trend confirms a rise, refutes the opposite claim, and says "not run" without runs', () => {
    const runs = seeds.map((seed) => fakeRun({ optimizer: 'sgd', seed, epochs: 6 }, (e) => 0.3 + 0.01 * e + jitter(seed)));
    const up = runAnalysis('epoch-trend', { runs }, { label: 'sgd', filter: { 'optimizer.name': 'sgd' }, metric: 'sparsity_mean', expect: 'increasing' });
    expect(up.verdict).toBe('confirmed');
    expect(up.p).toBeLessThan(0.05);
    const down = runAnalysis('epoch-trend', { runs }, { label: 'sgd', filter: { 'optimizer.name': 'sgd' }, metric: 'sparsity_mean', expect: 'decreasing' });
    expect(down.verdict).toBe('refuted');
    const none = runAnalysis('epoch-trend', { runs }, { label: 'adam', filter: { 'optimizer.name': 'adam' }, metric: 'sparsity_mean', expect: 'increasing' });
    expect(none.verdict).toBe('not run');
  });

  it('difference: Welch on final values, inconclusive when the groups overlap', () => {
    const a = seeds.map((seed) => fakeRun({ optimizer: 'sgd', seed, epochs: 2, sampler: { kind: 'sorted' } }, () => 0.5 + jitter(seed)));
    const b = seeds.map((seed) => fakeRun({ optimizer: 'sgd', seed, epochs: 2 }, () => 0.4 + jitter(seed)));
    const spec = { label: 'sgd', metric: 'sparsity_mean', a: { 'sampler.kind': 'sorted' }, b: { 'sampler.kind': 'shuffled' }, aName: 'sorted', bName: 'unsorted', expect: 'greater' };
    const r = runAnalysis('difference', { runs: [...a, ...b] }, spec);
    expect(r.verdict).toBe('confirmed');
    expect(r.numbers).toMatch(/sorted 0\.5\d+ ± /);
    const overlap = seeds.map((seed, i) => fakeRun({ optimizer: 'sgd', seed, epochs: 2 }, () => 0.5 + [0.05, -0.04, 0.01][i]));
    expect(runAnalysis('difference', { runs: [...a, ...overlap] }, spec).verdict).toBe('inconclusive');
  });

  it('a diverged or incomplete run is left out', () => {
    const ok = seeds.map((seed) => fakeRun({ optimizer: 'sgd', seed, epochs: 3 }, (e) => e + jitter(seed)));
    const cut = { ...ok[0], epochs: ok[0].epochs.slice(0, 2) };
    const r = runAnalysis('epoch-trend', { runs: [cut, ok[1], ok[2]] }, { label: 's', metric: 'sparsity_mean', expect: 'increasing' });
    expect(r.n).toBe(2);
  });

  it('filters: dotted paths, lengths, lists of choices, and a pair value such as Adam’s betas', () => {
    const r = fakeRun({ optimizer: 'adam', hidden: [256, 256], seed: 1, epochs: 1 }, () => 0);
    expect(matches(r, { 'optimizer.name': 'adam', 'hidden.length': 2, 'hidden.0': 256 })).toBe(true);
    expect(matches(r, { 'optimizer.betas': [[0.9, 0.999]] })).toBe(true);
    expect(matches(r, { 'optimizer.betas': [0.9, 0.999] })).toBe(true);
    expect(matches(r, { 'optimizer.betas.0': 0.9, batchSize: [1, 50] })).toBe(true);
    expect(matches(r, { 'optimizer.momentum': [0, undefined] })).toBe(true);
    expect(matches(r, { 'optimizer.name': ['sgd', 'adagrad'] })).toBe(false);
  });

  it('judge: a claimed absence is refuted only by a significant effect', () => {
    expect(judge(0.3, 0.01, 'none')).toBe('refuted');
    expect(judge(0.3, 0.2, 'none')).toBe('inconclusive');
    expect(judge(-0.3, 0.01, 'greater')).toBe('refuted');
  });

  it("holm: Holm's step-down adjusted p (as statsmodels' multipletests(method='holm')), nulls kept", () => {
    // Sorted 0.005, 0.01, 0.03, 0.04 → ×4, ×3, ×2, ×1 = 0.02, 0.03, 0.06, 0.04 → running max 0.02, 0.03, 0.06, 0.06.
    const got = holm([0.01, 0.04, null, 0.03, 0.005]);
    const want = [0.03, 0.06, null, 0.06, 0.02];
    got.forEach((g, i) => (want[i] === null ? expect(g).toBeNull() : expect(g).toBeCloseTo(want[i]!, 12)));
    expect(holm([0.6, 0.5])).toEqual([1, 1]); // capped at 1
    expect(holm([])).toEqual([]);
  });

  it('claim verdicts: all confirmed at 0.05 confirms; one refutation or confirmation among many needs its Holm p < 0.05', () => {
    const t = (verdict: TestOutcome['verdict'], p: number | null): TestOutcome => ({ subject: 's', numbers: '', test: '', p, n: 3, verdict });
    // Every test confirmed at p < 0.05 (an intersection-union test): confirmed, even though Holm would not keep 0.04.
    expect(claimVerdict(holmAdjusted([t('confirmed', 0.03), t('confirmed', 0.04)]))).toBe('confirmed');
    // One refutation at p = 0.03 among five tests: Holm p 0.15, not a refutation of the claim.
    const weak = holmAdjusted([t('refuted', 0.03), t('inconclusive', 0.5), t('inconclusive', 0.6), t('inconclusive', 0.7), t('inconclusive', 0.8)]);
    expect(weak[0].pHolm).toBeCloseTo(0.15, 12);
    expect(claimVerdict(weak)).toBe('inconclusive');
    // A refutation that survives Holm decides, before any confirmation.
    expect(claimVerdict(holmAdjusted([t('refuted', 0.001), t('confirmed', 0.002), t('inconclusive', 0.5)]))).toBe('refuted');
    // Some confirmed at Holm p < 0.05, the rest not: partly.
    expect(claimVerdict(holmAdjusted([t('confirmed', 0.001), t('confirmed', 0.03), t('inconclusive', 0.5)]))).toBe('partly confirmed');
    expect(claimVerdict(holmAdjusted([t('confirmed', 0.02), t('inconclusive', 0.5), t('inconclusive', 0.6)]))).toBe('inconclusive');
    // Tests not run are not counted in m, and a claim with none run is not run.
    expect(holmAdjusted([t('confirmed', 0.02), t('not run', null)])[0].pHolm).toBeCloseTo(0.02, 12);
    expect(claimVerdict(holmAdjusted([t('not run', null)]))).toBe('not run');
  });

  it('an unknown analysis kind is an error naming it', () => {
    expect(() => runAnalysis('anova', { runs: [] }, {})).toThrow(/unknown analysis kind "anova"/);
  });
});

describe('judgeClaims and FINDINGS.md', () => {
  const root = mkdtempSync(join(tmpdir(), 'findings-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads preset folders, judges each claim, and renders every claim with its verdict', async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(root, 'baseline'));
    for (const opt of ['sgd', 'adagrad', 'adadelta', 'adam'] as const) {
      for (const seed of seeds) {
        const slope = opt === 'adagrad' ? -0.01 : 0.01;
        const run = fakeRun({ optimizer: opt, seed, epochs: 5 }, (e) => 0.4 + slope * e + jitter(seed));
        const text = [run.header, ...run.epochs].map((r) => recordToJson(r)).join('\n') + '\n';
        writeFileSync(join(root, 'baseline', `${run.header.run}.jsonl`), text);
      }
    }
    const claims: Claim[] = [
      {
        id: 'epochs', where: '6.1', claim: 'rise except adagrad', figure: '5.1', presets: ['baseline'],
        tests: [
          { kind: 'epoch-trend', label: 'sgd', filter: { 'optimizer.name': 'sgd' }, metric: 'sparsity_mean', expect: 'increasing' },
          { kind: 'epoch-trend', label: 'adagrad', filter: { 'optimizer.name': 'adagrad' }, metric: 'sparsity_mean', expect: 'decreasing' },
        ],
      },
      { id: 'sorted', where: '6.1', claim: 'sorted helps', figure: '5.18', presets: ['sorted'], tests: [{ kind: 'difference', label: 'sgd', metric: 'sparsity_mean', a: {}, b: {}, aName: 'a', bName: 'b', expect: 'greater' }] },
    ];
    const judged = judgeClaims(root, claims);
    expect(judged.map((j) => j.verdict)).toEqual(['confirmed', 'not run']);
    expect(judged[0].runs.baseline).toEqual({ complete: 12, diverged: 0, incomplete: 0 });
    const md = findingsMarkdown(judged);
    expect(md).toContain('| [rise except adagrad](#epochs) | 6.1 | 5.1 | **confirmed** | 2 / 0 / 0 / 0 |');
    expect(md).toContain('**not run**');
  });

  it('every built-in claim names presets and analyses that exist', async () => {
    const { CLAIMS, ANALYSES } = await import('../../src/experiments/findings/index.js');
    expect(CLAIMS.length).toBeGreaterThanOrEqual(17);
    for (const c of CLAIMS) {
      expect(c.tests.length).toBeGreaterThan(0);
      for (const t of c.tests) expect(Object.keys(ANALYSES)).toContain(t.kind);
    }
    // With no runs at all, every claim is 'not run' (and nothing throws).
    expect(new Set(judgeClaims(join(root, 'empty')).map((j) => j.verdict))).toEqual(new Set(['not run']));
  });
});

describe('Table 5.3', () => {
  it('prints ours (mean ± SEM) beside the printed values, and every printed row even without runs', async () => {
    const { table53Markdown, TABLE_5_3_PRINTED } = await import('../../src/experiments/findings/tables.js');
    expect(TABLE_5_3_PRINTED).toHaveLength(18);
    const runs = seeds.map((seed, i) => fakeRun({ optimizer: 'adam', hidden: [256, 256], seed, epochs: 2 }, () => [0.3, 0.34, 0.35][i]));
    const md = table53Markdown(runs);
    // sparsity 0.3, 0.34, 0.35: mean 0.33, sample std √((0.03² + 0.01² + 0.02²)/2) = √0.0007, SEM = √(0.0007/3) = 0.015275…
    expect(md).toContain('| adam | 2 | 3 | 0.9020 ± 0.0000 | 0.981 | 0.3300 ± 0.0153 | 0.336 |');
    expect(md).toContain('| sgd | 1 | 0 | — | 0.9765 |');
    expect(md.split('\n')).toHaveLength(2 + 18);
  });
});
