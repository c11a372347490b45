import { describe, expect, it } from 'vitest';
import { CosineAnnealingLR, ExponentialLR, LinearLR, MultiStepLR, SGD, StepLR, type LRScheduler } from '../../src/optim/index.js';
import { loadFixture } from './fixtures.js';

/**
 * Schedules against PyTorch 1.13 (tools/reference/optim.py): two groups with lr 0.1 and 0.05, 30 steps.
 * Both sides compute in double with the same formulas in the same order; the only possible difference is
 * the last bit of cos() (glibc vs V8's fdlibm port), carried through PyTorch's recursive form. Tolerance
 * 1e-12 relative; the largest deviation is printed.
 */
const RTOL = 1e-12;

interface SchedCase {
  name: string;
  scheduler: string;
  kwargs: Record<string, unknown>;
  lrs: number[][];
}

interface SchedFixture {
  base_lrs: number[];
  steps: number;
  cases: SchedCase[];
  chained: { name: string; lr: number; lrs: number[][] };
}

const fx = loadFixture<SchedFixture>('lr_scheduler.json');

function param(): { data: Float32Array; grad: Float32Array } {
  return { data: new Float32Array(1), grad: new Float32Array(1) };
}

function make(c: SchedCase, opt: SGD): LRScheduler {
  const k = c.kwargs as Record<string, never>;
  switch (c.scheduler) {
    case 'StepLR':
      return new StepLR(opt, { stepSize: k.step_size, gamma: k.gamma });
    case 'MultiStepLR':
      return new MultiStepLR(opt, { milestones: k.milestones, gamma: k.gamma });
    case 'ExponentialLR':
      return new ExponentialLR(opt, { gamma: k.gamma });
    case 'CosineAnnealingLR':
      return new CosineAnnealingLR(opt, { tMax: k.T_max, etaMin: k.eta_min });
    case 'LinearLR':
      return new LinearLR(opt, { startFactor: k.start_factor, endFactor: k.end_factor, totalIters: k.total_iters });
    default:
      throw new Error(`unknown scheduler ${c.scheduler}`);
  }
}

let worst = 0;

function expectLrs(actual: number[], expected: number[], label: string): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const rel = Math.abs(a - expected[i]) / Math.max(Math.abs(expected[i]), 1e-300);
    worst = Math.max(worst, rel);
    expect(rel, `${label} group ${i}: ${a} vs torch ${expected[i]}`).toBeLessThanOrEqual(RTOL);
  });
}

function twoGroupSgd(): SGD {
  return new SGD([{ params: [param()], lr: fx.base_lrs[0] }, { params: [param()], lr: fx.base_lrs[1] }], { lr: fx.base_lrs[0] });
}

describe('learning-rate schedules equal PyTorch 1.13', () => {
  it.each(fx.cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const opt = twoGroupSgd();
    const sched = make(c, opt);
    expectLrs(sched.getLastLr(), c.lrs[0], 'initial');
    for (let t = 1; t <= fx.steps; t++) {
      opt.step();
      sched.step();
      expectLrs(sched.getLastLr(), c.lrs[t], `step ${t}`);
      expectLrs(opt.paramGroups.map((g) => g.lr), c.lrs[t], `step ${t} (groups)`);
    }
    expect(opt.paramGroups.map((g) => g.initialLr)).toEqual(fx.base_lrs);
  });

  it('two schedulers on one optimizer compose as in PyTorch (ExponentialLR then StepLR)', () => {
    const opt = new SGD([param()], { lr: fx.chained.lr });
    const a = new ExponentialLR(opt, { gamma: 0.9 });
    const b = new StepLR(opt, { stepSize: 4, gamma: 0.5 });
    expectLrs([opt.paramGroups[0].lr], fx.chained.lrs[0], 'initial');
    for (let t = 1; t <= fx.steps; t++) {
      opt.step();
      a.step();
      b.step();
      expectLrs([opt.paramGroups[0].lr], fx.chained.lrs[t], `step ${t}`);
    }
  });

  it('reports the largest deviation', () => {
    console.log(`LR schedules: largest relative deviation from PyTorch = ${worst}`);
    expect(worst).toBeLessThanOrEqual(RTOL);
  });
});

describe('scheduler state dicts and resuming', () => {
  it('saving after 12 steps and loading into a new scheduler continues identically', () => {
    for (const c of fx.cases) {
      const opt = twoGroupSgd();
      const sched = make(c, opt);
      for (let t = 0; t < 12; t++) sched.step();
      const saved = JSON.parse(JSON.stringify({ opt: opt.stateDict(), sched: sched.stateDict() }));
      expect(saved.sched.last_epoch).toBe(12);
      const opt2 = twoGroupSgd();
      const sched2 = make(c, opt2);
      opt2.loadStateDict(saved.opt);
      sched2.loadStateDict(saved.sched);
      for (let t = 0; t < 10; t++) {
        sched.step();
        sched2.step();
        expect(sched2.getLastLr(), c.name).toEqual(sched.getLastLr());
      }
    }
  });

  it('uses PyTorch\'s key names, including a Counter-shaped milestones map', () => {
    const opt = twoGroupSgd();
    const s = new MultiStepLR(opt, { milestones: [5, 12, 12], gamma: 0.3 });
    expect(s.stateDict()).toEqual({ milestones: { 5: 1, 12: 2 }, gamma: 0.3, base_lrs: [0.1, 0.05], last_epoch: 0, _step_count: 1, _last_lr: [0.1, 0.05] });
    const c = new CosineAnnealingLR(twoGroupSgd(), { tMax: 10 });
    expect(Object.keys(c.stateDict()).sort()).toEqual(['T_max', '_last_lr', '_step_count', 'base_lrs', 'eta_min', 'last_epoch']);
  });

  it('resuming with lastEpoch needs initialLr in every group (PyTorch wording), and then uses the closed form once', () => {
    const opt = twoGroupSgd();
    expect(() => new CosineAnnealingLR(opt, { tMax: 10, lastEpoch: 4 })).toThrow("param 'initial_lr' is not specified in param_groups[0] when resuming an optimizer");
    opt.paramGroups.forEach((g) => (g.initialLr = g.lr));
    const s = new CosineAnnealingLR(opt, { tMax: 10, lastEpoch: 4 });
    // lastEpoch becomes 5: lr = base·(1 + cos(5π/10))/2 = base/2.
    expect(s.lastEpoch).toBe(5);
    expect(s.getLastLr()[0]).toBeCloseTo(0.05, 15);
  });

  it('rejects bad options and bad state dicts, changing nothing', () => {
    const opt = twoGroupSgd();
    expect(() => new StepLR(opt, { stepSize: 0 })).toThrow('StepLR: stepSize must be a positive integer, got 0');
    expect(() => new CosineAnnealingLR(opt, { tMax: 0 })).toThrow('CosineAnnealingLR: tMax must be a positive integer, got 0');
    expect(() => new ExponentialLR(opt, { gamma: 'x' as never })).toThrow('ExponentialLR: gamma must be a number, got "x"');
    expect(() => new LinearLR(opt, { startFactor: 1.5 })).toThrow('Starting multiplicative factor expected to be greater than 0 and less or equal to 1.');
    expect(() => new LinearLR(opt, { startFactor: 0 })).toThrow('Starting multiplicative factor expected to be greater than 0 and less or equal to 1.');
    expect(() => new ExponentialLR(opt, { gamma: Infinity })).toThrow('ExponentialLR: gamma must be a finite number, got Infinity');
    expect(() => new StepLR(opt, { stepSize: 2, gamma: -0.5 })).toThrow('StepLR: gamma must be ≥ 0 (a negative value makes the learning rate negative, a step uphill), got -0.5');
    expect(() => new CosineAnnealingLR(opt, { tMax: 5, etaMin: -0.01 })).toThrow('CosineAnnealingLR: etaMin must be ≥ 0');
    expect(() => new LinearLR(opt, { endFactor: -1 })).toThrow('Ending multiplicative factor expected to be between 0 and 1.');
    expect(() => new MultiStepLR(opt, { milestones: [1.5] })).toThrow('MultiStepLR: milestones must be a list of integers');
    expect(() => new StepLR({} as never, { stepSize: 1 })).toThrow(/expected an optimizer/);
    const s = new StepLR(opt, { stepSize: 3 });
    const before = JSON.stringify(s.stateDict());
    expect(() => s.loadStateDict({ ...s.stateDict(), base_lrs: [0.1] })).toThrow('StepLR.loadStateDict: base_lrs must be 2 finite numbers ≥ 0 (one per param group), got [0.1]');
    expect(() => s.loadStateDict({ ...s.stateDict(), _last_lr: [0.1, NaN] })).toThrow('_last_lr must be 2 finite numbers ≥ 0 (one per param group), got [0.1, NaN]');
    expect(() => s.loadStateDict({ ...s.stateDict(), step_size: -2, gamma: 0.5 })).toThrow('step_size must be a positive integer');
    expect(() => s.loadStateDict({ ...s.stateDict(), warmup: 3 })).toThrow("StepLR.loadStateDict: unknown entry 'warmup'");
    expect(JSON.stringify(s.stateDict())).toBe(before);
    // PyTorch's own extra keys are accepted.
    s.loadStateDict({ ...s.stateDict(), verbose: false, _get_lr_called_within_step: false, gamma: 0.5 });
    expect(s.gamma).toBe(0.5);
  });
});
