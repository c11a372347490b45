/**
 * The training orders of the dissertation's experiments, built as its original notebooks built them
 * (except that every random choice here is seeded):
 *
 * - {@link shuffledSampler} — reshuffled every epoch, PyTorch's `DataLoader(shuffle=True)` (the default).
 * - {@link sequentialSampler} — dataset order, `DataLoader(shuffle=False)` (the test loader).
 * - {@link sortedByClassSampler} — all 0s, then all 1s, …, never shuffled (Sec. 5.11).
 * - {@link consecutiveSameClassSampler} — batch 1, n consecutive images of one digit (Sec. 5.7, "con n").
 * - {@link classRestrictedSampler} — every batch drawn from 1, 2 or 5 classes (Sec. 5.9).
 *
 * The orders are not PyTorch's own: torch's generator cannot be reproduced here, so the same seed gives a
 * different (equally uniform) permutation than `torch.manual_seed(seed)` would. {@link makeSampler} builds
 * any of them from a JSON-able {@link SamplerSpec}, which is what an experiment configuration stores.
 */
import { describeValue } from '../tensor/describe.js';
import {
  type EpochPlan,
  type Sampler,
  type Seed,
  checkEpoch,
  checkPositiveInt,
  checkLabels,
  checkOptions,
  checkSeed,
  epochRng,
  indicesByClass,
  uniformBatchEnds,
} from './sampler.js';
import { Rng } from '../tensor/random.js';
import { type ClassRestrictedOptions, classRestrictedSampler } from './class-restricted.js';

export { type EpochPlan, type Sampler, type Seed, epochBatches, uniformBatchEnds } from './sampler.js';
export { type ClassRestrictedOptions, type ExhaustMode, classRestrictedSampler } from './class-restricted.js';

function checkLength(labels: ArrayLike<number>, who: string, options: unknown): number {
  checkOptions(options, who);
  return checkLabels(labels, who);
}

/** A sampler whose order is the same every epoch (a copy is returned each time). */
function fixedOrderSampler(name: string, batchSize: number, order: Int32Array): Sampler {
  return {
    name,
    batchSize,
    variableBatches: false,
    epochOrder(epoch: number): Int32Array {
      checkEpoch(epoch, name);
      return order.slice();
    },
    epochPlan(epoch: number): EpochPlan {
      const o = this.epochOrder(epoch);
      return { order: o, ends: uniformBatchEnds(o.length, batchSize) };
    },
  };
}

export interface ShuffledOptions {
  batchSize: number;
  seed: Seed;
  /** Drop the last batch when it would be short (PyTorch's `drop_last`). Default false. */
  dropLast?: boolean;
}

/**
 * A fresh uniform permutation every epoch, from (seed, epoch) alone. Without `dropLast` the last batch is
 * short when batchSize does not divide the count (as PyTorch's default); every batch size the
 * dissertation used divides 60,000.
 */
export function shuffledSampler(labels: ArrayLike<number>, options: ShuffledOptions): Sampler {
  const who = 'shuffledSampler';
  const n = checkLength(labels, who, options);
  const { batchSize, seed, dropLast = false } = options;
  checkPositiveInt(batchSize, 'batchSize', who);
  checkSeed(seed, who);
  if (typeof dropLast !== 'boolean') throw new TypeError(`${who}: dropLast must be a boolean, got ${describeValue(dropLast)}`);
  const keep = dropLast ? n - (n % batchSize) : n;
  if (keep === 0) throw new RangeError(`${who}: batchSize ${batchSize} exceeds the ${n} examples and dropLast leaves no batch`);
  const name = `shuffled(batch ${batchSize}, seed ${seed}${dropLast ? ', dropLast' : ''})`;
  return {
    name,
    batchSize,
    variableBatches: false,
    epochOrder(epoch: number): Int32Array {
      checkEpoch(epoch, name);
      const perm = epochRng('shuffled', seed, epoch).permutation(n);
      return keep === n ? perm : perm.slice(0, keep);
    },
    epochPlan(epoch: number): EpochPlan {
      const order = this.epochOrder(epoch);
      return { order, ends: uniformBatchEnds(order.length, batchSize) };
    },
  };
}

/** 0, 1, …, n−1 every epoch (the last batch short when batchSize does not divide n). */
export function sequentialSampler(labels: ArrayLike<number>, options: { batchSize: number }): Sampler {
  const who = 'sequentialSampler';
  const n = checkLength(labels, who, options);
  checkPositiveInt(options.batchSize, 'batchSize', who);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return fixedOrderSampler(`sequential(batch ${options.batchSize})`, options.batchSize, order);
}

/**
 * Sorted by class (Sec. 5.11): every 0 in dataset order, then every 1, …, the same order every epoch, never
 * shuffled. Batches are consecutive runs of that order, so a batch at a class boundary holds two classes
 * (as in the original, which fed the sorted dataset to an unshuffled DataLoader).
 */
export function sortedByClassSampler(labels: ArrayLike<number>, options: { batchSize: number }): Sampler {
  const who = 'sortedByClassSampler';
  const n = checkLength(labels, who, options);
  checkPositiveInt(options.batchSize, 'batchSize', who);
  const order = new Int32Array(n);
  let p = 0;
  for (const idx of indicesByClass(labels, who)) {
    order.set(idx, p);
    p += idx.length;
  }
  return fixedOrderSampler(`sorted-by-class(batch ${options.batchSize})`, options.batchSize, order);
}

/**
 * "con n" (Sec. 5.7), batch size 1, as the original built it: group the images by class keeping dataset order; drop
 * images from the end of each class so that its count is a multiple of n; cut each class into chunks of n
 * consecutive images; shuffle the order of the chunks ONCE (seeded; classes listed 0…9 before the
 * shuffle); train in that fixed order every epoch. The original shuffled with an unseeded generator.
 *
 * The dissertation's "con 1" is the ordinary batch-1 run reshuffled every epoch — that is
 * `shuffledSampler(labels, { batchSize: 1, seed })`, not this sampler with n = 1 (which would fix one
 * random order for all epochs).
 */
export function consecutiveSameClassSampler(labels: ArrayLike<number>, options: { n: number; seed: Seed }): Sampler {
  const who = 'consecutiveSameClassSampler';
  checkLength(labels, who, options);
  const { n, seed } = options;
  checkPositiveInt(n, 'n', who);
  checkSeed(seed, who);
  const chunks: Int32Array[] = [];
  for (const idx of indicesByClass(labels, who)) {
    for (let s = 0; s + n <= idx.length; s += n) chunks.push(idx.subarray(s, s + n));
  }
  if (chunks.length === 0) throw new RangeError(`${who}: no class has n = ${n} images, nothing to train on`);
  const perm = new Rng(`consecutive|seed ${seed}`).permutation(chunks.length);
  const order = new Int32Array(chunks.length * n);
  for (let k = 0; k < chunks.length; k++) order.set(chunks[perm[k]], k * n);
  return fixedOrderSampler(`consecutive(n ${n}, batch 1, seed ${seed})`, 1, order);
}

/** A JSON-able description of a sampler; what an experiment configuration stores. */
export type SamplerSpec =
  | { kind: 'shuffled'; batchSize: number; seed: Seed; dropLast?: boolean }
  | { kind: 'sequential'; batchSize: number }
  | { kind: 'sorted'; batchSize: number }
  | { kind: 'consecutive'; n: number; seed: Seed }
  | ({ kind: 'class-restricted' } & ClassRestrictedOptions);

const SPEC_KEYS: Record<SamplerSpec['kind'], readonly string[]> = {
  shuffled: ['batchSize', 'seed', 'dropLast'],
  sequential: ['batchSize'],
  sorted: ['batchSize'],
  consecutive: ['n', 'seed'],
  'class-restricted': ['classesPerBatch', 'batchSize', 'seed', 'exhaust'],
};

/** Build the sampler a {@link SamplerSpec} describes; unknown kinds and unknown keys are errors. */
export function makeSampler(spec: SamplerSpec, labels: ArrayLike<number>): Sampler {
  if (spec === null || typeof spec !== 'object') throw new TypeError(`makeSampler: spec must be an object, got ${describeValue(spec)}`);
  const allowed = SPEC_KEYS[spec.kind];
  if (allowed === undefined) {
    throw new RangeError(`makeSampler: unknown kind '${String(spec.kind)}' (known: ${Object.keys(SPEC_KEYS).join(', ')})`);
  }
  for (const key of Object.keys(spec)) {
    if (key !== 'kind' && !allowed.includes(key)) {
      throw new RangeError(`makeSampler: '${spec.kind}' takes no option '${key}' (it takes: ${allowed.join(', ')})`);
    }
  }
  switch (spec.kind) {
    case 'shuffled':
      return shuffledSampler(labels, spec);
    case 'sequential':
      return sequentialSampler(labels, spec);
    case 'sorted':
      return sortedByClassSampler(labels, spec);
    case 'consecutive':
      return consecutiveSameClassSampler(labels, spec);
    case 'class-restricted':
      return classRestrictedSampler(labels, spec);
  }
}
