/**
 * A list of runs into a results directory, one file per run (results.ts), crash-safe and resumable, on one
 * core, on every core, or split between any number of processes and machines:
 *
 * - every configuration is validated before the first run starts (fields, then the optimizer class's own
 *   checks of its option values), and two configurations with the same run id are an error (they would
 *   write the same file);
 * - the plan (the configurations in the order given) can be sharded: `shard: { index: i, count: n }` takes
 *   the runs whose plan index ≡ i (mod n) (src/sweep/shard.ts);
 * - each run is handled by runOne (src/sweep/run-one.ts): it takes the run's lock file or leaves the run to
 *   the process holding it; skips a complete run; resumes an incomplete one from its per-epoch checkpoint
 *   (same bits as an uninterrupted run); appends fsync'd epoch lines; removes the checkpoint at the end;
 * - with `workers` > 1 the runs are trained in that many child processes (src/sweep/pool.ts), each loading
 *   the data from `dataSource`;
 * - runs held by other processes are waited for (`waitForOthers`, default true): when a lock disappears
 *   the run is looked at again, so it is skipped when its owner completed it and taken over when its owner
 *   died. Processes sharing a directory thus split the work and each ends with every run of its share done;
 * - a run that diverges is recorded as diverged and the sweep goes on; a run that throws is reported as
 *   failed (its file stays incomplete, so the next sweep retries it) and the sweep goes on;
 * - an aborted signal stops the sweep between steps, leaving the current runs resumable.
 *
 * With `wasmMemory` every run allocates in the WebAssembly heap (runner.ts) and frees it all when it ends,
 * however it ends, so the heap stays at the size of one run however long the sweep.
 */
import { activeGemmKernel } from '../tensor/index.js';
import { loadDataSource, type DataSource } from '../sweep/data-source.js';
import { Pool } from '../sweep/pool.js';
import { runOne, type RunOneOptions, type SweepRunStatus } from '../sweep/run-one.js';
import { checkShard, shardPlan, type Shard } from '../sweep/shard.js';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDirs } from '../sweep/atomic.js';
import { checkpointPath } from '../sweep/checkpoint.js';
import { isComplete, readRun } from './results.js';
import { configHash, normalizeConfig, runId, type RunConfig, type RunConfigInput } from './config.js';
import { checkOptimizerConfig } from './optimizers.js';
import type { RunData, RunLabels, RunOutcome, RunProgress } from './runner.js';

export type { RunState, SweepRunStatus } from '../sweep/run-one.js';

export interface RunStartInfo {
  index: number;
  total: number;
  id: string;
  config: RunConfig;
  note?: string;
  /** The pool worker training it (0 without a pool). */
  worker: number;
}

export interface SweepOptions {
  outDir: string;
  /** The data, for runs in this process. Without it, `dataSource` is loaded (default: MNIST). */
  data?: RunData;
  /** Where pool workers (and this process, without `data`) load the data from. Default `{ kind: 'mnist' }`. */
  dataSource?: DataSource;
  /** Re-run complete runs too (default false). */
  force?: boolean;
  /** Resume runs recorded with another gemm kernel (default false: such a run fails naming both kernels). */
  forceKernel?: boolean;
  /** Keep each run's final checkpoint (default false). */
  keepCheckpoint?: boolean;
  /** Child processes training runs in parallel (default 1: in this process). */
  workers?: number;
  /** Node flags for pool workers (default: this process's, see pool.ts). */
  workerExecArgv?: string[];
  /** Extra environment for pool workers. */
  workerEnv?: NodeJS.ProcessEnv;
  /** Only the runs of this shard (plan index ≡ index mod count). */
  shard?: Shard | null;
  /** Wait for runs held by other processes and take over those whose owner died (default true). */
  waitForOthers?: boolean;
  /** How often to look at runs held by others (default 1000 ms). */
  pollMs?: number;
  signal?: AbortSignal;
  onRunStart?: (info: RunStartInfo) => void;
  /** `outcome` is given for runs trained in this process (workers ≤ 1), else null. */
  onRunEnd?: (status: SweepRunStatus, outcome: RunOutcome | null, worker: number) => void;
  onProgress?: (progress: RunProgress, worker: number) => void;
  /** Each run's float32 storage in the WebAssembly heap (RunOptions.wasmMemory). Default false. */
  wasmMemory?: boolean;
  /** Experiment/condition labels by run id, recorded in each run's header (a spec's plan, src/experiments/spec.ts). */
  labels?: ReadonlyMap<string, RunLabels>;
}

export function planSweep(inputs: ReadonlyArray<RunConfigInput | RunConfig>): Array<{ id: string; config: RunConfig }> {
  const plan = inputs.map((c) => {
    const config = normalizeConfig(c);
    checkOptimizerConfig(config.optimizer);
    return { id: runId(config), config };
  });
  const seen = new Map<string, number>();
  plan.forEach((p, i) => {
    if (seen.has(p.id)) throw new Error(`runSweep: configurations ${seen.get(p.id)} and ${i} are the same run (${p.id})`);
    seen.set(p.id, i);
  });
  return plan;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done);
  });

/**
 * Create `dir` if needed and check that files can be created in it (a probe file, removed at once); throws
 * naming the directory and the system's reason. Run before any training, so an unwritable results directory
 * (read-only, /proc, a file in the way) fails in milliseconds rather than after the first epoch or never.
 */
export function checkResultsDirWritable(dir: string): void {
  try {
    makeDirs(dir);
    const probe = join(dir, `.write-probe-${process.pid}-${Date.now()}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    throw new Error(`cannot write results into ${dir}: ${(e as Error).message}`);
  }
}

export async function runSweep(inputs: ReadonlyArray<RunConfigInput | RunConfig>, options: SweepOptions): Promise<SweepRunStatus[]> {
  const plan = planSweep(inputs);
  checkResultsDirWritable(options.outDir);
  if (options.shard) checkShard(options.shard);
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`runSweep: workers must be a positive integer, got ${workers}`);
  const mine = shardPlan(plan, options.shard);
  const total = plan.length;
  const statuses = new Map<string, SweepRunStatus>();
  const common: Omit<RunOneOptions, 'data'> = {
    outDir: options.outDir,
    ...(options.force && { force: true }),
    ...(options.forceKernel && { forceKernel: true }),
    ...(options.keepCheckpoint && { keepCheckpoint: true }),
    ...(options.wasmMemory && { wasmMemory: true }),
  };
  const indexOf = new Map(mine.map((m) => [m.item.id, m.index]));
  const end = (status: SweepRunStatus, outcome: RunOutcome | null, worker: number): void => {
    if (status.state === 'busy') return;
    statuses.set(status.id, status);
    options.onRunEnd?.(status, outcome, worker);
  };

  let pass: (items: Array<{ id: string; config: RunConfig }>, forced: boolean) => Promise<SweepRunStatus[]>;
  let pool: Pool | null = null;
  if (workers > 1 && mine.length > 0) {
    pool = new Pool(
      {
        size: Math.min(workers, mine.length),
        dataSource: options.dataSource ?? { kind: 'mnist' },
        gemmKernel: activeGemmKernel().name,
        ...(options.workerExecArgv && { execArgv: options.workerExecArgv }),
        ...(options.workerEnv && { env: options.workerEnv }),
      },
      {
        onStart: (worker, info) => options.onRunStart?.({ ...info, index: indexOf.get(info.id) ?? 0, total, worker }),
        onProgress: (worker, p) => options.onProgress?.(p, worker),
        onEnd: (worker, status) => end(status, null, worker),
      },
    );
    const p = pool;
    const labelled = (items: Array<{ id: string; config: RunConfig }>) => items.map((i) => ({ ...i, ...(options.labels?.has(i.id) && { labels: options.labels.get(i.id) }) }));
    pass = async (items, forced) => (await p.runAll(labelled(items), { ...common, force: forced }, options.signal)).filter((s): s is SweepRunStatus => s !== null);
  } else {
    let data = options.data ?? null;
    pass = async (items, forced) => {
      data ??= await loadDataSource(options.dataSource ?? { kind: 'mnist' });
      const out: SweepRunStatus[] = [];
      for (const item of items) {
        if (options.signal?.aborted) break;
        const { status, outcome } = await runOne(item.id, item.config, {
          ...common,
          force: forced,
          data,
          ...(options.labels?.has(item.id) && { labels: options.labels.get(item.id) }),
          ...(options.signal && { signal: options.signal }),
          onStart: (info) => options.onRunStart?.({ ...info, index: indexOf.get(info.id) ?? 0, total, worker: 0 }),
          ...(options.onProgress && { onProgress: (p: RunProgress) => options.onProgress!(p, 0) }),
        });
        end(status, outcome, 0);
        out.push(status);
        if (status.state === 'aborted') break;
      }
      return out;
    };
  }

  // Complete runs are skipped here, without a lock (a complete file only changes with --force) and without
  // starting a pool worker for them.
  let todo = mine.map((m) => m.item);
  if (pool && !options.force) {
    todo = todo.filter((item) => {
      let existing = null;
      try {
        existing = readRun(options.outDir, item.id);
      } catch {
        return true; // unreadable: runOne re-runs it and says why
      }
      if (!existing || existing.header.config_hash !== configHash(item.config) || !isComplete(existing)) return true;
      if (options.keepCheckpoint !== true && existsSync(checkpointPath(options.outDir, item.id))) return true; // runOne tidies it
      end({ id: item.id, config: item.config, state: 'skipped', epochs: existing.epochs.length, message: 'already complete' }, null, 0);
      return false;
    });
  }
  try {
    let pending = (await pass(todo, options.force === true)).filter((s) => s.state === 'busy').map((s) => ({ id: s.id, config: s.config }));
    // A run another process holds is looked at again (never forced: its owner may have completed it).
    while (pending.length > 0 && options.waitForOthers !== false && !options.signal?.aborted) {
      await sleep(options.pollMs ?? 1000, options.signal);
      if (options.signal?.aborted) break;
      pending = (await pass(pending, false)).filter((s) => s.state === 'busy').map((s) => ({ id: s.id, config: s.config }));
    }
    for (const p of pending) {
      if (!statuses.has(p.id)) statuses.set(p.id, { ...p, state: 'busy', epochs: 0, message: 'another process holds its lock' });
    }
  } finally {
    await pool?.close();
  }
  return mine.map((m) => statuses.get(m.item.id)).filter((s): s is SweepRunStatus => s !== undefined);
}
