/**
 * Prints the largest deviation from PyTorch of every fixture case (and, with --all, of every tensor),
 * computed with the default gemm kernel or the one named by --kernel.
 * Run: npx tsx test/layers/deviations.ts [--all] [--kernel js-blocked]
 */
import { activeGemmKernel, useGemmKernel } from '../../src/tensor/gemm/index.js';
import { caseNames, deviation, loadCase, runCase } from './fixtures.js';

const k = process.argv.indexOf('--kernel');
if (k >= 0) useGemmKernel(process.argv[k + 1]);
console.log(`gemm kernel: ${activeGemmKernel().name}`);

const e = (v: number) => v.toExponential(2);
for (const name of caseNames) {
  const run = runCase(loadCase(name));
  let abs = 0, rel = 0, ratio = 0;
  const lines: string[] = [];
  if (run.loss) {
    const d = Math.abs(run.loss.ours - run.loss.ref);
    lines.push(`    ${'loss'.padEnd(22)} abs ${e(d)}  rel ${e(d / Math.abs(run.loss.ref))}  (ours ${run.loss.ours}, torch ${run.loss.ref})`);
  }
  for (const cmp of run.comparisons) {
    const d = deviation(cmp.ours, cmp.ref);
    lines.push(`    ${cmp.what.padEnd(22)} abs ${e(d.maxAbs)}  rel ${e(d.maxRel)}  of bound ${d.boundRatio.toFixed(3)}`);
    abs = Math.max(abs, d.maxAbs);
    rel = Math.max(rel, d.maxRel);
    ratio = Math.max(ratio, d.boundRatio);
  }
  const loss = run.loss ? `; loss rel ${e(Math.abs(run.loss.ours - run.loss.ref) / Math.abs(run.loss.ref))}` : '';
  console.log(`${name.padEnd(22)} max abs ${e(abs)}  max rel ${e(rel)}  of bound ${ratio.toFixed(3)}${loss}`);
  if (process.argv.includes('--all')) for (const l of lines) console.log(l);
}
