/** The command line end to end on a tiny run, and its error handling (no subprocess: main() in-process). */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createProgress } from '../../src/cli/progress.js';
import { normalizeConfig } from '../../src/experiments/config.js';

const dirs: string[] = [];
let out: string[] = [];
let err: string[] = [];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  process.exitCode = undefined;
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sl-cli-'));
  dirs.push(d);
  return d;
}

const argv = (...args: string[]) => ['node', 'sparsity-lab', ...args];

describe('sparsity-lab CLI', () => {
  it('runs, resumes, summarises and draws', async () => {
    const dir = join(tempDir(), 'res');
    const flags = ['--optimizers', 'sgd,adam', '--seeds', '1,2', '--epochs', '1', '--hidden', '16', '--train-images', '200', '--test-images', '100'];
    await main(argv(...flags, '--out', dir, '--no-progress', '--figure-format', 'vega-lite'));
    expect(process.exitCode).toBe(0);
    const files = readdirSync(dir);
    expect(files.filter((f) => f.endsWith('.jsonl'))).toHaveLength(4);
    expect(files).toEqual(expect.arrayContaining(['summary.json', 'summary.csv', 'runs.csv', 'report.md', 'figures']));
    expect(readdirSync(join(dir, 'figures')).every((f) => f.endsWith('.vl.json'))).toBe(true);
    expect(out.join('\n')).toMatch(/condition\s+epoch\s+seeds\s+test acc/);
    expect(out.join('\n')).toMatch(/^sgd\s+1\s+2\s+0\.\d{4} ± 0\.\d{4}/m);
    expect(err.join('\n')).toMatch(/\[1\/4\] sgd-784x16x10-b50-s1-/);
    expect(err[0]).toMatch(/gemm kernel wasm-[a-z]+, WebAssembly heap\)$/);

    err = [];
    await main(argv(...flags, '--out', dir, '--no-progress', '--no-figures'));
    expect(process.exitCode).toBe(0);
    expect(err.filter((l) => l.includes('already complete'))).toHaveLength(4);

    rmSync(join(dir, 'summary.csv'));
    await main(argv('summarize', dir));
    expect(existsSync(join(dir, 'summary.csv'))).toBe(true);
    const csv = readFileSync(join(dir, 'summary.csv'), 'utf8').split('\n');
    expect(csv[0].startsWith('label,optimizer,epoch,n,seeds,diverged,train_loss,train_loss_sem')).toBe(true);
  });

  it('reports bad flags as usage errors with exit code 2, before running anything', async () => {
    const dir = join(tempDir(), 'never');
    await main(argv('--optimizers', 'sgd,nadam', '--out', dir));
    expect(process.exitCode).toBe(2);
    expect(err.join('\n')).toBe('error: --optimizers: unknown optimizer "nadam" (known: sgd, adagrad, adadelta, adam, adamw, rmsprop)');
    await main(argv('--epochs', '0', '--out', dir));
    expect(err[1]).toBe('error: --epochs: "0" is not a positive integer (in "0")');
    expect(existsSync(dir)).toBe(false);
    await main(argv('--gemm', 'cuda', '--out', dir));
    expect(err[2]).toMatch(/^error: --gemm: useGemmKernel: unknown kernel 'cuda'; registered: /);
    expect(process.exitCode).toBe(2);
    await main(argv('--memory', 'gpu', '--out', dir));
    expect(err[3]).toBe('error: --memory: expected heap or wasm, got "gpu"');
    expect(process.exitCode).toBe(2);
    await main(argv('--data-dir', join(dir, 'nowhere'), '--out', dir));
    expect(err[4]).toMatch(/^error: .*nowhere: is not a directory/);
    expect(process.exitCode).toBe(1);
    expect(existsSync(dir)).toBe(false);
  });

  it('fails clearly when there is nothing to summarise', async () => {
    await main(argv('summarize', tempDir()));
    expect(process.exitCode).toBe(1);
    expect(err.join('\n')).toMatch(/no runs found in/);
  });
});

describe('progress reporter without a terminal', () => {
  it('logs one line per run start, finished epoch and run end', () => {
    const lines: string[] = [];
    const p = createProgress({ bars: false, log: (l) => lines.push(l) });
    const config = normalizeConfig({ optimizer: 'sgd', epochs: 2 });
    p.runStart({ index: 0, total: 3, id: 'sgd-x', config });
    p.progress({ run: 'sgd-x', epoch: 1, epochs: 2, step: 20, steps: 40, loss: 2, accuracy: NaN });
    p.progress({ run: 'sgd-x', epoch: 1, epochs: 2, step: 40, steps: 40, loss: 1.23456, accuracy: 0.5 });
    p.runEnd({ id: 'sgd-x', config, state: 'done', epochs: 1 });
    p.runEnd({ id: 'sgd-y', config, state: 'skipped', epochs: 2 });
    expect(lines).toEqual([
      '[1/3] sgd-x',
      '  epoch 1/2  train loss 1.2346  test acc 0.5000',
      '  done after 1 epoch',
      'sgd-y: already complete (2 epochs recorded), skipped',
    ]);
  });
});
