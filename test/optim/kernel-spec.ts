/**
 * The WebAssembly kernels against the specification — the pure JavaScript step functions — on hostile
 * inputs, bit for bit. Shared by kernels.test.ts (in vitest: the exact-emulation lowering) and
 * relaxed-run.ts (a child process with relaxed SIMD: the FMA lowering).
 *
 * For every option combination that selects a different kernel variant, and lengths 1–9, 16 and 37 (no
 * whole vector, whole vectors only, vectors plus a remainder), the inputs mix normal values with ±0, NaN,
 * ±∞, float32 subnormals, values near the float32 maximum, and halfway cases for the fused operations
 * (T = 1 + 2^-12 with T·T + 2^-60, see rounding.test.ts). Every WebAssembly array is a view at an odd
 * element offset inside a larger block whose guard values on both sides must survive: the kernel may
 * neither read (it would not matter) nor write outside the arrays, and must not need 16-byte alignment.
 */
import {
  adadeltaStep, adagradStep, adamStep, adamwStep, fma32, rmspropStep, sgdStep,
  type AdadeltaOptions, type AdagradOptions, type AdamOptions, type RMSpropOptions, type SGDOptions,
} from '../../src/optim/index.js';
import { adadeltaStepWasm, adagradStepWasm, adamUpdateWasm, rmspropStepWasm, sgdStepWasm } from '../../src/optim/wasm/index.js';
import { wasmHeap } from '../../src/tensor/memory.js';
import { Rng } from '../../src/tensor/random.js';

export const LENGTHS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 37];

const T = 1 + 2 ** -12;
const SPECIALS = [0, -0, NaN, Infinity, -Infinity, 1e-40, -3e-42, 3.3e38, -3.3e38, T, -T, 2 ** -60, 1, 0.5];
const GUARD = 12345.678;

/** Values for an array of `n`: mostly N(0, scale), with specials at seeded positions (if `special`). */
function values(rng: Rng, n: number, scale: number, special: boolean, positive: boolean): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let v = rng.normal() * scale;
    if (special && rng.uniform() < 0.3) v = SPECIALS[rng.int(SPECIALS.length)];
    a[i] = positive ? Math.abs(v) : v;
  }
  return a;
}

/** A view of `n` floats at element offset 1 of a WebAssembly block, guarded on both sides. */
interface Guarded {
  view: Float32Array;
  block: Float32Array;
}

function guarded(src: Float32Array): Guarded {
  const n = src.length;
  const heap = wasmHeap();
  const block = heap.allocFloat32(n + 9);
  block.fill(GUARD);
  const view = block.subarray(1, 1 + n);
  view.set(src);
  return { view, block };
}

function guardsIntact(g: Guarded): boolean {
  const n = g.view.length;
  if (g.block[0] !== Math.fround(GUARD)) return false;
  for (let i = 1 + n; i < g.block.length; i++) if (g.block[i] !== Math.fround(GUARD)) return false;
  return true;
}

function sameBits(a: Float32Array, b: Float32Array): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (!(Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y)))) return i;
  }
  return -1;
}

/**
 * Run `js` on plain copies and `wasm` on guarded WebAssembly views of the same arrays; compare.
 * Returns a failure message or null.
 */
function check(title: string, arrays: Record<string, Float32Array>, js: (a: Record<string, Float32Array>) => void, wasm: (a: Record<string, Float32Array>) => boolean): string | null {
  const plain: Record<string, Float32Array> = {};
  const views: Record<string, Float32Array> = {};
  const guards: Guarded[] = [];
  for (const [k, v] of Object.entries(arrays)) {
    plain[k] = v.slice();
    const g = guarded(v);
    guards.push(g);
    views[k] = g.view;
  }
  const heap = wasmHeap();
  try {
    js(plain);
    if (!wasm(views)) return `${title}: the WebAssembly kernel did not run`;
    for (const k of Object.keys(arrays)) {
      const i = sameBits(plain[k], views[k]);
      if (i >= 0) return `${title}: ${k}[${i}] is ${views[k][i]} in WebAssembly, ${plain[k][i]} in JavaScript (inputs ${Object.entries(arrays).map(([name, a]) => `${name}=${a[i]}`).join(', ')})`;
    }
    if (!guards.every(guardsIntact)) return `${title}: the kernel wrote outside its arrays`;
    return null;
  } finally {
    for (const g of guards) heap.freeArray(g.block);
  }
}

const bools = [false, true];

export type KernelCase = [string, () => string | null];

export function kernelCases(): KernelCase[] {
  const cases: KernelCase[] = [];
  let seed = 1;
  const each = (name: string, fn: (rng: Rng, n: number, special: boolean) => string | null): void => {
    for (const special of bools) {
      const s = seed++;
      cases.push([`${name}${special ? ', special values' : ''}`, () => {
        for (const n of LENGTHS) {
          const failure = fn(new Rng(s * 100 + n), n, special);
          if (failure) return `n=${n}: ${failure}`;
        }
        return null;
      }]);
    }
  };

  for (const momentum of [0, 0.9]) for (const nesterov of momentum ? bools : [false]) for (const dampening of nesterov ? [0] : [0, 0.3]) {
    for (const weightDecay of [0, 0.01]) for (const maximize of bools) for (const step of momentum ? [1, 2] : [1]) {
      const o: SGDOptions = { lr: 0.1, momentum, dampening, nesterov, weightDecay, maximize };
      each(`sgd momentum ${momentum} nesterov ${nesterov} dampening ${dampening} wd ${weightDecay} maximize ${maximize} step ${step}`, (rng, n, sp) =>
        check('sgd', { param: values(rng, n, 1, sp, false), grad: values(rng, n, 0.1, sp, false), buf: values(rng, n, 0.1, sp, false) },
          (a) => sgdStep(a.param, a.grad, { momentum_buffer: a.buf }, o, step),
          (a) => sgdStepWasm(a.param, a.grad, { momentum_buffer: a.buf }, o, step)));
    }
  }
  for (const weightDecay of [0, 0.01]) for (const maximize of bools) for (const lrDecay of [0, 0.1]) {
    const o: AdagradOptions = { lr: 0.1, lrDecay, weightDecay, initialAccumulatorValue: 0, eps: 1e-10, maximize };
    each(`adagrad wd ${weightDecay} maximize ${maximize} lrDecay ${lrDecay}`, (rng, n, sp) =>
      check('adagrad', { param: values(rng, n, 1, sp, false), grad: values(rng, n, 0.1, sp, false), sum: values(rng, n, 0.1, sp, true) },
        (a) => adagradStep(a.param, a.grad, { sum: a.sum }, o, 3),
        (a) => adagradStepWasm(a.param, a.grad, { sum: a.sum }, o, 3)));
  }
  for (const weightDecay of [0, 0.01]) for (const maximize of bools) {
    const o: AdadeltaOptions = { lr: 1, rho: 0.9, eps: 1e-6, weightDecay, maximize };
    each(`adadelta wd ${weightDecay} maximize ${maximize}`, (rng, n, sp) =>
      check('adadelta', { param: values(rng, n, 1, sp, false), grad: values(rng, n, 0.1, sp, false), sq: values(rng, n, 0.01, sp, true), acc: values(rng, n, 0.01, sp, true) },
        (a) => adadeltaStep(a.param, a.grad, { square_avg: a.sq, acc_delta: a.acc }, o, 3),
        (a) => adadeltaStepWasm(a.param, a.grad, { square_avg: a.sq, acc_delta: a.acc }, o, 3)));
  }
  for (const adamw of bools) for (const weightDecay of [0, 0.01]) for (const amsgrad of bools) for (const maximize of bools) {
    const o: AdamOptions = { lr: 1e-2, betas: [0.9, 0.999], eps: 1e-8, weightDecay, amsgrad, maximize };
    each(`${adamw ? 'adamw' : 'adam'} wd ${weightDecay} amsgrad ${amsgrad} maximize ${maximize}`, (rng, n, sp) =>
      check('adam', { param: values(rng, n, 1, sp, false), grad: values(rng, n, 0.1, sp, false), m: values(rng, n, 0.01, sp, false), v: values(rng, n, 0.001, sp, true), vmax: values(rng, n, 0.001, sp, true) },
        (a) => (adamw ? adamwStep : adamStep)(a.param, a.grad, { exp_avg: a.m, exp_avg_sq: a.v, max_exp_avg_sq: a.vmax }, o, 3),
        (a) => adamUpdateWasm(a.param, a.grad, { exp_avg: a.m, exp_avg_sq: a.v, max_exp_avg_sq: a.vmax }, o.lr, 0.9, 0.999, 1e-8, adamw ? 0 : weightDecay, adamw ? 1 - o.lr * weightDecay : 1, amsgrad, maximize, 3)));
  }
  for (const weightDecay of [0, 0.01]) for (const maximize of bools) for (const centered of bools) for (const momentum of [0, 0.9]) {
    const o: RMSpropOptions = { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay, momentum, centered, maximize };
    each(`rmsprop wd ${weightDecay} maximize ${maximize} centered ${centered} momentum ${momentum}`, (rng, n, sp) =>
      check('rmsprop', { param: values(rng, n, 1, sp, false), grad: values(rng, n, 0.1, sp, false), sq: values(rng, n, 0.01, sp, true), ga: values(rng, n, 0.01, sp, false), buf: values(rng, n, 0.1, sp, false) },
        (a) => rmspropStep(a.param, a.grad, { square_avg: a.sq, grad_avg: a.ga, momentum_buffer: a.buf }, o, 3),
        (a) => rmspropStepWasm(a.param, a.grad, { square_avg: a.sq, grad_avg: a.ga, momentum_buffer: a.buf }, o, 3)));
  }
  cases.push(fusedCase());
  return cases;
}

/**
 * The fused operation alone, through SGD's update param ← param + (−lr)·grad (one fused multiply-add per
 * element): halfway cases built so that rounding twice goes wrong, the overflow threshold, subnormal
 * results and special values, each in four vector lanes and a remainder lane, against `fma32`.
 */
export function fusedCase(): KernelCase {
  return ['the fused multiply-add on halfway cases, the overflow threshold and special values', () => {
    const rng = new Rng(77);
    const triples: Array<[number, number, number]> = [
      [T, T, 2 ** -60], [T, T, -(2 ** -60)], [T, T, 0], [-T, T, -(2 ** -60)], [1 + 2 ** -23, 1 - 2 ** -23, -1],
      [3 * 2 ** -76, 2 ** -74, 0], [3 * 2 ** -76, 2 ** -74, 2 ** -149], [1.5, 2 ** -149, -(2 ** -149)],
      [18631 * 2 ** 60, 1801 * 2 ** 43, 0], [18631 * 2 ** 60, 1801 * 2 ** 43, -(2 ** 40)], [18631 * 2 ** 60, 1801 * 2 ** 43, 2 ** 40],
      [-18631 * 2 ** 60, 1801 * 2 ** 43, 2 ** 40], [3e38, 3e38, -1], [0, 5, -0], [-0, 5, -0], [2, 3, -6],
      [NaN, 1, 1], [1, NaN, 1], [1, 1, NaN], [Infinity, 0, 1], [Infinity, 1, -Infinity], [Infinity, 2, 1], [1, 1, -Infinity],
    ];
    while (triples.length < 1500) {
      const x = 2 * (2048 + rng.int(6144)) + 1;
      const y = 2 * (2048 + rng.int(6144)) + 1;
      if (x * y < 2 ** 24 || x * y >= 2 ** 25) continue;
      const a = (rng.uniform() < 0.5 ? -1 : 1) * x * 2 ** (rng.int(40) - 33);
      const b = y * 2 ** (rng.int(40) - 33);
      const kind = rng.int(3);
      triples.push([a, b, kind === 2 ? 0 : (kind === 0 ? 1 : -1) * Math.abs(a * b) * 2 ** -(55 + rng.int(20))]);
    }
    const heap = wasmHeap();
    const param = heap.allocFloat32(5);
    const grad = heap.allocFloat32(5);
    try {
      for (const [a0, b0, c0] of triples) {
        const [a, b, c] = [Math.fround(a0), Math.fround(b0), Math.fround(c0)];
        param.fill(c);
        grad.fill(b);
        if (!sgdStepWasm(param, grad, { momentum_buffer: null }, { lr: -a, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false }, 1)) return 'the kernel did not run';
        const want = fma32(a, b, c);
        for (let i = 0; i < 5; i++) {
          if (!(Object.is(param[i], want) || (Number.isNaN(want) && Number.isNaN(param[i])))) return `lane ${i}: ${a}·${b} + ${c} = ${param[i]} in WebAssembly, fma32 ${want}`;
        }
      }
      return null;
    } finally {
      heap.freeArray(param);
      heap.freeArray(grad);
    }
  }];
}
