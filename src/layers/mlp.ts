import { describeShape, describeValue } from '../tensor/describe.js';
import type { Rng } from '../tensor/random.js';
import { Activation, ReLU, Sigmoid, Tanh } from './activations.js';
import { Dropout } from './dropout.js';
import { Flatten } from './flatten.js';
import type { Layer } from './layer.js';
import { Linear } from './linear.js';
import { Sequential } from './sequential.js';

export type HiddenActivation = 'sigmoid' | 'relu' | 'tanh';

export interface MlpOptions {
  /** Draws every layer's initial weights, layer by layer (weight then bias), in order. */
  rng: Rng;
  /** The nonlinearity after each hidden Linear. Default 'sigmoid' (the dissertation's nets). */
  activation?: HiddenActivation;
  /** Biases on every Linear. Default true. */
  bias?: boolean;
  /** Dropout(p) after every hidden activation (the dropout experiment); default none. p = 0 adds the layer as an identity. */
  dropout?: number;
  /** Draws the dropout masks; default `rng` (which the weights no longer need once the net is built). */
  dropoutRng?: Rng;
}

const activations: Record<HiddenActivation, () => Activation> = {
  sigmoid: () => new Sigmoid(),
  relu: () => new ReLU(),
  tanh: () => new Tanh(),
};

/**
 * A multilayer perceptron: Linear(w₀, w₁) → act → Linear(w₁, w₂) → act → … → Linear(wₙ₋₁, wₙ), ending in
 * logits (no softmax: pair it with CrossEntropyLoss). `mlp([784, 256, 10], { rng })` is the dissertation's
 * net, named linear0 → sigmoid0 → linear1; `mlp([784, 256, 256, 256, 10], …)` has three hidden layers.
 * The PyTorch equivalent is `nn.Sequential(nn.Linear(784, 256), nn.Sigmoid(), nn.Linear(256, 10))`.
 */
export function mlp(widths: number[], options: MlpOptions): Sequential {
  if (!Array.isArray(widths) || widths.length < 2) {
    throw new RangeError(`mlp: widths must list at least the input and output widths, got ${describeShape(widths)}`);
  }
  widths.forEach((w, i) => {
    if (!Number.isSafeInteger(w) || w < 1) throw new RangeError(`mlp: widths[${i}] must be a positive integer, got ${describeValue(w)}`);
  });
  if (options === null || typeof options !== 'object') throw new TypeError(`mlp: options must be an object { rng, activation?, bias? }, got ${describeValue(options)}`);
  const activation = options.activation === undefined ? 'sigmoid' : options.activation;
  if (typeof activation !== 'string' || !Object.hasOwn(activations, activation)) {
    throw new RangeError(`mlp: activation must be 'sigmoid', 'relu' or 'tanh', got ${describeValue(activation)}`);
  }
  const layers: Layer[] = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    layers.push(new Linear(widths[i], widths[i + 1], { rng: options.rng, bias: options.bias ?? true }));
    if (i + 2 < widths.length) {
      layers.push(activations[activation]());
      if (options.dropout !== undefined) layers.push(new Dropout(options.dropout, { rng: options.dropoutRng ?? options.rng }));
    }
  }
  return new Sequential(layers);
}

/**
 * The hidden activation layers of a net built by {@link mlp} or {@link cnn} (every Sigmoid, ReLU or Tanh
 * after the last Flatten, in order) — the layers whose outputs the experiments tap for sparsity and
 * selectivity. For the CNN that is the sigmoid of the fully connected layer (its ReLUs inside the
 * convolutional front-end are not measured, as in the dissertation).
 */
export function hiddenActivationLayers(net: Sequential): Layer[] {
  if (!(net instanceof Sequential)) throw new TypeError(`hiddenActivationLayers: net must be a Sequential (from mlp), got ${describeValue(net)}`);
  let from = 0;
  net.layers.forEach((l, i) => {
    if (l instanceof Flatten) from = i + 1;
  });
  return net.layers.slice(from).filter((l) => l instanceof Sigmoid || l instanceof ReLU || l instanceof Tanh);
}
