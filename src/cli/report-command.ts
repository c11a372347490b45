/**
 * `sparsity-lab report DIR [--html] [--out FILE] [--title TEXT]` — the report of the runs in DIR.
 *
 * With `--html` (the only format so far; without it the command says to use `figures` for the Markdown
 * report): one self-contained, interactive HTML page (src/experiments/report-html.ts) with the summary table
 * and the figures, data inlined, written to DIR/report.html or FILE. Reads the results only; writes
 * nothing else (the summary files are `summarize`'s job).
 */
import { basename, dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { readResultsDir } from '../experiments/results.js';
import { writeReportHtml } from '../experiments/report-html.js';
import { summarize } from '../experiments/summary.js';
import { UsageError } from './args.js';

export interface ReportCommandFlags {
  html?: boolean;
  out?: string;
  title?: string;
}

/** Write the HTML report of the runs in `dir`; returns its path. */
export function writeHtmlReportOfDir(dir: string, flags: ReportCommandFlags = {}): string {
  const { runs, warnings } = readResultsDir(dir);
  for (const w of warnings) console.error(`warning: ${w}`);
  if (runs.length === 0) throw new UsageError(`report: no runs found in ${dir} (looked for *.jsonl results files)`);
  const out = flags.out !== undefined ? resolve(flags.out) : resolve(dir, 'report.html');
  return writeReportHtml(summarize(runs), {
    outDir: dirname(out),
    fileName: basename(out),
    title: flags.title ?? `Results: ${basename(resolve(dir))}`,
  });
}

/** Register `report` on the program. */
export function addReportCommand(program: Command): Command {
  return program
    .command('report')
    .description('an interactive, self-contained HTML report (figures with hover values and condition toggles, the summary table) of the runs in DIR')
    .argument('<dir>', 'results directory')
    .option('--html', 'write DIR/report.html (or --out): one file, vega-embed and the data inlined')
    .option('--out <file>', 'where to write the HTML file [default: DIR/report.html]')
    .option('--title <text>', 'report title [default: "Results: <DIR name>"]')
    .action((dir: string, flags: ReportCommandFlags) => {
      if (flags.html !== true) throw new UsageError('report: only --html is implemented here; the Markdown report with SVG figures is `sparsity-lab figures DIR`');
      console.log(`wrote ${writeHtmlReportOfDir(dir, flags)}`);
    });
}
