/**
 * `sparsity-lab report <root>` regenerates the study's FINDINGS.md and TABLES.md from committed runs alone, in
 * seconds: here on a small committed sample (test/fixtures/dissertation-sample: 6 baseline runs, 3
 * train-vs-test runs, copied from results/dissertation).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { isResultsRoot } from '../../src/experiments/findings/report.js';

const sample = new URL('../fixtures/dissertation-sample/', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'dissertation-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('sparsity-lab report <results root>', () => {
  it('writes FINDINGS.md and TABLES.md from the committed runs', async () => {
    cpSync(sample, root, { recursive: true });
    expect(isResultsRoot(root)).toBe(true);
    expect(isResultsRoot(join(root, 'baseline'))).toBe(false);
    const log = console.log;
    console.log = () => {};
    try {
      await main(['node', 'sparsity-lab', 'report', root]);
    } finally {
      console.log = log;
    }
    expect(process.exitCode ?? 0).toBe(0);
    const findings = readFileSync(join(root, 'FINDINGS.md'), 'utf8');
    // SGD's and Adagrad's baseline trends are judged (6 runs), the claims without runs say so.
    expect(findings).toMatch(/\| sgd: sparsity_mean over epochs \| epoch 1: 0\.08\d\d ± 0\.0\d+ \(n=3\) → epoch 30: 0\.2\d+ ± 0\.0\d+ \(n=3\); per-run Spearman ρ over epochs, mean (0\.9\d+|1\.000) \| paired t over 3 runs \(last epoch − epoch 1\), t = \d+\.\d+, df = 2 \|.*\| confirmed \|/);
    expect(findings).toMatch(/\| adagrad: sparsity_mean over epochs \|.*\| confirmed \|/);
    expect(findings).toMatch(/\| adam: sparsity_mean over epochs \| no complete runs \|.*\| not run \|/);
    expect(findings).toMatch(/\[Training-stream and test-set.*\| \*\*confirmed\*\* \|/);
    const tables = readFileSync(join(root, 'TABLES.md'), 'utf8');
    expect(tables).toContain('| baseline | 12 | 6 | 0 | 0 |');
    expect(tables).toContain('| train-vs-test | 12 | 3 | 0 | 0 |');
    expect(tables).toContain('| sgd | 1 | 0 | — | 0.9765 |');
    expect(tables).toContain('No runs with the ablation measure yet');
  });

  it('a folder of runs (not of presets) without --html is a usage error naming the alternatives', async () => {
    const err = console.error;
    const lines: string[] = [];
    console.error = (s: string) => lines.push(s);
    try {
      await main(['node', 'sparsity-lab', 'report', join(root, 'baseline')]);
    } finally {
      console.error = err;
    }
    expect(process.exitCode).toBe(2);
    process.exitCode = 0;
    expect(lines.join('\n')).toMatch(/not a results root of preset folders.*--html/);
  });
});
