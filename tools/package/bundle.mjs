/**
 * Bundle the browser subpaths of an unpacked sparsity-lab package with esbuild (platform browser, ESM,
 * minified) and list what would break in a page: an import of a Node built-in (esbuild is told every
 * built-in is external, so any that is reached shows up as an import in the output) or code generated at
 * run time (`new Function`, `Function(`, `eval(`), which a strict Content-Security-Policy forbids.
 * Used by tools/package/check.mjs and the headless-browser test.
 */
import { mkdirSync, symlinkSync, existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

export const BROWSER_SUBPATHS = ['tensor', 'layers', 'optim', 'metrics'];

const NODE_BUILTINS = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** Problems a page would hit with `code` (an ESM bundle). */
export function browserProblems(code) {
  const out = [];
  const builtin = new RegExp(`(?:from|import|require)\\s*\\(?\\s*["'](node:[\\w/]+|${builtinModules.map((m) => m.replace(/[/]/g, '\\/')).join('|')})["']`, 'g');
  for (const m of code.matchAll(builtin)) out.push(`imports the Node built-in '${m[1]}'`);
  // A global eval call, not a method named eval (`eval(){…}` defines Sequential.eval, `.eval()` calls one).
  if (/\bnew Function\s*\(|[^\w.$]Function\s*\(|(?<![\w.$])eval\s*\((?!\s*\)\s*\{)/.test(code)) out.push('generates code at run time (new Function / Function( / eval)');
  if (/["']node:/.test(code)) out.push("contains a 'node:' module specifier");
  return out;
}

/**
 * Bundle each subpath's entry of the package in `pkgDir` (resolved through its package.json exports with
 * the browser conditions, as a consumer's bundler would) into `outDir`; its dependencies come from
 * `depsDir` (a node_modules folder). Returns [{ subpath, code, problems }].
 */
export async function bundleBrowserSubpaths(pkgDir, outDir, subpaths = BROWSER_SUBPATHS, depsDir = resolve(import.meta.dirname, '../../node_modules')) {
  const consumer = join(outDir, 'consumer');
  mkdirSync(join(consumer, 'node_modules'), { recursive: true });
  const link = join(consumer, 'node_modules', 'sparsity-lab');
  if (!existsSync(link)) symlinkSync(resolve(pkgDir), link, 'dir');
  const results = [];
  for (const subpath of subpaths) {
    const r = await build({
      stdin: { contents: `export * from 'sparsity-lab/${subpath}';`, resolveDir: consumer, loader: 'js' },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      write: false,
      outfile: join(outDir, `${subpath}.js`),
      external: NODE_BUILTINS,
      nodePaths: [depsDir],
      logLevel: 'silent',
    });
    const code = r.outputFiles.find((f) => f.path.endsWith('.js')).text;
    results.push({ subpath, code, problems: browserProblems(code) });
  }
  return results;
}
