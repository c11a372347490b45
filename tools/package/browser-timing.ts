/**
 * One training step of the 784-256-10 net (Adam, batch 50) in headless chromium against Node, paired and
 * interleaved: per configuration, 7 rounds of 40 steps in the page then 40 in Node (the first round and
 * the first 10 steps of each are warm-up); prints one JSON line per configuration with the medians, the
 * median of the per-round browser/Node ratios, and the minimums (the least disturbed step on a shared
 * machine). Run: node --import tsx tools/package/browser-timing.ts (needs chromium, see test-integration/browser).
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { build } from 'esbuild';
import { loadMnist } from '../../src/data/index.js';
import { runWorkload } from '../../test-browser/workload.js';
import { launchChromium, serveDirectory } from '../../test-integration/browser/chromium.js';
const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'sparsity-lab-timing-'));
const r = await build({ entryPoints: [join(root, 'test-browser/page.ts')], bundle: true, format: 'esm', platform: 'browser', minify: true, write: false, outfile: join(dir, 'page.js') });
writeFileSync(join(dir, 'page.js'), r.outputFiles[0].text); copyFileSync(join(root, 'test-browser/index.html'), join(dir, 'index.html'));
const mnist = loadMnist(); const N = 200;
const pixels = new Uint8Array(N * 784); for (let i = 0; i < pixels.length; i++) pixels[i] = Math.round(mnist.train.images[i] * 255);
const sample = { pixels, labels: mnist.train.labels.slice(0, N) };
writeFileSync(join(dir, 'sample.json'), JSON.stringify({ pixels: Buffer.from(pixels).toString('base64'), labels: Buffer.from(sample.labels).toString('base64') }));
const b = await launchChromium();
const med = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
for (const [kernel, isolated, wasmMemory] of [['wasm-simd', true, true], ['wasm-simd', false, true], ['js-tuned', false, false]] as const) {
  const server = await serveDirectory(dir, { isolated, csp: true });
  const page = await b.context.newPage();
  await page.goto(server.url + '/index.html'); await page.waitForFunction(() => (globalThis as any).document.body.dataset.ready === 'true');
  const opts = { steps: 40, batch: 50, seed: 1, kernel, wasmMemory };
  const ratios: number[] = []; const bs: number[] = []; const ns: number[] = []; const bmin: number[] = []; const nmin: number[] = [];
  for (let round = 0; round < 7; round++) {
    const res = await page.evaluate(([o]) => (globalThis as any).sparsityLab.run('sample.json', o), [opts] as const);
    const node = runWorkload(sample, opts);
    const bm = med(res.stepMs.slice(10)), nm = med(node.stepMs.slice(10));
    if (round > 0) { bs.push(bm); ns.push(nm); ratios.push(bm / nm); bmin.push(Math.min(...res.stepMs.slice(10))); nmin.push(Math.min(...node.stepMs.slice(10))); }
  }
  console.log(JSON.stringify({ kernel, isolated, browserMs: med(bs), nodeMs: med(ns), browserOverNode: med(ratios), browserMinMs: Math.min(...bmin), nodeMinMs: Math.min(...nmin), rounds: bs.length }));
  await page.close(); await server.close();
}
await b.close();
rmSync(dir, { recursive: true, force: true });
