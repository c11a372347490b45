/**
 * Summary files of a results directory: `summary.json` (the {@link Summary}, NaN written as null),
 * `summary.csv` (per condition and epoch, mean ± SEM over seeds) and `runs.csv` (every run's raw values).
 * Each file is written to a temporary name and renamed into place, so a reader never sees half a file.
 */
import { join } from 'node:path';
import { runsToCsv, summaryToCsv } from './csv.js';
import { removeDeadTemps, writeFileAtomic, makeDirs } from '../sweep/atomic.js';
import { readResultsDir, type RunResult } from './results.js';
import { summarize, type Summary } from './summary.js';
import { libraryVersion } from './version.js';

export interface SummaryFiles {
  summary: Summary;
  runs: RunResult[];
  warnings: string[];
  files: string[];
}

/** `Summary` as JSON: non-finite numbers become null. */
export function summaryToJson(summary: Summary): string {
  const doc = { version: libraryVersion(), ...summary };
  return `${JSON.stringify(doc, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}

function writeAtomic(path: string, text: string): void {
  // Split in two writes so the kill tests can stop it half-way (crash point summary-write).
  const cut = text.length >> 1;
  writeFileAtomic(path, [text.slice(0, cut), text.slice(cut)], 'summary');
}

/** Read every run in `dir`, summarise, and write the three files into `outDir` (default `dir`). */
export function writeSummaryFiles(dir: string, outDir = dir): SummaryFiles {
  const { runs, warnings } = readResultsDir(dir);
  if (runs.length === 0) throw new Error(`writeSummaryFiles: no runs found in ${dir} (looked for *.jsonl results files)`);
  const summary = summarize(runs);
  makeDirs(outDir);
  removeDeadTemps(outDir); // left by a process killed while writing these files
  const files = [join(outDir, 'summary.json'), join(outDir, 'summary.csv'), join(outDir, 'runs.csv')];
  writeAtomic(files[0], summaryToJson(summary));
  writeAtomic(files[1], summaryToCsv(summary));
  writeAtomic(files[2], runsToCsv(runs));
  return { summary, runs, warnings, files };
}
