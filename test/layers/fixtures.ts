/**
 * Loads the PyTorch fixtures of tools/reference/foundation.py, rebuilds each case's net with our layers
 * (initial weights via Parameter.assign), runs forward, loss and backward, and measures the deviation of
 * every recorded tensor. Used by pytorch.test.ts and by the report script (deviations.ts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CrossEntropyLoss,
  Linear,
  LogSoftmax,
  ReLU,
  Sequential,
  Sigmoid,
  Softmax,
  Tanh,
  type Layer,
  type Reduction,
} from '../../src/layers/index.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor, fromArray } from '../../src/tensor/tensor.js';

export interface FixtureLayer {
  type: 'linear' | 'sigmoid' | 'relu' | 'tanh' | 'softmax' | 'logsoftmax';
  in?: number;
  out?: number;
  weight?: number[];
  bias?: number[];
  weightGrad?: number[];
  biasGrad?: number[];
}

export interface FixtureCase {
  name: string;
  why: string;
  batch: number;
  features: number;
  layers: FixtureLayer[];
  input: number[];
  outputs: number[][];
  inputGrad: number[];
  labels?: number[];
  reduction?: Reduction;
  loss?: number;
  gradOutput?: number[];
}

export const caseNames = [
  'mnist_784_256_10_b50',
  'three_hidden_sigmoid',
  'batch1',
  'logits_100',
  'logits_1000_sum',
  'preact_800',
  'relu_tanh_sum',
  'tanh_no_bias',
  'softmax_1e4',
  'logsoftmax_1e4',
  'cross_entropy_1e4',
] as const;

export function loadCase(name: string): FixtureCase {
  const path = fileURLToPath(new URL(`../fixtures/foundation/${name}.json`, import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as FixtureCase;
}

/** Our net for a case, with PyTorch's initial weights loaded (the rng draws are overwritten). */
export function buildLayers(c: FixtureCase): Layer[] {
  const rng = new Rng(0);
  return c.layers.map((l) => {
    switch (l.type) {
      case 'linear': {
        const lin = new Linear(l.in!, l.out!, { rng, bias: l.bias !== undefined });
        lin.weight.assign(l.weight!);
        if (l.bias) lin.bias!.assign(l.bias);
        return lin;
      }
      case 'sigmoid':
        return new Sigmoid();
      case 'relu':
        return new ReLU();
      case 'tanh':
        return new Tanh();
      case 'softmax':
        return new Softmax();
      case 'logsoftmax':
        return new LogSoftmax();
    }
  });
}

/** One named tensor of a case, ours next to PyTorch's. */
export interface Comparison {
  what: string;
  ours: ArrayLike<number>;
  ref: number[];
}

export interface CaseRun {
  comparisons: Comparison[];
  loss?: { ours: number; ref: number };
}

/** Forward, loss (or the recorded upstream gradient) and backward, through Sequential as a user would. */
export function runCase(c: FixtureCase): CaseRun {
  const x = fromArray(c.input, [c.batch, c.features]);
  const layers = buildLayers(c);
  const net = layers.length ? new Sequential(layers) : null;
  const outputs: Tensor[] = [];
  for (const l of layers) l.registerForwardHook((out) => outputs.push(out.clone()));
  const out = net ? net.forward(x) : x;
  const comparisons: Comparison[] = [];
  let loss: CaseRun['loss'];
  let gradOut: Tensor;
  if (c.labels) {
    const ce = new CrossEntropyLoss({ reduction: c.reduction });
    loss = { ours: ce.forward(out, c.labels), ref: c.loss! };
    gradOut = ce.backward();
  } else {
    gradOut = fromArray(c.gradOutput!, out.shape);
  }
  const inputGrad = net ? net.backward(gradOut) : gradOut;
  layers.forEach((l, i) => {
    comparisons.push({ what: `${l.name} output`, ours: outputs[i].data, ref: c.outputs[i] });
  });
  layers.forEach((l, i) => {
    if (!(l instanceof Linear)) return;
    comparisons.push({ what: `${l.weight.name} grad`, ours: l.weight.grad, ref: c.layers[i].weightGrad! });
    if (l.bias) comparisons.push({ what: `${l.bias.name} grad`, ours: l.bias.grad, ref: c.layers[i].biasGrad! });
  });
  comparisons.push({ what: 'input grad', ours: inputGrad.toFloat32Array(), ref: c.inputGrad });
  return { comparisons, loss };
}

/** The tolerance of pytorch.test.ts: |ours − ref| ≤ RTOL · (|ref| + FLOOR · max|ref over the tensor|). */
export const RTOL = 1e-5;
export const FLOOR = 0.1;

export interface Deviation {
  /** max |ours − ref|. */
  maxAbs: number;
  /** max |ours − ref| / |ref| over elements with |ref| ≥ 1e-3 · max|ref| (smaller ones are cancellation noise). */
  maxRel: number;
  /** max |ours − ref| / (RTOL · (|ref| + FLOOR · max|ref|)): the test passes when this is ≤ 1. */
  boundRatio: number;
  /** Where boundRatio is reached. */
  at: number;
}

export function maxAbsOf(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

export function deviation(ours: ArrayLike<number>, ref: number[]): Deviation {
  if (ours.length !== ref.length) throw new Error(`length ${ours.length} vs reference ${ref.length}`);
  const big = maxAbsOf(ref);
  let maxAbs = 0, maxRel = 0, boundRatio = 0, at = -1;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(ours[i] - ref[i]);
    if (Number.isNaN(d)) return { maxAbs: NaN, maxRel: NaN, boundRatio: NaN, at: i };
    maxAbs = Math.max(maxAbs, d);
    if (Math.abs(ref[i]) >= 1e-3 * big && ref[i] !== 0) maxRel = Math.max(maxRel, d / Math.abs(ref[i]));
    const r = d / (RTOL * (Math.abs(ref[i]) + FLOOR * big));
    if (r > boundRatio || (d > 0 && at < 0)) {
      boundRatio = Math.max(r, boundRatio);
      at = i;
    }
  }
  return { maxAbs, maxRel, boundRatio, at };
}
