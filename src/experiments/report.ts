/**
 * A Markdown report of an experiment: its setup, its figures embedded, and the final-epoch table —
 * mean ± SEM over seeds per condition, with diverged runs flagged rather than averaged in.
 *
 * `reportMarkdown` builds the text (pure); `writeReport` writes it as `report.md` (or `fileName`) into
 * `outDir` and returns the path. Figure paths are written relative to `outDir`, so the report and its
 * figures can be moved together. A figure that does not exist is an error, never a broken image link.
 *
 * Conventions of the tables: "0.9712 ± 0.0008" is the mean over the seeds that finished the epoch and the
 * standard error of the mean (sample std / √n); with one seed the SEM is undefined and the cell reads
 * "0.9712 (n=1)"; "—" means no seed has a value. "Final epoch" is each condition's last summarised epoch.
 */
import { existsSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { MetricName, MetricStat, Summary, SummaryGroup, SummaryRow } from './summary.js';
import { finalRows, labelsOf, metricStat, metricTitle } from './figures-data.js';
import { figureCaptions } from './figures.js';
import { writeFileAtomic, makeDirs } from '../sweep/atomic.js';

export interface ReportFigure {
  path: string;
  caption?: string;
}

export interface ReportOptions {
  /** Directory the report is written into (created if missing); figure links are relative to it. */
  outDir: string;
  title: string;
  /** Figure files (e.g. from renderFigures), or { path, caption }. Known figure names get their caption. */
  figures?: Array<string | ReportFigure>;
  /** The conditions' configurations and run statuses (Summary.groups); taken from the summary if it has them. */
  configs?: SummaryGroup[];
  /** Free text placed under the title (Markdown), one paragraph per entry. */
  notes?: string | string[];
  /** Default "report.md". */
  fileName?: string;
}

/** `mean ± sem` with `digits` decimals; see the module comment for the n=1 and no-value forms. */
export function formatStat(stat: MetricStat | undefined, digits: number): string {
  if (!stat || !Number.isFinite(stat.mean)) return '—';
  if (!Number.isFinite(stat.sem)) return `${stat.mean.toFixed(digits)} (n=${stat.n})`;
  return `${stat.mean.toFixed(digits)} ± ${stat.sem.toFixed(digits)}`;
}

/** A Markdown table cell: pipes escaped, newlines flattened. */
export function mdCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, align?: ReadonlyArray<'l' | 'r'>): string {
  for (const [i, r] of rows.entries()) {
    if (r.length !== header.length) throw new Error(`markdownTable: row ${i} has ${r.length} cells, the header has ${header.length}`);
  }
  const rule = header.map((_, i) => ((align?.[i] ?? 'l') === 'r' ? '---:' : '---'));
  const line = (cells: readonly string[]) => `| ${cells.map(mdCell).join(' | ')} |`;
  return [line(header), `|${rule.map((r) => ` ${r} `).join('|')}|`, ...rows.map(line)].join('\n');
}

function rowsOf(summary: readonly SummaryRow[] | Summary): readonly SummaryRow[] {
  return Array.isArray(summary) ? summary : (summary as Summary).rows;
}

function groupsOf(summary: readonly SummaryRow[] | Summary, configs?: SummaryGroup[]): SummaryGroup[] | undefined {
  return configs ?? (Array.isArray(summary) ? undefined : (summary as Summary).groups);
}

/** How many runs the condition had in total: from its group if known, else the seeds plus the diverged. */
function runCount(row: SummaryRow, group?: SummaryGroup): number {
  return group ? group.runs.length : row.seeds.length + row.diverged;
}

function seedsCell(row: SummaryRow, group?: SummaryGroup): string {
  const total = runCount(row, group);
  const base = `${row.seeds.length} of ${total}`;
  const flags = [row.diverged > 0 && `${row.diverged} diverged`, row.failed_to_train > 0 && `${row.failed_to_train} failed to train`].filter(Boolean);
  return flags.length > 0 ? `${base} ⚠ ${flags.join(', ')}` : base; // sweep: failed_to_train counted too
}

const FINAL_COLUMNS: Array<{ metric: MetricName; title: string; digits: number }> = [
  { metric: 'test_acc', title: 'test accuracy', digits: 4 },
  { metric: 'test_loss', title: 'test loss', digits: 4 },
  { metric: 'train_loss', title: 'train loss', digits: 4 },
  { metric: 'sparsity_mean', title: 'sparsity (Hoyer)', digits: 4 },
  { metric: 'selectivity_mean', title: 'selectivity (CCMAS)', digits: 4 },
  { metric: 'seconds', title: 's / epoch', digits: 1 },
];

/** The final-epoch table: one line per condition, mean ± SEM over seeds. */
export function finalEpochMarkdown(summary: readonly SummaryRow[] | Summary, configs?: SummaryGroup[]): string {
  const rows = rowsOf(summary);
  const groups = groupsOf(summary, configs);
  const byLabel = new Map(groups?.map((g) => [g.label, g]));
  const header = ['condition', 'epoch', 'seeds', ...FINAL_COLUMNS.map((c) => c.title)];
  const body = finalRows(rows).map((r) => {
    const g = byLabel.get(r.label);
    const planned = g?.config.epochs;
    const epoch = planned !== undefined && r.epoch < planned ? `${r.epoch} of ${planned}` : String(r.epoch);
    return [r.label, epoch, seedsCell(r, g), ...FINAL_COLUMNS.map((c) => formatStat(metricStat(r, c.metric), c.digits))];
  });
  return markdownTable(header, body, ['l', 'r', 'l', ...FINAL_COLUMNS.map(() => 'r' as const)]);
}

/** The spread inside a run (std over images / over units) at the final epoch, mean ± SEM over seeds. */
export function spreadMarkdown(summary: readonly SummaryRow[] | Summary): string {
  const header = ['condition', 'epoch', 'sparsity std over images (n−1)', 'selectivity std over units (n)'];
  const body = finalRows(rowsOf(summary)).map((r) => [
    r.label,
    String(r.epoch),
    formatStat(metricStat(r, 'sparsity_std'), 4),
    formatStat(metricStat(r, 'selectivity_std'), 4),
  ]);
  return markdownTable(header, body, ['l', 'r', 'r', 'r']);
}

/** Per-layer sparsity and selectivity at the final epoch (nets with several hidden layers). */
export function layersMarkdown(summary: readonly SummaryRow[] | Summary): string {
  const body: string[][] = [];
  for (const r of finalRows(rowsOf(summary))) {
    r.layers.forEach((l, i) => {
      body.push([r.label, String(r.epoch), `HL${i + 1}`, formatStat(l.sparsity_mean, 4), formatStat(l.selectivity_mean, 4)]);
    });
  }
  return markdownTable(['condition', 'epoch', 'layer', 'sparsity (Hoyer)', 'selectivity (CCMAS)'], body, ['l', 'r', 'l', 'r', 'r']);
}

/** Training-stream metrics next to the test-set ones at the final epoch (Sec. 5.3), when measured. */
export function trainStreamMarkdown(summary: readonly SummaryRow[] | Summary): string {
  const metrics: MetricName[] = ['train_sparsity_mean', 'sparsity_mean', 'train_selectivity_mean', 'selectivity_mean'];
  const body = finalRows(rowsOf(summary)).map((r) => [r.label, String(r.epoch), ...metrics.map((m) => formatStat(metricStat(r, m), 4))]);
  return markdownTable(['condition', 'epoch', ...metrics.map(metricTitle)], body, ['l', 'r', 'r', 'r', 'r', 'r']);
}

function flatten(value: unknown, prefix: string, out: Map<string, string>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, JSON.stringify(value));
}

/** The setup: settings shared by every condition, then what each condition varies and its runs. */
export function setupMarkdown(groups: readonly SummaryGroup[]): string {
  if (groups.length === 0) return '';
  const maps = groups.map((g) => {
    const m = new Map<string, string>();
    flatten(g.config, '', m);
    return m;
  });
  const keys = [...new Set(maps.flatMap((m) => [...m.keys()]))].sort();
  const shared = keys.filter((k) => maps.every((m) => m.get(k) === maps[0].get(k)));
  const lines: string[] = [];
  if (shared.length > 0) {
    lines.push('Settings shared by every condition:', '');
    for (const k of shared) lines.push(`- \`${k}\`: \`${maps[0].get(k) ?? 'undefined'}\``);
    lines.push('');
  }
  const body = groups.map((g) => {
    const varying = Object.entries(g.group)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(', ');
    const seeds = g.runs.map((r) => r.seed).join(', ');
    const complete = g.runs.filter((r) => r.complete).length;
    return [g.label, varying, seeds, `${complete} of ${g.runs.length}`];
  });
  lines.push(markdownTable(['condition', 'varies', 'seeds', 'runs complete'], body));
  const diverged = groups.flatMap((g) => g.runs.filter((r) => r.diverged).map((r) => ({ g, r })));
  if (diverged.length > 0) {
    lines.push('', '**Diverged runs** (left out of every mean; the seeds column of the tables counts them):', '');
    for (const { g, r } of diverged) lines.push(`- ${g.label}, seed ${r.seed} (${r.run}): ${r.diverged!.reason}`);
  }
  // sweep (issue 11): runs that finished but did not learn
  const failed = groups.flatMap((g) => g.runs.filter((r) => r.failed_to_train).map((r) => ({ g, r })));
  if (failed.length > 0) {
    lines.push('', '**Runs that failed to train** (finite but at chance level or with an exploding loss; kept in the means):', '');
    for (const { g, r } of failed) lines.push(`- ${g.label}, seed ${r.seed} (${r.run}): ${r.failed_to_train}`);
  }
  return lines.join('\n');
}

function relativeLink(outDir: string, path: string): string {
  const rel = relative(resolve(outDir), resolve(path));
  const link = rel.startsWith('..') || isAbsolute(rel) ? resolve(path) : rel;
  return link.split(sep).join('/');
}

/** The report's Markdown text. Throws if the summary has no rows or a figure file is missing. */
export function reportMarkdown(summary: readonly SummaryRow[] | Summary, opts: ReportOptions): string {
  const rows = rowsOf(summary);
  if (rows.length === 0) throw new Error('reportMarkdown: the summary has no rows (no run finished an epoch)');
  if (typeof opts.title !== 'string' || opts.title.trim() === '') throw new Error(`reportMarkdown: title must be a non-empty string, got ${JSON.stringify(opts.title)}`);
  const groups = groupsOf(summary, opts.configs);
  const figures = (opts.figures ?? []).map((f) => (typeof f === 'string' ? { path: f } : f));
  for (const f of figures) {
    if (!existsSync(f.path)) throw new Error(`reportMarkdown: figure file not found: ${f.path}`);
  }
  let captions: Map<string, string> | null = null;
  const captionOf = (f: ReportFigure): string => {
    if (f.caption !== undefined) return f.caption;
    captions ??= (() => {
      try {
        return figureCaptions(rows);
      } catch {
        return new Map<string, string>();
      }
    })();
    return captions.get(basename(f.path)) ?? basename(f.path);
  };

  const out: string[] = [`# ${opts.title}`, ''];
  const notes = opts.notes === undefined ? [] : Array.isArray(opts.notes) ? opts.notes : [opts.notes];
  for (const n of notes) out.push(n, '');
  const labels = labelsOf(rows);
  const lastEpoch = Math.max(...rows.map((r) => r.epoch));
  out.push(
    `${labels.length} condition${labels.length === 1 ? '' : 's'}, up to ${lastEpoch} epoch${lastEpoch === 1 ? '' : 's'}. ` +
      'Every value is the mean over seeds ± the standard error of the mean (sample std / √n); runs that diverged are left out and counted.',
    '',
  );
  if (groups && groups.length > 0) out.push('## Setup', '', setupMarkdown(groups), '');
  out.push('## Final epoch', '', finalEpochMarkdown(summary, opts.configs), '');
  out.push('Spread within a run at the final epoch (Hoyer sparsity over test images; CCMAS selectivity over hidden units):', '');
  out.push(spreadMarkdown(summary), '');
  if (rows.some((r) => metricStat(r, 'train_sparsity_mean') !== undefined)) {
    out.push('Training stream (every minibatch measured before its step) against the test set, final epoch:', '', trainStreamMarkdown(summary), '');
  }
  if (rows.some((r) => r.layers.length > 1)) out.push('Per hidden layer, final epoch:', '', layersMarkdown(summary), '');
  if (figures.length > 0) {
    out.push('## Figures', '');
    for (const f of figures) {
      const caption = captionOf(f);
      // alt text: the caption's first sentence (a full stop before a capital: "cf. the", "Fig. 5.1" go on)
      const alt = caption.split(/\.\s+(?=[A-Z])/)[0].replace(/[[\]]/g, '').replace(/\.$/, '');
      out.push(`![${alt}](${relativeLink(opts.outDir, f.path)})`, '', `*${caption}*`, '');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** Writes the report into `opts.outDir` and returns its path. Nothing is written if building it fails. */
export function writeReport(summary: readonly SummaryRow[] | Summary, opts: ReportOptions): string {
  if (typeof opts.outDir !== 'string' || opts.outDir === '') throw new Error(`writeReport: outDir must be a directory path, got ${JSON.stringify(opts.outDir)}`);
  const text = reportMarkdown(summary, opts);
  makeDirs(opts.outDir);
  const path = join(opts.outDir, opts.fileName ?? 'report.md');
  writeFileAtomic(path, text, 'report'); // sweep: temp + rename, never half a file
  return path;
}
