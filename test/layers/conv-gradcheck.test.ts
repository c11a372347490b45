import { describe, expect, it } from 'vitest';
import { Conv2d, CrossEntropyLoss, Dropout, Flatten, Linear, MaxPool2d, ReLU, Sequential, Sigmoid, Tanh } from '../../src/layers/index.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor, zeros } from '../../src/tensor/tensor.js';

/**
 * Finite-difference gradient check of small convolutional nets, the method of gradcheck.test.ts: the
 * float32 net's loss is differenced in float64 arithmetic with Richardson extrapolation,
 *   D* = (4·D(h) − D(2h)) / 3,  D(h) = (L(θ+h) − L(θ−h)) / 2h,  h = 2⁻⁸ (steps as actually stored in float32;
 *   the ReLU net's step there: smaller than the dense nets' 2⁻⁴, so fewer stencils cross a pooling switch),
 * for every weight, bias and input element. Tolerance |D* − g| ≤ 1e-4·(|g| + max|g|), as there.
 * Max pooling and ReLU are not differentiable where a perturbation changes a window's arg-max or a unit's
 * sign; those coordinates are skipped (detected from the pattern of winners / signs), and fewer than 20%
 * may be. A mutation test checks that a wrong conv gradient is caught.
 */
interface Net {
  net: Sequential;
  x: Tensor;
  labels: number[];
  /** A string that changes when a pooling winner or a ReLU sign changes. */
  pattern: () => string;
}

function makeNet(kind: 'tanh-pool' | 'relu-pool-stride'): Net {
  const rng = new Rng(`conv-gc-${kind}`);
  let net: Sequential;
  let x: Tensor;
  if (kind === 'tanh-pool') {
    net = new Sequential([
      new Conv2d(2, 3, 3, { rng, stride: 2, padding: 1 }),
      new Tanh(),
      new MaxPool2d(2, { stride: 1 }),
      new Conv2d(3, 2, [2, 1], { rng }),
      new Sigmoid(),
      new Flatten(),
      new Linear(12, 3, { rng }),
    ]);
    x = zeros([2, 2, 7, 7]);
  } else {
    net = new Sequential([new Conv2d(1, 2, [2, 3], { rng, stride: [1, 2], padding: [1, 0], bias: true }), new ReLU(), new MaxPool2d(3, { stride: 2, padding: 1 }), new Flatten(), new Linear(16, 3, { rng })]);
    x = zeros([3, 1, 6, 7]);
  }
  for (const p of net.parameters()) for (let i = 0; i < p.size; i++) p.data[i] *= 2; // leave the linear range
  rng.fillUniform(x.data, -1, 1);
  const labels = Array.from({ length: x.shape[0] }, () => rng.int(3));
  let pattern = '';
  for (const l of net.layers) {
    const prev = net.layers[net.layers.indexOf(l) - 1];
    if (l instanceof MaxPool2d) {
      // Record the inputs of the pool (the previous layer's output) to find each window's winner.
      prev.registerForwardHook((out) => (pattern += winners(out, l)));
    }
    if (l instanceof ReLU) l.registerForwardHook((out) => (pattern += Array.from(out.data, (v) => (v > 0 ? '1' : '0')).join('')));
  }
  return { net, x, labels, pattern: () => pattern };

  function winners(t: Tensor, pool: MaxPool2d): string {
    const [N, C, H, W] = t.shape;
    const [OH, OW] = pool.outputShape(t.shape).slice(2);
    const [kh, kw] = pool.kernelSize, [sh, sw] = pool.stride, [ph, pw] = pool.padding;
    const out: number[] = [];
    for (let p = 0; p < N * C; p++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          let best = -Infinity, at = -1;
          for (let i = Math.max(0, oh * sh - ph); i < Math.min(H, oh * sh - ph + kh); i++)
            for (let j = Math.max(0, ow * sw - pw); j < Math.min(W, ow * sw - pw + kw); j++) {
              const v = t.data[p * H * W + i * W + j];
              if (v > best) (best = v), (at = i * W + j);
            }
          out.push(at);
        }
    return out.join(',');
  }
}

function check(n: Net, mutate?: (g: Float32Array[]) => void): { worst: number; checked: number; skipped: number; where: string } {
  const ce = new CrossEntropyLoss();
  let pat = '';
  const loss = (): number => {
    const before = n.pattern().length;
    const l = ce.forward(n.net.forward(n.x), n.labels);
    pat = n.pattern().slice(before);
    return l;
  };
  n.net.zeroGrad();
  loss();
  const base = pat;
  const gx = n.net.backward(ce.backward()).toFloat32Array();
  const targets = [...n.net.parameters().map((p) => ({ name: p.name, data: p.data, grad: p.grad.slice() })), { name: 'input', data: n.x.data, grad: gx }];
  mutate?.(targets.map((t) => t.grad));
  let gmax = 0;
  for (const t of targets) for (const v of t.grad) gmax = Math.max(gmax, Math.abs(v));
  const h = 2 ** -8;
  let worst = 0, checked = 0, skipped = 0, where = '';
  for (const { name, data, grad } of targets) {
    for (let k = 0; k < data.length; k++) {
      const theta = data[k];
      let kink = false;
      const at = (d: number): [number, number] => {
        data[k] = Math.fround(theta + d);
        const step = data[k] - theta;
        const l = loss();
        if (pat !== base) kink = true;
        data[k] = theta;
        return [l, step];
      };
      const [lp, sp] = at(h), [lm, sm] = at(-h), [lp2, sp2] = at(2 * h), [lm2, sm2] = at(-2 * h);
      if (kink) {
        skipped++;
        continue;
      }
      const d = (4 * ((lp - lm) / (sp - sm)) - (lp2 - lm2) / (sp2 - sm2)) / 3;
      const ratio = Math.abs(d - grad[k]) / (1e-4 * (Math.abs(grad[k]) + gmax));
      checked++;
      if (ratio > worst) (worst = ratio), (where = `${name}[${k}]: analytic ${grad[k]}, finite difference ${d}`);
    }
  }
  return { worst, checked, skipped, where };
}

describe('finite-difference gradient check of conv nets (float32 nets, Richardson-extrapolated central differences)', () => {
  for (const kind of ['tanh-pool', 'relu-pool-stride'] as const) {
    it(kind, () => {
      const r = check(makeNet(kind));
      if (process.env.GRADCHECK_REPORT) console.log(`${kind}: worst ${r.worst.toFixed(3)}, ${r.checked} checked, ${r.skipped} skipped`);
      expect(r.skipped).toBeLessThan(0.2 * (r.checked + r.skipped));
      expect(r.worst, r.where).toBeLessThanOrEqual(1);
    });
  }
  it('detects one conv weight gradient off by 0.1% of the largest gradient (mutation)', () => {
    let gmax = 0;
    const r = check(makeNet('tanh-pool'), (g) => {
      for (const a of g) for (const v of a) gmax = Math.max(gmax, Math.abs(v));
      g[0][5] += 1e-3 * gmax;
      g[1][1] += 1e-3 * gmax;
      g[3][0] += 1e-3 * gmax;
    });
    expect(r.worst).toBeGreaterThan(4);
  });
  it('Dropout in training mode: the gradient of the masked net (the mask held fixed)', () => {
    // Same mask on every evaluation: a fresh layer with the same seed per forward.
    const rng = new Rng('gc-dropout');
    const lin = new Linear(5, 4, { rng });
    const x = zeros([3, 5]);
    rng.fillUniform(x.data, -1, 1);
    const w = zeros([3, 4]);
    rng.fillUniform(w.data, -1, 1);
    const lossAt = (): number => {
      const d = new Dropout(0.4, { rng: new Rng(7) });
      const y = d.forward(lin.forward(x));
      let s = 0;
      for (let i = 0; i < y.size; i++) s += w.data[i] * y.data[i];
      return s;
    };
    const d = new Dropout(0.4, { rng: new Rng(7) });
    lin.zeroGrad();
    d.forward(lin.forward(x));
    lin.backward(d.backward(w));
    const g = lin.weight.grad.slice();
    let gmax = 0;
    for (const v of g) gmax = Math.max(gmax, Math.abs(v));
    for (let k = 0; k < g.length; k++) {
      const th = lin.weight.data[k], h = 2 ** -4;
      lin.weight.data[k] = Math.fround(th + h);
      const lp = lossAt(), sp = lin.weight.data[k] - th;
      lin.weight.data[k] = Math.fround(th - h);
      const lm = lossAt(), sm = lin.weight.data[k] - th;
      lin.weight.data[k] = th;
      // The loss is linear in W: the central difference is exact up to float32 rounding.
      expect(Math.abs((lp - lm) / (sp - sm) - g[k])).toBeLessThanOrEqual(1e-4 * (Math.abs(g[k]) + gmax));
    }
    expect(Array.from(d.forward(lin.forward(x)).data).filter((v) => v === 0).length).toBeGreaterThan(0);
  });
});
