import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  finalEpochMarkdown,
  formatStat,
  layersMarkdown,
  markdownTable,
  reportMarkdown,
  setupMarkdown,
  writeReport,
} from '../../src/experiments/report.js';
import { summarize, type Summary } from '../../src/experiments/summary.js';
import { layer, run } from './fixtures.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'report-test-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * sgd: two seeds, 2 of 2 epochs, accuracies (0.90, 0.92) at epoch 2 → 0.9100 ± 0.0100 (sample std 0.01√2,
 * SEM = 0.01√2/√2). adam: three seeds planned for 3 epochs; seed 1234 diverges in epoch 2, so epoch 2 has
 * seeds 1 and 100 (0.95, 0.97 → 0.9600 ± 0.0100) and the runs stop there (2 of 3 epochs).
 */
function summary(): Summary {
  return summarize([
    run({ optimizer: 'sgd', seed: 1, epochs: 2 }, [0.8, 0.9], { layers: (e) => [layer(0.1 * e, 0.2)] }),
    run({ optimizer: 'sgd', seed: 100, epochs: 2 }, [0.82, 0.92], { layers: (e) => [layer(0.1 * e + 0.02, 0.2)] }),
    run({ optimizer: 'adam', seed: 1, epochs: 3 }, [0.9, 0.95]),
    run({ optimizer: 'adam', seed: 100, epochs: 3 }, [0.91, 0.97]),
    run({ optimizer: 'adam', seed: 1234, epochs: 3 }, [0.9], { diverge: true }),
  ]);
}

describe('formatting', () => {
  it('formatStat: mean ± SEM, one-seed and no-value forms', () => {
    expect(formatStat({ mean: 0.97123, sem: 0.00081, n: 3 }, 4)).toBe('0.9712 ± 0.0008');
    expect(formatStat({ mean: 0.97123, sem: NaN, n: 1 }, 4)).toBe('0.9712 (n=1)');
    expect(formatStat({ mean: NaN, sem: NaN, n: 0 }, 4)).toBe('—');
    expect(formatStat(undefined, 4)).toBe('—');
  });

  it('markdownTable escapes pipes and rejects ragged rows', () => {
    expect(markdownTable(['a', 'b'], [['x|y', '1']], ['l', 'r'])).toBe('| a | b |\n| --- | ---: |\n| x\\|y | 1 |');
    expect(() => markdownTable(['a', 'b'], [['1']])).toThrow(/row 0 has 1 cells, the header has 2/);
  });
});

describe('tables', () => {
  it('final-epoch table: last epoch per condition, mean ± SEM, diverged runs and unfinished epochs flagged', () => {
    const md = finalEpochMarkdown(summary());
    const lines = md.split('\n');
    expect(lines[0]).toBe('| condition | epoch | seeds | test accuracy | test loss | train loss | sparsity (Hoyer) | selectivity (CCMAS) | s / epoch |');
    // fixtures: train_loss = 1/epoch, test_loss = 2/epoch, seconds = 1.5, the same for every seed → SEM 0
    expect(lines[2]).toBe('| sgd | 2 | 2 of 2 | 0.9100 ± 0.0100 | 1.0000 ± 0.0000 | 0.5000 ± 0.0000 | 0.2100 ± 0.0100 | 0.2000 ± 0.0000 | 1.5 ± 0.0 |');
    expect(lines[3]).toMatch(/^\| adam \| 2 of 3 \| 2 of 3 ⚠ 1 diverged \| 0\.9600 ± 0\.0100 \|/);
    expect(lines).toHaveLength(4);
  });

  it('setup: the shared settings once, then what each condition varies, and why runs diverged', () => {
    const md = setupMarkdown(summary().groups);
    expect(md).toContain('- `batchSize`: `50`');
    expect(md).toContain('- `hidden`: `[256]`');
    expect(md).not.toContain('- `optimizer.name`'); // varies, so not shared
    expect(md).toContain('| adam | optimizer=adam | 1, 100, 1234 | 1 of 3 |');
    expect(md).toMatch(/adam, seed 1234 \(adam-[^)]*\): train loss NaN at step 3 of epoch 2/);
  });

  it('per-layer table for nets with several hidden layers', () => {
    const s = summarize([run({ optimizer: 'sgd', seed: 1, epochs: 1, hidden: [8, 8] }, [0.5], { layers: () => [layer(0.25, 0.5), layer(0.125, 0.75)] })]);
    expect(layersMarkdown(s).split('\n').slice(2)).toEqual([
      '| sgd | 1 | HL1 | 0.2500 (n=1) | 0.5000 (n=1) |',
      '| sgd | 1 | HL2 | 0.1250 (n=1) | 0.7500 (n=1) |',
    ]);
  });
});

describe('report', () => {
  it('embeds the figures by relative path with their captions, and the tables', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'figures'));
    const fig = join(dir, 'figures', 'test_acc.svg');
    writeFileSync(fig, '<svg/>');
    const panel = join(dir, 'figures', 'accuracy_sparsity_selectivity.svg');
    writeFileSync(panel, '<svg/>');
    const custom = join(dir, 'figures', 'extra.svg');
    writeFileSync(custom, '<svg/>');
    const md = reportMarkdown(summary(), {
      outDir: dir,
      title: 'Baseline',
      figures: [fig, panel, { path: custom, caption: 'My | figure' }],
      notes: 'Three epochs only.',
    });
    expect(md.startsWith('# Baseline\n\nThree epochs only.\n')).toBe(true);
    expect(md).toContain('## Setup');
    expect(md).toContain('## Final epoch');
    expect(md).toContain('![test accuracy against epoch](figures/test_acc.svg)');
    expect(md).toContain('*test accuracy against epoch. Lines: mean over seeds; bands: ± standard error of the mean (sample std / √n).*');
    // the alt text is the caption's first sentence; "cf. the" and "Fig. 5.1" do not end it
    expect(md).toContain(
      "![test accuracy, sparsity (Hoyer), selectivity (CCMAS) against epoch (cf. the dissertation's Fig. 5.1)](figures/accuracy_sparsity_selectivity.svg)",
    );
    expect(md).toContain('](figures/extra.svg)');
    expect(md).toContain('*My | figure*');
    expect(md).not.toContain('Per hidden layer'); // one hidden layer
  });

  it('writeReport writes report.md and returns its path; a missing figure is an error and writes nothing', () => {
    const dir = tempDir();
    const path = writeReport(summary().rows, { outDir: join(dir, 'out'), title: 'Rows only' });
    expect(path).toBe(join(dir, 'out', 'report.md'));
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('# Rows only');
    expect(text).not.toContain('## Setup'); // rows carry no configurations

    const other = join(dir, 'other');
    expect(() => writeReport(summary(), { outDir: other, title: 'x', figures: [join(dir, 'nope.svg')] })).toThrow(/figure file not found: .*nope\.svg/);
    expect(() => writeReport(summary(), { outDir: other, title: ' ' })).toThrow(/title must be a non-empty string/);
    expect(() => writeReport({ groups: [], rows: [] }, { outDir: other, title: 'x' })).toThrow(/no rows/);
    expect(existsSync(other)).toBe(false);
  });
});
