import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  isComplete,
  parseResults,
  readResultsDir,
  readRun,
  recordToJson,
  runFile,
  RunWriter,
} from '../../src/experiments/results.js';
import { diverged, epoch, header, layer } from './fixtures.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sl-results-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const lines = (...records: object[]): string => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('RunWriter and the file format', () => {
  it('writes a header line, then one line per epoch, and reads them back', () => {
    const dir = tempDir();
    const h = header({ optimizer: 'adam', epochs: 2 });
    const w = new RunWriter(dir, h);
    const e1 = epoch(h.run, 1, 0.9);
    w.epoch(e1);
    w.epoch(epoch(h.run, 2, 0.95));
    w.close();
    expect(w.path).toBe(runFile(dir, h.run));
    const text = readFileSync(w.path, 'utf8');
    const rows = text.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({ run: h.run, type: 'header', seed: 1, version: '0.0.0-test', config: { optimizer: { name: 'adam' } } });
    // The epoch line carries exactly the fields (plus "type").
    expect(Object.keys(rows[1])).toEqual(['run', 'type', 'epoch', 'train_loss', 'test_loss', 'test_acc', 'layers', 'seconds']);
    expect(Object.keys(rows[1].layers[0])).toEqual(['sparsity_mean', 'sparsity_std', 'selectivity_mean', 'selectivity_std', 'activation_sum']);
    const back = readRun(dir, h.run)!;
    expect(back.header).toEqual(h);
    expect(back.epochs[0]).toEqual(e1);
    expect(isComplete(back)).toBe(true);
    expect(() => w.epoch(e1)).toThrow(/already closed/);
  });

  it('writes non-finite numbers as null, never as a number', () => {
    const h = header({ optimizer: 'sgd' });
    const json = recordToJson({ ...epoch(h.run, 1, 0.5), layers: [{ ...layer(NaN, 0.2), selectivity_std: Infinity }] });
    expect(json).toContain('"sparsity_mean":null');
    expect(json).toContain('"selectivity_std":null');
  });

  it('marks a run complete when every epoch is in, or it diverged', () => {
    const h = header({ optimizer: 'sgd', epochs: 3 });
    const partial = parseResults(lines(h, epoch(h.run, 1, 0.5))).runs[0];
    expect(isComplete(partial)).toBe(false);
    const div = parseResults(lines(h, epoch(h.run, 1, 0.5), diverged(h.run, 2))).runs[0];
    expect(isComplete(div)).toBe(true);
    expect(div.diverged?.reason).toBe('train loss NaN at step 3 of epoch 2');
  });
});

describe('parseResults validation', () => {
  const h = header({ optimizer: 'sgd', epochs: 3 });

  it('names the file, line and problem', () => {
    expect(() => parseResults(lines(h, { ...epoch(h.run, 1, 0.5), test_acc: 'high' }), 'r.jsonl')).toThrow(
      'r.jsonl:2: field "test_acc": expected a number, got "high"',
    );
    expect(() => parseResults(lines(epoch(h.run, 1, 0.5)), 'r.jsonl')).toThrow(`r.jsonl:1: an epoch line for run ${h.run} comes before its header`);
    expect(() => parseResults(lines(h, epoch(h.run, 2, 0.5)), 'r.jsonl')).toThrow(`r.jsonl:2: run ${h.run}: expected epoch 1, got epoch 2`);
    expect(() => parseResults(lines(h, { ...epoch(h.run, 1, 0.5), type: 'checkpoint' }), 'f')).toThrow('f:2: field "type": expected "header", "epoch" or "diverged", got "checkpoint"');
    expect(() => parseResults(lines(h, diverged(h.run, 1), epoch(h.run, 1, 0.5)), 'f')).toThrow(`f:3: an epoch line for run ${h.run} follows its diverged line`);
    expect(() => parseResults(lines({ ...h, seed: 5 }), 'f')).toThrow('f:1: field "seed" (5) differs from config.seed (1)');
    expect(() => parseResults(lines(h, { ...epoch(h.run, 1, 0.5), layers: [{ ...layer(0.5, 0.5), sparsity_std: 'x' }] }), 'f')).toThrow(
      'f:2: field "layers[0].sparsity_std": expected a number or null, got "x"',
    );
    const four = lines(h, epoch(h.run, 1, 0.5), epoch(h.run, 2, 0.5), epoch(h.run, 3, 0.5), epoch(h.run, 4, 0.5));
    expect(() => parseResults(four, 'f')).toThrow(`f:5: run ${h.run}: epoch 4 is past the configured 3 epochs`);
  });

  it('rejects broken JSON in the middle but ignores (and reports) a truncated last line', () => {
    const text = lines(h, epoch(h.run, 1, 0.5));
    expect(() => parseResults(`${JSON.stringify(h)}\n{"run": \n${JSON.stringify(epoch(h.run, 1, 0.5))}\n`, 'f')).toThrow(/^f:2: not valid JSON/);
    const cut = text + JSON.stringify(epoch(h.run, 2, 0.5)).slice(0, 30);
    const parsed = parseResults(cut, 'f');
    expect(parsed.runs[0].epochs).toHaveLength(1);
    expect(parsed.warnings).toEqual(['f:3: ignored a truncated last line (the run was interrupted while writing it)']);
  });

  it('lets a repeated header restart the run (an earlier, interrupted attempt is dropped)', () => {
    const text = lines(h, epoch(h.run, 1, 0.1), h, epoch(h.run, 1, 0.7), epoch(h.run, 2, 0.8));
    const { runs } = parseResults(text);
    expect(runs).toHaveLength(1);
    expect(runs[0].epochs.map((e) => e.test_acc)).toEqual([0.7, 0.8]);
  });

  it('reads several runs from one text and from a directory, rejecting one run in two files', () => {
    const dir = tempDir();
    const a = header({ optimizer: 'sgd', epochs: 1 });
    const b = header({ optimizer: 'adam', epochs: 1 });
    writeFileSync(join(dir, 'x.jsonl'), lines(a, b, epoch(a.run, 1, 0.5), epoch(b.run, 1, 0.6)));
    writeFileSync(join(dir, 'notes.txt'), 'not results');
    const { runs } = readResultsDir(dir);
    expect(runs.map((r) => r.header.run)).toEqual([a.run, b.run]);
    writeFileSync(join(dir, 'y.jsonl'), lines(a));
    expect(() => readResultsDir(dir)).toThrow(`readResultsDir: run ${a.run} is in both ${join(dir, 'x.jsonl')} and ${join(dir, 'y.jsonl')}`);
    expect(() => readResultsDir(join(dir, 'missing'))).toThrow(/no such directory/);
    expect(readRun(dir, 'nope')).toBeNull();
  });
});
