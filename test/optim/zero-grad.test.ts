/**
 * Optimizer.zeroGrad over several steps. Gradients here are buffers that backward passes accumulate into
 * (+=), as PyTorch's .grad, so a loop that forgets to zero them — or a zeroGrad that zeroes nothing —
 * steps with the sum of all past gradients from the second step on. Each check below runs ≥ 3 steps and
 * fails on exactly that.
 */
import { describe, expect, it } from 'vitest';
import { CrossEntropyLoss, mlp } from '../../src/layers/index.js';
import { Adam, SGD, type ParameterLike } from '../../src/optim/index.js';
import { Rng, zeros } from '../../src/tensor/index.js';

describe('Optimizer.zeroGrad over several steps', () => {
  it('hand-computed: SGD on f(w) = ½(w − 1)², gradient accumulated into grad, lr ½, from w = 0', () => {
    // With zeroGrad: g = w − 1 each step, w ← w − ½g: 0 → ½ → ¾ → ⅞ (exact in float32).
    // Without: step 2 uses g = (−1) + (−½) = −3/2, so w = ½ + ¾ = 5/4; the checks below would see it.
    const p: ParameterLike & { grad: Float32Array } = { data: Float32Array.of(0), grad: new Float32Array(1) };
    const opt = new SGD([p], { lr: 0.5 });
    const seen: number[] = [];
    for (let step = 0; step < 3; step++) {
      opt.zeroGrad();
      p.grad[0] += p.data[0] - 1; // a backward pass accumulates
      opt.step();
      seen.push(p.data[0]);
    }
    expect(seen).toEqual([0.5, 0.75, 0.875]);
    // zeroGrad writes zeros (PyTorch 1.13's set_to_none=False), it does not drop the buffer.
    const g = p.grad;
    opt.zeroGrad();
    expect(p.grad).toBe(g);
    expect(Array.from(g)).toEqual([0]);
  });

  it('a 3-layer net, 4 steps of Adam: optimizer.zeroGrad gives bit for bit what zeroing through the net gives, and skipping it changes the weights', () => {
    const run = (zero: 'optimizer' | 'net' | 'none'): Float32Array[] => {
      const rng = new Rng(7);
      const net = mlp([5, 4, 3], { rng });
      const x = zeros([6, 5]);
      rng.fillUniform(x.data, -1, 1);
      const labels = [0, 1, 2, 0, 1, 2];
      const ce = new CrossEntropyLoss();
      const opt = new Adam(net.parameters(), { lr: 0.05 });
      for (let step = 0; step < 4; step++) {
        if (zero === 'optimizer') opt.zeroGrad();
        else if (zero === 'net') for (const p of net.parameters()) p.grad.fill(0);
        ce.forward(net.forward(x), labels);
        net.backward(ce.backward());
        opt.step();
      }
      return net.parameters().map((p) => p.data.slice());
    };
    const viaOptimizer = run('optimizer');
    expect(viaOptimizer).toEqual(run('net'));
    const skipped = run('none');
    const changed = skipped.some((w, i) => w.some((v, j) => v !== viaOptimizer[i][j]));
    expect(changed, 'accumulated gradients must change the result, or this test could not catch a missing zeroGrad').toBe(true);
  });

  it('zeroGrad zeroes every group, and leaves parameters without a gradient alone', () => {
    const a = { data: Float32Array.of(1), grad: Float32Array.of(3) };
    const b = { data: Float32Array.of(2), grad: Float32Array.of(-4) };
    const c: ParameterLike = { data: Float32Array.of(5), grad: null };
    const opt = new SGD([{ params: [a] }, { params: [b, c], lr: 0.1 }], { lr: 0.2 });
    opt.zeroGrad();
    expect([a.grad[0], b.grad[0], c.grad]).toEqual([0, 0, null]);
  });
});
