/**
 * `sparsity-lab report DIR [--html] [--out FILE] [--title TEXT]` — the report of the runs in DIR.
 *
 * Without `--html`, DIR must be a results root of preset folders (`results/dissertation`): the whole study's
 * FINDINGS.md and TABLES.md (src/experiments/findings/report.ts) and every figure of the dissertation that its
 * runs allow (src/experiments/dissertation-figures.ts, figures/INDEX.md), regenerated from the committed runs.
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
import { isResultsRoot, writeDissertationReport } from '../experiments/findings/report.js';
import { drawDissertationFigures } from '../experiments/dissertation-figures.js';
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
    .description('with --html: an interactive, self-contained HTML report of the runs in DIR; without: the findings and tables of a results root of preset folders (results/dissertation)')
    .argument('<dir>', 'results directory (--html) or results root of preset folders')
    .option('--html', 'write DIR/report.html (or --out): one file, vega-embed and the data inlined')
    .option('--out <file>', 'where to write the HTML file [default: DIR/report.html]')
    .option('--title <text>', 'report title [default: "Results: <DIR name>"]')
    .action(async (dir: string, flags: ReportCommandFlags) => {
      if (flags.html !== true) {
        // A results root of preset folders (results/dissertation): findings, tables (and figures) of the whole study.
        if (isResultsRoot(dir)) {
          for (const path of writeDissertationReport(dir)) console.log(`wrote ${path}`);
          const figures = await drawDissertationFigures(dir);
          console.log(`wrote ${figures.drawn.length} figures (${figures.notDrawn.length} not drawn: no runs yet) and ${figures.index}`);
          return;
        }
        throw new UsageError(`report: ${dir} is not a results root of preset folders (e.g. results/dissertation); for one results directory use --html, or \`sparsity-lab figures DIR\` for the Markdown report with SVG figures`);
      }
      console.log(`wrote ${writeHtmlReportOfDir(dir, flags)}`);
    });
}
