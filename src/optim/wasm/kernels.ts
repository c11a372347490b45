/**
 * The optimizer steps as kernel bodies (./expr.ts): one element of each pure step function in
 * ../sgd.ts, ../adagrad.ts, ../adadelta.ts, ../adam.ts (Adam and AdamW) and ../rmsprop.ts, operation for
 * operation and in the same order. Those functions are the specification; the tests run both on the same
 * inputs and require identical bits.
 *
 * Each family is specialised by its boolean options (a bit mask, the `key`), so that a kernel carries no
 * branches: SGD has 20 variants, Adam 16, … — each one a straight-line loop.
 */
import { type KernelBody, type Node, add, div, fma, load, max, mul, neg, scalar, sqrt } from './expr.js';
import type { KernelSignature } from './lower.js';

export interface KernelFamily extends KernelSignature {
  readonly name: string;
  /** Number of keys (bit masks); `body(key)` is null for combinations that cannot occur. */
  readonly keys: number;
  body(key: number): KernelBody | null;
}

/** Flag bits shared by the families. */
export const MAXIMIZE = 1;
export const WEIGHT_DECAY = 2;

const arrays = <T extends string>(...names: T[]): Record<T, number> => Object.fromEntries(names.map((n, i) => [n, i])) as Record<T, number>;

// SGD ----------------------------------------------------------------------------------------------
export const SGD_MOMENTUM = 4;
export const SGD_NESTEROV = 8;
/** First step with a fresh momentum buffer: the buffer becomes the gradient (PyTorch clones it). */
export const SGD_FIRST = 16;

const S = arrays('param', 'grad', 'buf');
const SS = arrays('wd', 'mu', 'damp', 'negLr');

export const sgdFamily: KernelFamily = {
  name: 'sgd',
  arrays: Object.keys(S),
  scalars: Object.keys(SS),
  keys: 32,
  body(key) {
    const momentum = (key & SGD_MOMENTUM) !== 0;
    if (!momentum && (key & (SGD_NESTEROV | SGD_FIRST)) !== 0) return null;
    const p = load(S.param);
    let d: Node = load(S.grad);
    if (key & MAXIMIZE) d = neg(d);
    if (key & WEIGHT_DECAY) d = fma(scalar(SS.wd), p, d); // d_p.add(param, alpha=λ)
    const stores = [];
    if (momentum) {
      const mu = scalar(SS.mu);
      const b = key & SGD_FIRST ? d : fma(scalar(SS.damp), d, mul(load(S.buf), mu)); // buf.mul_(μ).add_(d_p, alpha=1−τ)
      stores.push({ array: S.buf, value: b });
      d = key & SGD_NESTEROV ? fma(mu, b, d) : b; // d_p.add(buf, alpha=μ)
    }
    stores.push({ array: S.param, value: fma(scalar(SS.negLr), d, p) }); // param.add_(d_p, alpha=−γ)
    return { stores };
  },
};

// Adagrad ------------------------------------------------------------------------------------------
const G = arrays('param', 'grad', 'sum');
const GS = arrays('wd', 'negClr', 'eps');

export const adagradFamily: KernelFamily = {
  name: 'adagrad',
  arrays: Object.keys(G),
  scalars: Object.keys(GS),
  keys: 4,
  body(key) {
    const p = load(G.param);
    let g: Node = load(G.grad);
    if (key & MAXIMIZE) g = neg(g);
    if (key & WEIGHT_DECAY) g = fma(scalar(GS.wd), p, g); // grad.add(param, alpha=λ)
    const s = fma(g, g, load(G.sum)); // state_sum.addcmul_(g, g, value=1)
    const std = add(sqrt(s), scalar(GS.eps)); // state_sum.sqrt().add_(ε)
    return {
      stores: [
        { array: G.sum, value: s },
        { array: G.param, value: add(p, div(mul(scalar(GS.negClr), g), std)) }, // param.addcdiv_(g, std, value=−γ̃)
      ],
    };
  },
};

// Adadelta -----------------------------------------------------------------------------------------
const D = arrays('param', 'grad', 'squareAvg', 'accDelta');
const DS = arrays('wd', 'rho', 'c', 'eps', 'negLr');

export const adadeltaFamily: KernelFamily = {
  name: 'adadelta',
  arrays: Object.keys(D),
  scalars: Object.keys(DS),
  keys: 4,
  body(key) {
    const p = load(D.param);
    let g: Node = load(D.grad);
    if (key & MAXIMIZE) g = neg(g);
    if (key & WEIGHT_DECAY) g = fma(scalar(DS.wd), p, g);
    const r = scalar(DS.rho);
    const c = scalar(DS.c);
    const e = scalar(DS.eps);
    const v = fma(mul(c, g), g, mul(load(D.squareAvg), r)); // square_avg.mul_(ρ).addcmul_(g, g, value=1−ρ)
    const std = sqrt(add(v, e)); // square_avg.add(ε).sqrt_()
    const u = load(D.accDelta);
    const delta = mul(div(sqrt(add(u, e)), std), g); // acc_delta.add(ε).sqrt_().div_(std).mul_(g)
    return {
      stores: [
        { array: D.squareAvg, value: v },
        { array: D.accDelta, value: fma(mul(c, delta), delta, mul(u, r)) }, // acc_delta.mul_(ρ).addcmul_(Δ, Δ, value=1−ρ)
        { array: D.param, value: fma(scalar(DS.negLr), delta, p) }, // param.add_(Δ, alpha=−γ)
      ],
    };
  },
};

// Adam and AdamW -----------------------------------------------------------------------------------
/** AdamW's decoupled decay θ·(1 − γλ) before the update. */
export const ADAM_DECAY = 4;
export const ADAM_AMSGRAD = 8;

const A = arrays('param', 'grad', 'expAvg', 'expAvgSq', 'maxExpAvgSq');
const AS = arrays('wd', 'decay', 'b1', 'c1', 'b2', 'c2', 'bc2Sqrt', 'eps', 'negStep');

export const adamFamily: KernelFamily = {
  name: 'adam',
  arrays: Object.keys(A),
  scalars: Object.keys(AS),
  keys: 16,
  body(key) {
    let p = load(A.param);
    let g: Node = load(A.grad);
    if (key & MAXIMIZE) g = neg(g);
    if (key & WEIGHT_DECAY) g = fma(scalar(AS.wd), p, g); // grad.add(param, alpha=λ)
    if (key & ADAM_DECAY) p = mul(p, scalar(AS.decay)); // AdamW: param.mul_(1 − γλ)
    const m = fma(scalar(AS.c1), g, mul(load(A.expAvg), scalar(AS.b1))); // exp_avg.mul_(β1).add_(g, alpha=1−β1)
    const v = fma(mul(scalar(AS.c2), g), g, mul(load(A.expAvgSq), scalar(AS.b2))); // exp_avg_sq.mul_(β2).addcmul_(g, g, value=1−β2)
    const stores = [
      { array: A.expAvg, value: m },
      { array: A.expAvgSq, value: v },
    ];
    let s = v;
    if (key & ADAM_AMSGRAD) {
      s = max(load(A.maxExpAvgSq), v); // torch.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
      stores.push({ array: A.maxExpAvgSq, value: s });
    }
    const denom = add(div(sqrt(s), scalar(AS.bc2Sqrt)), scalar(AS.eps)); // (v.sqrt() / √bc2).add_(ε)
    stores.push({ array: A.param, value: add(p, div(mul(scalar(AS.negStep), m), denom)) }); // addcdiv_(m, denom, value=−stepSize)
    return { stores };
  },
};

// RMSprop ------------------------------------------------------------------------------------------
export const RMSPROP_CENTERED = 4;
export const RMSPROP_MOMENTUM = 8;

const R = arrays('param', 'grad', 'squareAvg', 'gradAvg', 'buf');
const RS = arrays('wd', 'alpha', 'c', 'eps', 'mu', 'negLr');

export const rmspropFamily: KernelFamily = {
  name: 'rmsprop',
  arrays: Object.keys(R),
  scalars: Object.keys(RS),
  keys: 16,
  body(key) {
    const p = load(R.param);
    let g: Node = load(R.grad);
    if (key & MAXIMIZE) g = neg(g);
    if (key & WEIGHT_DECAY) g = fma(scalar(RS.wd), p, g);
    const a = scalar(RS.alpha);
    const c = scalar(RS.c);
    const v = fma(mul(c, g), g, mul(load(R.squareAvg), a)); // square_avg.mul_(α).addcmul_(g, g, value=1−α)
    const stores = [{ array: R.squareAvg, value: v }];
    let avg: Node;
    if (key & RMSPROP_CENTERED) {
      const m = fma(c, g, mul(load(R.gradAvg), a)); // grad_avg.mul_(α).add_(g, alpha=1−α)
      stores.push({ array: R.gradAvg, value: m });
      avg = sqrt(fma(neg(m), m, v)); // square_avg.addcmul(ḡ, ḡ, value=−1).sqrt_()
    } else {
      avg = sqrt(v);
    }
    avg = add(avg, scalar(RS.eps)); // avg.add_(ε)
    const negLr = scalar(RS.negLr);
    if (key & RMSPROP_MOMENTUM) {
      const b = add(mul(load(R.buf), scalar(RS.mu)), div(g, avg)); // buf.mul_(μ).addcdiv_(g, avg)
      stores.push({ array: R.buf, value: b });
      stores.push({ array: R.param, value: fma(negLr, b, p) }); // param.add_(buf, alpha=−γ)
    } else {
      stores.push({ array: R.param, value: add(p, div(mul(negLr, g), avg)) }); // param.addcdiv_(g, avg, value=−γ)
    }
    return { stores };
  },
};

export const FAMILIES = [sgdFamily, adagradFamily, adadeltaFamily, adamFamily, rmspropFamily] as const;
export type FamilyName = (typeof FAMILIES)[number]['name'];
