/**
 * The model kinds a run configuration may name (`model: { kind, …options }`): one descriptor each — its
 * options, its checks, and how to build the network with the layers whose outputs the metrics measure.
 *
 * `mlp` is the dissertation's network (PROTOCOL §1): `hidden` widths of Linear + `activation`, then the
 * output Linear; its measured layers are the hidden activations. A run config without `model` is an mlp
 * (the baseline's configs, ids and hashes do not mention it).
 *
 * To add a model kind (the convolution work adds `cnn`, Sec. 5.10): one more `models.register({...})` in
 * this file — build the net from src/layers, return its measured layers with their widths. Until then the
 * kinds below in `PENDING` are named in the error a config that asks for them gets.
 */
import { hiddenActivationLayers, mlp, type Layer, type Sequential } from '../../layers/index.js';
import type { Rng } from '../../tensor/index.js';
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
  rng: Rng;
}

export interface BuiltModel {
  model: Sequential;
  /** The layers whose outputs the metrics measure (input side first), and their widths. */
  measured: Layer[];
  measuredWidths: number[];
}

export interface ModelKind extends Named {
  options: OptionSchemas;
  build(input: ModelInput): BuiltModel;
}

/** Model kinds (and options) that presets use but that are not registered yet, with what they wait for. */
export const PENDING_MODEL_KINDS: Readonly<Record<string, string>> = {
  cnn: 'the conv preset needs the CNN model kind (Conv2d/MaxPool2d front-end, Sec. 5.10), which the convolution work registers in src/experiments/kinds/models.ts',
};
export const PENDING_MODEL_OPTIONS: Readonly<Record<string, string>> = {
  'mlp.dropout': 'dropout needs the Dropout layer (the convolution work), registered as an mlp option in src/experiments/kinds/models.ts',
};

export const models = new Registry<ModelKind>('model kind', PENDING_MODEL_KINDS);

models.register({
  name: 'mlp',
  doc: 'fully connected: hidden widths of Linear + activation, then Linear to the classes (PROTOCOL §1)',
  options: {},
  build: ({ features, classes, hidden, activation, rng }) => {
    const model = mlp([features, ...hidden, classes], { activation, rng });
    return { model, measured: hiddenActivationLayers(model), measuredWidths: hidden.slice() };
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
