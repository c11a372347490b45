/**
 * The model kinds a run configuration may name (`model: { kind, …options }`): one descriptor each — its
 * options, its checks, and how to build the network with the layers whose outputs the metrics measure.
 *
 * `mlp` is the dissertation's network (PROTOCOL §1): `hidden` widths of Linear + `activation`, then the
 * output Linear; its measured layers are the hidden activations. A run config without `model` is an mlp
 * (the baseline's configs, ids and hashes do not mention it).
 *
 * `mlp` takes `dropout: p` (Dropout(p) after every hidden activation, the formative dropout experiment; the
 * measured layer is the activation, i.e. before dropout, and the test pass runs in eval mode as the original's
 * `model.eval()`). `cnn` is the Sec. 5.10 net: Conv 1→32 → ReLU → Pool → Conv 32→64 → ReLU → Pool → Flatten →
 * Linear(3136, hidden[0]) → activation (measured) → Linear(·, 10).
 *
 * To add a model kind: one more `models.register({...})` in this file — build the net from src/layers, return
 * its measured layers with their widths and the shape one example has.
 */
import { cnn, hiddenActivationLayers, mlp, type Layer, type Sequential } from '../../layers/index.js';
import { Rng } from '../../tensor/index.js';
import { Registry, type Named } from '../registry.js';
import { checkOptions, type OptionSchemas, type OptionValue } from './options.js';

/** What a model kind builds from: the run's network fields. */
export interface ModelInput {
  /** Input features and classes of the dataset. */
  features: number;
  classes: number;
  hidden: number[];
  activation: 'sigmoid' | 'relu' | 'tanh';
  /** The model's options, complete (defaults filled in). */
  options: Record<string, OptionValue>;
  /** Draws the initial weights. */
  rng: Rng;
  /** Seed of the stream for randomness inside the forward pass (dropout masks). */
  forwardSeed: string;
}

export interface BuiltModel {
  model: Sequential;
  /** The layers whose outputs the metrics measure (input side first), and their widths. */
  measured: Layer[];
  measuredWidths: number[];
  /** One example as the net takes it: [features] for an mlp, [channels, height, width] for the CNN. */
  exampleShape: readonly number[];
}

export interface ModelKind extends Named {
  options: OptionSchemas;
  /** Checks of the run's other fields that this kind needs (pushes `field: expected …, got …`). */
  validate?(config: { hidden: unknown }, problems: string[]): void;
  build(input: ModelInput): BuiltModel;
}

/** Model kinds (and options) that presets use but that are not registered yet, with what they wait for. */
export const PENDING_MODEL_KINDS: Readonly<Record<string, string>> = {};
export const PENDING_MODEL_OPTIONS: Readonly<Record<string, string>> = {};

/** [channels, height, width] of the datasets' images, by feature count (the CNN needs the image shape). */
const IMAGE_SHAPES: Readonly<Record<number, readonly [number, number, number]>> = { 784: [1, 28, 28] };

export const models = new Registry<ModelKind>('model kind', PENDING_MODEL_KINDS);

models.register({
  name: 'mlp',
  doc: 'fully connected: hidden widths of Linear + activation, then Linear to the classes (PROTOCOL §1)',
  options: {
    dropout: { type: 'number', default: 0, min: 0, max: 1, doc: 'Dropout(p) after every hidden activation (0: no Dropout layer); PyTorch’s inverted scaling' },
  },
  build: ({ features, classes, hidden, activation, options, rng, forwardSeed }) => {
    const p = options.dropout as number;
    const model = mlp([features, ...hidden, classes], { activation, rng, ...(p > 0 && { dropout: p, dropoutRng: new Rng(forwardSeed) }) });
    return { model, measured: hiddenActivationLayers(model), measuredWidths: hidden.slice(), exampleShape: [features] };
  },
});

models.register({
  name: 'cnn',
  doc: 'Sec. 5.10: two Conv2d(3×3, pad 1) + ReLU + MaxPool(2) blocks (1→32→64), Flatten, then Linear(3136, hidden[0]) + activation (measured) and Linear to the classes',
  options: {},
  validate: ({ hidden }, problems) => {
    if (Array.isArray(hidden) && hidden.length !== 1) {
      problems.push(`hidden: expected one width (the CNN's fully connected layer) with model kind cnn, got ${JSON.stringify(hidden)}`);
    }
  },
  build: ({ features, classes, hidden, activation, rng }) => {
    const image = IMAGE_SHAPES[features];
    if (!image) throw new RangeError(`model kind cnn: images of ${features} features have no known [channels, height, width] (known: ${Object.keys(IMAGE_SHAPES).join(', ')})`);
    const model = cnn({ rng, input: image, hidden: hidden[0], activation, classes });
    return { model, measured: hiddenActivationLayers(model), measuredWidths: [hidden[0]], exampleShape: image };
  },
});

/** Check a `model` config: problems pushed, complete options returned (an unknown or pending kind or option is named). */
export function checkModel(config: unknown, problems: string[]): { kind: string; options: Record<string, OptionValue> } | null {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    problems.push(`model: expected { kind: ${models.names().join(' | ')}, …options }, got ${JSON.stringify(config)}`);
    return null;
  }
  const { kind, ...given } = config as Record<string, unknown>;
  const d = typeof kind === 'string' ? models.find(kind) : undefined;
  if (!d) {
    problems.push(`model.kind: ${models.unknownMessage(kind)}`);
    return null;
  }
  for (const k of Object.keys(given)) {
    const why = PENDING_MODEL_OPTIONS[`${kind}.${k}`];
    if (why !== undefined && !(k in d.options)) {
      problems.push(`model.${k}: not available yet: ${why}`);
      delete given[k];
    }
  }
  return { kind: d.name, options: checkOptions(d.options, given, 'model', `model kind ${d.name}`, problems) };
}
