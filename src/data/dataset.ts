/**
 * An in-memory labelled image set: `count` images as rows of a row-major float32 matrix, pixels in [0, 1].
 */
import { describeValue } from '../tensor/describe.js';
import { DataFileError } from './errors.js';
import type { IdxArray } from './idx.js';

export interface Dataset {
  /** e.g. `'mnist-train'`. */
  name: string;
  /** count × features, row-major, each pixel x/255 as float32 (see {@link pixelsToUnitFloat32}). */
  images: Float32Array;
  /** One class index per image, in 0..numClasses-1. */
  labels: Uint8Array;
  count: number;
  /** rows · cols (784 for MNIST). */
  features: number;
  rows: number;
  cols: number;
  /** 10 for MNIST and Fashion-MNIST. */
  numClasses: number;
}

/**
 * byte → float32, index b holding float32(b / 255). Storing the double quotient b/255 into a Float32Array
 * rounds it to the nearest float32, i.e. `Math.fround(b / 255)`, and that equals the correctly rounded
 * float32 quotient float32(b) / float32(255) that PyTorch computes: rounding a double quotient of two
 * float32 operands to float32 never double-rounds wrongly, because 53 ≥ 2·24 + 2 (Figueroa, "When is
 * double rounding innocuous?", 1995). test/data/dataset.test.ts checks all 256 values bit for bit against
 * torch's `x.float().div(255)`.
 */
const UNIT_LUT: Float32Array = (() => {
  const lut = new Float32Array(256);
  for (let b = 0; b < 256; b++) lut[b] = b / 255;
  return lut;
})();

/**
 * Pixels as torchvision's `ToTensor` makes them: `img.to(float32).div(255)` — x/255 in float32, no mean/std
 * normalisation (the dissertation used none). Unlike TF.js examples, which usually multiply by 1/255 (a
 * different rounding for some bytes), the quotient here is exactly PyTorch's. One table-lookup loop.
 */
export function pixelsToUnitFloat32(bytes: Uint8Array, out?: Float32Array): Float32Array {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`pixelsToUnitFloat32: bytes must be a Uint8Array, got ${describeValue(bytes)}`);
  if (out !== undefined && !(out instanceof Float32Array)) throw new TypeError(`pixelsToUnitFloat32: out must be a Float32Array, got ${describeValue(out)}`);
  const dst = out ?? new Float32Array(bytes.length);
  if (dst.length !== bytes.length) {
    throw new RangeError(`pixelsToUnitFloat32: out has ${dst.length} elements, the input ${bytes.length}`);
  }
  const lut = UNIT_LUT;
  for (let i = 0; i < bytes.length; i++) dst[i] = lut[bytes[i]];
  return dst;
}

/**
 * Build a {@link Dataset} from decoded IDX images (ubyte, count × rows × cols) and labels (ubyte, count),
 * checking that they fit together. Errors name the file at fault.
 */
export function datasetFromIdx(
  name: string,
  images: IdxArray,
  labels: IdxArray,
  files: { images: string; labels: string },
  numClasses = 10,
): Dataset {
  if (images.type !== 'ubyte' || images.dims.length !== 3) {
    throw new DataFileError(
      files.images,
      `expected images as ubyte × 3 dimensions (magic 0x00000803), got ${images.type} × ${images.dims.length} (dims ${images.dims.join('×')})`,
    );
  }
  const lab = labelsFromIdx(labels, files.labels, numClasses);
  const [count, rows, cols] = images.dims;
  if (lab.length !== count) {
    throw new DataFileError(files.labels, `holds ${lab.length} labels but ${files.images} holds ${count} images`);
  }
  return {
    name,
    images: pixelsToUnitFloat32(images.data),
    labels: lab,
    count,
    features: rows * cols,
    rows,
    cols,
    numClasses,
  };
}

/** The labels of a decoded IDX labels file (ubyte, one dimension, every value below `numClasses`). */
export function labelsFromIdx(labels: IdxArray, file: string, numClasses = 10): Uint8Array {
  if (labels.type !== 'ubyte' || labels.dims.length !== 1) {
    throw new DataFileError(
      file,
      `expected labels as ubyte × 1 dimension (magic 0x00000801), got ${labels.type} × ${labels.dims.length} (dims ${labels.dims.join('×')})`,
    );
  }
  const lab = labels.data;
  for (let i = 0; i < lab.length; i++) {
    if (lab[i] >= numClasses) {
      throw new DataFileError(file, `label ${lab[i]} at index ${i} is outside 0..${numClasses - 1}`);
    }
  }
  return lab;
}

/** The number of examples of each class 0..numClasses-1. */
export function classCounts(labels: ArrayLike<number>, numClasses: number): number[] {
  if (!Array.isArray(labels) && !(ArrayBuffer.isView(labels) && !(labels instanceof DataView))) {
    throw new TypeError(`classCounts: labels must be an array or typed array of class indices, got ${describeValue(labels)}`);
  }
  if (!Number.isSafeInteger(numClasses) || numClasses < 1 || numClasses > 65536) throw new RangeError(`classCounts: numClasses must be an integer in [1, 65536], got ${describeValue(numClasses)}`);
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (!(Number.isInteger(c) && c >= 0 && c < numClasses)) {
      throw new RangeError(`classCounts: label ${describeValue(c)} at index ${i} is outside 0..${numClasses - 1}`);
    }
    counts[c]++;
  }
  return counts;
}

/**
 * A new dataset holding copies of the chosen rows, in the order given: either a list of indices (repeats
 * allowed) or a half-open range `{ start, end }`.
 */
export function subset(
  ds: Dataset,
  indices: ArrayLike<number> | { start: number; end: number },
  name?: string,
): Dataset {
  const f = ds.features;
  if (indices === null || typeof indices !== 'object') {
    throw new TypeError(`subset(${ds.name}): indices must be an array of row indices or a range { start, end }, got ${describeValue(indices)}`);
  }
  if ('start' in indices && 'end' in indices && !('length' in indices)) {
    const { start, end } = indices;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > ds.count) {
      throw new RangeError(`subset(${ds.name}): range [${describeValue(start)}, ${describeValue(end)}) is not within [0, ${ds.count}]`);
    }
    return {
      ...ds,
      name: name ?? `${ds.name}[${start}:${end}]`,
      images: ds.images.slice(start * f, end * f),
      labels: ds.labels.slice(start, end),
      count: end - start,
    };
  }
  const idx = indices as ArrayLike<number>;
  const n = idx.length;
  const images = new Float32Array(n * f);
  const labels = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const i = idx[k];
    if (!(Number.isInteger(i) && i >= 0 && i < ds.count)) {
      throw new RangeError(`subset(${ds.name}): index ${describeValue(i)} at position ${k} is outside 0..${ds.count - 1}`);
    }
    images.set(ds.images.subarray(i * f, (i + 1) * f), k * f);
    labels[k] = ds.labels[i];
  }
  return { ...ds, name: name ?? `${ds.name}[${n} rows]`, images, labels, count: n };
}
