import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  DataFileError,
  classCounts,
  datasetFromIdx,
  parseIdx,
  encodeIdx,
  pixelsToUnitFloat32,
  subset,
  type Dataset,
} from '../../src/data/index.js';

/** Fixture from real PyTorch: tools/reference/data_totensor.py (torch 1.13, `x.to(float32).div(255)`). */
const fixture = JSON.parse(readFileSync(new URL('../fixtures/data/totensor.json', import.meta.url), 'utf8')) as {
  float32_bits: number[];
};

describe('pixels as torchvision ToTensor', () => {
  it("equals torch's float32 x/255 bit for bit for every byte value (no tolerance: both are correctly rounded)", () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const out = pixelsToUnitFloat32(bytes);
    const bits = new Uint32Array(out.buffer);
    expect(Array.from(bits)).toEqual(fixture.float32_bits);
    // …and the doc comment's claim: that is Math.fround(b / 255).
    for (let b = 0; b < 256; b++) expect(out[b]).toBe(Math.fround(b / 255));
  });

  it('hand-checked values: 0 → 0, 255 → 1, 51 → float32(0.2)', () => {
    // 51/255 = 1/5 exactly in the reals, so the float32 result is the float32 nearest 0.2.
    const out = pixelsToUnitFloat32(Uint8Array.from([0, 255, 51]));
    expect(Array.from(out)).toEqual([0, 1, Math.fround(0.2)]);
  });

  it('writes into a given buffer and rejects a wrong-sized one', () => {
    const out = new Float32Array(2);
    expect(pixelsToUnitFloat32(Uint8Array.from([255, 0]), out)).toBe(out);
    expect(Array.from(out)).toEqual([1, 0]);
    expect(() => pixelsToUnitFloat32(Uint8Array.from([1, 2, 3]), out)).toThrow(/out has 2 elements, the input 3/);
  });
});

const files = { images: '/d/img-idx3-ubyte', labels: '/d/lab-idx1-ubyte' };
const img = (n: number, rows = 2, cols = 3) =>
  parseIdx(encodeIdx({ dims: [n, rows, cols], type: 'ubyte', data: Array.from({ length: n * rows * cols }, (_, i) => (i * 7) % 256) }), files.images);
const lab = (values: number[]) => parseIdx(encodeIdx({ dims: [values.length], type: 'ubyte', data: values }), files.labels);

function expectFileError(fn: () => unknown, file: string, re: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DataFileError);
    expect((err as DataFileError).file).toBe(file);
    expect((err as Error).message).toMatch(re);
    return;
  }
  throw new Error('expected a DataFileError');
}

describe('datasetFromIdx', () => {
  it('builds a flattened float32 dataset', () => {
    const ds = datasetFromIdx('toy', img(4), lab([3, 0, 9, 3]), files);
    expect(ds).toMatchObject({ name: 'toy', count: 4, rows: 2, cols: 3, features: 6, numClasses: 10 });
    expect(ds.images.length).toBe(24);
    expect(ds.images[5]).toBe(Math.fround(35 / 255)); // element 5 = (5·7) mod 256 = 35
    expect(Array.from(ds.labels)).toEqual([3, 0, 9, 3]);
  });

  it('rejects images that are not ubyte × 3, naming the images file', () => {
    const floats = parseIdx(encodeIdx({ dims: [1, 2, 3], type: 'float', data: [0, 0, 0, 0, 0, 0] }), files.images);
    expectFileError(() => datasetFromIdx('t', floats, lab([1]), files), files.images, /expected images as ubyte × 3 dimensions.*got float × 3/);
    const flat = parseIdx(encodeIdx({ dims: [2, 3], type: 'ubyte', data: [0, 0, 0, 0, 0, 0] }), files.images);
    expectFileError(() => datasetFromIdx('t', flat, lab([1, 2]), files), files.images, /got ubyte × 2 \(dims 2×3\)/);
  });

  it('rejects labels that are not ubyte × 1, naming the labels file', () => {
    const twoD = parseIdx(encodeIdx({ dims: [2, 1], type: 'ubyte', data: [0, 1] }), files.labels);
    expectFileError(() => datasetFromIdx('t', img(2), twoD, files), files.labels, /expected labels as ubyte × 1 dimension/);
  });

  it('rejects unequal image and label counts, naming both files', () => {
    expectFileError(() => datasetFromIdx('t', img(3), lab([1, 2]), files), files.labels, /holds 2 labels but \/d\/img-idx3-ubyte holds 3 images/);
  });

  it('rejects a label outside 0..9 with its index', () => {
    expectFileError(() => datasetFromIdx('t', img(3), lab([1, 10, 2]), files), files.labels, /label 10 at index 1 is outside 0\.\.9/);
  });
});

describe('subset', () => {
  const ds: Dataset = datasetFromIdx('toy', img(5), lab([0, 1, 2, 3, 4]), files);
  const row = (d: Dataset, i: number) => Array.from(d.images.subarray(i * d.features, (i + 1) * d.features));

  it('copies the chosen rows in the given order, repeats allowed', () => {
    const s = subset(ds, [4, 1, 4]);
    expect(s.count).toBe(3);
    expect(Array.from(s.labels)).toEqual([4, 1, 4]);
    expect(row(s, 0)).toEqual(row(ds, 4));
    expect(row(s, 1)).toEqual(row(ds, 1));
    expect(s.name).toBe('toy[3 rows]');
    s.images[0] = 123; // a copy: the source is untouched
    expect(ds.images[4 * ds.features]).not.toBe(123);
  });

  it('copies a half-open range', () => {
    const s = subset(ds, { start: 1, end: 3 }, 'mid');
    expect(s).toMatchObject({ name: 'mid', count: 2, features: 6, rows: 2, cols: 3, numClasses: 10 });
    expect(Array.from(s.labels)).toEqual([1, 2]);
    expect(row(s, 1)).toEqual(row(ds, 2));
    expect(s.images.buffer).not.toBe(ds.images.buffer);
    expect(subset(ds, { start: 5, end: 5 }).count).toBe(0);
  });

  it('rejects bad indices and ranges', () => {
    expect(() => subset(ds, [0, 5])).toThrow(/index 5 at position 1 is outside 0\.\.4/);
    expect(() => subset(ds, [1.5])).toThrow(/index 1.5/);
    expect(() => subset(ds, { start: 3, end: 2 })).toThrow(/range \[3, 2\) is not within \[0, 5\]/);
    expect(() => subset(ds, { start: 0, end: 6 })).toThrow(/range \[0, 6\)/);
  });
});

describe('classCounts', () => {
  it('counts each class and rejects labels out of range', () => {
    expect(classCounts([2, 0, 2, 2], 3)).toEqual([1, 0, 3]);
    expect(() => classCounts([0, 3], 3)).toThrow(/label 3 at index 1 is outside 0\.\.2/);
  });
});
