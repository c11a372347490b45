/**
 * The sampler kinds (training orders, src/data/samplers.ts) a run configuration may name: one descriptor
 * each — how `--sampler` text reads into it, what it requires of the batch size, and the sampler spec it
 * hands to `makeSampler` (adding the run's batch size and sampler stream). To add a training order: one
 * more `samplers.register({...})` below.
 */
import type { SamplerSpec } from '../../data/index.js';
import { Registry, type Named } from '../registry.js';
import { describeValue } from './options.js';

/** A sampler configuration as a run config stores it: `{ kind, …options }` without batch size and seed. */
export type SamplerConfigLike = { kind: string } & Record<string, unknown>;

export interface SamplerKind extends Named {
  /** The `--sampler` text form(s), e.g. 'consecutive:<n>'. */
  cliForm: string;
  /** `--sampler` text after `kind:` split on ':' → the config; throws an Error with the reason. */
  parseCli(params: string[]): SamplerConfigLike;
  /** The batch size this order trains with regardless of the run's (consecutive: 1), if any. */
  fixedBatchSize?: number;
  /** Where that batch size comes from, for messages (e.g. 'Sec. 5.7'). */
  fixedBatchSizeSource?: string;
  /** Problems with this config for a run of `batchSize` over `classes` classes (field names as in the run config). */
  check(config: SamplerConfigLike, batchSize: number, classes: number): string[];
  /** The spec `makeSampler` builds from (the run supplies batch size and its sampler stream seed). */
  spec(config: SamplerConfigLike, batchSize: number, seed: string): SamplerSpec;
  /** The config's one canonical spelling (so equal orders hash equally), if it has several. */
  canonical?(config: SamplerConfigLike): SamplerConfigLike;
}

function positiveInt(text: string | undefined, what: string): number {
  const v = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || !Number.isSafeInteger(v) || v === 0) throw new Error(`${what} must be a positive integer, got "${text ?? ''}"`);
  return v;
}

function onlyKeys(config: SamplerConfigLike, keys: string[], problems: string[]): void {
  for (const k of Object.keys(config)) {
    if (k === 'kind' || keys.includes(k)) continue;
    if (k === 'batchSize' || k === 'seed') problems.push(`sampler.${k}: set by the run (use the run's ${k}), not in the sampler`);
    else problems.push(`sampler.${k}: not an option of sampler kind '${config.kind}' (options: ${keys.join(', ') || 'none'})`);
  }
}

function noParams(kind: string) {
  return (params: string[]): SamplerConfigLike => {
    if (params.length > 0) throw new Error(`${kind} takes no parameter`);
    return { kind };
  };
}

export const samplers = new Registry<SamplerKind>('sampler kind');

samplers
  .register({
    name: 'shuffled',
    doc: "reshuffled every epoch, PyTorch's DataLoader(shuffle=True) (the default)",
    cliForm: 'shuffled',
    parseCli: noParams('shuffled'),
    check: (c, _b, _k) => {
      const p: string[] = [];
      onlyKeys(c, ['dropLast'], p);
      if (c.dropLast !== undefined && typeof c.dropLast !== 'boolean') p.push(`sampler.dropLast: expected true or false, got ${describeValue(c.dropLast)}`);
      return p;
    },
    spec: (c, batchSize, seed) => ({ ...(c as object), kind: 'shuffled', batchSize, seed }) as SamplerSpec,
  })
  .register({
    name: 'sequential',
    doc: 'dataset order every epoch',
    cliForm: 'sequential',
    parseCli: noParams('sequential'),
    check: (c) => {
      const p: string[] = [];
      onlyKeys(c, [], p);
      return p;
    },
    spec: (_c, batchSize) => ({ kind: 'sequential', batchSize }),
  })
  .register({
    name: 'sorted',
    doc: 'all 0s, then all 1s, …, never shuffled (Sec. 5.11)',
    cliForm: 'sorted',
    parseCli: noParams('sorted'),
    check: (c) => {
      const p: string[] = [];
      onlyKeys(c, [], p);
      return p;
    },
    spec: (_c, batchSize) => ({ kind: 'sorted', batchSize }),
  })
  .register({
    name: 'consecutive',
    doc: 'batch 1, n same-digit images in a row, chunk order shuffled once (Sec. 5.7, "con n")',
    cliForm: 'consecutive:<n>',
    fixedBatchSize: 1,
    fixedBatchSizeSource: 'Sec. 5.7',
    parseCli: (params) => {
      if (params.length !== 1) throw new Error('consecutive needs n, the number of same-digit images in a row');
      return { kind: 'consecutive', n: positiveInt(params[0], 'n') };
    },
    check: (c, batchSize) => {
      const p: string[] = [];
      onlyKeys(c, ['n'], p);
      if (!(Number.isSafeInteger(c.n) && (c.n as number) > 0)) p.push(`sampler.n: expected a positive integer, got ${describeValue(c.n)}`);
      if (batchSize !== 1) p.push(`batchSize: expected 1 with sampler kind 'consecutive' (Sec. 5.7 trains with batch 1), got ${batchSize}`);
      return p;
    },
    spec: (c, _b, seed) => ({ kind: 'consecutive', n: c.n as number, seed }),
  })
  .register({
    name: 'class-restricted',
    doc: 'every batch from k classes (Sec. 5.9: 1 single, 2 pair, 5 5nums); exhaust "original" = the notebooks’ rule',
    cliForm: 'class-restricted:<k>[:original]',
    parseCli: (params) => {
      if (params.length !== 1 && params.length !== 2) throw new Error('class-restricted needs k, the number of classes per batch');
      const k = positiveInt(params[0], 'k');
      const exhaust = params[1]?.toLowerCase();
      if (exhaust === undefined || exhaust === 'all-images') return { kind: 'class-restricted', classesPerBatch: k };
      if (exhaust === 'original') return { kind: 'class-restricted', classesPerBatch: k, exhaust: 'original' };
      throw new Error(`the exhaust rule after k must be original or all-images, got "${params[1]}"`);
    },
    check: (c, batchSize, classes) => {
      const p: string[] = [];
      onlyKeys(c, ['classesPerBatch', 'exhaust'], p);
      const k = c.classesPerBatch;
      if (!(Number.isSafeInteger(k) && (k as number) > 0 && (k as number) <= classes)) {
        p.push(`sampler.classesPerBatch: expected an integer in [1, ${classes}] (the dataset's classes), got ${describeValue(k)}`);
      } else if (batchSize % (k as number) !== 0) {
        p.push(`batchSize: expected a multiple of sampler.classesPerBatch = ${k} (each batch takes equally many images of each class), got ${batchSize}`);
      }
      if (c.exhaust !== undefined && c.exhaust !== 'original' && c.exhaust !== 'all-images') {
        p.push(`sampler.exhaust: expected "original" or "all-images" (the default: every image used), got ${describeValue(c.exhaust)}`);
      }
      return p;
    },
    // The default rule is left out, so both spellings give the same config hash.
    canonical: (c) => {
      const { exhaust, ...rest } = c;
      return exhaust === 'all-images' ? (rest as SamplerConfigLike) : c;
    },
    spec: (c, batchSize, seed) => ({ ...(c as object), kind: 'class-restricted', batchSize, seed }) as SamplerSpec,
  });
