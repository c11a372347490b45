/**
 * Adadelta's deferred +0-gradient columns (src/optim/lazy-columns.ts) against the full step on every
 * element (`setSkipZeroGradients(false)`): weights and the whole state, bit for bit — after reading the
 * state mid-training, across a change of ρ, over gaps long enough to reach the decay's fixed point, from a
 * loaded state dict, and when the state goes non-finite.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/index.js';
import { CrossEntropyLoss, type Sequential } from '../../src/layers/index.js';
import { Adadelta, type AdadeltaState, type OptimizerStateDict, setSkipZeroGradients } from '../../src/optim/index.js';
import { Rng, zeros } from '../../src/tensor/index.js';
import { countAllocations } from '../helpers/allocation-counter.js';
import { wasmHeap } from '../../src/tensor/memory.js';
import { LAZY_BOUND, LazyColumns } from '../../src/optim/lazy-columns.js';
import { adadeltaAccBoundedWasm } from '../../src/optim/wasm/steps.js';
import { F, sparseDataset, train, trainer, wasmMemoryPerTest, type Trainer } from '../layers/sparse-input-helpers.js';

const useWasm = wasmMemoryPerTest(afterEach);

type Make = (m: Sequential) => Adadelta;
const plain: Make = (m) => new Adadelta(m.parameters());

/** Two trainers on the same data: `lazy` defers, `full` steps every element. */
function pair(data: Dataset, batch: number, make: Make): { lazy: Trainer; full: Trainer; dispose(): void } {
  setSkipZeroGradients(true);
  const lazy = trainer(data, batch, make, true);
  setSkipZeroGradients(false);
  const full = trainer(data, batch, make, true);
  return { lazy, full, dispose: () => { lazy.dispose(); full.dispose(); } };
}

/** `steps` steps on each, with the switch set for each (it is global). */
function trainBoth(p: { lazy: Trainer; full: Trainer }, data: Dataset, batch: number, steps: number): void {
  setSkipZeroGradients(true);
  train(p.lazy, data, batch, steps);
  setSkipZeroGradients(false);
  train(p.full, data, batch, steps);
}

/** The raw stored state, without the catch-up reading `state` does. */
const rawState = (t: Trainer) => (t.opt as unknown as { states: Map<unknown, AdadeltaState> }).states;

function expectSame(p: { lazy: Trainer; full: Trainer }): void {
  const a = p.lazy.model.parameters(), b = p.full.model.parameters();
  a.forEach((w, i) => expect(Array.from(w.data)).toEqual(Array.from(b[i].data)));
  expect(p.lazy.opt.stateDict()).toEqual(p.full.opt.stateDict());
}

/** Images whose first 4 features are non-zero only in image 0 (so those columns wait `count` steps). */
function rareColumns(count: number, seed: number): Dataset {
  const data = sparseDataset(count, seed);
  for (let i = 1; i < count; i++) data.images.fill(0, i * F, i * F + 4);
  data.images.fill(0.75, 0, 4);
  return data;
}

describe('Adadelta deferring its +0-gradient columns (sparse first layer)', () => {
  it('defers: the stored state lags until read, and reading it catches up to the full step bit for bit', () => {
    useWasm();
    const data = sparseDataset(120, 2);
    for (const batch of [1, 3]) {
      const p = pair(data, batch, plain);
      trainBoth(p, data, batch, 40);
      const first = p.lazy.model.parameters()[0];
      const stale = rawState(p.lazy).get(first)!.square_avg.slice();
      const current = p.full.opt.state.get(p.full.model.parameters()[0])!.square_avg;
      expect(stale.some((v, i) => v !== current[i])).toBe(true); // something was deferred
      expectSame(p); // stateDict() brings it up to date
      trainBoth(p, data, batch, 40); // and training goes on from the caught-up state
      expectSame(p);
      p.dispose();
    }
  });

  it('a change of ρ mid-training replays the missed decays with the old ρ', () => {
    useWasm();
    const data = sparseDataset(120, 4);
    const p = pair(data, 1, plain);
    trainBoth(p, data, 1, 30);
    for (const t of [p.lazy, p.full]) t.opt.paramGroups[0].rho = 0.5;
    trainBoth(p, data, 1, 30);
    expectSame(p);
    p.dispose();
  });

  it('gaps of a thousand steps (decays reach their subnormal fixed point; ρ 0.9 and 0.3)', () => {
    useWasm();
    const data = rareColumns(1200, 5);
    for (const rho of [0.9, 0.3]) {
      const p = pair(data, 1, (m) => new Adadelta(m.parameters(), { rho }));
      trainBoth(p, data, 1, 1199); // image 0 first, then 1198 steps without the rare columns
      const raw = rawState(p.lazy).get(p.lazy.model.parameters()[0])!.square_avg;
      expect(raw[0]).toBeGreaterThan(1e-30); // deferred: still as image 0 left it
      const full: Float32Array = p.full.opt.state.get(p.full.model.parameters()[0])!.square_avg;
      // The full step's rare columns reached the fixed point: a few subnormal ulps for ρ = 0.9, 0 for ρ = 0.3.
      const rare = Array.from(full).filter((_, i) => i % F < 4);
      if (rho === 0.9) expect(rare.some((v) => v > 0 && v < 2 ** -146)).toBe(true);
      else expect(rare.every((v) => v === 0)).toBe(true);
      trainBoth(p, data, 1, 2); // image 0 again: its columns replay ~1200 decays
      expectSame(p);
      p.dispose();
    }
  });

  it('continues bit-identically from a loaded state dict, and after a step with the full switch', () => {
    useWasm();
    const data = sparseDataset(120, 6);
    const p = pair(data, 1, plain);
    trainBoth(p, data, 1, 25);
    const saved: OptimizerStateDict = JSON.parse(JSON.stringify(p.full.opt.stateDict()));
    p.lazy.opt.loadStateDict(saved);
    trainBoth(p, data, 1, 25);
    expectSame(p);
    setSkipZeroGradients(false); // one full step on the lazy optimizer: it catches up first
    train(p.lazy, data, 1, 1);
    train(p.full, data, 1, 1);
    trainBoth(p, data, 1, 10);
    expectSame(p);
    p.dispose();
  });

  it('stops deferring, exactly, once the state is not finite', () => {
    useWasm();
    const data = sparseDataset(60, 7);
    // lr 0 keeps θ (and so the forward pass and the gradients) finite until the state breaks it.
    const p = pair(data, 1, (m) => new Adadelta(m.parameters(), { lr: 0 }));
    trainBoth(p, data, 1, 5);
    // acc_delta = FLT_MAX, square_avg = 0: the next touched columns' Δ² overflows (u = ∞), and the full step
    // then turns θ into NaN (−0·NaN) wherever u = ∞ and g = +0; the deferred path must do the same.
    const saved = p.full.opt.stateDict();
    for (const entry of Object.values(saved.state)) {
      const acc = entry.acc_delta as number[];
      acc.fill(3.4028234663852886e38);
      (entry.square_avg as number[]).fill(0);
    }
    for (const t of [p.lazy, p.full]) t.opt.loadStateDict(saved);
    trainBoth(p, data, 1, 2);
    const w = p.full.model.parameters()[0].data;
    expect(w.some(Number.isNaN)).toBe(true); // the scenario happened
    expect(w.some((v) => !Number.isNaN(v))).toBe(true); // and not by a NaN loss
    expectSame(p);
    p.dispose();
  });

  it('random sparse data, batches 1–4, many seeds', () => {
    useWasm();
    const rng = new Rng(11);
    for (let trial = 0; trial < 6; trial++) {
      const data = sparseDataset(50, 100 + trial);
      const batch = 1 + rng.int(4);
      const rho = [0.9, 0.5, 0.99, 1, 0][trial % 5];
      const lr = 0.5 + rng.uniform();
      const p = pair(data, batch, (m) => new Adadelta(m.parameters(), { rho, lr }));
      trainBoth(p, data, batch, 30);
      expectSame(p);
      p.dispose();
    }
  });
});

describe("the deferral's bound check (bounded_runs)", () => {
  it('passes values below 2^100 and fails at the bound, above it, ∞ and NaN, wherever they sit', () => {
    useWasm();
    const rows = 3, cols = 12;
    const heap = wasmHeap();
    const state = { square_avg: heap.allocFloat32(rows * cols), acc_delta: heap.allocFloat32(rows * cols) };
    const lazy = new LazyColumns(rows, cols, 0, 0.9);
    state.acc_delta.fill(Math.fround(LAZY_BOUND * 0.99));
    expect(adadeltaAccBoundedWasm(state, rows, cols, lazy, LAZY_BOUND)).toBe(true);
    for (const bad of [LAZY_BOUND, 2 ** 101, Infinity, NaN]) {
      for (const at of [0, 17, rows * cols - 1]) {
        const keep = state.acc_delta[at];
        state.acc_delta[at] = bad;
        expect(adadeltaAccBoundedWasm(state, rows, cols, lazy, LAZY_BOUND)).toBe(false);
        state.acc_delta[at] = keep;
      }
    }
    lazy.dispose();
    heap.freeArray(state.square_avg);
    heap.freeArray(state.acc_delta);
  });
});

describe('the deferred step allocates nothing', () => {
  it('no typed array and no allocFloat32 in 40 steps after the first (bound checks included)', () => {
    useWasm();
    const data = sparseDataset(60, 12);
    const t = trainer(data, 1, plain, true);
    const loss = new CrossEntropyLoss();
    const x = zeros([1, F]);
    const y = new Uint8Array(1);
    const order = Array.from({ length: data.count }, (_, i) => i);
    const prepare = (s: number) => {
      x.data.set(data.images.subarray(s * F, (s + 1) * F));
      y[0] = data.labels[s];
      t.feed?.gather(order, s, 1, x);
      t.model.zeroGrad();
      loss.forward(t.model.forwardTrusted(x), y);
      t.model.backwardParams(loss.backward());
    };
    prepare(0);
    t.opt.step(); // creates the state and the deferral's bookkeeping
    const counter = countAllocations();
    try {
      for (let s = 1; s <= 40; s++) {
        prepare(s);
        const before = counter.counts();
        t.opt.step();
        expect(counter.counts()).toEqual(before);
      }
    } finally {
      counter.restore();
    }
    expect(rawState(t).get(t.model.parameters()[0])).toBeDefined();
    expect((t.opt as unknown as { lazy: Map<unknown, unknown> }).lazy.size).toBe(1); // the deferred path ran
    t.dispose();
  });
});
