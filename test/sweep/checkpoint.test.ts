/**
 * Per-epoch checkpoints: a run stopped after any epoch and resumed gives the same records, bit for bit,
 * as one never stopped; checkpoints are removed at the end (or kept on request); resuming with another
 * gemm kernel is an error naming both kernels unless forced; a damaged checkpoint means a restart.
 */
import { existsSync, readFileSync, writeFileSync, mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { normalizeConfig, runId, type RunConfigInput } from '../../src/experiments/config.js';
import { runFile } from '../../src/experiments/results.js';
import { runSweep } from '../../src/experiments/sweep.js';
import { checkpointPath, decodeCheckpoint, encodeCheckpoint, loadCheckpoint } from '../../src/sweep/checkpoint.js';
import { activeGemmKernel, setSparseInputMode, sparseInputMode, useGemmKernel } from '../../src/tensor/index.js';
import { loadData } from './helpers/tiny-data.js';
import type { RunData } from '../../src/experiments/runner.js';
import { setSkipZeroGradients } from '../../src/optim/index.js';
import { withoutTiming } from '../helpers/timing.js';

const data = loadData();
const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'sl-ckpt-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const cfg = (over: Partial<RunConfigInput>): RunConfigInput => ({
  optimizer: 'adam',
  hidden: [12],
  epochs: 4,
  batchSize: 25,
  data: { train: { start: 0, end: 400 }, test: { start: 0, end: 100 } },
  ...over,
});
// timing fields (seconds, train_seconds, eval_seconds) and the header's provenance (start time, command line) aside
const strip = withoutTiming;

/** Run `config` into `dir`, stopping (abort) right after epoch `stopAfter`. */
async function stopAfter(config: RunConfigInput, dir: string, epoch: number, extra = {}) {
  const controller = new AbortController();
  return runSweep([config], {
    outDir: dir,
    data,
    signal: controller.signal,
    onProgress: (p) => {
      if (p.step === p.steps && p.epoch === epoch) controller.abort();
    },
    ...extra,
  });
}

describe('checkpoints and resume', () => {
  const optimizers: RunConfigInput[] = [
    cfg({ optimizer: 'adam' }),
    cfg({ optimizer: { name: 'sgd', momentum: 0.9, nesterov: true } }),
    cfg({ optimizer: 'adadelta' }),
    cfg({ optimizer: { name: 'adamw', amsgrad: true } }),
    cfg({ optimizer: 'adagrad', batchSize: 20, sampler: { kind: 'class-restricted', classesPerBatch: 2 } }),
    cfg({ optimizer: 'rmsprop', hidden: [12, 8], activation: 'relu' }),
  ];
  for (const config of optimizers) {
    const name = JSON.stringify(normalizeConfig(config).optimizer.name);
    it(`${name} ${JSON.stringify(config.sampler ?? '')}: stopped after each epoch and resumed, the records equal an uninterrupted run's`, async () => {
      const ref = tempDir();
      expect((await runSweep([config], { outDir: ref, data }))[0]).toMatchObject({ state: 'done', epochs: 4 });
      const id = runId(normalizeConfig(config));
      const want = strip(readFileSync(runFile(ref, id), 'utf8'));
      for (const k of [1, 3]) {
        const dir = tempDir();
        const stopped = await stopAfter(config, dir, k);
        expect(stopped[0].state).toBe('aborted');
        expect(loadCheckpoint(dir, id)?.epoch).toBe(k);
        const notes: string[] = [];
        const resumed = await runSweep([config], { outDir: dir, data, onRunStart: (i) => notes.push(i.note ?? '') });
        expect(notes).toEqual([`resuming after epoch ${k} of 4 (checkpoint)`]);
        expect(resumed[0]).toMatchObject({ state: 'done', epochs: 4 });
        expect(strip(readFileSync(runFile(dir, id), 'utf8'))).toBe(want);
        expect(readdirSync(dir)).toEqual([`${id}.jsonl`]); // checkpoint and lock gone
      }
    });
  }

  it('cuts records written after the checkpoint (a kill between the epoch line and its checkpoint) and resumes identically', async () => {
    const config = cfg({});
    const id = runId(normalizeConfig(config));
    const ref = tempDir();
    await runSweep([config], { outDir: ref, data });
    const dir = tempDir();
    await stopAfter(config, dir, 3);
    // Put back the checkpoint of epoch 2 (as if the process died before writing epoch 3's) and a torn line.
    const d2 = tempDir();
    await stopAfter(config, d2, 2);
    writeFileSync(checkpointPath(dir, id), readFileSync(checkpointPath(d2, id)));
    writeFileSync(runFile(dir, id), `${readFileSync(runFile(dir, id), 'utf8')}{"run":"${id}","type":"ep`);
    await runSweep([config], { outDir: dir, data });
    expect(strip(readFileSync(runFile(dir, id), 'utf8'))).toBe(strip(readFileSync(runFile(ref, id), 'utf8')));
  });

  it('keepCheckpoint keeps the final epoch’s checkpoint', async () => {
    const dir = tempDir();
    const config = cfg({ epochs: 2 });
    await runSweep([config], { outDir: dir, data, keepCheckpoint: true });
    expect(loadCheckpoint(dir, runId(normalizeConfig(config)))?.epoch).toBe(2);
  });

  it('a damaged checkpoint: the run starts again from epoch 1 and ends with the same records', async () => {
    const config = cfg({});
    const id = runId(normalizeConfig(config));
    const ref = tempDir();
    await runSweep([config], { outDir: ref, data });
    const dir = tempDir();
    await stopAfter(config, dir, 2);
    const bytes = readFileSync(checkpointPath(dir, id));
    bytes[bytes.length - 5] ^= 0xff;
    writeFileSync(checkpointPath(dir, id), bytes);
    expect(() => loadCheckpoint(dir, id)).toThrow(/checksum mismatch/);
    const notes: string[] = [];
    await runSweep([config], { outDir: dir, data, onRunStart: (i) => notes.push(i.note ?? '') });
    expect(notes[0]).toMatch(/re-running from epoch 1: checkpoint .* data checksum mismatch/);
    expect(strip(readFileSync(runFile(dir, id), 'utf8'))).toBe(strip(readFileSync(runFile(ref, id), 'utf8')));
  });

  it('resuming with another gemm kernel fails naming both kernels, unless forced', async () => {
    const config = cfg({});
    const dir = tempDir();
    const before = activeGemmKernel().name;
    await stopAfter(config, dir, 2);
    const other = before === 'reference' ? 'js-blocked' : 'reference';
    useGemmKernel(other);
    try {
      const failed = await runSweep([config], { outDir: dir, data });
      expect(failed[0].state).toBe('failed');
      expect(failed[0].message).toContain(`gemm kernel ${before}, but the active kernel is ${other}`);
      expect(existsSync(checkpointPath(dir, runId(normalizeConfig(config))))).toBe(true); // nothing lost
      const forced = await runSweep([config], { outDir: dir, data, forceKernel: true });
      expect(forced[0]).toMatchObject({ state: 'done', epochs: 4 });
    } finally {
      useGemmKernel(before);
    }
  });

  it('resuming with another sparse-input mode fails naming both modes, unless forced', async () => {
    const config = cfg({});
    const dir = tempDir();
    const before = sparseInputMode();
    await stopAfter(config, dir, 2);
    const other = before === 'dense' ? 'sparse' : 'dense';
    setSparseInputMode(other);
    try {
      const failed = await runSweep([config], { outDir: dir, data });
      expect(failed[0].state).toBe('failed');
      expect(failed[0].message).toContain(`--sparse-input ${before}, but the active mode is ${other}`);
      const forced = await runSweep([config], { outDir: dir, data, forceKernel: true });
      expect(forced[0]).toMatchObject({ state: 'done', epochs: 4 });
    } finally {
      setSparseInputMode(before);
    }
  });

  it('Adadelta at batch 1 deferring its +0-gradient columns (sparse inputs, WebAssembly heap): resumed equals uninterrupted', async () => {
    // The checkpoint reads the optimizer state (bringing deferred columns up to date); the resumed run
    // starts its deferral afresh. Inputs with ~85 % zero pixels, so most columns are deferred at each step.
    const sparse = (d: RunData['train']) => ({ ...d, images: d.images.map((v) => (v < 0.75 ? 0 : v)) });
    const sparseData: RunData = { train: sparse(data.train), test: sparse(data.test) };
    const config = cfg({ optimizer: 'adadelta', batchSize: 1, epochs: 3, data: { train: { start: 0, end: 120 }, test: { start: 0, end: 40 } } });
    const previous = setSparseInputMode('sparse');
    try {
      const opts = { data: sparseData, wasmMemory: true };
      const ref = tempDir();
      expect((await runSweep([config], { outDir: ref, ...opts }))[0]).toMatchObject({ state: 'done', epochs: 3 });
      const id = runId(normalizeConfig(config));
      const want = strip(readFileSync(runFile(ref, id), 'utf8'));
      const dir = tempDir();
      expect((await stopAfter(config, dir, 1, opts))[0].state).toBe('aborted');
      expect((await runSweep([config], { outDir: dir, ...opts }))[0]).toMatchObject({ state: 'done', epochs: 3 });
      expect(strip(readFileSync(runFile(dir, id), 'utf8'))).toBe(want);
      // And the same records as with the deferral switched off.
      const previousSkip = setSkipZeroGradients(false);
      try {
        const full = tempDir();
        await runSweep([config], { outDir: full, ...opts });
        expect(strip(readFileSync(runFile(full, id), 'utf8'))).toBe(want);
      } finally {
        setSkipZeroGradients(previousSkip);
      }
    } finally {
      setSparseInputMode(previous);
    }
  });

  it('a dropout run resumed from its checkpoint equals an uninterrupted one bit for bit (masks drawn per epoch)', async () => {
    const config = cfg({ model: { kind: 'mlp', dropout: 0.5 } });
    const id = runId(normalizeConfig(config));
    const ref = tempDir();
    await runSweep([config], { outDir: ref, data });
    const dir = tempDir();
    await stopAfter(config, dir, 2);
    await runSweep([config], { outDir: dir, data });
    expect(strip(readFileSync(runFile(dir, id), 'utf8'))).toBe(strip(readFileSync(runFile(ref, id), 'utf8')));
  });

  it('encodes non-float32 values exactly and float32 buffers as bytes', () => {
    const params = [{ name: 'w', data: Float32Array.from({ length: 40 }, (_, i) => Math.fround(i / 7)) }];
    const optimizer = { state: { '0': { step: 3, buf: Array.from({ length: 20 }, (_, i) => Math.fround(-i / 3)), odd: [0.1, 0.2] } }, param_groups: [{ lr: 0.1, params: [0] }] };
    const parts = encodeCheckpoint({ run: 'r', config_hash: 'h', gemm_kernel: 'k', epoch: 2, accuracy: NaN, params, optimizer });
    const back = decodeCheckpoint(Buffer.concat(parts), 'mem');
    expect(back.params[0].data).toEqual(params[0].data);
    expect(back.optimizer).toEqual(optimizer);
    expect(back.accuracy).toBeNaN();
    expect(() => decodeCheckpoint(Buffer.concat(parts).subarray(0, 50), 'mem')).toThrow(/truncated|expected/);
  });
});
