import { describe, expect, it } from 'vitest';
import { Adadelta, Adagrad, AdadeltaK, AdagradK, Adam, AdamW, RMSprop, SGD, type OptimizerStateDict } from '../../src/optim/index.js';
import { Rng } from '../../src/tensor/random.js';

interface P {
  data: Float32Array;
  grad: Float32Array | null;
}

type Opt = { step(): void; stateDict(): OptimizerStateDict; loadStateDict(d: OptimizerStateDict): void; paramGroups: unknown[] };

const SHAPES = [35, 13, 3];

function makeParams(seed: number): P[] {
  const rng = new Rng(seed);
  return SHAPES.map((n) => ({ data: rng.fillNormal(new Float32Array(n)), grad: new Float32Array(n) }));
}

function clone(ps: P[]): P[] {
  return ps.map((p) => ({ data: p.data.slice(), grad: p.grad && p.grad.slice() }));
}

/** Deterministic gradients for step t (the 3-element parameter has none on odd steps). */
function setGrads(ps: P[], t: number): void {
  const rng = new Rng(1000 + t);
  ps.forEach((p, i) => {
    if (i === 2 && t % 2 === 1) p.grad = null;
    else p.grad = rng.fillNormal(new Float32Array(p.data.length), 0, t === 3 ? 1e3 : 1);
  });
}

const FACTORIES: Array<[string, (ps: P[]) => Opt]> = [
  ['SGD nesterov + weight decay', (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-3 })],
  ['SGD dampening, two groups', (ps) => new SGD([{ params: [ps[0]], lr: 0.1 }, { params: [ps[1], ps[2]], momentum: 0.5, dampening: 0.3 }], { lr: 0.05, momentum: 0.9 })],
  ['SGD without momentum', (ps) => new SGD(ps, { lr: 0.1 })],
  ['Adagrad lr decay', (ps) => new Adagrad(ps, { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 })],
  ['Adadelta', (ps) => new Adadelta(ps, { rho: 0.9 })],
  ['Adam amsgrad', (ps) => new Adam(ps, { amsgrad: true, weightDecay: 0.01 })],
  ['AdamW', (ps) => new AdamW([{ params: [ps[0], ps[2]] }, { params: [ps[1]], betas: [0.5, 0.99] }])],
  ['RMSprop centered momentum', (ps) => new RMSprop(ps, { centered: true, momentum: 0.9 })],
  ['AdagradK (experimental)', (ps) => new AdagradK(ps, { lr: 1e-3, k: 0.1 })],
  ['AdadeltaK (experimental)', (ps) => new AdadeltaK(ps, { k: 2 })],
];

describe.each(FACTORIES)('%s: state dict', (_name, make) => {
  it('round-trips through JSON mid-training and continues bit-identically', () => {
    const a = makeParams(1);
    const b = clone(a);
    const optA = make(a);
    for (let t = 0; t < 5; t++) {
      setGrads(a, t);
      optA.step();
    }
    // Save after 5 steps, as text, and restore into a new optimizer on a copy of the parameters.
    const saved = JSON.stringify(optA.stateDict());
    const resumed = clone(a);
    const optB = make(resumed);
    optB.loadStateDict(JSON.parse(saved) as OptimizerStateDict);
    expect(JSON.stringify(optB.stateDict())).toBe(saved);
    for (let t = 5; t < 10; t++) {
      setGrads(a, t);
      setGrads(resumed, t);
      optA.step();
      optB.step();
    }
    resumed.forEach((p, i) => expect(Array.from(p.data), `param ${i}`).toEqual(Array.from(a[i].data)));
    expect(JSON.stringify(optB.stateDict())).toBe(JSON.stringify(optA.stateDict()));
    expect(b.length).toBe(3);
  });

  it('is plain JSON: arrays of numbers keyed by parameter index, options in snake_case', () => {
    const ps = makeParams(2);
    const opt = make(ps);
    setGrads(ps, 0);
    opt.step();
    const d = opt.stateDict();
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    for (const g of d.param_groups) for (const k of Object.keys(g)) expect(k).toMatch(/^[a-z0-9_]+$/);
    expect(d.param_groups.flatMap((g) => g.params).sort()).toEqual([0, 1, 2]);
  });
});

describe('loadStateDict checks everything before changing anything', () => {
  function trained(): { ps: P[]; opt: Adam } {
    const ps = makeParams(3);
    const opt = new Adam(ps, { lr: 0.01 });
    for (let t = 0; t < 3; t++) {
      setGrads(ps, t);
      opt.step();
    }
    return { ps, opt };
  }

  function expectUnchanged(opt: Adam, before: string, bad: unknown, message: RegExp): void {
    expect(() => opt.loadStateDict(bad as OptimizerStateDict)).toThrow(message);
    expect(JSON.stringify(opt.stateDict())).toBe(before);
  }

  it('rejects a buffer of the wrong length, naming the entry and both sizes', () => {
    const { opt } = trained();
    const before = JSON.stringify(opt.stateDict());
    const bad = JSON.parse(before);
    bad.state['1'].exp_avg_sq.pop();
    bad.param_groups[0].lr = 0.5; // would be applied if loading were not all-or-nothing
    expectUnchanged(opt, before, bad, /state\[1\]\.exp_avg_sq has 12 values, but the parameter has 13/);
  });

  it('rejects a different number of groups or a group of a different size (PyTorch wording)', () => {
    const { opt } = trained();
    const before = JSON.stringify(opt.stateDict());
    const two = JSON.parse(before);
    two.param_groups.push({ ...two.param_groups[0], params: [] });
    expectUnchanged(opt, before, two, /loaded state dict has a different number of parameter groups/);
    const short = JSON.parse(before);
    short.param_groups[0].params.pop();
    expectUnchanged(opt, before, short, /doesn't match the size of optimizer's group/);
  });

  it('rejects unknown or missing entries, a bad step and invalid options', () => {
    const { opt } = trained();
    const before = JSON.stringify(opt.stateDict());
    const unknown = JSON.parse(before);
    unknown.state['0'].exp_avgs = unknown.state['0'].exp_avg;
    expectUnchanged(opt, before, unknown, /state\[0\] has unknown entry 'exp_avgs'/);
    const missing = JSON.parse(before);
    delete missing.state['0'].exp_avg_sq;
    expectUnchanged(opt, before, missing, /state\[0\] is missing 'exp_avg_sq'/);
    const step = JSON.parse(before);
    step.state['2'].step = -1;
    expectUnchanged(opt, before, step, /state\[2\]\.step must be a non-negative integer/);
    const lr = JSON.parse(before);
    lr.param_groups[0].lr = -1;
    expectUnchanged(opt, before, lr, /Invalid learning rate: -1/);
    const option = JSON.parse(before);
    option.param_groups[0].momentum = 0.9;
    expectUnchanged(opt, before, option, /unknown option 'momentum'/);
    const orphan = JSON.parse(before);
    orphan.state['7'] = orphan.state['0'];
    expectUnchanged(opt, before, orphan, /parameter 7, which no param group lists/);
    const amsgrad = JSON.parse(before);
    amsgrad.param_groups[0].amsgrad = true; // amsgrad needs max_exp_avg_sq
    expectUnchanged(opt, before, amsgrad, /missing 'max_exp_avg_sq'/);
    expectUnchanged(opt, before, null, /expected \{ state/);
    const strings = JSON.parse(before);
    strings.state['0'].exp_avg[3] = 'x';
    expectUnchanged(opt, before, strings, /exp_avg\[3\] must be a number/);
  });

  it('accepts PyTorch-only group flags, nested (.tolist()) buffers and a (1,)-shaped step', () => {
    const { ps, opt } = trained();
    const d = JSON.parse(JSON.stringify(opt.stateDict()));
    Object.assign(d.param_groups[0], { foreach: false, differentiable: false, capturable: false, fused: false });
    const flat: number[] = d.state['0'].exp_avg;
    d.state['0'].exp_avg = Array.from({ length: 7 }, (_, r) => flat.slice(r * 5, r * 5 + 5)); // 7×5 nested
    d.state['0'].step = [d.state['0'].step];
    const opt2 = new Adam(ps, { lr: 0.01 });
    opt2.loadStateDict(d);
    const s = opt2.state.get(ps[0])!;
    expect(Array.from(s.exp_avg)).toEqual(flat);
    expect(s.step).toBe(3);
  });

  it('rejects non-finite buffers (JSON markers null, "NaN", "-Infinity" included) and negative second moments, changing nothing', () => {
    const { opt } = trained();
    const before = JSON.stringify(opt.stateDict());
    const cases: Array<[string, (d: any) => void, RegExp]> = [
      ['NaN marker', (d) => { d.state['1'].exp_avg[0] = 'NaN'; }, /state\[1\]\.exp_avg\[0\] is NaN; loaded state must be finite/],
      ['null (JSON of NaN)', (d) => { d.state['1'].exp_avg[1] = null; }, /state\[1\]\.exp_avg\[1\] is NaN/],
      ['-Infinity marker', (d) => { d.state['0'].exp_avg_sq[2] = '-Infinity'; }, /state\[0\]\.exp_avg_sq\[2\] is -Infinity/],
      ['negative second moment', (d) => { d.state['0'].exp_avg_sq[3] = -1e-3; }, /state\[0\]\.exp_avg_sq\[3\] is -0\.0010000000474974513; exp_avg_sq is an average of squares and must be ≥ 0/],
      ['Infinity lr in a group', (d) => { d.param_groups[0].lr = 1e999; }, /option lr must be a finite number, got Infinity/],
    ];
    for (const [, spoil, message] of cases) {
      const d = JSON.parse(JSON.stringify(opt.stateDict()));
      spoil(d);
      expectUnchanged(opt, before, d, message);
    }
    // A negative first moment is an ordinary state.
    const ok = JSON.parse(JSON.stringify(opt.stateDict()));
    ok.state['0'].exp_avg[0] = -1;
    expect(() => opt.loadStateDict(ok)).not.toThrow();
  });

  it('SGD saves momentum_buffer: null after a step without momentum, as PyTorch, and loads it', () => {
    const ps = makeParams(4);
    const opt = new SGD(ps, { lr: 0.1 });
    setGrads(ps, 0);
    opt.step();
    const d = opt.stateDict();
    expect(d.state['0']).toEqual({ momentum_buffer: null });
    expect(d.param_groups[0]).toEqual({ lr: 0.1, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false, maximize: false, params: [0, 1, 2] });
    // Turning momentum on after loading starts the buffer from the gradient, as PyTorch does for None.
    d.param_groups[0].momentum = 0.9;
    const ps2 = clone(ps);
    const opt2 = new SGD(ps2, { lr: 0.1 });
    opt2.loadStateDict(d);
    setGrads(ps2, 1);
    const g = ps2[0].grad!.slice();
    opt2.step();
    expect(Array.from(opt2.state.get(ps2[0])!.momentum_buffer!)).toEqual(Array.from(g));
  });

  it('keeps initialLr (PyTorch initial_lr) from a scheduler', () => {
    const ps = makeParams(5);
    const opt = new SGD(ps, { lr: 0.1 });
    opt.paramGroups[0].initialLr = 0.1;
    opt.paramGroups[0].lr = 0.05;
    const d = opt.stateDict();
    expect(d.param_groups[0].initial_lr).toBe(0.1);
    const opt2 = new SGD(clone(ps), { lr: 0.1 });
    opt2.loadStateDict(d);
    expect(opt2.paramGroups[0].initialLr).toBe(0.1);
    expect(opt2.paramGroups[0].lr).toBe(0.05);
  });
});
