import { describe, expect, it } from 'vitest';
import { csvField, runsToCsv, summaryToCsv } from '../../src/experiments/csv.js';
import { summarize } from '../../src/experiments/summary.js';
import { layer, run } from './fixtures.js';

const parse = (csv: string): string[][] => csv.trimEnd().split('\n').map((l) => l.split(','));

describe('csvField', () => {
  it('quotes per RFC 4180 and leaves undefined numbers empty', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(NaN)).toBe('');
    expect(csvField(Infinity)).toBe('');
    expect(csvField(null)).toBe('');
    expect(csvField(1e-7)).toBe('1e-7');
    expect(csvField([256, 256])).toBe('256x256');
  });
});

describe('summaryToCsv', () => {
  it('has one row per condition and epoch with mean and SEM columns', () => {
    const runs = [
      run({ optimizer: 'sgd', seed: 1, epochs: 2 }, [0.9, 0.95]),
      run({ optimizer: 'sgd', seed: 100, epochs: 2 }, [0.92, 0.96]),
      run({ optimizer: 'adam', seed: 1, epochs: 2 }, [0.8, 0.85]),
    ];
    const rows = parse(summaryToCsv(summarize(runs)));
    const head = rows[0];
    expect(head.slice(0, 6)).toEqual(['label', 'optimizer', 'epoch', 'n', 'seeds', 'diverged']);
    expect(head).toContain('test_acc');
    expect(head).toContain('test_acc_sem');
    expect(head).toContain('selectivity_std_sem');
    expect(head).not.toContain('layer1_sparsity_mean'); // one hidden layer: no per-layer columns
    expect(rows).toHaveLength(5);
    const col = (name: string) => head.indexOf(name);
    expect(rows[1][col('label')]).toBe('sgd');
    expect(rows[1][col('seeds')]).toBe('1 100');
    expect(Number(rows[1][col('test_acc')])).toBeCloseTo(0.91, 15);
    // two values 0.90, 0.92: s = √(2·0.01²/1) = 0.01414…, SEM = s/√2 = 0.01
    expect(Number(rows[1][col('test_acc_sem')])).toBeCloseTo(0.01, 15);
    expect(rows[3][col('test_acc_sem')]).toBe(''); // one seed: SEM undefined
  });

  it('adds per-layer columns for deeper nets', () => {
    const runs = [run({ optimizer: 'adam', hidden: [8, 8], epochs: 1 }, [0.9], { layers: () => [layer(0.1, 0.2), layer(0.3, 0.4)] })];
    const head = parse(summaryToCsv(summarize(runs)))[0];
    expect(head).toContain('layer2_selectivity_mean_sem');
    expect(head).toContain('sparsity_mean_weighted');
  });
});

describe('runsToCsv', () => {
  it('lists every epoch of every run, and a diverged run’s reason', () => {
    const runs = [run({ optimizer: 'sgd', seed: 3, epochs: 3 }, [0.5], { diverge: true })];
    const csv = runsToCsv(runs);
    const rows = parse(csv);
    expect(rows[0]).toEqual([
      'run', 'optimizer', 'seed', 'epoch', 'train_loss', 'test_loss', 'test_acc',
      'sparsity_mean', 'sparsity_std', 'selectivity_mean', 'selectivity_std', 'seconds', 'diverged',
    ]);
    expect(rows[1].slice(1, 7)).toEqual(['sgd', '3', '1', '1', '2', '0.5']);
    expect(rows[2].slice(1, 4)).toEqual(['sgd', '3', '2']);
    expect(rows[2][12]).toBe('train loss NaN at step 3 of epoch 2');
    expect(rows[2][6]).toBe('');
  });
});
