import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { escapeHtml, HIDDEN_PARAM, interactiveSpec, reportHtml, scriptJson, summaryTableHtml, writeReportHtml } from '../../src/experiments/report-html.js';
import { summarize, type Summary } from '../../src/experiments/summary.js';
import { run } from './fixtures.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function summary(): Summary {
  return summarize([
    run({ optimizer: 'sgd', seed: 1, epochs: 2 }, [0.8, 0.9]),
    run({ optimizer: 'sgd', seed: 100, epochs: 2 }, [0.82, 0.92]),
    run({ optimizer: 'adam', seed: 1, epochs: 2 }, [0.9, 0.95]),
  ]);
}

const SCRIPTS = { vega: '/*vega*/', vegaLite: '/*vl*/', vegaEmbed: '/*embed*/' };

describe('interactive HTML report', () => {
  it('escapes text and script data so that no value can end the script element', () => {
    expect(escapeHtml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
    const json = scriptJson({ label: '</script><script>alert(1)</script>', s: '\u2028' });
    expect(json).not.toMatch(/<\/script/i);
    expect(json).not.toContain('\u2028');
    expect(JSON.parse(json)).toEqual({ label: '</script><script>alert(1)</script>', s: '\u2028' });
  });

  it('interactiveSpec adds a tooltip to every mark and the hidden-conditions filter to every inline data view', () => {
    const spec = {
      data: { values: [{ label: 'a', x: 1 }] },
      layer: [{ mark: 'line', encoding: { x: { field: 'x' } } }, { mark: { type: 'area', opacity: 0.2 }, transform: [{ filter: 'true' }] }],
      hconcat: [{ data: { values: [] }, mark: 'point' }],
    };
    const out = interactiveSpec(spec) as any;
    expect(out.params).toEqual([{ name: HIDDEN_PARAM, value: [] }]);
    expect(out.transform[0].filter).toContain(`indexof(${HIDDEN_PARAM}, datum.label) < 0`);
    expect(out.layer[0].mark).toEqual({ type: 'line', tooltip: { content: 'data' } });
    expect(out.layer[1].mark).toEqual({ type: 'area', opacity: 0.2, tooltip: { content: 'data' } });
    expect(out.layer[1].transform).toEqual([{ filter: 'true' }]); // no inline data here: unchanged
    expect(out.hconcat[0].transform).toHaveLength(1);
    expect(out.layer[0].encoding).toEqual({ x: { field: 'x' } });
    expect(spec.layer[0].mark).toBe('line'); // the input is not modified
  });

  it('the summary table has one row and one toggle per condition, mean ± SEM over seeds', () => {
    const html = summaryTableHtml(summary().rows);
    expect(html.match(/<tr>/g)).toHaveLength(3); // header + 2 conditions
    expect(html).toContain('data-label="sgd"');
    expect(html).toContain('data-label="adam"');
    expect(html).toContain('0.9100 ± 0.0100'); // sgd epoch 2: (0.90, 0.92)
  });

  it('the page inlines the libraries, the figures and the data, and loads nothing', () => {
    const html = reportHtml(summary(), SCRIPTS, { title: 'T <1>' });
    expect(html).toContain('<title>T &lt;1&gt;</title>');
    for (const s of Object.values(SCRIPTS)) expect(html).toContain(s);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!vega\.github\.io\/schema)/);
    const data = JSON.parse(html.match(/<script type="application\/json" id="figures-data">([\s\S]*?)<\/script>/)![1]);
    expect(data.length).toBeGreaterThan(0);
    expect(html.match(/<div id="figure-\d+"/g)).toHaveLength(data.length);
    expect(JSON.stringify(data)).toContain('"label":"adam"');
  });

  it('refuses an empty summary, an empty title or missing scripts, and writes nothing then', () => {
    expect(() => reportHtml({ groups: [], rows: [] }, SCRIPTS, { title: 't' })).toThrow('no rows');
    expect(() => reportHtml(summary(), SCRIPTS, { title: ' ' })).toThrow('title must be a non-empty string');
    expect(() => reportHtml(summary(), { ...SCRIPTS, vegaEmbed: '' }, { title: 't' })).toThrow('scripts.vegaEmbed');
    const dir = mkdtempSync(join(tmpdir(), 'report-html-'));
    dirs.push(dir);
    expect(() => writeReportHtml({ groups: [], rows: [] }, { outDir: dir, title: 't' })).toThrow('no rows');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('writeReportHtml inlines the installed vega, vega-lite and vega-embed builds', () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-html-'));
    dirs.push(dir);
    const path = writeReportHtml(summary(), { outDir: dir, title: 'quick' });
    expect(path).toBe(join(dir, 'report.html'));
    const html = readFileSync(path, 'utf8');
    expect(html.length).toBeGreaterThan(500_000);
    expect(html).toContain('vegaEmbed');
    expect(readdirSync(dir)).toEqual(['report.html']); // no temporary file left
  });
});
