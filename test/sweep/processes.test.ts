/**
 * Sweeps as separate processes sharing one results directory, killed at random moments: the results store
 * must come out whole. Each test compares against an uninterrupted serial sweep (records bit for bit, the
 * `seconds` timing field aside). The data is a small synthetic MNIST-shaped set (helpers/tiny-data.ts), so
 * a whole sweep takes about a second; process start-up dominates.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunConfigInput } from '../../src/experiments/config.js';
import { checkLines, killGroup, leftovers, recordsOf, runToEnd, startSweep, type ProcArgs } from './helpers/procs.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'sl-procs-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const base = { hidden: [24], epochs: 6, batchSize: 10, data: { train: { start: 0, end: 600 }, test: { start: 0, end: 200 } } };
const configs: RunConfigInput[] = [];
for (const optimizer of ['adam', 'sgd', 'adadelta', 'adagrad'] as const) for (const seed of [1, 2]) configs.push({ ...base, optimizer, seed });

let reference: Record<string, string>;
beforeAll(async () => {
  const ref = tempDir();
  await runToEnd({ outDir: ref, configs });
  reference = recordsOf(ref);
  expect(Object.keys(reference)).toHaveLength(configs.length);
});

/** Every run complete, each epoch once, no temp/lock/checkpoint file, records equal to the reference. */
function expectWhole(dir: string): void {
  expect(leftovers(dir)).toEqual([]);
  const got = recordsOf(dir);
  for (const [name, text] of Object.entries(got)) expect(checkLines(text, name)).toBe(6);
  expect(got).toEqual(reference);
}

const jsonLines = (dir: string): number => {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.jsonl')) continue;
    try {
      n += readFileSync(join(dir, f), 'utf8').split('\n').length - 1;
    } catch {
      /* renamed meanwhile */
    }
  }
  return n;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Start a sweep and SIGKILL its process group once `lines` more result lines appeared, plus `extraMs`. */
async function killDuringWork(args: ProcArgs, lines: number, extraMs: number): Promise<boolean> {
  const { child, done } = startSweep(args);
  let finished = false;
  void done.then(() => (finished = true));
  const start = jsonLines(args.outDir);
  const t0 = Date.now();
  while (!finished && jsonLines(args.outDir) < start + lines && Date.now() - t0 < 30_000) await sleep(5);
  if (extraMs > 0) await sleep(extraMs);
  const killed = !finished;
  killGroup(child);
  await done;
  return killed;
}

describe('sweeps in several processes on one directory', () => {
  it('two processes started at once finish without errors and train every run exactly once', async () => {
    const dir = tempDir();
    const [a, b] = await Promise.all([runToEnd({ outDir: dir, configs, summary: true }), runToEnd({ outDir: dir, configs, summary: true })]);
    const states = [a, b].map((f) => JSON.parse(f.stdout.trim().split('\n').pop()!) as Array<{ id: string; state: string }>);
    for (const [i, s] of states[0].entries()) {
      expect([s.state, states[1][i].state].sort()).toEqual(['done', 'skipped']);
    }
    expect(a.stderr + b.stderr).not.toMatch(/Error|at /);
    expectWhole(dir);
    expect(existsSync(join(dir, 'summary.csv'))).toBe(true);
  });

  it('a pool of 2 workers gives the serial records', async () => {
    const dir = tempDir();
    await runToEnd({ outDir: dir, configs, workers: 2 });
    expectWhole(dir);
  });

  it('shards 0/2 and 1/2 into one directory give exactly the unsharded records', async () => {
    const dir = tempDir();
    const [a, b] = await Promise.all([0, 1].map((index) => runToEnd({ outDir: dir, configs, shard: { index, count: 2 } })));
    const ids = [a, b].map((f) => (JSON.parse(f.stdout.trim().split('\n').pop()!) as Array<{ id: string }>).map((s) => s.id));
    expect(ids[0].length + ids[1].length).toBe(configs.length);
    expect(ids[0].filter((id) => ids[1].includes(id))).toEqual([]);
    expectWhole(dir);
  });

  it('killing the whole process group at random moments and at every write point, then resuming, loses and duplicates nothing', async () => {
    const dir = tempDir();
    let seed = 12345;
    const rand = (): number => ((seed = (Math.imul(seed, 48271) >>> 0) % 2147483647) / 2147483647);
    let killedMidWork = 0;
    // 14 kills at random moments (after 0–4 more result lines, plus 0–30 ms), half with a pool of 2 workers.
    for (let i = 0; i < 14; i++) {
      const args: ProcArgs = { outDir: dir, configs, workers: i % 2 === 0 ? 1 : 2, summary: true };
      if (await killDuringWork(args, Math.floor(rand() * 5), Math.floor(rand() * 30))) killedMidWork++;
    }
    expect(killedMidWork).toBeGreaterThanOrEqual(12);
    expect(Object.keys(recordsOf(dir)).length).toBeGreaterThan(0);
    // Deterministic kills inside each write: half a checkpoint, a checkpoint not yet renamed, an epoch line, a
    // finished run whose checkpoint is still there, a header not yet renamed.
    for (const [point, workers] of [
      ['checkpoint-write', 1],
      ['checkpoint-rename', 2],
      ['epoch-append', 1],
      ['run-done', 2],
      ['header-rename', 1],
    ] as const) {
      const f = await startSweep({ outDir: dir, configs, workers, summary: true }, { SPARSITY_LAB_CRASH_AT: `${point}:2`, SPARSITY_LAB_CRASH_PGID: 'self' }).done;
      expect(f.signal ?? 'exited').toMatch(/SIGKILL|exited/);
    }
    // Every run is complete by now or soon: kill inside the summary writes too.
    await runToEnd({ outDir: dir, configs });
    for (const point of ['summary-write', 'summary-rename']) {
      const f = await startSweep({ outDir: dir, configs, summary: true }, { SPARSITY_LAB_CRASH_AT: `${point}:2`, SPARSITY_LAB_CRASH_PGID: 'self' }).done;
      expect(f.signal).toBe('SIGKILL');
      expect(readdirSync(dir).some((n) => /\.tmp-\d+$/.test(n))).toBe(true); // the kill left a temporary file …
    }
    await runToEnd({ outDir: dir, configs, summary: true });
    expectWhole(dir); // … which the next process removed
    expect(readFileSync(join(dir, 'summary.csv'), 'utf8').split('\n').length).toBeGreaterThan(4);
  });
});
