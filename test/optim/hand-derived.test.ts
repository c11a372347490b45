import { describe, expect, it } from 'vitest';
import { Adadelta, Adagrad, Adam, AdamW, RMSprop, SGD, adamStep, sgdStep, adagradStep, adadeltaStep, rmspropStep, adamwStep } from '../../src/optim/index.js';

/**
 * Small cases worked out by hand (arithmetic in the comments) so a reader can check the update rules
 * without Python. Values are float32, so each is compared at float32 precision: |ours − exact| ≤ 4e-7·|exact|
 * + 1e-12 (a few float32 roundings, each ≤ 6e-8 relative).
 */
function close(actual: number, exact: number, note = ''): void {
  expect(Math.abs(actual - exact), `${note}: ${actual} vs ${exact}`).toBeLessThanOrEqual(4e-7 * Math.abs(exact) + 1e-12);
}

function one(value: number, grad: number): { data: Float32Array; grad: Float32Array } {
  return { data: Float32Array.of(value), grad: Float32Array.of(grad) };
}

describe('SGD by hand (θ₀ = 1, g = 1 each step, γ = 0.1)', () => {
  it('momentum 0.9: b = 1, θ = 0.9; then b = 0.9·1 + 1 = 1.9, θ = 0.9 − 0.19 = 0.71', () => {
    const p = one(1, 1);
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
    opt.step();
    close(p.data[0], 0.9);
    opt.step();
    close(p.data[0], 0.71);
  });

  it('nesterov: d = 1 + 0.9·1 = 1.9, θ = 0.81; then b = 1.9, d = 1 + 0.9·1.9 = 2.71, θ = 0.539', () => {
    const p = one(1, 1);
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true });
    opt.step();
    close(p.data[0], 0.81);
    opt.step();
    close(p.data[0], 0.539);
  });

  it('dampening 0.5 is not applied on the first step (PyTorch copies g into the buffer): θ = 0.9, then b = 0.9 + 0.5 = 1.4, θ = 0.76', () => {
    const p = one(1, 1);
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9, dampening: 0.5 });
    opt.step();
    close(p.data[0], 0.9);
    opt.step();
    close(p.data[0], 0.76);
  });

  it('weight decay 0.5 and maximize: d = −1 + 0.5·1 = −0.5, θ = 1 + 0.05 = 1.05', () => {
    const p = one(1, 1);
    new SGD([p], { lr: 0.1, weightDecay: 0.5, maximize: true }).step();
    close(p.data[0], 1.05);
  });
});

describe('Adam by hand', () => {
  it('bias correction makes every early step ≈ γ·sign(g), whatever |g| (what ConvNetJS gets wrong)', () => {
    // Step 1: m = (1−β1)g, v = (1−β2)g²; m/(1−β1) = g, √(v/(1−β2)) = |g|, so Δ = −γ·g/(|g| + ε).
    // With a constant g, step t has m = (1−β1ᵗ)g, v = (1−β2ᵗ)g², and the same Δ.
    const p = { data: Float32Array.of(0, 0, 0), grad: Float32Array.of(2, -1e-3, 1e3) };
    const opt = new Adam([p], { lr: 0.1 });
    for (let t = 1; t <= 3; t++) {
      opt.step();
      close(p.data[0], -0.1 * t * (2 / (2 + 1e-8)), `g = 2, step ${t}`);
      close(p.data[1], 0.1 * t * (1e-3 / (1e-3 + 1e-8)), `g = −1e-3, step ${t}`);
      close(p.data[2], -0.1 * t, `g = 1e3, step ${t}`);
    }
    expect(opt.state.get(p)!.step).toBe(3);
  });

  it('β2 = 0.9999: 1 − β2 is taken in double, then rounded (not 1 − float32(0.9999))', () => {
    // After one step with g = 1 from zero state, exp_avg_sq = 1 − β2 as PyTorch's addcmul_ sees it:
    // float32(1e-4) = 1.0000000474974513e-4. Rounding β2 first would give 1 − 0.99989998340606689 =
    // 1.659393310546875e-4 relative too large (1.0001659393310547e-4).
    const p = one(0, 1);
    const opt = new Adam([p], { betas: [0.9, 0.9999] });
    opt.step();
    const v = opt.state.get(p)!.exp_avg_sq[0];
    expect(v).toBe(Math.fround(1 - 0.9999));
    expect(v).not.toBe(Math.fround(1 - Math.fround(0.9999)));
  });

  it('AdamW decays θ itself; Adam adds λθ to the gradient', () => {
    // g = 0, θ = 4, γ = 0.1, λ = 0.5. AdamW: m = v = 0, so only θ·(1 − γλ) = 4·0.95 = 3.8.
    // Adam: g' = λθ = 2, a first step of ≈ γ·sign(g') = 0.1 → 3.9.
    const w = one(4, 0);
    new AdamW([w], { lr: 0.1, weightDecay: 0.5 }).step();
    close(w.data[0], 3.8);
    const a = one(4, 0);
    new Adam([a], { lr: 0.1, weightDecay: 0.5 }).step();
    close(a.data[0], 4 - 0.1 * (2 / (2 + 1e-8)));
  });

  it('amsgrad keeps the largest v: after g = 10 then g = 0, the denominator still uses the first v', () => {
    // β = (0.5, 0.5), γ = 1, ε = 0 (ε-free so the arithmetic is exact).
    // Step 1: m = 5, v = 50, v̂ = 50; Δ = −(1/0.5)·5/(√50/√0.5) = −10/10 = −1 → θ = −1.
    // Step 2 (g = 0): m = 2.5, v = 25, v̂ = 50; bc1 = 0.75, bc2 = 0.75;
    // Δ = −(1/0.75)·2.5/(√50/√0.75) = −(2.5/0.75)·√0.75/√50 = −0.408248… → θ = −1.408248…
    const p = one(0, 10);
    const opt = new Adam([p], { lr: 1, betas: [0.5, 0.5], eps: 0, amsgrad: true });
    opt.step();
    close(p.data[0], -1);
    p.grad[0] = 0;
    opt.step();
    close(p.data[0], -1 - (2.5 / 0.75) * Math.sqrt(0.75) / Math.sqrt(50));
    expect(opt.state.get(p)!.max_exp_avg_sq![0]).toBe(50);
  });
});

describe('Adagrad by hand (θ₀ = 1, γ = 0.1, ε = 1e-10)', () => {
  it('g = 3 then 4: G = 9, θ = 1 − 0.1·3/3 = 0.9; G = 25, θ = 0.9 − 0.1·4/5 = 0.82', () => {
    const p = one(1, 3);
    const opt = new Adagrad([p], { lr: 0.1 });
    opt.step();
    close(p.data[0], 0.9);
    p.grad[0] = 4;
    opt.step();
    close(p.data[0], 0.82);
  });

  it('lr decay 0.5: the second step uses γ/(1 + 1·0.5) = 0.0667, θ = 0.9 − 0.0667·0.8 = 0.846667', () => {
    const p = one(1, 3);
    const opt = new Adagrad([p], { lr: 0.1, lrDecay: 0.5 });
    opt.step();
    p.grad[0] = 4;
    opt.step();
    close(p.data[0], 0.9 - (0.1 / 1.5) * 0.8);
  });

  it('initial accumulator 0.1, ε outside the root: θ = 1 − 0.1·3/(√9.1 + ε) (TF.js would use √(9.1 + ε))', () => {
    const p = one(1, 3);
    new Adagrad([p], { lr: 0.1, initialAccumulatorValue: 0.1 }).step();
    close(p.data[0], 1 - (0.1 * 3) / (Math.sqrt(9.1) + 1e-10));
  });
});

describe('Adadelta by hand (ρ = 0.9, ε = 1e-6, γ = 1, g = 1)', () => {
  it('v = 0.1, Δ = √(0 + 1e-6)/√(0.1 + 1e-6) = 0.0031622619, u = 0.1·Δ² ≈ 1e-6', () => {
    // TF.js divides by the previous v (0 here): its first step would be √1e-6/√1e-6 = 1, 316× larger.
    const p = one(1, 1);
    const opt = new Adadelta([p]);
    opt.step();
    const delta = Math.sqrt(1e-6) / Math.sqrt(0.1 + 1e-6);
    close(p.data[0], 1 - delta);
    const s = opt.state.get(p)!;
    close(s.square_avg[0], 0.1);
    close(s.acc_delta[0], 0.1 * delta * delta);
  });

  it('ρ = 1 reduces to plain SGD: v and u stay 0, Δ = √ε/√ε·g = g', () => {
    const p = one(1, 2);
    new Adadelta([p], { rho: 1, lr: 0.1 }).step();
    close(p.data[0], 0.8);
  });
});

describe('RMSprop by hand (α = 0.99, γ = 0.01, ε = 1e-8, g = 2)', () => {
  it('v = 0.01·4 = 0.04, Δ = 0.01·2/(0.2 + ε) = 0.1', () => {
    const p = one(1, 2);
    new RMSprop([p]).step();
    close(p.data[0], 1 - 0.02 / (0.2 + 1e-8));
  });

  it('centered: ḡ = 0.02, √(0.04 − 0.0004) = 0.198997, Δ = 0.02/0.198997 = 0.100504', () => {
    const p = one(1, 2);
    new RMSprop([p], { centered: true }).step();
    close(p.data[0], 1 - 0.02 / (Math.sqrt(0.0396) + 1e-8));
  });

  it('momentum 0.5: b = 2/0.2 = 10, θ = 1 − 0.1 = 0.9; then v = 0.0796, b = 5 + 2/√0.0796 = 12.0888, θ = 0.9 − 0.120888', () => {
    const p = one(1, 2);
    const opt = new RMSprop([p], { momentum: 0.5 });
    opt.step();
    close(p.data[0], 1 - 0.01 * (2 / (0.2 + 1e-8)));
    opt.step();
    const b = 0.5 * (2 / (0.2 + 1e-8)) + 2 / (Math.sqrt(0.0796) + 1e-8);
    close(p.data[0], 1 - 0.01 * (2 / (0.2 + 1e-8)) - 0.01 * b);
  });
});

describe('pure step functions', () => {
  it('used alone, each equals its class bit for bit over 6 steps', () => {
    const n = 11;
    const grads = Array.from({ length: 6 }, (_, t) => Float32Array.from({ length: n }, (_, i) => Math.sin(1 + i * 7 + t * 3) * (t === 2 ? 1e3 : 1)));
    const start = Float32Array.from({ length: n }, (_, i) => Math.cos(i));
    const cases: Array<[string, (p: Float32Array, g: Float32Array, t: number) => void, { data: Float32Array; grad: Float32Array; opt: { step(): void } }]> = [];
    const mk = <T>(make: (p: { data: Float32Array; grad: Float32Array }) => T) => {
      const p = { data: start.slice(), grad: new Float32Array(n) };
      return { ...p, opt: make(p) as unknown as { step(): void } };
    };
    const sgdO = { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0.01, nesterov: true, maximize: false };
    const sgdS = { momentum_buffer: new Float32Array(n) };
    cases.push(['sgdStep', (p, g, t) => sgdStep(p, g, sgdS, sgdO, t), mk((p) => new SGD([p], sgdO))]);
    const adamO = { lr: 0.01, betas: [0.8, 0.99] as const, eps: 1e-8, weightDecay: 0.1, amsgrad: true, maximize: true };
    const adamS = { exp_avg: new Float32Array(n), exp_avg_sq: new Float32Array(n), max_exp_avg_sq: new Float32Array(n) };
    cases.push(['adamStep', (p, g, t) => adamStep(p, g, adamS, adamO, t), mk((p) => new Adam([p], adamO))]);
    const adamwS = { exp_avg: new Float32Array(n), exp_avg_sq: new Float32Array(n) };
    cases.push(['adamwStep', (p, g, t) => adamwStep(p, g, adamwS, { ...adamO, amsgrad: false }, t), mk((p) => new AdamW([p], { ...adamO, amsgrad: false }))]);
    const agO = { lr: 0.1, lrDecay: 0.1, weightDecay: 0, initialAccumulatorValue: 0.5, eps: 1e-10, maximize: false };
    const agS = { sum: new Float32Array(n).fill(0.5) };
    cases.push(['adagradStep', (p, g, t) => adagradStep(p, g, agS, agO, t), mk((p) => new Adagrad([p], agO))]);
    const adO = { lr: 1, rho: 0.95, eps: 1e-6, weightDecay: 0.01, maximize: false };
    const adS = { square_avg: new Float32Array(n), acc_delta: new Float32Array(n) };
    cases.push(['adadeltaStep', (p, g, t) => adadeltaStep(p, g, adS, adO, t), mk((p) => new Adadelta([p], adO))]);
    const rmO = { lr: 0.01, alpha: 0.9, eps: 1e-8, weightDecay: 0, momentum: 0.3, centered: true, maximize: false };
    const rmS = { square_avg: new Float32Array(n), grad_avg: new Float32Array(n), momentum_buffer: new Float32Array(n) };
    cases.push(['rmspropStep', (p, g, t) => rmspropStep(p, g, rmS, rmO, t), mk((p) => new RMSprop([p], rmO))]);
    for (const [name, fn, cls] of cases) {
      const alone = start.slice();
      grads.forEach((g, t) => {
        fn(alone, g, t + 1);
        cls.grad.set(g);
        cls.opt.step();
      });
      expect(Array.from(alone), name).toEqual(Array.from(cls.data));
      expect(alone.some((v, i) => v !== start[i]), `${name} moved`).toBe(true);
    }
  });
});

describe('fast and general loops agree', () => {
  it('maximize on −g (general loop) equals minimize on g (straight-line loop), bit for bit, for every optimizer', async () => {
    const { SGD: S, Adagrad: AG, Adadelta: AD, Adam: A, AdamW: AW, RMSprop: R } = await import('../../src/optim/index.js');
    const { Rng } = await import('../../src/tensor/random.js');
    const makers: Array<[string, (p: { data: Float32Array; grad: Float32Array }, maximize: boolean) => { step(): void }]> = [
      ['SGD', (p, maximize) => new S([p], { lr: 0.1, maximize })],
      ['SGD momentum', (p, maximize) => new S([p], { lr: 0.1, momentum: 0.9, dampening: 0.1, maximize })],
      ['SGD nesterov', (p, maximize) => new S([p], { lr: 0.1, momentum: 0.9, nesterov: true, maximize })],
      ['Adagrad', (p, maximize) => new AG([p], { lr: 0.1, maximize })],
      ['Adadelta', (p, maximize) => new AD([p], { maximize })],
      ['Adam', (p, maximize) => new A([p], { maximize })],
      ['AdamW', (p, maximize) => new AW([p], { maximize })],
      ['RMSprop', (p, maximize) => new R([p], { maximize })],
    ];
    for (const [name, make] of makers) {
      const rng = new Rng(9);
      const start = rng.fillNormal(new Float32Array(1001));
      const a = { data: start.slice(), grad: new Float32Array(1001) };
      const b = { data: start.slice(), grad: new Float32Array(1001) };
      const oa = make(a, false);
      const ob = make(b, true);
      for (let t = 0; t < 5; t++) {
        rng.fillNormal(a.grad);
        for (let i = 0; i < a.grad.length; i++) b.grad[i] = -a.grad[i];
        oa.step();
        ob.step();
      }
      expect(Array.from(b.data), name).toEqual(Array.from(a.data));
      expect(a.data[0], name).not.toBe(start[0]);
    }
  });
});
