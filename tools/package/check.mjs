#!/usr/bin/env node
/**
 * `npm run check:package` — the package as the ecosystem sees it, without installing anything:
 *
 * 1. `npm pack` (which builds: `prepack`) into a temporary directory;
 * 2. every file the tarball's package.json refers to (exports, types, bin) and every source a shipped
 *    source map or declaration map names is in the tarball;
 * 3. publint --strict and @arethetypeswrong/cli (profile esm-only: the package is ESM, `require` of it is
 *    Node's require(esm), which attw's node16-CJS mode does not model) on that tarball — both must report
 *    nothing;
 * 4. the browser subpaths (tensor, layers, optim, metrics) bundled by esbuild for `platform: browser` from
 *    the packed files: no Node built-in may be imported and no `new Function`/`Function(` may appear (a
 *    strict Content-Security-Policy forbids both). Bundle sizes are printed (minified, and gzip).
 *
 * Exits non-zero naming each problem. Prints one JSON line per bundle for the record.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundleBrowserSubpaths, BROWSER_SUBPATHS } from './bundle.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const problems = [];
const work = mkdtempSync(join(tmpdir(), 'sparsity-lab-pack-'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

try {
  // 1. pack (builds first)
  const packed = JSON.parse(execFileSync(npm, ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
  const tarball = join(work, packed[0].filename);
  console.log(`packed ${packed[0].filename}: ${(packed[0].size / 1024).toFixed(0)} kB (${(packed[0].unpackedSize / 1024).toFixed(0)} kB unpacked, ${packed[0].entryCount} files)`);
  const pkgDir = join(work, 'unpacked');
  execFileSync('mkdir', ['-p', pkgDir]);
  execFileSync('tar', ['-xzf', tarball, '-C', pkgDir]);
  const pkg = join(pkgDir, 'package');
  const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));

  // 2. referenced files exist
  const referenced = new Set();
  const walkExports = (v) => {
    if (typeof v === 'string') referenced.add(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(walkExports);
  };
  walkExports(manifest.exports);
  for (const k of ['main', 'types']) if (manifest[k]) referenced.add(manifest[k]);
  for (const b of Object.values(manifest.bin ?? {})) referenced.add(b);
  for (const f of referenced) if (!existsSync(join(pkg, f))) problems.push(`package.json refers to ${f}, which the tarball lacks`);
  const files = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(pkg);
  let maps = 0;
  for (const f of files.filter((f) => f.endsWith('.map'))) {
    maps++;
    const map = JSON.parse(readFileSync(f, 'utf8'));
    for (const [i, s] of map.sources.entries()) {
      const target = resolve(dirname(f), map.sourceRoot ?? '', s);
      if (!existsSync(target) && !map.sourcesContent?.[i]) problems.push(`${f.slice(pkg.length + 1)} names the source ${s}, which the tarball lacks`);
    }
  }
  for (const f of files.filter((f) => /\.test\.ts$/.test(f))) problems.push(`the tarball ships a test file: ${f.slice(pkg.length + 1)}`);
  console.log(`checked ${referenced.size} package.json targets and ${maps} source/declaration maps`);

  // 3. publint and attw on the tarball
  const run = (label, cmd, args) => {
    try {
      const out = execFileSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      console.log(`${label}: ok`);
      if (process.env.VERBOSE) console.log(out);
    } catch (e) {
      problems.push(`${label} reported:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    }
  };
  run('publint --strict', npx, ['publint', 'run', tarball, '--strict']);
  run('attw --profile esm-only', npx, ['attw', tarball, '--profile', 'esm-only', '--format', 'table-flipped']);

  // 4. browser bundles from the packed files
  const bundles = await bundleBrowserSubpaths(pkg, join(work, 'bundles'));
  for (const b of bundles) {
    const gz = gzipSync(b.code).length;
    console.log(JSON.stringify({ bundle: `sparsity-lab/${b.subpath}`, bytes: b.code.length, gzipBytes: gz }));
    for (const p of b.problems) problems.push(`browser bundle sparsity-lab/${b.subpath}: ${p}`);
  }
  if (bundles.length !== BROWSER_SUBPATHS.length) problems.push('not every browser subpath was bundled');
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(`\ncheck:package found ${problems.length} problem(s):\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log('check:package: the tarball is complete, publint and attw report nothing, the browser bundles are clean');
