import type { Rng } from '../tensor/random.js';
import { ReLU, Sigmoid, Tanh, type Activation } from './activations.js';
import { Conv2d } from './conv2d.js';
import { Flatten } from './flatten.js';
import type { Layer } from './layer.js';
import { Linear } from './linear.js';
import { MaxPool2d } from './maxpool2d.js';
import type { HiddenActivation } from './mlp.js';
import { Sequential } from './sequential.js';

export interface CnnOptions {
  /** Draws every layer's initial weights in order (conv0, conv1, linear0, linear1; weight then bias). */
  rng: Rng;
  /** Input [channels, height, width]; default [1, 28, 28] (MNIST). */
  input?: readonly [number, number, number];
  /** Output channels of the two convolutions; default [32, 64]. */
  channels?: readonly [number, number];
  /** Width of the measured fully connected layer; default 256. */
  hidden?: number;
  /** Its nonlinearity (the measured layer); default 'sigmoid'. */
  activation?: HiddenActivation;
  classes?: number;
}

const activations: Record<HiddenActivation, () => Activation> = {
  sigmoid: () => new Sigmoid(),
  relu: () => new ReLU(),
  tanh: () => new Tanh(),
};

/**
 * The dissertation's convolutional net (Sec. 5.10): a conv front-end before the measured fully connected layer,
 *
 *   Conv2d(1→32, 3, pad 1) → ReLU → MaxPool2d(2) → Conv2d(32→64, 3, pad 1) → ReLU → MaxPool2d(2)
 *   → Flatten → Linear(64·7·7 = 3136, 256) → Sigmoid (measured) → Linear(256, 10)
 *
 * named conv0, relu0, maxpool0, conv1, relu1, maxpool1, flatten0, linear0, sigmoid0, linear1; input
 * [N, 1, 28, 28], logits out (pair with CrossEntropyLoss). The PyTorch twin is in tools/reference/conv.py
 * and tools/pytorch/cnn_epoch.py. The Linear's in-features are derived from the input size and checked
 * with `outputShape`, so a different input size or channel count builds a consistent net.
 */
export function cnn(options: CnnOptions): Sequential {
  if (!options || typeof options.rng?.uniform !== 'function') throw new TypeError('cnn: options.rng (an Rng) is required');
  const [c, h, w] = options.input ?? [1, 28, 28];
  const [c1, c2] = options.channels ?? [32, 64];
  const hidden = options.hidden ?? 256;
  const classes = options.classes ?? 10;
  const activation = options.activation ?? 'sigmoid';
  if (!(activation in activations)) throw new RangeError(`cnn: activation must be 'sigmoid', 'relu' or 'tanh', got ${JSON.stringify(activation)}`);
  const rng = options.rng;
  const front: Layer[] = [
    new Conv2d(c, c1, 3, { rng, padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(c1, c2, 3, { rng, padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
  ];
  const flat = new Sequential(front).outputShape([1, c, h, w])[1];
  return new Sequential([...front, new Linear(flat, hidden, { rng }), activations[activation](), new Linear(hidden, classes, { rng })]);
}
