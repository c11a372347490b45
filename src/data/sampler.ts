/**
 * The sampler interface and what every sampler shares: seeding per epoch, label checks, batch boundaries.
 */
import { describeValue } from '../tensor/describe.js';
import { Rng } from '../tensor/random.js';

/** One epoch: the example indices in training order and where each batch ends. */
export interface EpochPlan {
  /** Example indices in training order. */
  readonly order: Int32Array;
  /** `ends[b]` is one past the last position of batch b in `order`; the last entry is `order.length`. */
  readonly ends: Int32Array;
}

/**
 * Yields, per epoch, the order in which a training loop visits the examples. The loop cuts `epochOrder(e)`
 * into consecutive batches of `batchSize`; only the last batch of an epoch may be shorter — except for a
 * sampler whose `variableBatches` is true (class-restricted, 'original' mode), whose batches are given by
 * `epochPlan(e).ends`. {@link epochBatches} handles both, so a loop that uses it is right for every sampler.
 *
 * Epoch e's order is a pure function of the sampler's options (seed included) and e: any epoch can be
 * reproduced on its own, without replaying the ones before it. Each call returns a fresh array.
 */
export interface Sampler {
  readonly name: string;
  /** The batch size (for variable-batch samplers, the largest batch). */
  readonly batchSize: number;
  /** True when batches before the last may be shorter than `batchSize`: consume with {@link epochBatches}. */
  readonly variableBatches?: boolean;
  /** Example indices in training order for epoch `epoch` (a non-negative integer). */
  epochOrder(epoch: number): Int32Array;
  /** The order and the batch boundaries (absent: consecutive batches of `batchSize`). */
  epochPlan?(epoch: number): EpochPlan;
}

/** Batch ends for consecutive batches of `batchSize` over `length` examples (the last may be short). */
export function uniformBatchEnds(length: number, batchSize: number): Int32Array {
  if (!Number.isSafeInteger(length) || length < 0 || length > 2 ** 31 - 1) throw new RangeError(`uniformBatchEnds: length must be an integer in [0, 2³¹ − 1], got ${describeValue(length)}`);
  checkPositiveInt(batchSize, 'batchSize', 'uniformBatchEnds');
  const n = Math.ceil(length / batchSize);
  const ends = new Int32Array(n);
  for (let b = 0; b < n; b++) ends[b] = Math.min((b + 1) * batchSize, length);
  return ends;
}

/** The order and batch boundaries of one epoch, for any {@link Sampler}. */
export function epochBatches(sampler: Sampler, epoch: number): EpochPlan {
  if (sampler.epochPlan) return sampler.epochPlan(epoch);
  const order = sampler.epochOrder(epoch);
  return { order, ends: uniformBatchEnds(order.length, sampler.batchSize) };
}

export type Seed = number | string;

/** `labels` must be a non-empty array or typed array of class indices (integers in 0..65535); returns its length. */
export function checkLabels(labels: ArrayLike<number>, who: string): number {
  if (!Array.isArray(labels) && !(ArrayBuffer.isView(labels) && !(labels instanceof DataView))) {
    throw new TypeError(`${who}: labels must be an array or typed array of class indices, got ${describeValue(labels)}`);
  }
  if (labels.length === 0) throw new RangeError(`${who}: labels is empty`);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (!(Number.isInteger(c) && c >= 0 && c < 65536)) {
      throw new RangeError(`${who}: label ${describeValue(c)} at index ${i} is not a class index (an integer in 0..65535)`);
    }
  }
  return labels.length;
}

/** A sampler's options argument must be an object. */
export function checkOptions(options: unknown, who: string): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new TypeError(`${who}: options must be an object, got ${describeValue(options)}`);
}

export function checkSeed(seed: Seed, who: string): void {
  if (!(typeof seed === 'string' || (typeof seed === 'number' && Number.isFinite(seed)))) {
    throw new RangeError(`${who}: seed must be a finite number or a string, got ${describeValue(seed)}`);
  }
}

export function checkEpoch(epoch: number, who: string): void {
  if (!Number.isSafeInteger(epoch) || epoch < 0) {
    throw new RangeError(`${who}.epochOrder: epoch must be a non-negative integer, got ${describeValue(epoch)}`);
  }
}

export function checkPositiveInt(value: number, what: string, who: string): void {
  if (!Number.isSafeInteger(value) || value < 1 || value > 2 ** 31 - 1) {
    throw new RangeError(`${who}: ${what} must be a positive integer (below 2³¹), got ${describeValue(value)}`);
  }
}

/**
 * The generator for one epoch of one kind of sampler: seeded from the string `<kind>|seed <s>|epoch <e>`,
 * so epochs, seeds and sampler kinds get unrelated streams and an epoch needs no replay of earlier ones.
 */
export function epochRng(kind: string, seed: Seed, epoch: number): Rng {
  return new Rng(`${kind}|seed ${seed}|epoch ${epoch}`);
}

/**
 * The indices of each class in dataset order, `byClass[c]`, for labels in 0..numClasses-1 (numClasses
 * defaults to max(label) + 1). Throws naming the first bad label.
 */
export function indicesByClass(labels: ArrayLike<number>, who: string, numClasses?: number): Int32Array[] {
  checkLabels(labels, who);
  let max = -1;
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (!(Number.isInteger(c) && c >= 0 && c < 65536)) {
      throw new RangeError(`${who}: label ${describeValue(c)} at index ${i} is not a class index (an integer in 0..65535)`);
    }
    if (c > max) max = c;
  }
  const C = numClasses ?? max + 1;
  if (max >= C) throw new RangeError(`${who}: label ${max} is outside 0..${C - 1}`);
  const counts = new Int32Array(C);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  const byClass = Array.from(counts, (n) => new Int32Array(n));
  const fill = new Int32Array(C);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    byClass[c][fill[c]++] = i;
  }
  return byClass;
}
