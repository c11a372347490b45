/** Sweeps into a results directory: files, resume, divergence inside a sweep, and up-front validation. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/data/index.js';
import { runId, normalizeConfig, type RunConfigInput } from '../../src/experiments/config.js';
import { writeSummaryFiles } from '../../src/experiments/export.js';
import { readResultsDir, readRun, runFile } from '../../src/experiments/results.js';
import type { RunData } from '../../src/experiments/runner.js';
import { runSweep } from '../../src/experiments/sweep.js';
import { getFloat32Allocator, wasmHeap } from '../../src/tensor/index.js';
import { expectSameUpToRounding } from '../helpers/timing.js';

let data: RunData;
beforeAll(() => {
  const m = loadMnist();
  data = { train: m.train, test: m.test };
});

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sl-sweep-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const cfg = (over: Partial<RunConfigInput>): RunConfigInput => ({
  optimizer: 'adam',
  hidden: [16],
  epochs: 2,
  data: { train: { start: 0, end: 300 }, test: { start: 0, end: 100 } },
  ...over,
});

// timing fields: each epoch's seconds and the header's start time (provenance.started_utc)
const stripSeconds = (text: string) => text.replace(/"(train_|eval_)?seconds":[0-9.e+-]+/g, '"$1seconds":0').replace(/"started_utc":"[^"]*"/g, '"started_utc":""');


describe('runSweep', () => {
  it('writes one file per run, skips complete runs, and re-runs an interrupted one identically', async () => {
    const dir = tempDir();
    const configs = [cfg({ seed: 1 }), cfg({ seed: 2 }), cfg({ optimizer: 'sgd', seed: 1 })];
    const first = await runSweep(configs, { outDir: dir, data });
    expect(first.map((s) => s.state)).toEqual(['done', 'done', 'done']);
    const ids = configs.map((c) => runId(normalizeConfig(c)));
    expect(readdirSync(dir).sort()).toEqual(ids.map((id) => `${id}.jsonl`).sort());
    const original = readFileSync(runFile(dir, ids[1]), 'utf8');

    const again = await runSweep(configs, { outDir: dir, data });
    expect(again.map((s) => s.state)).toEqual(['skipped', 'skipped', 'skipped']);

    // Simulate a crash during run 2's second epoch: keep its header and first epoch line only.
    const lines = original.split('\n');
    writeFileSync(runFile(dir, ids[1]), `${lines[0]}\n${lines[1]}\n`);
    const notes: string[] = [];
    const resumed = await runSweep(configs, { outDir: dir, data, onRunStart: (i) => notes.push(i.note ?? '') });
    expect(resumed.map((s) => s.state)).toEqual(['skipped', 'done', 'skipped']);
    expect(notes).toEqual(['re-running: 1 of 2 epochs were recorded, no checkpoint']);
    expect(stripSeconds(readFileSync(runFile(dir, ids[1]), 'utf8'))).toBe(stripSeconds(original));

    // --force re-runs everything.
    const forced = await runSweep(configs.slice(0, 1), { outDir: dir, data, force: true });
    expect(forced[0].state).toBe('done');
  });

  it('gives a run the same numbers inside a sweep and alone', async () => {
    const sweepDir = tempDir();
    const aloneDir = tempDir();
    const configs = [cfg({ optimizer: 'sgd', seed: 1234 }), cfg({ seed: 100 }), cfg({ seed: 1234 })];
    await runSweep(configs, { outDir: sweepDir, data });
    await runSweep([configs[2]], { outDir: aloneDir, data });
    const id = runId(normalizeConfig(configs[2]));
    expect(stripSeconds(readFileSync(runFile(aloneDir, id), 'utf8'))).toBe(stripSeconds(readFileSync(runFile(sweepDir, id), 'utf8')));
  });

  it('records a diverging run as diverged and carries on; the summary leaves it out and counts it', async () => {
    const dir = tempDir();
    const configs = [cfg({ optimizer: { name: 'sgd', lr: 1e38 }, seed: 1 }), cfg({ optimizer: { name: 'sgd', lr: 1e38 }, seed: 2 }), cfg({ seed: 1 })];
    const statuses = await runSweep(configs, { outDir: dir, data });
    expect(statuses.map((s) => s.state)).toEqual(['diverged', 'diverged', 'done']);
    expect(statuses[0].message).toMatch(/^train loss (NaN|Infinity) at step \d+ of epoch 1$/);
    const run = readRun(dir, statuses[0].id)!;
    expect(run.diverged).not.toBeNull();
    // A diverged run is complete: it is not re-run.
    expect((await runSweep(configs, { outDir: dir, data })).map((s) => s.state)).toEqual(['skipped', 'skipped', 'skipped']);

    const { summary, files } = writeSummaryFiles(dir);
    const sgd = summary.groups.find((g) => g.group.optimizer === 'sgd')!;
    expect(sgd.runs.every((r) => r.diverged !== null)).toBe(true);
    // No epoch finished: the condition still has a row (issue 11: never silently dropped), with no seeds, both
    // counted as diverged, and undefined (NaN) means rather than made-up numbers.
    const rows = summary.rows.filter((r) => r.hash === sgd.hash);
    expect(rows.map((r) => [r.epoch, r.seeds, r.diverged, r.metrics.test_acc.n])).toEqual([[1, [], 2, 0]]);
    expect(rows[0].metrics.test_acc.mean).toBeNaN();
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['summary.json', 'summary.csv', 'runs.csv']);
    const json = JSON.parse(readFileSync(files[0], 'utf8'));
    expect(json.groups).toHaveLength(2);
    expect(readFileSync(files[2], 'utf8')).toMatch(/train loss (NaN|Infinity) at step/);
  });

  it('validates every configuration before running any, writing nothing', async () => {
    const dir = tempDir();
    await expect(runSweep([cfg({ seed: 1 }), cfg({ batchSize: -5 })], { outDir: dir, data })).rejects.toThrow(/batchSize: expected a positive integer, got -5/);
    await expect(runSweep([cfg({ seed: 1 }), cfg({ seed: 1 })], { outDir: dir, data })).rejects.toThrow(/configurations 0 and 1 are the same run/);
    await expect(runSweep([cfg({ seed: 1 }), cfg({ optimizer: { name: 'adadelta', rho: 1.5 } })], { outDir: dir, data })).rejects.toThrow(
      /optimizer\.rho: expected a finite number in \[0, 1\], got 1\.5/,
    );
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  it('with wasmMemory, keeps the WebAssembly heap flat across runs: every run frees what it took', async () => {
    const dir = tempDir();
    const heap = wasmHeap();
    const after: Array<{ inUse: number; size: number; state: string }> = [];
    const runs = [
      cfg({ seed: 1 }),
      cfg({ seed: 2, optimizer: 'sgd' }),
      cfg({ seed: 3, optimizer: { name: 'sgd', lr: 1e38 } }), // diverges
      cfg({ seed: 4, optimizer: 'adagrad' }),
      cfg({ seed: 5, data: { train: { start: 0, end: 99999 } } }), // fails
      cfg({ seed: 6, optimizer: 'adadelta' }),
      cfg({ seed: 7 }),
    ];
    const statuses = await runSweep(runs, {
      outDir: dir,
      data,
      wasmMemory: true,
      onRunEnd: (status) => after.push({ inUse: heap.bytesInUse, size: heap.byteLength, state: status.state }),
    });
    expect(statuses.map((s) => s.state)).toEqual(['done', 'done', 'diverged', 'done', 'failed', 'done', 'done']);
    // After the first run only the gemm kernel's scratch regions stay (allocated once, reused); the runs'
    // nets, buffers and optimizer state are all back in the free list.
    for (const a of after.slice(1)) expect(a).toMatchObject({ inUse: after[0].inUse, size: after[0].size });
    expect(getFloat32Allocator().name).toBe('heap');
    // Same numbers as a sweep on the JS heap, up to float32 rounding order.
    const plainDir = tempDir();
    await runSweep([runs[0], runs[6]], { outDir: plainDir, data });
    for (const r of [runs[0], runs[6]]) {
      const id = runId(normalizeConfig(r));
      const lines = (d: string) => stripSeconds(readFileSync(runFile(d, id), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
      expectSameUpToRounding(lines(dir), lines(plainDir));
    }
  });

  it('reports a run that throws as failed and goes on', async () => {
    const dir = tempDir();
    const statuses = await runSweep([cfg({ data: { train: { start: 0, end: 99999 } } }), cfg({ seed: 3 })], { outDir: dir, data });
    expect(statuses.map((s) => s.state)).toEqual(['failed', 'done']);
    expect(statuses[0].message).toMatch(/reaches past the 60000 images/);
    expect(readResultsDir(dir).runs).toHaveLength(1);
  });
});
