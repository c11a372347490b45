/**
 * Loads the PyTorch fixtures of tools/reference/conv.py (test/fixtures/conv), rebuilds each case's net with our
 * layers (PyTorch's initial weights, or for the CNN case the shared integer-hash weights), runs forward,
 * loss (or the recorded upstream gradient) and backward, and pairs every recorded tensor with ours.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  Conv2d,
  CrossEntropyLoss,
  Flatten,
  Linear,
  MaxPool2d,
  ReLU,
  Sequential,
  Sigmoid,
  Tanh,
  type Layer,
} from '../../src/layers/index.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor, fromArray } from '../../src/tensor/tensor.js';

/** A tensor stored in full, or sampled: elements 0, every, 2·every, … plus float64 sums of all elements. */
export type Stored = number[] | { size: number; every: number; values: number[]; sum: number; absSum: number };

export interface ConvFixtureLayer {
  type: 'conv' | 'linear' | 'maxpool' | 'flatten' | 'relu' | 'sigmoid' | 'tanh';
  in?: number;
  out?: number;
  kernel?: [number, number];
  stride?: [number, number];
  padding?: [number, number];
  bias?: boolean;
  weightValues?: number[];
  biasValues?: number[];
  hashSalt?: number;
  weightGrad?: Stored;
  biasGrad?: Stored;
}

export interface ConvFixtureCase {
  name: string;
  why: string;
  inputShape: number[];
  input: number[] | 'hash';
  layers: ConvFixtureLayer[];
  outputs: Stored[];
  inputGrad: Stored;
  labels?: number[];
  loss?: number;
  gradOutput?: number[];
}

export const convCaseNames = [
  'conv_3x3',
  'conv_rect_nobias',
  'conv_5x5_s2_p2',
  'conv_s3_leftover',
  'conv_1x1',
  'conv_mnist_p1',
  'conv_kernel_fills_padded',
  'pool_7x7_k2',
  'pool_overlap_k3_s2',
  'pool_rect',
  'pool_ties',
  'pool_pad',
  'small_cnn',
  'dissertation_cnn_b2',
] as const;

export function loadConvCase(name: string): ConvFixtureCase {
  const path = fileURLToPath(new URL(`../fixtures/conv/${name}.json`, import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as ConvFixtureCase;
}

/** The twin of tools/reference/conv.py's hash_uniform: u_i ∈ [0, 1) from a 32-bit integer mix of i and salt. */
export function hashUniform(n: number, salt: number): Float64Array {
  const out = new Float64Array(n);
  const base = Math.imul(salt, 0x9e3779b9) >>> 0;
  for (let i = 0; i < n; i++) {
    let h = (i + base) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x45d9f3b) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x45d9f3b) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
    out[i] = h / 4294967296;
  }
  return out;
}

/** Float32 values (2u − 1)·bound (or u without a bound), as conv.py's hash_tensor. */
export function hashValues(n: number, salt: number, bound?: number): Float32Array {
  const u = hashUniform(n, salt);
  return Float32Array.from(u, (v) => (bound === undefined ? v : (2 * v - 1) * bound));
}

export function buildConvLayers(c: ConvFixtureCase): Layer[] {
  const rng = new Rng(0);
  return c.layers.map((l) => {
    switch (l.type) {
      case 'conv':
      case 'linear': {
        const layer =
          l.type === 'conv'
            ? new Conv2d(l.in!, l.out!, l.kernel!, { rng, stride: l.stride, padding: l.padding, bias: l.bias })
            : new Linear(l.in!, l.out!, { rng, bias: l.bias });
        if (l.hashSalt !== undefined) {
          const bound = 1 / Math.sqrt(layer.weight.size / l.out!);
          layer.weight.assign(hashValues(layer.weight.size, l.hashSalt, bound));
          layer.bias?.assign(hashValues(layer.bias.size, l.hashSalt + 1, bound));
        } else {
          layer.weight.assign(l.weightValues!);
          if (l.biasValues) layer.bias!.assign(l.biasValues);
        }
        return layer;
      }
      case 'maxpool':
        return new MaxPool2d(l.kernel!, { stride: l.stride, padding: l.padding });
      case 'flatten':
        return new Flatten();
      case 'relu':
        return new ReLU();
      case 'sigmoid':
        return new Sigmoid();
      case 'tanh':
        return new Tanh();
    }
  });
}

export interface ConvComparison {
  what: string;
  ours: ArrayLike<number>;
  ref: Stored;
}

export function caseInput(c: ConvFixtureCase): Tensor {
  const n = c.inputShape.reduce((a, b) => a * b, 1);
  return c.input === 'hash' ? new Tensor(hashValues(n, 1), c.inputShape) : fromArray(c.input, c.inputShape);
}

/** Forward, loss (or the recorded upstream gradient) and backward through Sequential, as a user would. */
export function runConvCase(c: ConvFixtureCase): { comparisons: ConvComparison[]; loss?: { ours: number; ref: number } } {
  const x = caseInput(c);
  const layers = buildConvLayers(c);
  const net = new Sequential(layers);
  const outputs: Float32Array[] = [];
  for (const l of layers) l.registerForwardHook((out) => outputs.push(out.toFloat32Array()));
  const out = net.forward(x);
  let loss: { ours: number; ref: number } | undefined;
  let gradOut: Tensor;
  if (c.labels) {
    const ce = new CrossEntropyLoss({ reduction: 'mean' });
    loss = { ours: ce.forward(out, c.labels), ref: c.loss! };
    gradOut = ce.backward();
  } else {
    gradOut = fromArray(c.gradOutput!, out.shape);
  }
  const inputGrad = net.backward(gradOut).toFloat32Array();
  const comparisons: ConvComparison[] = layers.map((l, i) => ({ what: `${l.name} output`, ours: outputs[i], ref: c.outputs[i] }));
  layers.forEach((l, i) => {
    if (!(l instanceof Conv2d || l instanceof Linear)) return;
    comparisons.push({ what: `${l.weight.name} grad`, ours: l.weight.grad, ref: c.layers[i].weightGrad! });
    if (l.bias) comparisons.push({ what: `${l.bias.name} grad`, ours: l.bias.grad, ref: c.layers[i].biasGrad! });
  });
  comparisons.push({ what: 'input grad', ours: inputGrad, ref: c.inputGrad });
  net.dispose();
  return { comparisons, loss };
}

/** The stored reference elements with their indices into the full tensor. */
/** (Values are rounded to float32: the JSON holds the shortest decimal that rounds to PyTorch's float32.) */
export function refElements(ref: Stored): { index: number[]; values: number[]; size: number } {
  if (Array.isArray(ref)) return { index: ref.map((_, i) => i), values: ref.map(Math.fround), size: ref.length };
  return { index: ref.values.map((_, i) => i * ref.every), values: ref.values.map(Math.fround), size: ref.size };
}
