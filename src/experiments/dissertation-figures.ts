/**
 * Every figure of the dissertation's chapters 5 and 6, redrawn from the committed runs:
 *
 *   await drawDissertationFigures('results/dissertation')
 *
 * reads `<root>/<preset>/*.jsonl` for each entry of the catalogue (dissertation-catalogue.ts), draws what
 * the runs allow with the entry's kind (dissertation-kinds.ts), and writes into `<root>/figures/`:
 * `fig-<id>.svg` per drawn figure, `fig-<id>.png` too when `rsvg-convert` (Debian: librsvg2-bin) is on the
 * PATH, and `INDEX.md` — every figure with its caption and links, and for each one not drawn the reason
 * ("not drawn: no runs of <preset> yet"). No placeholder is ever drawn. Everything is rendered in memory
 * first; each file is written atomically (temp + rename), so a kill leaves old or new files, never halves.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { removeDeadTemps, writeFileAtomic } from '../sweep/atomic.js';
import { DISSERTATION_FIGURES, type DissertationFigure } from './dissertation-catalogue.js';
import { loadPresetRuns, type FigureRun } from './dissertation-data.js';
import { DISSERTATION_KINDS, type KindResult } from './dissertation-kinds.js';
import { renderSvg } from './figures.js';

export { DISSERTATION_FIGURES, type DissertationFigure } from './dissertation-catalogue.js';
export { DISSERTATION_KINDS, type KindOptions, type KindResult, type FigureKindDraw } from './dissertation-kinds.js';

export interface DrawnDissertationFigure {
  id: string;
  title: string;
  caption: string;
  /** Written files, relative to the output directory. */
  files: string[];
}

export interface DissertationFiguresResult {
  drawn: DrawnDissertationFigure[];
  notDrawn: Array<{ id: string; title: string; reason: string }>;
  /** Whether PNGs were written (rsvg-convert found). */
  png: boolean;
  index: string;
}

export interface DissertationFiguresOptions {
  /** The catalogue (default: {@link DISSERTATION_FIGURES}). */
  figures?: readonly DissertationFigure[];
  /** false: never write PNGs; true: require rsvg-convert; undefined: PNG when rsvg-convert is available. */
  png?: boolean;
}

/** Whether `rsvg-convert` can be run. */
export function hasRasterizer(): boolean {
  const r = spawnSync('rsvg-convert', ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

function svgToPng(svg: string): Buffer {
  const r = spawnSync('rsvg-convert', ['-f', 'png', '-z', '2', '-b', 'white'], { input: svg, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`rsvg-convert failed (status ${r.status}): ${r.stderr?.toString() ?? r.error?.message}`);
  return r.stdout;
}

function seedsOf(runs: readonly FigureRun[]): string {
  return [...new Set(runs.map((r) => r.header.seed))].sort((a, b) => a - b).join(', ');
}

/** The caption of a drawn figure: the template with what went in filled in. */
export function fillCaption(template: string, got: KindResult, diverged: number): string {
  const presets = [...new Set(got.runs.map((r) => r.preset))].join(' + ');
  const conditions = new Set(got.runs.map((r) => r.header.config_hash)).size;
  const epoch = got.epochs.includes('–') ? `epochs ${got.epochs}` : `epoch ${got.epochs}`;
  const fill: Record<string, string> = {
    presets,
    n: String(got.runs.length),
    conditions: String(conditions),
    seeds: seedsOf(got.runs),
    epoch,
    band: 'error band ± SEM over seeds (sample std / √n)',
    diverged: diverged > 0 ? ` ${diverged} diverged run${diverged === 1 ? '' : 's'} of these presets left out.` : '',
  };
  return template.replace(/\{(\w+)\}/g, (m, k: string) => fill[k] ?? m);
}

function fileStem(id: string): string {
  return `fig-${id}`;
}

/**
 * Draws every catalogue figure that `root`'s runs allow into `outDir` and writes `INDEX.md` there.
 * Throws (writing nothing) if a results file is malformed or a figure fails to render.
 */
export async function drawDissertationFigures(root = 'results/dissertation', outDir = join(root, 'figures'), opts: DissertationFiguresOptions = {}): Promise<DissertationFiguresResult> {
  const figures = opts.figures ?? DISSERTATION_FIGURES;
  const png = opts.png ?? hasRasterizer();
  if (opts.png === true && !hasRasterizer()) throw new Error('drawDissertationFigures: png: true, but rsvg-convert is not on the PATH (Debian: apt-get install librsvg2-bin)');
  const cache = new Map<string, ReturnType<typeof loadPresetRuns>>();
  const load = (presets: string[]) => {
    const key = presets.join('\0');
    if (!cache.has(key)) cache.set(key, loadPresetRuns(root, presets));
    return cache.get(key)!;
  };
  const drawn: DrawnDissertationFigure[] = [];
  const notDrawn: DissertationFiguresResult['notDrawn'] = [];
  const files: Array<{ path: string; data: string | Buffer }> = [];
  for (const f of figures) {
    if (f.kind === null) {
      notDrawn.push({ id: f.id, title: f.title, reason: f.caption });
      continue;
    }
    const draw = DISSERTATION_KINDS[f.kind];
    if (!draw) throw new Error(`drawDissertationFigures: figure ${f.id} names unknown kind "${f.kind}"; expected one of ${Object.keys(DISSERTATION_KINDS).join(', ')}`);
    const loaded = load(f.presets);
    // the first preset is the figure's own; the others only complete it (a figure is never the references alone)
    const primary = f.presets[0];
    if (!loaded.runs.some((r) => r.preset === primary)) {
      const what = loaded.presetsWithRuns.includes(primary) ? 'finished runs' : 'runs';
      notDrawn.push({ id: f.id, title: f.title, reason: `not drawn: no ${what} of ${primary} yet` });
      continue;
    }
    const got = draw(loaded.runs, f.options ?? {}, `Fig. ${f.id}: ${f.title}`);
    if (!got || !got.runs.some((r) => r.preset === primary)) {
      notDrawn.push({ id: f.id, title: f.title, reason: `not drawn: the runs of ${loaded.presetsWithRuns.join(' + ')} hold nothing this figure draws yet${got ? ` (only the references from ${f.presets.slice(1).join(' + ')})` : ''}${f.needs ? ` (needs ${f.needs})` : ''}` });
      continue;
    }
    const svg = await renderSvg(got.spec);
    const stem = fileStem(f.id);
    const mine = [`${stem}.svg`];
    files.push({ path: join(outDir, `${stem}.svg`), data: svg });
    if (png) {
      files.push({ path: join(outDir, `${stem}.png`), data: svgToPng(svg) });
      mine.push(`${stem}.png`);
    }
    const diverged = loaded.diverged.length;
    const pending = loaded.unfinished > 0 ? ` ${loaded.unfinished} unfinished run${loaded.unfinished === 1 ? '' : 's'} of these presets not yet included.` : '';
    drawn.push({ id: f.id, title: f.title, caption: fillCaption(f.caption, got, diverged) + pending, files: mine });
  }
  const index = indexMarkdown(root, figures, drawn, notDrawn, png);
  files.push({ path: join(outDir, 'INDEX.md'), data: index });
  mkdirSync(outDir, { recursive: true });
  removeDeadTemps(outDir);
  for (const file of files) writeFileAtomic(file.path, file.data, 'figure');
  return { drawn, notDrawn, png, index: join(outDir, 'INDEX.md') };
}

function indexMarkdown(root: string, figures: readonly DissertationFigure[], drawn: DrawnDissertationFigure[], notDrawn: DissertationFiguresResult['notDrawn'], png: boolean): string {
  const lines = [
    '# The dissertation\'s figures, redrawn from our runs',
    '',
    `Generated by \`drawDissertationFigures('${root}')\` (src/experiments/dissertation-figures.ts) from \`${root}/<preset>/*.jsonl\`;`,
    'the catalogue (which preset, which kind, which caption) is src/experiments/dissertation-catalogue.ts.',
    `Drawn: ${drawn.length} of the ${figures.filter((f) => f.kind !== null).length} figures that show results. ${png ? 'SVG and PNG.' : 'SVG only: PNG skipped (rsvg-convert, Debian package librsvg2-bin, was not found).'}`,
    '',
  ];
  for (const f of figures) {
    const d = drawn.find((x) => x.id === f.id);
    lines.push(`## Fig. ${f.id}: ${f.title}`, '');
    if (d) {
      lines.push(`![Fig. ${f.id}](${d.files[0]})`, '', d.caption, '', `Files: ${d.files.map((x) => `[${x}](${x})`).join(' · ')}`, '');
    } else {
      lines.push(notDrawn.find((x) => x.id === f.id)!.reason, '');
    }
  }
  return `${lines.join('\n')}\n`;
}
