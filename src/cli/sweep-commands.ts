/**
 * The command-line side of the sweep engine (issue 11): the `--workers`, `--shard`, `--keep-checkpoint`,
 * `--force-kernel`, `--no-wait` options of a sweep, and the commands
 *
 *   sparsity-lab sweep <spec> [--out DIR] [--workers N] [--shard i/n]   run a spec's runs (what Slurm tasks run)
 *   sparsity-lab slurm <spec> [--shards N] [--throttle K] …           write an sbatch job-array script
 *   sparsity-lab enqueue <spec> --redis URL [--out DIR]                 one BullMQ job per run
 *   sparsity-lab worker --redis URL [--concurrency N]                    train queued runs in child processes
 *
 * A <spec> is resolved by the function given to {@link registerSweepCommands}; without one, it is a JSON file
 * holding an array of run configurations or `{ "out": DIR, "runs": [ … ] }`.
 */
import { availableParallelism } from 'node:os';
import { readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, Option } from 'commander';
import type { RunConfigInput } from '../experiments/config.js';
import { writeSummaryFiles } from '../experiments/export.js';
import { planSweep, runSweep, type SweepOptions } from '../experiments/sweep.js';
import { activeGemmKernel, useGemmKernel, wasmMemoryAvailable } from '../tensor/index.js';
import type { DataSource } from '../sweep/data-source.js';
import { createSweepProgress } from '../sweep/progress.js';
import { enqueueRuns, QueueDependencyError, runQueueWorker } from '../sweep/queue.js';
import { parseShard, shardFromEnv, type Shard } from '../sweep/shard.js';
import { slurmScript } from '../sweep/slurm.js';
import { chooseMemory, UsageError } from './args.js';
import { makeDirs } from '../sweep/atomic.js';

export interface SweepFlags {
  workers?: string;
  shard?: string;
  keepCheckpoint?: boolean;
  forceKernel?: boolean;
  wait?: boolean;
}

/** The pool/shard/resume options of a sweep command. */
export function addSweepOptions(cmd: Command): Command {
  return cmd
    .option('--workers <n>', `runs trained at once, each in its own process [default: all cores, ${availableParallelism()} here]`)
    .option('--shard <i/n>', 'only the planned runs whose index ≡ i (mod n) [default: from SLURM_ARRAY_TASK_ID/COUNT or JOB_COMPLETION_INDEX, else all]')
    .option('--keep-checkpoint', 'keep each run’s final checkpoint (<run>.ckpt) instead of removing it')
    .option('--force-kernel', 'resume runs recorded with another gemm kernel (mixes kernels within a run)')
    .option('--no-wait', 'do not wait for runs another process is training');
}

/** SweepOptions from the flags of {@link addSweepOptions} (the shard falls back to the environment). */
export function sweepOptionsFromFlags(flags: SweepFlags, env: NodeJS.ProcessEnv = process.env): Pick<SweepOptions, 'workers' | 'shard' | 'keepCheckpoint' | 'forceKernel' | 'waitForOthers'> {
  let workers = availableParallelism();
  if (flags.workers !== undefined) {
    if (!/^\d+$/.test(flags.workers) || Number(flags.workers) < 1) throw new UsageError(`--workers: expected a positive integer, got "${flags.workers}"`);
    workers = Number(flags.workers);
  }
  let shard: Shard | null = null;
  try {
    shard = flags.shard !== undefined ? parseShard(flags.shard) : shardFromEnv(env);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return {
    workers,
    shard: shard && { index: shard.index, count: shard.count },
    keepCheckpoint: flags.keepCheckpoint === true,
    forceKernel: flags.forceKernel === true,
    waitForOthers: flags.wait !== false,
  };
}

export interface ResolvedSpec {
  configs: Array<RunConfigInput>;
  /** The results directory the spec asks for (the command's --out wins). */
  outDir?: string;
  name: string;
}

export type SpecResolver = (spec: string) => ResolvedSpec;

/** A JSON file: an array of run configurations, or `{ "out": DIR, "runs": [...] }`. */
export function resolveSpecFile(spec: string): ResolvedSpec {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(spec, 'utf8'));
  } catch (e) {
    throw new UsageError(`${spec}: not a readable JSON spec file (${(e as Error).message})`);
  }
  const name = spec.replace(/^.*\//, '').replace(/\.json$/, '').replace(/[^A-Za-z0-9_.-]/g, '-');
  if (Array.isArray(doc)) return { configs: doc as RunConfigInput[], name };
  const o = doc as { out?: unknown; runs?: unknown };
  if (o && typeof o === 'object' && Array.isArray(o.runs)) return { configs: o.runs as RunConfigInput[], ...(typeof o.out === 'string' && { outDir: o.out }), name };
  throw new UsageError(`${spec}: expected an array of run configurations or { "out": DIR, "runs": [ … ] }`);
}

function dataSourceFrom(flags: { dataDir?: string }): DataSource {
  return { kind: 'mnist', ...(flags.dataDir !== undefined && { dir: resolve(flags.dataDir) }) };
}

function setKernel(gemm: string | undefined): void {
  if (gemm === undefined) return;
  try {
    useGemmKernel(gemm);
  } catch (e) {
    throw new UsageError(`--gemm: ${(e as Error).message}`);
  }
}

/** How to start this CLI again (for sbatch scripts): node, its flags, this file — or the installed bin. */
export function selfCommand(): string[] {
  const main = fileURLToPath(new URL(`./main.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url));
  const flags = process.execArgv.filter((a) => !a.startsWith('--inspect'));
  return [process.execPath, ...flags, main];
}

interface SweepCommandFlags extends SweepFlags {
  out?: string;
  dataDir?: string;
  gemm?: string;
  memory?: string;
  force?: boolean;
  summary?: boolean;
  progress?: boolean;
}

/** Run configurations as a sweep with the pool/shard options, sweep-wide progress, then the summary files. */
export async function runSweepCommand(configs: RunConfigInput[], outDir: string, flags: SweepCommandFlags): Promise<number> {
  setKernel(flags.gemm);
  const memory = chooseMemory(flags.memory, activeGemmKernel().name, wasmMemoryAvailable());
  const opts = sweepOptionsFromFlags(flags);
  const plan = planSweep(configs);
  const total = opts.shard ? plan.filter((_, i) => i % opts.shard!.count === opts.shard!.index).length : plan.length;
  console.error(
    `sparsity-lab sweep: ${total} of ${plan.length} runs${opts.shard ? ` (shard ${opts.shard.index}/${opts.shard.count})` : ''} into ${outDir}/ ` +
      `with ${Math.min(opts.workers ?? 1, Math.max(total, 1))} worker(s), gemm kernel ${activeGemmKernel().name}`,
  );
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    if (++interrupts > 1) process.exit(130);
    console.error('\nstopping after the current step (again to quit now); the runs resume from their last epoch next time');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const progress = createSweepProgress({ total, workers: opts.workers ?? 1, bars: flags.progress !== false && process.stderr.isTTY === true });
  let statuses;
  try {
    statuses = await runSweep(configs, {
      outDir,
      dataSource: dataSourceFrom(flags),
      ...opts,
      force: flags.force === true,
      wasmMemory: memory === 'wasm',
      signal: controller.signal,
      onRunStart: (info) => progress.runStart(info),
      onProgress: (p, w) => progress.progress(p, w),
      onRunEnd: (s, _o, w) => progress.runEnd(s, w),
    });
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const failed = statuses.filter((s) => s.state === 'failed');
  for (const f of failed) console.error(`FAILED ${f.id}: ${f.message}`);
  const busy = statuses.filter((s) => s.state === 'busy');
  if (busy.length > 0) console.error(`${busy.length} run(s) are being trained by other processes: ${busy.map((b) => b.id).join(', ')}`);
  if (flags.summary !== false && statuses.some((s) => s.state !== 'failed')) {
    const result = writeSummaryFiles(outDir);
    console.error(`wrote ${result.files.join(', ')}`);
  }
  if (controller.signal.aborted) return 130;
  return failed.length > 0 ? 1 : 0;
}

async function queueCommand<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof QueueDependencyError) throw new UsageError(e.message);
    throw e;
  }
}

function positive(flag: string, v: string | undefined, def: number): number {
  if (v === undefined) return def;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`${flag}: expected a positive integer, got "${v}"`);
  return Number(v);
}

/** Add the `sweep`, `slurm`, `enqueue` and `worker` commands to the program. */
export function registerSweepCommands(program: Command, options: { resolveSpec?: SpecResolver } = {}): void {
  const resolveSpec = options.resolveSpec ?? resolveSpecFile;

  addSweepOptions(
    program
      .command('sweep')
      .description('run the runs of a spec (a JSON file of run configurations), resumable, on a pool of workers or one shard')
      .argument('<spec>', 'spec file (JSON: an array of run configurations, or { "out": DIR, "runs": [...] })')
      .option('--out <dir>', 'results directory [default: the spec’s "out", else results]')
      .option('--data-dir <dir>', 'directory with the four MNIST IDX files')
      .option('--gemm <kernel>', 'matrix-multiply kernel')
      .option('--memory <where>', 'heap or wasm')
      .option('--force', 're-run runs that are already complete')
      .option('--no-summary', 'do not write the summary files at the end (run `sparsity-lab summarize DIR` once instead)')
      .option('--no-progress', 'plain log lines instead of progress bars'),
  ).action(async (spec: string, flags: SweepCommandFlags) => {
    const r = resolveSpec(spec);
    process.exitCode = await runSweepCommand(r.configs, flags.out ?? r.outDir ?? 'results', flags);
  });

  program
    .command('slurm')
    .description('write an sbatch script that runs a spec as a Slurm job array (one shard per task, requeue-safe)')
    .argument('<spec>', 'spec file')
    .option('--shards <n>', 'array tasks (shards) [default: 8, at most the number of runs]')
    .option('--throttle <k>', 'tasks running at once [default: all]')
    .option('--cpus-per-task <c>', 'CPUs (pool workers) per task [default: 1]')
    .option('--time <t>', 'time limit per task, e.g. 04:00:00')
    .option('--mem <m>', 'memory per task, e.g. 4G')
    .option('--partition <p>', 'Slurm partition')
    .option('--out <dir>', 'results directory [default: the spec’s "out", else results]')
    .option('--data-dir <dir>', 'directory with the four MNIST IDX files (as the compute nodes see it)')
    .option('--gemm <kernel>', 'matrix-multiply kernel for every task')
    .option('--launcher <cmd>', 'how tasks start sparsity-lab [default: this node and its flags with this CLI’s file]')
    .option('--script <file>', 'where to write the script [default: <out>/<name>.sbatch]')
    .action((spec: string, flags: Record<string, string | undefined>) => {
      const r = resolveSpec(spec);
      const plan = planSweep(r.configs);
      const outDir = resolve(flags.out ?? r.outDir ?? 'results');
      const shards = Math.min(positive('--shards', flags.shards, 8), plan.length);
      const launcher = flags.launcher !== undefined ? flags.launcher.split(/\s+/).filter(Boolean) : selfCommand();
      const command = [...launcher, 'sweep', resolve(spec), '--out', outDir, '--no-summary', '--no-progress'];
      if (flags.dataDir) command.push('--data-dir', resolve(flags.dataDir));
      command.push('--gemm', flags.gemm ?? activeGemmKernel().name);
      const logDir = join(outDir, 'slurm-logs');
      const text = slurmScript({
        name: `sparsity-lab-${r.name}`,
        shards,
        ...(flags.throttle !== undefined && { throttle: positive('--throttle', flags.throttle, shards) }),
        cpusPerTask: positive('--cpus-per-task', flags.cpusPerTask, 1),
        ...(flags.time && { time: flags.time }),
        ...(flags.mem && { mem: flags.mem }),
        ...(flags.partition && { partition: flags.partition }),
        command,
        logDir,
        workdir: process.cwd(),
      });
      const script = resolve(flags.script ?? join(outDir, `${r.name}.sbatch`));
      makeDirs(logDir);
      makeDirs(dirname(script));
      writeFileSync(script, text);
      chmodSync(script, 0o755);
      console.log(script);
      console.error(`${plan.length} runs in ${shards} shards; submit with: sbatch ${script}`);
    });

  program
    .command('enqueue')
    .description('add one BullMQ job per run of a spec to a Redis queue (job id = run id: enqueueing again adds nothing)')
    .argument('<spec>', 'spec file')
    .requiredOption('--redis <url>', 'Redis URL, e.g. redis://127.0.0.1:6379')
    .option('--queue <name>', 'queue name [default: sparsity-lab]')
    .option('--out <dir>', 'results directory, as every worker sees it [default: the spec’s "out", else results]')
    .action(async (spec: string, flags: { redis: string; queue?: string; out?: string }) => {
      const r = resolveSpec(spec);
      const plan = planSweep(r.configs);
      const outDir = resolve(flags.out ?? r.outDir ?? 'results');
      const { added, existing } = await queueCommand(() => enqueueRuns(plan, { redis: flags.redis, outDir, ...(flags.queue && { queue: flags.queue }) }));
      console.log(`enqueued ${added} run(s) (${existing} already queued) into ${outDir}/`);
    });

  program
    .command('worker')
    .description('train runs from a Redis queue, each in a child process, until stopped (SIGINT/SIGTERM) or, with --until-empty, the queue is empty')
    .requiredOption('--redis <url>', 'Redis URL')
    .option('--queue <name>', 'queue name [default: sparsity-lab]')
    .option('--concurrency <n>', 'runs at once (child processes) [default: 1]')
    .option('--data-dir <dir>', 'directory with the four MNIST IDX files')
    .option('--gemm <kernel>', 'matrix-multiply kernel')
    .option('--lock-ms <ms>', 'job lock time: a dead worker’s job is handed out again after about this long [default: 30000]')
    .option('--until-empty', 'exit once nothing is waiting, delayed or active')
    .addOption(new Option('--force-kernel', 'resume runs recorded with another gemm kernel'))
    .action(async (flags: { redis: string; queue?: string; concurrency?: string; dataDir?: string; gemm?: string; lockMs?: string; untilEmpty?: boolean; forceKernel?: boolean }) => {
      setKernel(flags.gemm);
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      const memory = chooseMemory(undefined, activeGemmKernel().name, wasmMemoryAvailable());
      const statuses = await queueCommand(() =>
        runQueueWorker({
          redis: flags.redis,
          ...(flags.queue && { queue: flags.queue }),
          concurrency: positive('--concurrency', flags.concurrency, 1),
          dataSource: dataSourceFrom(flags),
          gemmKernel: activeGemmKernel().name,
          wasmMemory: memory === 'wasm',
          ...(flags.forceKernel && { forceKernel: true }),
          lockMs: positive('--lock-ms', flags.lockMs, 30_000),
          untilEmpty: flags.untilEmpty === true,
          signal: controller.signal,
          onRunStart: (w, info) => console.error(`worker ${w}: ${info.id}${info.note ? ` (${info.note})` : ''}`),
          onRunEnd: (w, s) => console.error(`worker ${w}: ${s.id} ${s.state} (${s.epochs} epochs)${s.message ? `: ${s.message}` : ''}`),
          log: (line) => console.error(line),
        }),
      );
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      console.error(`worker: ${statuses.filter((s) => s.state === 'done' || s.state === 'diverged').length} run(s) trained`);
    });
}
