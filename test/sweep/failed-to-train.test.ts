/** Runs that finish but do not learn are flagged failed_to_train; no condition ever vanishes from the summary. */
import { describe, expect, it } from 'vitest';
import { runsToCsv, summaryToCsv } from '../../src/experiments/csv.js';
import { reportMarkdown } from '../../src/experiments/report.js';
import { failedToTrain, summarize } from '../../src/experiments/summary.js';
import { normalizeConfig } from '../../src/experiments/config.js';
import { epoch, run } from '../experiments/fixtures.js';

const cond = { optimizer: 'sgd' as const, epochs: 2 };

describe('failed_to_train', () => {
  it('flags chance-level accuracy and a loss far above ln(classes), not a run that learned', () => {
    const config = normalizeConfig(cond);
    const e = (acc: number, loss: number) => ({ ...epoch('r', 1, acc), train_loss: loss, test_loss: loss });
    expect(failedToTrain(config, [e(0.9, 0.3), e(0.95, 0.2)])).toBeNull();
    expect(failedToTrain(config, [e(0.9, 0.3), e(0.11, 2.3)])).toMatch(/chance level/);
    expect(failedToTrain(config, [e(0.9, 0.3), e(0.6, 1e31)])).toMatch(/train loss 1e\+31 is far above the starting loss ln\(10\)/);
    expect(failedToTrain(config, [e(0.1, 0.3)])).toBeNull(); // incomplete: not judged yet
  });

  it('counts failed and diverged seeds per condition in summary.csv and the report, and keeps an all-diverged condition', () => {
    const runs = [
      run({ ...cond, seed: 1 }, [0.8, 0.9]),
      run({ ...cond, seed: 2 }, [0.1, 0.1]),
      run({ ...cond, optimizer: 'adam', seed: 1 }, [], { diverge: true }),
    ];
    const s = summarize(runs);
    expect(s.groups.map((g) => g.runs.map((r) => r.failed_to_train !== null))).toEqual([[false, true], [false]]);
    const csv = summaryToCsv(s).split('\n');
    expect(csv[0].split(',').slice(0, 7)).toEqual(['label', 'optimizer', 'epoch', 'n', 'seeds', 'diverged', 'failed_to_train']);
    const adam = csv.filter((l) => l.startsWith('adam,'));
    expect(adam).toHaveLength(1); // every seed diverged in epoch 1: still a row, n = 0
    expect(adam[0].split(',').slice(0, 7)).toEqual(['adam', 'adam', '1', '0', '', '1', '0']);
    expect(csv.filter((l) => l.startsWith('sgd,')).every((l) => l.split(',')[6] === '1')).toBe(true);
    const md = reportMarkdown(s, { outDir: '/tmp', title: 't' });
    expect(md).toContain('1 failed to train');
    expect(md).toMatch(/Runs that failed to train[^]*sgd, seed 2/);
    expect(runsToCsv(runs)).toContain('train loss NaN');
  });
});
