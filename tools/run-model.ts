/**
 * Runs of a model kind the CLI does not offer yet (the CNN, the mlp with dropout), written as results JSONL
 * that `tools/compare.ts`, `sparsity-lab summarize` and `figures` read — the runner's own records.
 *
 *   node --experimental-wasm-relaxed-simd --import tsx tools/run-model.ts --model cnn \
 *     --optimizers adam,sgd --seeds 1,100 --epochs 1 [--train-images N] [--dropout P] --out results.jsonl
 *
 * Prints one line per epoch in the format of tools/pytorch/baseline.py (train/epoch seconds, losses,
 * accuracy, the measured layer's sparsity and selectivity), so the two can be read side by side.
 * Temporary: when the experiment registry offers model kinds (`model: { kind: 'cnn' }` in a run config), the
 * CLI runs these directly and this script can go.
 */
import { mkdirSync, writeFileSync, appendFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { loadMnist } from '../src/data/index.js';
import type { OptimizerName, RunConfigInput } from '../src/experiments/config.js';
import type { ModelConfig } from '../src/experiments/config.js';
import { runExperiment } from '../src/experiments/runner.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'cnn' },
    dropout: { type: 'string' },
    optimizers: { type: 'string', default: 'adam' },
    seeds: { type: 'string', default: '1' },
    epochs: { type: 'string', default: '1' },
    'train-images': { type: 'string' },
    hidden: { type: 'string', default: '256' },
    out: { type: 'string' },
  },
});
if (!values.out) throw new Error('run-model: --out <file.jsonl> is required');
const model: ModelConfig =
  values.model === 'cnn' ? { kind: 'cnn' } : { kind: 'mlp', ...(values.dropout !== undefined && { dropout: Number(values.dropout) }) };
const data = loadMnist();
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, '');
for (const seed of values.seeds!.split(',').map(Number)) {
  for (const optimizer of values.optimizers!.split(',') as OptimizerName[]) {
    const config: RunConfigInput = {
      optimizer,
      seed,
      model,
      hidden: values.hidden!.split(',').map(Number),
      epochs: Number(values.epochs),
      ...(values['train-images'] !== undefined && { data: { train: { start: 0, end: Number(values['train-images']) } } }),
    };
    await runExperiment(config, {
      data: { train: data.train, test: data.test },
      wasmMemory: true,
      onRecord: (r) => {
        appendFileSync(values.out!, JSON.stringify(r) + '\n');
        if (r.type === 'epoch') {
          const l = r.layers.map((x) => `sp ${x.sparsity_mean?.toFixed(4)} sel ${x.selectivity_mean?.toFixed(4)}`).join(' ');
          console.log(
            `${optimizer.padEnd(8)} seed ${String(seed).padStart(5)} epoch ${String(r.epoch).padStart(3)}  epoch ${r.seconds.toFixed(2).padStart(7)} s  ` +
              `train_loss ${r.train_loss.toFixed(4)} test_loss ${r.test_loss.toFixed(4)} acc ${r.test_acc.toFixed(4)}  ${l}`,
          );
        } else if (r.type === 'diverged') console.log(`${optimizer} seed ${seed} diverged: ${r.reason}`);
      },
    });
  }
}
