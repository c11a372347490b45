/**
 * sparsity-lab/experiments — the dissertation's experiments as data: run configurations, the training
 * runner, results files, summaries over seeds, CSV, figures and reports.
 *
 * What it is for: turning a list of {@link RunConfig}s into reproducible numbers. `runExperiment` trains one
 * configuration exactly as PROTOCOL.md §1–§3 describes the original notebooks (per-epoch train loss, test
 * loss and accuracy, and Hoyer sparsity / CCMAS selectivity of every hidden layer over the test set,
 * gathered by forward hooks into streaming accumulators); `runSweep` runs many into a results directory of
 * JSON Lines files, resumably; `summarize` gives mean ± SEM over seeds per condition and epoch. Every run
 * is seeded from its own seed and configuration (config.ts), so any run can be repeated alone; runs that
 * diverge are recorded as such and never averaged in.
 *
 * What it deliberately does not do: run anything in parallel (runs are single-threaded and independent —
 * start several processes on disjoint seeds or optimizers into one directory if you have the cores),
 * checkpoint model weights (an interrupted run restarts from epoch 1; it is deterministic), or search
 * hyper-parameters on its own (build the list of configurations and hand it to `runSweep`).
 */
export * from './config.js';
export * from './records.js';
export * from './results.js';
export * from './labels.js';
export * from './summary.js';
export * from './csv.js';
export * from './export.js';
export * from './optimizers.js';
export * from './taps.js';
export * from './evaluate.js';
export * from './runner.js';
export * from './sweep.js';
export { libraryVersion } from './version.js';
export { renderFigures, figureSpecs, figureCaptions, type FigureOptions, type FigureFormat, type FigureKind } from './figures.js';
export { drawDissertationFigures, fillCaption, hasRasterizer, DISSERTATION_FIGURES, DISSERTATION_KINDS, type DissertationFigure, type DissertationFiguresOptions, type DissertationFiguresResult, type DrawnDissertationFigure, type KindOptions, type KindResult, type FigureKindDraw } from './dissertation-figures.js'; // issue 16: every figure of the dissertation
export { writeReport, reportMarkdown, type ReportOptions } from './report.js';
export { writeReportHtml, reportHtml, loadVegaScripts, type HtmlReportOptions, type VegaScripts } from './report-html.js'; // package (issue 15)
export * from './ablation.js'; // issue 16: test-time neuron ablation
export type { OptionValue } from './kinds/options.js';
export type { Provenance } from './provenance.js';
export type { DataSource } from '../sweep/data-source.js';
export type { Shard } from '../sweep/shard.js';
export type { ConditionLabeller, FigureRun } from './dissertation-data.js';
export type { VegaLiteSpec } from './figures-specs.js';
