import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optimizerColour } from '../../src/experiments/colours.js';
import { configHash, normalizeConfig, runId, type RunConfigInput } from '../../src/experiments/config.js';
import { loadPresetRuns } from '../../src/experiments/dissertation-data.js';
import {
  DISSERTATION_FIGURES,
  DISSERTATION_KINDS,
  drawDissertationFigures,
  hasRasterizer,
  type DissertationFiguresResult,
} from '../../src/experiments/dissertation-figures.js';
import type { EpochRecord, LayerRecord } from '../../src/experiments/records.js';
import { recordToJson, type RunResult } from '../../src/experiments/results.js';

const SEEDS = [1, 100];
const EPOCHS = 3;

function layer(s: number): LayerRecord {
  return { sparsity_mean: s, sparsity_std: 0.1, selectivity_mean: s + 0.1, selectivity_std: 0.1, activation_sum: 100 };
}

interface Extra {
  condition?: string;
  train?: boolean;
  perUnit?: boolean;
}

/** A finished run: sparsity of layer l at epoch e is 0.2 + 0.01·e + 0.02·l + seed jitter; accuracy 0.9 + 0.01·e. */
function fakeRun(input: RunConfigInput, extra: Extra = {}): RunResult {
  const config = normalizeConfig({ epochs: EPOCHS, ...input });
  const id = runId(config);
  const jitter = (config.seed % 7) * 1e-3;
  const epochs: EpochRecord[] = [];
  for (let e = 1; e <= config.epochs; e++) {
    const layers = config.hidden.map((_, l) => layer(0.2 + 0.01 * e + 0.02 * l + jitter));
    const rec: EpochRecord & { per_unit_selectivity?: number[][] } = {
      run: id, type: 'epoch', epoch: e, train_loss: 1 / e, test_loss: 1 / e, test_acc: 0.9 + 0.01 * e + jitter, seconds: 1, layers,
    };
    if (extra.train) rec.train_layers = layers.map((l) => layer((l.sparsity_mean as number) - 0.01));
    if (extra.perUnit && e === config.epochs) rec.per_unit_selectivity = config.hidden.map((w) => Array.from({ length: w }, (_, u) => (u % 10) / 10 + jitter));
    epochs.push(rec);
  }
  return {
    header: {
      run: id, type: 'header', config, seed: config.seed, version: 'test', config_hash: configHash(config), streams: { init: 'a', sampler: 'b' }, gemm_kernel: 'reference',
      ...(extra.condition ? { condition: `${extra.condition} ${config.optimizer.name}` } : {}),
    },
    epochs,
    diverged: null,
  };
}

function writePreset(root: string, preset: string, runs: RunResult[], gzip = false): void {
  const dir = join(root, preset);
  mkdirSync(dir, { recursive: true });
  for (const r of runs) {
    const text = [r.header, ...r.epochs].map((x) => `${recordToJson(x)}\n`).join('');
    if (gzip) writeFileSync(join(dir, `${r.header.run}.jsonl.gz`), gzipSync(text));
    else writeFileSync(join(dir, `${r.header.run}.jsonl`), text);
  }
}

function grid(optimizers: string[], make: (optimizer: string, seed: number) => RunResult[]): RunResult[] {
  return optimizers.flatMap((o) => SEEDS.flatMap((seed) => make(o, seed)));
}

const OPTS = ['sgd', 'adam'];
const dirs: string[] = [];
let root = '';
let result: DissertationFiguresResult;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'diss-figs-'));
  dirs.push(root);
  // baseline: one seed labelled as the sweep labels a spec without condition blocks, one unlabelled (older files)
  writePreset(root, 'baseline', grid(OPTS, (optimizer, seed) => [fakeRun({ optimizer, seed }, seed === 1 ? { condition: 'default' } : {})]));
  writePreset(root, 'train-vs-test', grid(OPTS, (optimizer, seed) => [fakeRun({ optimizer, seed, hidden: [12] }, { train: true })]));
  writePreset(root, 'hidden-layers', grid(OPTS, (optimizer, seed) => [1, 2, 4].map((d) => fakeRun({ optimizer, seed, hidden: Array(d).fill(8) }, { condition: `HL${d}` }))));
  writePreset(root, 'batch-size', grid(OPTS, (optimizer, seed) => [10, 50, 200].map((batchSize) => fakeRun({ optimizer, seed, batchSize }))), true); // gzipped
  // one more run still training: left out, and the caption says so
  const training = fakeRun({ optimizer: 'sgd', seed: 7, batchSize: 10 });
  writePreset(root, 'batch-size', [{ ...training, epochs: training.epochs.slice(0, 1) }]);
  const diversity = ['baseline', 'single', 'pair', '5nums', 'single-b10', 'con10-b1'];
  writePreset(root, 'class-diversity', grid(OPTS, (optimizer, seed) => diversity.map((c, i) => fakeRun({ optimizer, seed, hidden: [20 + i] }, { condition: c }))));
  // combined: SGD's components only (its baseline comes from the baseline folder); no Adam condition yet
  writePreset(root, 'combined', grid(['sgd'], (optimizer, seed) => [fakeRun({ optimizer, seed, batchSize: 1 }, { condition: 'b1' }), fakeRun({ optimizer, seed, batchSize: 1, hidden: [30] }, { condition: 'combined' })]));
  writePreset(root, 'selectivity-violin', grid(['sgd', 'adagrad', 'adam'], (optimizer, seed) => [fakeRun({ optimizer, seed, hidden: [16] }, { perUnit: true })]));
  // a preset folder whose runs are still training (no finished run): counted as "no finished runs"
  const unfinished = fakeRun({ optimizer: 'sgd', seed: 1, sampler: { kind: 'sorted' }, epochs: 5 });
  writePreset(root, 'sorted', [{ ...unfinished, epochs: unfinished.epochs.slice(0, 2) }]);
  result = await drawDissertationFigures(root, join(root, 'figures'), { png: false });
}, 60_000);

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const DRAWABLE = ['5.19a', '5.1', '5.2', '5.3', '5.4', '5.5', '5.6', '5.7', '5.11', '5.14', '5.15', '6.2', 'V.1'];

describe('drawDissertationFigures', () => {
  it('draws every figure the synthetic runs allow, as SVG', () => {
    expect(result.drawn.map((d) => d.id).sort()).toEqual([...DRAWABLE].sort());
    for (const id of DRAWABLE) {
      const svg = readFileSync(join(root, 'figures', `fig-${id}.svg`), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain(`Fig. ${id}`);
    }
  });

  it('captions name the preset, n, the seeds, the epoch and the band', () => {
    const byId = new Map(result.drawn.map((d) => [d.id, d.caption]));
    expect(byId.get('5.1')).toMatch(/Preset baseline; n = 4 runs \(2 conditions × seeds 1, 100\); epochs 1–3; error band ± SEM over seeds/);
    expect(byId.get('5.11')).toMatch(/Preset batch-size; n = 12 runs \(6 conditions × seeds 1, 100\); epoch 3; error band ± SEM/);
    expect(byId.get('5.11')).toMatch(/ 1 unfinished run of these presets not yet included\.$/);
    expect(byId.get('5.1')).not.toMatch(/unfinished/);
    expect(byId.get('5.7')).toMatch(/n = 4 runs \(2 conditions/); // only the 4-layer nets go in
    expect(byId.get('5.15')).toMatch(/n = 8 runs \(4 conditions/); // single-b10 and con10-b1 only
    // the reference conditions come from the second folder, in the order the catalogue names them
    expect(byId.get('5.19a')).toMatch(/Preset combined \+ baseline; n = 6 runs \(3 conditions × seeds 1, 100\); epoch 3;/);
    expect(byId.get('5.3')).toMatch(/points are means over seeds, no error band drawn/);
    for (const d of result.drawn) {
      expect(d.caption).toMatch(/n = \d+ runs/);
      expect(d.caption).toMatch(/epochs? \d/);
      expect(d.caption).not.toMatch(/\{\w+\}/);
    }
  });

  it('lists the figures without runs as not drawn, and draws no file for them', () => {
    const index = readFileSync(join(root, 'figures', 'INDEX.md'), 'utf8');
    for (const [id, preset] of [['5.8', 'hyperparameters'], ['5.13', 'neurons'], ['5.12', 'consecutive'], ['5.17', 'conv']]) {
      expect(result.notDrawn.find((n) => n.id === id)?.reason).toBe(`not drawn: no runs of ${preset} yet`);
      expect(index).toContain(`## Fig. ${id}:`);
      expect(existsSync(join(root, 'figures', `fig-${id}.svg`))).toBe(false);
    }
    // Adam's combined conditions are not run: the baseline reference alone is not drawn
    expect(result.notDrawn.find((n) => n.id === '5.19b')?.reason).toMatch(/^not drawn: the runs of combined \+ baseline hold nothing this figure draws yet \(only the references from baseline\)/);
    expect(result.notDrawn.find((n) => n.id === '5.18')?.reason).toBe('not drawn: no finished runs of sorted yet');
    expect(index).toContain('not drawn: no runs of hyperparameters yet');
    expect(index).toContain('PNG skipped');
    expect(index).toContain('[fig-5.1.svg](fig-5.1.svg)');
    // every catalogue entry has a section
    for (const f of DISSERTATION_FIGURES) expect(index).toContain(`## Fig. ${f.id}:`);
  });

  it('the violin says why when the runs carry no per-unit selectivity', async () => {
    const r2 = mkdtempSync(join(tmpdir(), 'diss-figs-'));
    dirs.push(r2);
    writePreset(r2, 'selectivity-violin', [fakeRun({ optimizer: 'sgd', seed: 1 })]);
    const violinOnly = DISSERTATION_FIGURES.filter((f) => f.id === 'V.1');
    const got = await drawDissertationFigures(r2, join(r2, 'figures'), { png: false, figures: violinOnly });
    expect(got.drawn).toEqual([]);
    expect(got.notDrawn[0].reason).toMatch(/needs per_unit_selectivity/);
  });

  it('gives every optimizer the same colour in every figure', () => {
    const colours = new Map<string, string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (node === null || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      if (o.field === 'optimizer' && o.scale && typeof o.scale === 'object' && 'range' in o.scale) {
        const { domain, range } = o.scale as { domain: string[]; range: string[] };
        domain.forEach((name, i) => {
          expect(colours.get(name) ?? range[i]).toBe(range[i]);
          colours.set(name, range[i]);
        });
      }
      Object.values(o).forEach(walk);
    };
    for (const f of DISSERTATION_FIGURES) {
      if (!f.kind) continue;
      const runs = loadPresetRuns(root, f.presets).runs;
      const got = runs.length ? DISSERTATION_KINDS[f.kind](runs, f.options ?? {}, f.title) : null;
      if (got) walk(got.spec);
    }
    expect([...colours.keys()].sort()).toEqual(['adagrad', 'adam', 'sgd']);
    for (const [name, colour] of colours) expect(colour).toBe(optimizerColour(name));
    // and the rendered SVGs carry those colours
    for (const id of ['5.1', '5.4', '5.11', 'V.1']) {
      const svg = readFileSync(join(root, 'figures', `fig-${id}.svg`), 'utf8');
      expect(svg).toContain(optimizerColour('sgd'));
      expect(svg).toContain(optimizerColour('adam'));
    }
  });

  it('writes a PNG beside each SVG when rsvg-convert is available', async () => {
    if (!hasRasterizer()) return; // the code path without it is the main test above (png: false)
    const out = join(root, 'figures-png');
    const got = await drawDissertationFigures(root, out, { png: true, figures: DISSERTATION_FIGURES.filter((f) => f.id === '5.1') });
    expect(got.drawn[0].files).toEqual(['fig-5.1.svg', 'fig-5.1.png']);
    expect(readFileSync(join(out, 'fig-5.1.png')).subarray(1, 4).toString()).toBe('PNG');
  });
});
