/**
 * Which network a run trains — the `model` field of a run configuration — and how to build it.
 *
 *   (absent) or { kind: 'mlp' }        mlp([784, ...hidden, 10]) with `activation` (the dissertation's net)
 *   { kind: 'mlp', dropout: p }        the same with Dropout(p) after every hidden activation (the dropout
 *                                      experiment; the measured layer is the activation, i.e. before dropout)
 *   { kind: 'cnn' }                    cnn(): Conv 1→32 → ReLU → Pool → Conv 32→64 → ReLU → Pool → Flatten →
 *                                      Linear(3136, hidden[0]) → activation (measured) → Linear(·, 10) (Sec. 5.10)
 *
 * One small module so it can move into the experiment registry as one entry per kind: each kind validates
 * its options, builds its net from the run's init stream, and says what shape one example has. The
 * measured layers are the hidden activations after the last Flatten (hiddenActivationLayers), so `hidden`
 * keeps meaning "the widths of the measured layers" for every kind. An absent `model` is left out of the
 * normalized configuration, so the hashes and run ids of existing mlp configurations do not change.
 *
 * Dropout masks come from a third seeded stream, `${seed}/${trainingHash}/dropout`, next to init and sampler.
 * Evaluation runs in eval mode (Dropout off), as the original measured the test set with `model.eval()`.
 */
import { cnn, hiddenActivationLayers, mlp, type Layer, type Sequential } from '../layers/index.js';
import { Rng } from '../tensor/random.js';
import type { ActivationName } from './config.js';

export const MODEL_KINDS = ['mlp', 'cnn'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

export type ModelConfig = { kind: 'mlp'; dropout?: number } | { kind: 'cnn' };

/** Image side of the datasets the CNN accepts (features = channels · side²). */
const IMAGE_SHAPES: Record<number, readonly [number, number, number]> = { 784: [1, 28, 28] };

/**
 * Check a `model` field; pushes one message per problem (field, expected, got) and returns the normalized
 * value, or undefined for the default (plain mlp), which the normalized configuration omits.
 */
export function normalizeModel(input: unknown, hidden: unknown, problems: string[]): ModelConfig | undefined {
  if (input === undefined) return undefined;
  const got = JSON.stringify(input);
  if (input === null || typeof input !== 'object' || !MODEL_KINDS.includes((input as { kind: ModelKind }).kind)) {
    problems.push(`model: expected { kind: ${MODEL_KINDS.join(' | ')}, … }, got ${got}`);
    return undefined;
  }
  const m = input as Record<string, unknown>;
  const allowed = m.kind === 'mlp' ? ['kind', 'dropout'] : ['kind'];
  for (const k of Object.keys(m)) if (!allowed.includes(k)) problems.push(`model.${k}: not an option of ${m.kind as string} (options: ${allowed.slice(1).join(', ') || 'none'})`);
  if (m.kind === 'cnn') {
    if (Array.isArray(hidden) && hidden.length !== 1) problems.push(`hidden: expected one width (the CNN's fully connected layer) with model kind 'cnn', got ${JSON.stringify(hidden)}`);
    return { kind: 'cnn' };
  }
  if (m.dropout === undefined) return undefined;
  if (typeof m.dropout !== 'number' || !(m.dropout >= 0 && m.dropout <= 1)) {
    problems.push(`model.dropout: expected a probability in [0, 1], got ${JSON.stringify(m.dropout)}`);
    return undefined;
  }
  return { kind: 'mlp', dropout: m.dropout };
}

export interface BuiltModel {
  model: Sequential;
  /** The layers the metrics tap (one per `hidden` width). */
  measured: Layer[];
  /** The shape of one example as the net takes it: [features] for an mlp, [channels, height, width] for the CNN. */
  exampleShape: readonly number[];
}

export interface ModelBuildConfig {
  model?: ModelConfig;
  hidden: number[];
  activation: ActivationName;
}

/** Build the configured net; `seeds.init` draws the weights, `seeds.dropout` the masks. */
export function buildModel(config: ModelBuildConfig, features: number, classes: number, seeds: { init: string; dropout: string }): BuiltModel {
  const rng = new Rng(seeds.init);
  const spec = config.model ?? { kind: 'mlp' };
  let model: Sequential;
  let exampleShape: readonly number[];
  if (spec.kind === 'cnn') {
    const image = IMAGE_SHAPES[features];
    if (!image) throw new RangeError(`model kind 'cnn': images of ${features} features have no known [channels, height, width] (known: ${Object.keys(IMAGE_SHAPES).join(', ')})`);
    model = cnn({ rng, input: image, hidden: config.hidden[0], activation: config.activation, classes });
    exampleShape = image;
  } else {
    model = mlp([features, ...config.hidden, classes], {
      rng,
      activation: config.activation,
      ...(spec.dropout !== undefined && { dropout: spec.dropout, dropoutRng: new Rng(seeds.dropout) }),
    });
    exampleShape = [features];
  }
  return { model, measured: hiddenActivationLayers(model), exampleShape };
}
