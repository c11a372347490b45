/**
 * The browser subpaths in a real browser (Debian's chromium, headless, via playwright-core):
 *
 * - the page bundle (test-browser/page.ts → esbuild, platform browser) contains no Node built-in and no
 *   run-time code generation, and runs under a strict Content-Security-Policy (no 'unsafe-eval');
 * - cross-origin isolated (COOP/COEP): a shared, growable WebAssembly heap; not isolated: no shared
 *   memory, so a fixed-size non-shared heap — the WebAssembly gemm and optimizer kernels run either way,
 *   single-threaded (threads need Node's worker_threads); detected, not configured;
 * - training the 784-256-10 net with Adam for a few steps on 200 MNIST images, the Hoyer and CCMAS values
 *   of its hidden layer and a bare adamStep give the same bits as Node with the same gemm kernel;
 * - the HTML report of a quick run renders without a console error, and its toggles hide a condition.
 *
 * The time of one training step in the page and in Node is printed (a JSON line), never asserted.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, copyFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/data/index.js';
import { gemmKernels } from '../../src/tensor/index.js';
import { browserProblems } from '../../tools/package/bundle.mjs';
import { runWorkload, type WorkloadOptions, type WorkloadResult } from '../../test-browser/workload.js';
import { launchChromium, serveDirectory, type LaunchedBrowser } from './chromium.js';

// The callbacks of page.evaluate run in the page; the project is compiled without the DOM lib.
declare const document: any;
declare const window: any;

const root = resolve(import.meta.dirname, '../..');
const SAMPLE = 200;
const OPTIONS: WorkloadOptions = { steps: 30, batch: 50, seed: 1 };

let dir: string;
let chromium: LaunchedBrowser;
let bundle: string;
let sample: { pixels: Uint8Array; labels: Uint8Array };

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sparsity-lab-browser-'));
  const r = await build({
    entryPoints: [join(root, 'test-browser/page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    outfile: join(dir, 'page.js'),
    logLevel: 'silent',
  });
  bundle = r.outputFiles[0].text;
  writeFileSync(join(dir, 'page.js'), bundle);
  copyFileSync(join(root, 'test-browser/index.html'), join(dir, 'index.html'));
  const mnist = loadMnist();
  const pixels = new Uint8Array(SAMPLE * 784);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.round(mnist.train.images[i] * 255);
  sample = { pixels, labels: mnist.train.labels.slice(0, SAMPLE) };
  writeFileSync(join(dir, 'sample.json'), JSON.stringify({ pixels: Buffer.from(pixels).toString('base64'), labels: Buffer.from(sample.labels).toString('base64') }));
  chromium = await launchChromium();
}, 300_000);

afterAll(async () => {
  await chromium?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function runInPage(isolated: boolean, options: WorkloadOptions): Promise<{ engine: { crossOriginIsolated: boolean; kernels: string[]; wasmMemory: boolean; threads: { supported: boolean } }; result: WorkloadResult; errors: string[] }> {
  const server = await serveDirectory(dir, { isolated, csp: true });
  const page = await chromium.context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.route('**/favicon.ico', (route) => route.fulfill({ status: 204 })); // no favicon: no 404 in the console
    await page.goto(`${server.url}/index.html`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
    const engine = await page.evaluate(() => window.sparsityLab.engine());
    const result = await page.evaluate(([o]) => window.sparsityLab.run('sample.json', o), [options] as const);
    return { engine, result, errors };
  } finally {
    await page.close();
    await server.close();
  }
}

function comparable(r: WorkloadResult): Omit<WorkloadResult, 'stepMs' | 'memory'> {
  const { stepMs: _t, memory: _m, ...rest } = r;
  return rest;
}

describe('sparsity-lab in a headless browser', () => {
  it('the page bundle has no Node built-in and no run-time code generation', () => {
    expect(browserProblems(bundle)).toEqual([]);
  });

  it('cross-origin isolated: WebAssembly kernels, single-threaded; training, Adam, Hoyer and CCMAS equal Node bit for bit', async () => {
    const { engine, result, errors } = await runInPage(true, { ...OPTIONS, kernel: 'wasm-simd' });
    expect(errors).toEqual([]);
    expect(engine.crossOriginIsolated).toBe(true);
    expect(engine.wasmMemory).toBe(true);
    expect(engine.kernels).toContain('wasm-simd');
    expect(engine.threads.supported).toBe(false);
    expect(result.memory).toBe('wasm');
    expect(gemmKernels().map((k) => k.name)).toContain('wasm-simd');
    const node = runWorkload(sample, { ...OPTIONS, kernel: 'wasm-simd', wasmMemory: true });
    expect(comparable(result)).toEqual(comparable(node));
    // one training step: median over steps 11–30 (the first ten are warm-up: compilation, tier-up)
    console.log(JSON.stringify({ bench: 'train-step 784-256-10 adam batch 50', kernel: 'wasm-simd', browserMs: median(result.stepMs.slice(10)), nodeMs: median(node.stepMs.slice(10)) }));
  });

  it('not isolated: no shared memory, so a fixed-size WebAssembly heap — the same kernels, the same bits as Node; the JS kernels too', async () => {
    const { engine, result, errors } = await runInPage(false, { ...OPTIONS, kernel: 'wasm-simd' });
    expect(errors).toEqual([]);
    expect(engine.crossOriginIsolated).toBe(false);
    expect(engine.wasmMemory).toBe(true);
    expect(engine.kernels).toContain('wasm-simd');
    expect(engine.threads.supported).toBe(false);
    expect(result.memory).toBe('wasm');
    const node = runWorkload(sample, { ...OPTIONS, kernel: 'wasm-simd', wasmMemory: true });
    expect(comparable(result)).toEqual(comparable(node));

    const js = await runInPage(false, { ...OPTIONS, kernel: 'js-tuned', wasmMemory: false });
    expect(js.errors).toEqual([]);
    const nodeJs = runWorkload(sample, { ...OPTIONS, kernel: 'js-tuned', wasmMemory: false });
    expect(comparable(js.result)).toEqual(comparable(nodeJs));
    console.log(JSON.stringify({ bench: 'train-step 784-256-10 adam batch 50', kernel: 'js-tuned', browserMs: median(js.result.stepMs.slice(10)), nodeMs: median(nodeJs.stepMs.slice(10)) }));
  });

  it('the HTML report of a quick run renders without console errors, and a toggle hides a condition', async () => {
    const out = join(dir, 'quick');
    const cli = ['--import', 'tsx', join(root, 'src/cli/main.ts')];
    execFileSync(process.execPath, [...cli, '--quick', '--optimizers', 'sgd,adam', '--train-images', '1000', '--test-images', '200', '--out', out, '--no-progress', '--no-figures'], { cwd: root, stdio: 'pipe' });
    execFileSync(process.execPath, [...cli, 'report', out, '--html'], { cwd: root, stdio: 'pipe' });
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=/); // self-contained
    const page = await chromium.context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) errors.push(`network request: ${r.url()}`);
    });
    try {
      await page.goto(`file://${join(out, 'report.html')}`);
      await page.waitForFunction(() => document.body.dataset.rendered !== undefined, null, { timeout: 60_000 });
      const rendered = await page.evaluate(() => document.body.dataset.rendered);
      expect(rendered).not.toBe('error');
      const figures = Number(rendered);
      expect(figures).toBeGreaterThan(0);
      expect(await page.locator('.figure svg.marks').count()).toBe(figures);
      const marks = () => page.evaluate(() => document.querySelectorAll('#figure-0 svg.marks .mark-line path').length);
      expect(await marks()).toBe(2);
      await page.locator('input.toggle[data-label="sgd"]').uncheck();
      await page.waitForFunction(() => document.querySelectorAll('#figure-0 svg.marks .mark-line path').length === 1);
      await page.locator('#show-all').click();
      await page.waitForFunction(() => document.querySelectorAll('#figure-0 svg.marks .mark-line path').length === 2);
      await page.screenshot({ path: join(tmpdir(), 'sparsity-lab-report.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
