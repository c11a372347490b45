/** Specs through the command line, in-process: list, show, dry-run, a small spec end to end with its figures, and user errors. */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { argv, captureCli } from '../helpers/cli.js';
import { presetNames } from '../../src/experiments/presets.js';
import { readResultsDir } from '../../src/experiments/results.js';

const { io, clear, tempDir } = captureCli('sl-spec-');
const { out, err } = io;

describe('sparsity-lab list / show / run --dry-run', () => {
  it('lists every preset with its run count', async () => {
    await main(argv('list'));
    expect(process.exitCode ?? 0).toBe(0);
    const text = out.join('\n');
    for (const name of presetNames()) expect(text).toMatch(new RegExp(`^${name}\\s`, 'm'));
    expect(text).toMatch(/^hyperparameters\s+summative\s+444 \(438\)\s+30\s+\d/m);
  });

  it('shows a preset as JSON', async () => {
    await main(argv('show', 'baseline'));
    expect(JSON.parse(out.join('\n')).name).toBe('baseline');
  });

  it('plans hyperparameters: 444 runs and an hour estimate; --json gives one object per run', async () => {
    await main(argv('run', 'hyperparameters', '--dry-run'));
    expect(out[1]).toMatch(/^444 runs \(438 distinct/);
    expect(out[2]).toMatch(/^estimated CPU time: [\d.]+ h/);
    clear(out);
    await main(argv('run', 'hyperparameters', '--dry-run', '--json'));
    expect(out).toHaveLength(444);
    const first = JSON.parse(out[0]);
    for (const k of ['id', 'experiment', 'condition', 'optimizer', 'seed', 'epochs']) expect(first).toHaveProperty(k);
    expect(first.experiment).toBe('hyperparameters');
  });

  it('turns flags into overrides of a preset and keeps npm start’s plan the baseline', async () => {
    await main(argv('--dry-run', '--json'));
    const flagsIds = out.map((l) => JSON.parse(l).id);
    clear(out);
    await main(argv('run', 'baseline', '--dry-run', '--json'));
    expect(out.map((l) => JSON.parse(l).id)).toEqual(flagsIds);
    clear(out);
    await main(argv('run', 'baseline', 'optimizer.lr=0.01,0.1', '--seeds', '1', '--epochs', '2', '--dry-run', '--json'));
    const runs = out.map((l) => JSON.parse(l));
    expect(runs.map((r) => [r.optimizer, r.config.optimizer.lr, r.seed, r.epochs])).toEqual([
      ['sgd', 0.01, 1, 2], ['sgd', 0.1, 1, 2], ['adagrad', 0.01, 1, 2], ['adagrad', 0.1, 1, 2],
      ['adadelta', 0.01, 1, 2], ['adadelta', 0.1, 1, 2], ['adam', 0.01, 1, 2], ['adam', 0.1, 1, 2],
    ]);
  });
});

describe('a small spec end to end', () => {
  it('trains 1 epoch on 2,000 images, records labels and provenance, and draws its figures', async () => {
    const dir = tempDir();
    const specFile = join(dir, 'tiny.json');
    writeFileSync(
      specFile,
      JSON.stringify({
        name: 'tiny',
        title: 'Tiny learning-rate sweep',
        description: 'two optimizers, two learning rates',
        base: { hidden: [16] },
        axes: [{ path: 'optimizer.name', values: ['sgd', 'adam'] }, { path: 'optimizer.lr', values: [0.01, 0.1] }],
        seeds: [1, 2],
        epochs: 1,
        figures: [{ kind: 'metric-vs-epoch' }, { kind: 'final-vs-param', param: 'optimizer.lr', logX: true }, { kind: 'bars' }],
      }),
    );
    const res = join(dir, 'res');
    await main(argv('run', specFile, '--train-images', '2000', '--test-images', '500', '--out', res, '--no-progress'));
    expect(err.filter((l) => l.startsWith('error') || l.includes('FAILED'))).toEqual([]);
    expect(process.exitCode).toBe(0);
    const { runs } = readResultsDir(res);
    expect(runs).toHaveLength(8);
    for (const r of runs) {
      expect(r.header.experiment).toBe('tiny');
      expect(r.header.condition).toMatch(/^lr=0\.(01|1)$/);
      const p = r.header.provenance!;
      expect(p.library_version).toMatch(/^\d+\.\d+\.\d+/);
      expect(p.git_commit === null || /^[0-9a-f]{40}$/.test(p.git_commit)).toBe(true);
      expect(p.node).toBe(process.versions.node);
      expect(p.v8).toBe(process.versions.v8);
      expect(p.gemm_kernel).toBe(r.header.gemm_kernel);
      expect(Array.isArray(p.command_line)).toBe(true);
      expect(new Date(p.started_utc).toISOString()).toBe(p.started_utc);
      expect(r.epochs).toHaveLength(1);
    }
    const figures = readdirSync(join(res, 'figures'));
    expect(figures).toEqual(expect.arrayContaining(['accuracy_sparsity_selectivity.svg', 'tiny-1-final-vs-optimizer_lr.svg', 'tiny-2-bars.svg']));
    // final value against the swept lr: log x, one line per optimizer in its fixed colour (sgd blue, adam red)
    const svg = readFileSync(join(res, 'figures', 'tiny-1-final-vs-optimizer_lr.svg'), 'utf8');
    expect(svg).toContain('#4c78a8');
    expect(svg).toContain('#e45756');
    const report = readFileSync(join(res, 'report.md'), 'utf8');
    expect(report.split('\n')[0]).toBe('# Tiny learning-rate sweep');
    expect(report).toContain('figures/tiny-1-final-vs-optimizer_lr.svg');
  }, 120_000);
});

describe('user mistakes: one line on stderr, exit code 2, nothing written', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['an unknown preset', ['run', 'nosuch'], /^error: preset "nosuch": no such preset \(presets: .*baseline/],
    ['a bad override', ['run', 'baseline', 'optimizer.lr=-1', '--dry-run'], /^error: spec baseline: .*optimizer\.lr: expected a finite number ≥ 0, got -1/],
    ['a malformed override', ['run', 'baseline', 'lr'], /^error: override "lr": expected path=value/],
    ['an unknown model kind', ['run', 'baseline', 'model.kind=rnn'], /^error: .*model\.kind: .*"rnn"/],
    ['a spec file that is not JSON', ['run', '/nonexistent/x.json'], /^error: spec file \/nonexistent\/x\.json: cannot be read/],
    ['--json without --dry-run', ['run', 'baseline', '--json'], /^error: --json: only with --dry-run/],
    ['an unknown flag', ['--bogus'], /./],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      await main(argv(...args));
      expect(process.exitCode).toBe(2);
      if (args[0] !== '--bogus') {
        expect(err).toHaveLength(1);
        expect(err[0]).toMatch(message);
      }
    });
  }

  it('sizes are checked up front, naming the flag', async () => {
    const out1 = join(tempDir(), 'never');
    await main(argv('--train-images', '70000', '--out', out1));
    expect(process.exitCode).toBe(2);
    expect(err.at(-1)).toMatch(/^error: --train-images: 70000 is more than the 60000 training images/);
    await main(argv('--hidden', '200000', '--out', out1));
    expect(err.at(-1)).toMatch(/^error: --hidden: a 784-200000-10 network at batch 50 needs about [\d.]+ GiB/);
    await main(argv('--train-images', '100', '--batch-size', '200', '--out', out1));
    expect(err.at(-1)).toMatch(/^error: --batch-size: 200 is more than the 100 training images/);
    expect(existsSync(out1)).toBe(false);
  });

  it('figures and summarize on a missing, empty or corrupt directory', async () => {
    const dir = tempDir();
    await main(argv('figures', join(dir, 'missing')));
    expect(process.exitCode).toBe(2);
    expect(err.at(-1)).toMatch(/missing: no such results directory$/);
    mkdirSync(join(dir, 'empty'));
    await main(argv('summarize', join(dir, 'empty')));
    expect(err.at(-1)).toMatch(/empty: no runs found/);
    mkdirSync(join(dir, 'corrupt'));
    writeFileSync(join(dir, 'corrupt', 'foreign.jsonl'), 'not json at all\n');
    await main(argv('figures', join(dir, 'corrupt')));
    expect(process.exitCode).toBe(2);
    expect(err.at(-1)).toMatch(/^error: .*corrupt: cannot read the results: /);
    expect(readdirSync(join(dir, 'corrupt'))).toEqual(['foreign.jsonl']);
  });

  it('--verbose adds the stack', async () => {
    await main(argv('run', 'nosuch', '--verbose'));
    expect(process.exitCode).toBe(2);
    expect(err[0]).toMatch(/^error: preset "nosuch"/);
    expect(err[1]).toMatch(/SpecError|UsageError/);
  });
});
