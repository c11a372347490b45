/** The command line end to end on a tiny run, and its error handling (no subprocess: main() in-process). */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { argv, captureCli } from '../helpers/cli.js';
import { createProgress } from '../../src/cli/progress.js';
import { normalizeConfig } from '../../src/experiments/config.js';

const { io, clear, tempDir } = captureCli('sl-cli-');
const { out, err } = io;

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

    clear(err);
    await main(argv(...flags, '--out', dir, '--no-progress', '--no-figures'));
    expect(process.exitCode).toBe(0);
    expect(err.filter((l) => l.includes('already complete'))).toHaveLength(4);

    rmSync(join(dir, 'summary.csv'));
    await main(argv('summarize', dir));
    expect(existsSync(join(dir, 'summary.csv'))).toBe(true);
    const csv = readFileSync(join(dir, 'summary.csv'), 'utf8').split('\n');
    expect(csv[0].startsWith('label,optimizer,epoch,n,seeds,diverged,failed_to_train,train_loss,train_loss_sem')).toBe(true);
  });

  it('reports bad flags as usage errors with exit code 2, before running anything', async () => {
    const dir = join(tempDir(), 'never');
    await main(argv('--optimizers', 'sgd,nadam', '--out', dir));
    expect(process.exitCode).toBe(2);
    expect(err.join('\n')).toBe('error: --optimizers: unknown optimizer "nadam" (known: sgd, adagrad, adadelta, adam, adamw, rmsprop, adagradk, adadeltak)');
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
    expect(process.exitCode).toBe(2); // a user's mistake (policy: one line, exit 2);
    expect(existsSync(dir)).toBe(false);
  });

  it('--sampler and optimizer flags reach the results header, the run id hash and the labels', async () => {
    const dir = join(tempDir(), 'sorted');
    const flags = ['--optimizers', 'sgd', '--seeds', '1', '--epochs', '1', '--hidden', '16', '--train-images', '2000', '--test-images', '500'];
    await main(argv(...flags, '--sampler', 'sorted', '--lr', '0.05', '--out', dir, '--no-progress', '--figure-format', 'vega-lite'));
    expect(process.exitCode).toBe(0);
    const runs = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
    expect(runs).toHaveLength(1);
    const header = JSON.parse(readFileSync(join(dir, runs[0]), 'utf8').split('\n')[0]);
    expect(header.type).toBe('header');
    expect(header.config.sampler).toEqual({ kind: 'sorted' });
    expect(header.config.optimizer).toMatchObject({ name: 'sgd', lr: 0.05 });
    expect(readFileSync(join(dir, 'report.md'), 'utf8').split('\n')[0]).toBe('# Baseline settings with sampler sorted, lr 0.05');

    // A second learning rate into the same directory: a new run (new hash), and the labels tell them apart.
    await main(argv(...flags, '--sampler', 'sorted', '--out', dir, '--no-progress', '--no-figures'));
    expect(process.exitCode).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.jsonl'))).toHaveLength(2);
    const text = out.join('\n');
    expect(text).toMatch(/^sgd lr=0\.05\s+1\s+1\s/m);
    expect(text).toMatch(/^sgd lr=0\.1\s+1\s+1\s/m);
  });

  it('rejects bad --sampler and optimizer flags with exit code 2 before loading data or running', async () => {
    const dir = join(tempDir(), 'never');
    const nodata = ['--data-dir', join(dir, 'nowhere'), '--out', dir];
    await main(argv('--sampler', 'consecutive:10', '--batch-size', '50', ...nodata));
    expect(process.exitCode).toBe(2);
    expect(err[0]).toBe('error: --sampler consecutive:10 trains with batch size 1 (Sec. 5.7), but --batch-size is 50: drop --batch-size or set it to 1');
    await main(argv('--optimizers', 'sgd', '--rho', '0.5', ...nodata));
    expect(process.exitCode).toBe(2);
    expect(err[1]).toBe('error: --rho does not apply to sgd (it is an option of adadelta, adadeltak); drop --rho or list only optimizers that take it in --optimizers');
    await main(argv('--sampler', 'shuffle', ...nodata));
    expect(err[2]).toMatch(/^error: --sampler: expected shuffled, sequential, sorted, .* got "shuffle"$/);
    expect(process.exitCode).toBe(2);
    expect(err).toHaveLength(3);
    expect(existsSync(dir)).toBe(false);
  });

  it('fails clearly when there is nothing to summarise', async () => {
    await main(argv('summarize', tempDir()));
    expect(process.exitCode).toBe(2);
    expect(err.join('\n')).toMatch(/^error: .*: no runs found/);
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
