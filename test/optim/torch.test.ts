import { afterAll, describe, expect, it } from 'vitest';
import { Adadelta, Adagrad, Adam, AdamW, RMSprop, SGD, type OptimizerStateDict, type ParameterLike } from '../../src/optim/index.js';
import { compare, f32, loadFixture, maxAbs, newDeviation, num, toOptions, type Deviation, type OptimizerCase, type OptimizerFixture, type TorchStateDict } from './fixtures.js';

/**
 * Every optimizer against real PyTorch 1.13 (fixtures from tools/reference/optim.py, `foreach=False`): three
 * parameters of odd sizes (7×5, 13, 3), ten steps whose gradients include an all-zero step, a step of
 * magnitude 1e3 and one of 1e-8; the 3-element parameter has no gradient on steps 1, 2 and 9 and must be
 * skipped. Parameters are compared after every step, and the final state dict entry by entry.
 *
 * Tolerance: 1e-5 relative, |ours − torch| ≤ 1e-5·max(|torch|, floor), floor = 1e-3 × the tensor's largest
 * magnitude (so a value passing near zero is held to the tensor's scale, not to its own). Why not bit
 * equality: PyTorch rounds to float32 after every operation and fuses some multiply-adds; our kernels
 * follow the same order and emulate the fused ones by computing the product exactly in double, which can
 * differ from a true fused multiply-add by double rounding in rare halfway cases, and PyTorch's libm `pow`
 * for the bias corrections may differ from V8's in the last bit. In practice every value here is
 * bit-identical (the largest deviations, printed at the end, are 0 ulp) — the tolerance is what we
 * promise, the printout what we measured. A wrong order of operations shows up as ~1e-7 relative
 * differences that accumulate; a wrong formula as ≥1e-3.
 */
const RTOL = 1e-5;

type Ctor = new (params: never, options?: never) => {
  step(): void;
  stateDict(): OptimizerStateDict;
  loadStateDict(d: OptimizerStateDict): void;
};

const OPTIMIZERS: Array<[string, Ctor]> = [
  ['sgd', SGD as unknown as Ctor],
  ['adagrad', Adagrad as unknown as Ctor],
  ['adadelta', Adadelta as unknown as Ctor],
  ['adam', Adam as unknown as Ctor],
  ['adamw', AdamW as unknown as Ctor],
  ['rmsprop', RMSprop as unknown as Ctor],
];

const summary: Array<Record<string, string | number>> = [];

interface Param extends ParameterLike {
  data: Float32Array;
  grad: Float32Array | null;
}

function build(Cls: Ctor, fx: OptimizerFixture, c: OptimizerCase, init: Float32Array[]): { params: Param[]; opt: InstanceType<Ctor> } {
  const params: Param[] = init.map((v) => ({ data: v.slice(), grad: null }));
  const opts = toOptions(c.kwargs);
  const input = c.groups ? c.groups.map((g) => ({ params: g.params.map((i) => params[i]), ...toOptions(g.options) })) : params;
  expect(fx.shapes.length).toBe(params.length);
  return { params, opt: new Cls(input as never, opts as never) };
}

function setGrads(params: Param[], fx: OptimizerFixture, t: number): void {
  params.forEach((p, i) => {
    const g = fx.grads[t][i];
    p.grad = g === null ? null : f32(g);
  });
}

function floorOf(values: ArrayLike<number | string>): number {
  return Math.max(1e-3 * maxAbs(values as never), 1e-30);
}

function compareState(ours: OptimizerStateDict, torch: TorchStateDict, label: string, dev: Deviation): void {
  expect(Object.keys(ours.state).sort(), `${label}: parameters with state`).toEqual(Object.keys(torch.state).sort());
  for (const [idx, entry] of Object.entries(torch.state)) {
    const mine = ours.state[idx];
    expect(Object.keys(mine).sort(), `${label}: state[${idx}] entries`).toEqual(Object.keys(entry).sort());
    for (const [key, value] of Object.entries(entry)) {
      if (Array.isArray(value)) {
        const failure = compare(mine[key] as number[], value, RTOL, floorOf(value), `${label} state[${idx}].${key}`, dev);
        expect(failure).toBeNull();
      } else if (value === null) {
        expect(mine[key], `${label} state[${idx}].${key}`).toBeNull();
      } else {
        expect(mine[key], `${label} state[${idx}].${key}`).toBe(num(value));
      }
    }
  }
  // Group options under PyTorch's names (PyTorch-only flags aside).
  torch.param_groups.forEach((g, i) => {
    const mine = ours.param_groups[i] as Record<string, unknown>;
    for (const [k, v] of Object.entries(g)) {
      if (['foreach', 'differentiable', 'capturable', 'fused'].includes(k)) continue;
      expect(mine[k], `${label} param_groups[${i}].${k}`).toEqual(v);
    }
  });
}

describe.each(OPTIMIZERS)('%s equals torch.optim 1.13', (name, Cls) => {
  const fx = loadFixture<OptimizerFixture>(`${name}.json`);
  const init = fx.init.map(f32);
  const steps = fx.grads.length;
  const dev = newDeviation();
  const stateDev = newDeviation();

  it('has at least 10 configurations, 10 steps and PyTorch 1.13', () => {
    expect(fx.cases.length).toBeGreaterThanOrEqual(10);
    expect(steps).toBe(10);
    expect(fx.torch.startsWith('1.13')).toBe(true);
  });

  it.each(fx.cases.map((c) => [c.name, c] as const))('%s: parameters after every step and the final state', (_n, c) => {
    const { params, opt } = build(Cls, fx, c, init);
    for (let t = 0; t < steps; t++) {
      setGrads(params, fx, t);
      opt.step();
      params.forEach((p, i) => {
        const expected = c.params_after_step[t][i];
        const failure = compare(p.data, expected, RTOL, floorOf(expected), `step ${t + 1} param ${i}`, dev);
        expect(failure).toBeNull();
      });
    }
    compareState(opt.stateDict(), c.state_dict_final, 'final', stateDev);
  });

  it.each(fx.cases.map((c) => [c.name, c] as const))('%s: loading torch\'s state dict after step 5 and continuing', (_n, c) => {
    const mid = fx.mid_step;
    const resumed: Param[] = c.params_after_step[mid - 1].map((v) => ({ data: f32(v), grad: null }));
    const fresh = build(Cls, fx, c, init);
    // Same group structure, parameters at torch's values after `mid` steps.
    const input = c.groups ? c.groups.map((g) => ({ params: g.params.map((i) => resumed[i]), ...toOptions(g.options) })) : resumed;
    const opt = new Cls(input as never, toOptions(c.kwargs) as never);
    opt.loadStateDict(JSON.parse(JSON.stringify(c.state_dict_mid)) as OptimizerStateDict);
    for (let t = mid; t < steps; t++) {
      setGrads(resumed, fx, t);
      opt.step();
      resumed.forEach((p, i) => {
        const expected = c.params_after_step[t][i];
        expect(compare(p.data, expected, RTOL, floorOf(expected), `resumed step ${t + 1} param ${i}`, dev)).toBeNull();
      });
    }
    compareState(opt.stateDict(), c.state_dict_final, 'resumed final', stateDev);
    expect(fresh.params.length).toBe(resumed.length);
  });

  afterAll(() => {
    summary.push({
      optimizer: fx.optimizer,
      configs: fx.cases.length,
      'values compared': dev.count + stateDev.count,
      'max rel dev (params)': dev.rel,
      'max ulps (params)': dev.ulps,
      'max rel dev (state)': stateDev.rel,
      'max ulps (state)': stateDev.ulps,
      'values not bit-identical': dev.differing + stateDev.differing,
    });
  });
});

afterAll(() => {
  // The numbers the issue asks for: largest deviation from PyTorch per optimizer.
  console.log('Largest deviation from PyTorch 1.13 per optimizer (tolerance 1e-5 relative):');
  console.table(summary);
});
