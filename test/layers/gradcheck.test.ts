import { describe, expect, it } from 'vitest';
import { CrossEntropyLoss, Linear, LogSoftmax, ReLU, Sequential, Softmax, Tanh, mlp, type Reduction } from '../../src/layers/index.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor, zeros } from '../../src/tensor/tensor.js';

/**
 * Finite-difference gradient check of whole small nets, on the real float32 layers.
 *
 * Which variant and why: the layers store everything in float32 (there is no float64 path through
 * Tensor and sgemm), so the loss is evaluated by the float32 net and the differences are taken in float64
 * arithmetic on the returned losses. A plain central difference would need a tiny step (truncation h²)
 * and then drown in float32 noise (≈ 2⁻²⁴·|L|/h). Richardson extrapolation fixes both:
 *   D(h) = (L(θ+h) − L(θ−h)) / 2h,   D* = (4·D(h) − D(2h)) / 3  =  L′(θ) + O(h⁴),
 * so a large step h = 2⁻⁴ can be used: truncation ≈ h⁴·|L⁽⁵⁾|/30 ≈ 1e-7, float32 noise ≈ 2⁻²⁴·|L|/h ≈ 1e-6.
 * (Steps are the actually stored float32 differences fround(θ ± h) − θ.)
 *
 * Tolerance: |D* − g| ≤ 1e-4·(|g| + max|g|) per element, max|g| over the whole net's gradient. The measured
 * worst ratios to that bound are 0.004 – 0.1 (run with GRADCHECK_REPORT=1 to print them); one element wrong by
 * 0.1% of the largest gradient gives 8.6, all gradients scaled by 1.002 give 10, an unaccumulated bias
 * gradient 2000 — the mutation tests at the end assert that the check fails in those cases.
 *
 * ReLU kinks: where a perturbation flips the sign of any ReLU input the loss is not differentiable on the
 * stencil, so those coordinates are skipped; the test asserts that fewer than 20% were skipped. The ReLU
 * net uses h = 2⁻⁸ (fewer kinks inside the stencil; 16× the float32 noise, still 15× inside the bound).
 */

const H = 2 ** -4;

interface Net {
  /** Forward + loss as a float64 number. */
  loss(): number;
  /** zeroGrad, forward, backward: leaves grads in the parameters; returns dL/dx. */
  gradients(): Tensor;
  params: { data: Float32Array; grad: Float32Array; name: string }[];
  x: Tensor;
  /** A string that changes when any ReLU changes which inputs it passes (empty without ReLUs). */
  pattern(): string;
  h: number;
}

function withLoss(net: Sequential, x: Tensor, labels: number[] | null, reduction: Reduction, weights?: Tensor, h = H): Net {
  const ce = new CrossEntropyLoss({ reduction });
  let pattern = '';
  for (const l of net.layers) {
    if (l instanceof ReLU) l.registerForwardHook((out) => (pattern += Array.from(out.data, (v) => (v > 0 ? '1' : '0')).join('')));
  }
  const loss = (): number => {
    pattern = '';
    const out = net.forward(x);
    if (labels) return ce.forward(out, labels);
    let s = 0;
    for (let i = 0; i < out.size; i++) s += weights!.data[i] * out.data[i];
    return s;
  };
  return {
    loss,
    gradients: () => {
      net.zeroGrad();
      loss();
      return net.backward(labels ? ce.backward() : weights!).clone();
    },
    params: net.parameters(),
    x,
    pattern: () => pattern,
    h,
  };
}

function randomInput(rng: Rng, batch: number, features: number): Tensor {
  const x = zeros([batch, features]);
  rng.fillUniform(x.data, -1, 1);
  return x;
}

function labelsFor(rng: Rng, batch: number, classes: number): number[] {
  return Array.from({ length: batch }, () => rng.int(classes));
}

/** Weights doubled so the activations leave their linear range (a stronger test of the nonlinearity's derivative). */
function steepen(net: Sequential): Sequential {
  for (const p of net.parameters()) for (let i = 0; i < p.size; i++) p.data[i] *= 2;
  return net;
}

const nets: Record<string, () => Net> = {
  'sigmoid 5-4-3, CE mean, batch 3': () => {
    const rng = new Rng('gc-sigmoid');
    return withLoss(steepen(mlp([5, 4, 3], { rng })), randomInput(rng, 3, 5), labelsFor(rng, 3, 3), 'mean');
  },
  'tanh 6-5-4-3, CE sum, batch 4': () => {
    const rng = new Rng('gc-tanh');
    return withLoss(steepen(mlp([6, 5, 4, 3], { rng, activation: 'tanh' })), randomInput(rng, 4, 6), labelsFor(rng, 4, 3), 'sum');
  },
  'relu 4-6-3, no bias, CE mean, batch 5': () => {
    const rng = new Rng('gc-relu');
    return withLoss(steepen(mlp([4, 6, 3], { rng, activation: 'relu', bias: false })), randomInput(rng, 5, 4), labelsFor(rng, 5, 3), 'mean', undefined, 2 ** -8);
  },
  'Linear → Softmax → Linear, CE mean, batch 4': () => {
    const rng = new Rng('gc-softmax');
    const net = steepen(new Sequential([new Linear(4, 5, { rng }), new Softmax(), new Linear(5, 3, { rng })]));
    return withLoss(net, randomInput(rng, 4, 4), labelsFor(rng, 4, 3), 'mean');
  },
  'Linear → Tanh → Linear → LogSoftmax, loss Σ r⊙out, batch 3': () => {
    const rng = new Rng('gc-logsoftmax');
    const net = steepen(new Sequential([new Linear(4, 5, { rng }), new Tanh(), new Linear(5, 3, { rng }), new LogSoftmax()]));
    return withLoss(net, randomInput(rng, 3, 4), null, 'sum', randomInput(rng, 3, 3));
  },
};

interface CheckResult {
  worst: number;
  checked: number;
  skipped: number;
  where: string;
}

/** Compare analytic gradients (`analytic[i]` for target i) with Richardson central differences. */
function check(net: Net, analytic: Float32Array[]): CheckResult {
  const targets = [...net.params.map((p) => ({ name: p.name, data: p.data })), { name: 'input', data: net.x.data }];
  let gmax = 0;
  for (const g of analytic) for (const v of g) gmax = Math.max(gmax, Math.abs(v));
  net.loss();
  const base = net.pattern();
  let worst = 0, checked = 0, skipped = 0, where = '';
  targets.forEach(({ name, data }, t) => {
    for (let k = 0; k < data.length; k++) {
      const theta = data[k];
      let kink = false;
      const at = (d: number): [number, number] => {
        data[k] = Math.fround(theta + d);
        const step = data[k] - theta;
        const l = net.loss();
        if (net.pattern() !== base) kink = true;
        data[k] = theta;
        return [l, step];
      };
      const h = net.h;
      const [lp, sp] = at(h), [lm, sm] = at(-h), [lp2, sp2] = at(2 * h), [lm2, sm2] = at(-2 * h);
      if (kink) {
        skipped++;
        continue;
      }
      const d = (4 * ((lp - lm) / (sp - sm)) - (lp2 - lm2) / (sp2 - sm2)) / 3;
      const g = analytic[t][k];
      const ratio = Math.abs(d - g) / (1e-4 * (Math.abs(g) + gmax));
      checked++;
      if (ratio > worst) {
        worst = ratio;
        where = `${name}[${k}]: analytic ${g}, finite difference ${d}`;
      }
    }
  });
  return { worst, checked, skipped, where };
}

function analyticOf(net: Net): Float32Array[] {
  const gx = net.gradients();
  return [...net.params.map((p) => p.grad.slice()), gx.data.slice()];
}

describe('finite-difference gradient check (float32 nets, Richardson-extrapolated central differences)', () => {
  for (const [label, make] of Object.entries(nets)) {
    it(label, () => {
      const net = make();
      const r = check(net, analyticOf(net));
      expect(r.skipped, `kinks skipped: ${r.skipped} of ${r.checked + r.skipped}`).toBeLessThan(0.2 * (r.checked + r.skipped));
      if (process.env.GRADCHECK_REPORT) console.log(`${label}: worst |D*−g| / 1e-4(|g|+max|g|) = ${r.worst.toFixed(3)}, ${r.checked} checked, ${r.skipped} skipped`);
      expect(r.worst, r.where).toBeLessThanOrEqual(1);
    });
  }

  describe('the check detects wrong gradients (mutation tests)', () => {
    const make = nets['sigmoid 5-4-3, CE mean, batch 3'];
    it('one element off by 0.1% of the largest gradient', () => {
      const net = make();
      const g = analyticOf(net);
      let gmax = 0;
      for (const a of g) for (const v of a) gmax = Math.max(gmax, Math.abs(v));
      g[0][7] += 1e-3 * gmax;
      const w = check(net, g).worst;
      if (process.env.GRADCHECK_REPORT) console.log(`mutation: worst ratio ${w.toFixed(2)}`);
      expect(w).toBeGreaterThan(4);
    });
    it('every gradient scaled by 1.002', () => {
      const net = make();
      const g = analyticOf(net).map((a) => a.map((v) => v * 1.002));
      const w = check(net, g).worst;
      if (process.env.GRADCHECK_REPORT) console.log(`mutation: worst ratio ${w.toFixed(2)}`);
      expect(w).toBeGreaterThan(4);
    });
    it('the bias gradient not accumulated (zero)', () => {
      const net = make();
      const g = analyticOf(net);
      g[1].fill(0);
      const w = check(net, g).worst;
      if (process.env.GRADCHECK_REPORT) console.log(`mutation: worst ratio ${w.toFixed(2)}`);
      expect(w).toBeGreaterThan(10);
    });
  });
});
