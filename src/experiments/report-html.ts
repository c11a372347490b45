/**
 * An interactive, self-contained HTML report of an experiment: one file holding the summary table and the
 * figures of {@link figureSpecs}, drawn in the page by vega-embed with every data point inlined, so it can
 * be mailed or archived and opened without a server or a network.
 *
 * Interactive where the SVG report is not:
 * - hover: every mark has a tooltip with its datum (condition, epoch, mean, band ends, number of seeds);
 * - toggle: a checkbox per condition (optimizer, learning rate, …) hides or shows it in every figure at
 *   once. Hiding filters the data (a Vega `hidden` parameter, `indexof(hidden, datum.label) < 0`); the colour
 *   scale's domain is fixed by the specifications, so a condition keeps its colour whatever is hidden.
 *
 * `reportHtml` builds the text (pure, given the three library scripts); `writeReportHtml` reads vega,
 * vega-lite and vega-embed's browser builds from the installed packages (runtime dependencies of
 * sparsity-lab) and writes the file, nothing if building fails. The figures are the same specifications
 * as the SVG figures, so the two reports never disagree.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { figureSpecs, type FigureOptions } from './figures.js';
import type { VegaLiteSpec } from './figures-specs.js';
import { finalRows, labelsOf, metricStat } from './figures-data.js';
import { formatStat } from './report.js';
import type { MetricName, Summary, SummaryRow } from './summary.js';
import { makeDirs } from '../sweep/atomic.js';

/** The browser builds (UMD source text) the page inlines: they define `vega`, `vegaLite`, `vegaEmbed`. */
export interface VegaScripts {
  vega: string;
  vegaLite: string;
  vegaEmbed: string;
}

export interface HtmlReportOptions {
  title: string;
  /** Free text under the title, one paragraph per entry (plain text, escaped). */
  notes?: string | string[];
  /** Which figures (default: all the summary has data for), as for the SVG figures. */
  figures?: Omit<FigureOptions, 'format'>;
}

/** The name of the Vega parameter holding the hidden conditions' labels. */
export const HIDDEN_PARAM = 'hidden';

const FINAL_COLUMNS: Array<{ metric: MetricName; title: string; digits: number }> = [
  { metric: 'test_acc', title: 'test accuracy', digits: 4 },
  { metric: 'test_loss', title: 'test loss', digits: 4 },
  { metric: 'sparsity_mean', title: 'sparsity (Hoyer)', digits: 4 },
  { metric: 'selectivity_mean', title: 'selectivity (CCMAS)', digits: 4 },
];

function rowsOf(summary: readonly SummaryRow[] | Summary): readonly SummaryRow[] {
  return Array.isArray(summary) ? summary : (summary as Summary).rows;
}

/** Text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** JSON that is safe inside a `<script>` element (no `</script>`, no `<!--`, no JS line terminators). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Script source that is safe inside a `<script>` element. */
function scriptText(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/**
 * `spec` made interactive: every mark gets a tooltip showing its datum, and every view that holds inline
 * data filters out the conditions listed in the top-level `hidden` parameter (default: none). Pure.
 */
export function interactiveSpec(spec: VegaLiteSpec): VegaLiteSpec {
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = k === 'data' || k === 'encoding' ? v : visit(v);
    if (out.mark !== undefined) {
      const mark = typeof out.mark === 'string' ? { type: out.mark } : (out.mark as Record<string, unknown>);
      out.mark = { ...mark, tooltip: { content: 'data' } };
    }
    const data = out.data as { values?: unknown } | undefined;
    if (data && Array.isArray(data.values)) {
      const filter = { filter: `!isValid(datum.label) || indexof(${HIDDEN_PARAM}, datum.label) < 0` };
      out.transform = [filter, ...((out.transform as unknown[] | undefined) ?? [])];
    }
    return out;
  };
  const top = visit(spec) as Record<string, unknown>;
  const params = (top.params as unknown[] | undefined) ?? [];
  return { ...top, params: [{ name: HIDDEN_PARAM, value: [] }, ...params] };
}

/** The final-epoch table as HTML: one row per condition, mean ± SEM over seeds, with a show/hide box. */
export function summaryTableHtml(rows: readonly SummaryRow[]): string {
  const head = ['show', 'condition', 'epoch', 'seeds', ...FINAL_COLUMNS.map((c) => c.title)];
  const body = finalRows(rows).map((r) => {
    const seeds = `${r.seeds.length}${r.diverged > 0 ? ` (⚠ ${r.diverged} diverged)` : ''}`;
    const cells = [r.label, String(r.epoch), seeds, ...FINAL_COLUMNS.map((c) => formatStat(metricStat(r, c.metric), c.digits))];
    const box = `<input type="checkbox" class="toggle" checked data-label="${escapeHtml(r.label)}" aria-label="show ${escapeHtml(r.label)}">`;
    return `<tr><td>${box}</td>${cells.map((c, i) => `<td${i >= 1 ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`;
  });
  return [
    '<table class="summary">',
    `<thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>`,
    `<tbody>${body.join('')}</tbody>`,
    '</table>',
  ].join('\n');
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
table.summary { border-collapse: collapse; margin: 1em 0; }
table.summary th, table.summary td { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: left; }
table.summary td.num { font-variant-numeric: tabular-nums; }
figure { margin: 1.5em 0; } figcaption { color: #555; max-width: 900px; }
.controls button { margin-right: .5em; }
`;

/** The page's own script: embed every figure, then wire the checkboxes to the `hidden` parameter. */
const PAGE_SCRIPT = `
(async () => {
  const figures = JSON.parse(document.getElementById('figures-data').textContent);
  const views = [];
  for (const [i, f] of figures.entries()) {
    const result = await vegaEmbed('#figure-' + i, f.spec, { mode: 'vega-lite', renderer: 'svg', actions: { export: true, source: false, compiled: false, editor: false } });
    views.push(result.view);
  }
  const boxes = [...document.querySelectorAll('input.toggle')];
  const update = async () => {
    const hidden = boxes.filter((b) => !b.checked).map((b) => b.dataset.label);
    await Promise.all(views.map((v) => v.signal(${JSON.stringify(HIDDEN_PARAM)}, hidden).runAsync()));
  };
  for (const b of boxes) b.addEventListener('change', update);
  document.getElementById('show-all').addEventListener('click', () => { boxes.forEach((b) => (b.checked = true)); update(); });
  document.getElementById('hide-all').addEventListener('click', () => { boxes.forEach((b) => (b.checked = false)); update(); });
  document.body.dataset.rendered = String(views.length);
})().catch((e) => { console.error(e); document.body.dataset.rendered = 'error'; });
`;

/** The whole page. Throws if the summary has no rows or the title is empty. */
export function reportHtml(summary: readonly SummaryRow[] | Summary, scripts: VegaScripts, opts: HtmlReportOptions): string {
  const rows = rowsOf(summary);
  if (rows.length === 0) throw new Error('reportHtml: the summary has no rows (no run finished an epoch)');
  if (typeof opts.title !== 'string' || opts.title.trim() === '') throw new Error(`reportHtml: title must be a non-empty string, got ${JSON.stringify(opts.title)}`);
  for (const k of ['vega', 'vegaLite', 'vegaEmbed'] as const) {
    if (typeof scripts?.[k] !== 'string' || scripts[k].length === 0) throw new Error(`reportHtml: scripts.${k} must be the library's browser build (non-empty source text)`);
  }
  const figures = figureSpecs(rows, opts.figures ?? {}).map((f) => ({ name: f.name, caption: f.caption, spec: interactiveSpec(f.spec) }));
  const labels = labelsOf(rows);
  const lastEpoch = Math.max(...rows.map((r) => r.epoch));
  const notes = opts.notes === undefined ? [] : Array.isArray(opts.notes) ? opts.notes : [opts.notes];
  const body = [
    `<h1>${escapeHtml(opts.title)}</h1>`,
    ...notes.map((n) => `<p>${escapeHtml(n)}</p>`),
    `<p>${labels.length} condition${labels.length === 1 ? '' : 's'}, up to ${lastEpoch} epoch${lastEpoch === 1 ? '' : 's'}. ` +
      'Every value is the mean over seeds ± the standard error of the mean (sample std / √n); runs that diverged are left out and counted. ' +
      'Hover a point for its values; untick a condition to hide it in every figure.</p>',
    '<h2>Final epoch</h2>',
    '<p class="controls"><button id="show-all" type="button">show all</button><button id="hide-all" type="button">hide all</button></p>',
    summaryTableHtml(rows),
    '<h2>Figures</h2>',
    ...figures.map((f, i) => `<figure><div id="figure-${i}" class="figure" data-name="${escapeHtml(f.name)}"></div><figcaption>${escapeHtml(f.caption)}</figcaption></figure>`),
  ];
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(opts.title)}</title>`,
    `<style>${STYLE}</style>`,
    `<script>${scriptText(scripts.vega)}</script>`,
    `<script>${scriptText(scripts.vegaLite)}</script>`,
    `<script>${scriptText(scripts.vegaEmbed)}</script>`,
    '</head>',
    '<body>',
    ...body,
    `<script type="application/json" id="figures-data">${scriptJson(figures.map(({ name, spec }) => ({ name, spec })))}</script>`,
    `<script>${PAGE_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * The browser builds of vega, vega-lite and vega-embed from the installed packages. Their package exports
 * do not list the builds, so each is found next to the package's resolved entry (all three keep their
 * entry and their `*.min.js` in `build/`).
 */
export function loadVegaScripts(): VegaScripts {
  const require = createRequire(import.meta.url);
  const read = (pkg: string, file: string): string => {
    let entry: string;
    try {
      entry = require.resolve(pkg);
    } catch (err) {
      throw new Error(`the HTML report needs the package "${pkg}" (a dependency of sparsity-lab; reinstall it): ${(err as Error).message}`, { cause: err });
    }
    return readFileSync(join(dirname(entry), file), 'utf8');
  };
  return { vega: read('vega', 'vega.min.js'), vegaLite: read('vega-lite', 'vega-lite.min.js'), vegaEmbed: read('vega-embed', 'vega-embed.min.js') };
}

/**
 * Write the report as `outDir/fileName` (default report.html; written to a temporary name and renamed, so
 * a failure never leaves a half-written page) and return its path.
 */
export function writeReportHtml(summary: readonly SummaryRow[] | Summary, opts: HtmlReportOptions & { outDir: string; fileName?: string }): string {
  if (typeof opts.outDir !== 'string' || opts.outDir === '') throw new Error(`writeReportHtml: outDir must be a directory path, got ${JSON.stringify(opts.outDir)}`);
  const html = reportHtml(summary, loadVegaScripts(), opts);
  makeDirs(opts.outDir);
  const path = join(opts.outDir, opts.fileName ?? 'report.html');
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, html);
  renameSync(tmp, path);
  return path;
}
