import { describe, expect, it } from 'vitest';
import { hiddenActivationLayers, mlp, type Linear } from '../../src/layers/index.js';
import { Rng, zeros } from '../../src/tensor/index.js';
import { accuracyWithout, neuronAblation, unitsToRemove } from '../../src/experiments/ablation.js';

describe('unitsToRemove', () => {
  const sel = [0.5, 0.9, 0.1, NaN, 0.9, 0.3];
  it('most selective first, ties by index, NaN last', () => {
    expect(unitsToRemove(sel, 2, 'most-selective', 1)).toEqual([1, 4]);
    expect(unitsToRemove(sel, 3, 'most-selective', 1)).toEqual([0, 1, 4]);
    expect(unitsToRemove(sel, 6, 'most-selective', 1)).toEqual([0, 1, 2, 3, 4, 5]);
  });
  it('least selective first, NaN last', () => {
    expect(unitsToRemove(sel, 2, 'least-selective', 1)).toEqual([2, 5]);
    expect(unitsToRemove(sel, 5, 'least-selective', 1)).toEqual([0, 1, 2, 4, 5]);
  });
  it('random: k distinct units, the same for the same seed, different for another', () => {
    const a = unitsToRemove(new Array(100).fill(0), 10, 'random', 7);
    expect(new Set(a).size).toBe(10);
    expect(unitsToRemove(new Array(100).fill(0), 10, 'random', 7)).toEqual(a);
    expect(unitsToRemove(new Array(100).fill(0), 10, 'random', 8)).not.toEqual(a);
  });
  it('rejects a bad k or order', () => {
    expect(() => unitsToRemove(sel, 7, 'random', 1)).toThrow(/k must be an integer in \[0, 6\], got 7/);
    expect(() => unitsToRemove(sel, 1.5, 'random', 1)).toThrow(/got 1.5/);
    expect(() => unitsToRemove(sel, 1, 'best' as never, 1)).toThrow(/order must be one of/);
  });
});

describe('accuracyWithout', () => {
  it('equals the net with the removed units’ outgoing weights deleted, bit for bit, and detaches its hook', () => {
    const rng = new Rng(3);
    const net = mlp([8, 12, 4], { rng });
    const x = zeros([20, 8]);
    rng.fillUniform(x.data, -1, 1);
    const hidden = hiddenActivationLayers(net)[0];
    const units = [0, 5, 11];
    let ablated: Float32Array = new Float32Array();
    accuracyWithout(hidden, units, () => {
      ablated = Float32Array.from(net.forward(x).data);
      return 0;
    });
    // Deleting the units by hand: zero columns 0, 5, 11 of the output layer's weight [4, 12].
    const out = net.layers[2] as Linear;
    const saved = Float32Array.from(out.weight.data);
    for (let o = 0; o < 4; o++) for (const u of units) out.weight.data[o * 12 + u] = 0;
    const deleted = Float32Array.from(net.forward(x).data);
    expect(Array.from(ablated)).toEqual(Array.from(deleted));
    out.weight.data.set(saved);
    const intact = Float32Array.from(net.forward(x).data);
    expect(Array.from(intact)).not.toEqual(Array.from(ablated)); // the hook is gone again
  });
  it('neuronAblation runs every (k, order) that fits and reports the drop', () => {
    const rng = new Rng(4);
    const net = mlp([8, 12, 4], { rng });
    const hidden = hiddenActivationLayers(net)[0];
    let calls = 0;
    const records = neuronAblation({
      layer: hidden,
      selectivity: Array.from({ length: 12 }, (_, i) => i / 12),
      baselineAccuracy: 0.9,
      evaluate: () => 0.5 + 0.01 * ++calls,
      ks: [1, 5, 100],
      seed: 1,
    });
    expect(records.map((r) => [r.k, r.order])).toEqual([
      [1, 'most-selective'], [1, 'least-selective'], [1, 'random'],
      [5, 'most-selective'], [5, 'least-selective'], [5, 'random'],
    ]);
    expect(records[0].units).toEqual([11]);
    expect(records[1].units).toEqual([0]);
    expect(records[0].drop).toBeCloseTo(0.9 - 0.51, 12);
  });
});
