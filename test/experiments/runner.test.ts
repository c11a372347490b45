/**
 * The training loop and test pass on real MNIST (the first images of each split), checked against
 * straightforward re-implementations of PROTOCOL §1–§2, plus determinism and divergence handling.
 * Small nets and subsets keep this file to a few seconds.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { epochBatches, loadMnist, subset, type Dataset } from '../../src/data/index.js';
import { normalizeConfig, type RunConfigInput } from '../../src/experiments/config.js';
import type { EpochRecord, ResultRecord } from '../../src/experiments/records.js';
import { runExperiment, setupRun, type RunData } from '../../src/experiments/runner.js';
import { ccmasSelectivity, hoyerSparsity } from '../../src/metrics/index.js';
import { getFloat32Allocator, wasmHeap, zeros } from '../../src/tensor/index.js';
import { expectSameUpToRounding } from '../helpers/timing.js';

let data: RunData;
beforeAll(() => {
  const m = loadMnist();
  data = { train: m.train, test: m.test };
});

const small = (over: Partial<RunConfigInput> = {}): RunConfigInput => ({
  optimizer: 'adam',
  hidden: [32],
  epochs: 1,
  data: { train: { start: 0, end: 500 }, test: { start: 0, end: 200 } },
  ...over,
});

/** Everything but the wall time. */
// timing fields aside: each epoch's seconds and the header's start time
const numbers = (records: ResultRecord[]) =>
  records.map((r) => (r.type === 'epoch' ? { ...r, seconds: 0, train_seconds: 0, eval_seconds: 0 } : r.type === 'header' && r.provenance ? { ...r, provenance: { ...r.provenance, started_utc: '' } } : r));


describe('runExperiment', () => {
  it('runs the issue’s 1-epoch baseline net on 2,000 training images and records the protocol’s fields', async () => {
    const records: ResultRecord[] = [];
    const out = await runExperiment(
      { optimizer: 'adam', epochs: 1, data: { train: { start: 0, end: 2000 }, test: { start: 0, end: 1000 } } },
      { data, onRecord: (r) => records.push(r) },
    );
    expect(records.map((r) => r.type)).toEqual(['header', 'epoch']);
    const h = out.header;
    expect(h).toMatchObject({ type: 'header', seed: 1, config: { hidden: [256], batchSize: 50, optimizer: { name: 'adam', lr: 1e-3 } } });
    expect(h.run).toMatch(/^adam-784x256x10-b50-s1-[0-9a-f]{8}$/);
    expect(typeof h.version).toBe('string');
    const e = out.epochs[0];
    expect(e.epoch).toBe(1);
    // 40 Adam steps from ln 10 ≈ 2.30: the net must have learned something (chance accuracy is 0.1).
    expect(e.train_loss).toBeLessThan(2.3);
    expect(e.test_loss).toBeLessThan(e.train_loss);
    expect(e.test_acc).toBeGreaterThan(0.5);
    expect(e.layers).toHaveLength(1);
    const l = e.layers[0];
    for (const v of [l.sparsity_mean, l.sparsity_std, l.selectivity_mean, l.selectivity_std]) {
      expect(v).not.toBeNull();
      expect(v!).toBeGreaterThan(0);
      expect(v!).toBeLessThan(1);
    }
    expect(e.seconds).toBeGreaterThan(0);
    expect(e.train_seconds).toBeGreaterThan(0);
    expect(e.eval_seconds).toBeGreaterThan(0);
    expect(e.train_seconds! + e.eval_seconds!).toBeLessThanOrEqual(e.seconds);
  });

  it('computes the training loss as the mean of the batch losses of the protocol’s step loop', async () => {
    // An independent loop over the same model, optimizer and order: zero grads → forward → loss →
    // backward → step, batches gathered with subset() instead of the runner's reused buffer.
    const config = normalizeConfig(small({ optimizer: 'sgd' }));
    const s = setupRun(config, data);
    const { order, ends } = epochBatches(s.sampler, 1);
    let sum = 0;
    for (let b = 0; b < ends.length; b++) {
      const idx = order.subarray(b === 0 ? 0 : ends[b - 1], ends[b]);
      const batch = subset(s.train, idx);
      const x = zeros([batch.count, batch.features]);
      x.data.set(batch.images);
      s.model.zeroGrad();
      sum += s.loss.forward(s.model.forward(x), batch.labels);
      s.model.backward(s.loss.backward());
      s.optimizer.step();
    }
    const out = await runExperiment(config, { data });
    expect(out.epochs[0].train_loss).toBe(sum / ends.length);
  });

  it('evaluates the test set as PROTOCOL §1–§2 say: mean of batch means, argmax accuracy, metrics over all images', () => {
    // 230 images in batches of 50: the last batch holds 30, so the mean of batch means differs from the
    // per-image mean — the original's definition is checked, not the other one.
    const config = normalizeConfig(small({ evalBatchSize: 50, data: { train: { start: 0, end: 100 }, test: { start: 0, end: 230 } } }));
    const s = setupRun(config, data);
    const ev = s.evaluator.run();

    const test: Dataset = s.test;
    const x = zeros([test.count, test.features]);
    x.data.set(test.images);
    const acts: number[] = [];
    const h = s.model.layers[1].registerForwardHook((o) => acts.push(...o.toFloat32Array()));
    const logits = s.model.forward(x).clone();
    h.remove();
    const batchMeans: number[] = [];
    let correct = 0;
    let perImageSum = 0;
    for (let i = 0; i < test.count; i++) {
      const row = Array.from(logits.data.subarray(i * 10, i * 10 + 10));
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
      const li = lse - row[test.labels[i]];
      perImageSum += li;
      if (i % 50 === 0) batchMeans.push(0);
      batchMeans[batchMeans.length - 1] += li / (i >= 200 ? 30 : 50);
      if (row.indexOf(m) === test.labels[i]) correct++;
    }
    const expectedLoss = batchMeans.reduce((a, b) => a + b, 0) / batchMeans.length;
    // float32 logits and float32 batch losses vs float64 here: agree to ~1e-6 relative.
    expect(ev.loss).toBeCloseTo(expectedLoss, 5);
    expect(Math.abs(expectedLoss - perImageSum / test.count)).toBeGreaterThan(1e-5); // the two definitions differ here
    expect(ev.accuracy).toBe(correct / test.count);

    // The streaming taps equal the one-shot metric functions on the whole activation matrix.
    const A = { data: Float32Array.from(acts), shape: [test.count, 32] };
    const hoyer = hoyerSparsity(A);
    const ccmas = ccmasSelectivity(A, test.labels, 10, { eps: 1e-7 });
    expect(ev.layers[0].sparsity_mean).toBe(hoyer.mean);
    expect(ev.layers[0].sparsity_std).toBe(hoyer.stdSample);
    expect(ev.layers[0].selectivity_mean).toBe(ccmas.mean);
    expect(ev.layers[0].selectivity_std).toBe(ccmas.stdPopulation);
    expect(ev.layers[0].activation_sum).toBe(hoyer.activationSum);
  });

  it('gives identical numbers when a run is repeated, alone or after other runs', async () => {
    const a: ResultRecord[] = [];
    const b: ResultRecord[] = [];
    const other: ResultRecord[] = [];
    await runExperiment(small({ epochs: 2 }), { data, onRecord: (r) => a.push(r) });
    await runExperiment(small({ epochs: 2, seed: 100 }), { data, onRecord: (r) => other.push(r) });
    await runExperiment(small({ epochs: 2 }), { data, onRecord: (r) => b.push(r) });
    expect(numbers(b)).toEqual(numbers(a));
    // A different seed gives different weights and order, hence different numbers.
    expect((other[1] as EpochRecord).train_loss).not.toBe((a[1] as EpochRecord).train_loss);
  });

  it('measures the training stream before each step when asked (Sec. 5.3), without changing the trajectory', async () => {
    const plain = await runExperiment(small(), { data });
    const withTrain = await runExperiment(small({ metrics: { train: true } }), { data });
    const e = withTrain.epochs[0];
    expect(e.train_layers).toHaveLength(1);
    expect(e.train_layers![0].sparsity_mean).toBeGreaterThan(0);
    expect(plain.epochs[0].train_layers).toBeUndefined();
    expect(e.train_loss).toBe(plain.epochs[0].train_loss);
    expect(e.layers).toEqual(plain.epochs[0].layers);
  });

  it('handles deeper nets: one record per hidden layer', async () => {
    const out = await runExperiment(small({ hidden: [16, 16, 16] }), { data });
    expect(out.epochs[0].layers).toHaveLength(3);
  });

  it('records a diverged run and stops cleanly (PROTOCOL §4.3)', async () => {
    // lr 1e38: the first step moves the output weights by ~1e38, the next logits overflow to ±Inf → NaN loss.
    const records: ResultRecord[] = [];
    const out = await runExperiment(small({ optimizer: { name: 'sgd', lr: 1e38 }, epochs: 3 }), { data, onRecord: (r) => records.push(r) });
    expect(out.diverged).not.toBeNull();
    expect(out.diverged).toMatchObject({ type: 'diverged', epoch: 1 });
    expect(out.diverged!.reason).toMatch(/^train loss (NaN|Infinity) at step \d+ of epoch 1$/);
    expect(out.epochs).toHaveLength(0);
    expect(records.map((r) => r.type)).toEqual(['header', 'diverged']);
  });

  it('checks data and sampler before emitting anything', async () => {
    const records: ResultRecord[] = [];
    const onRecord = (r: ResultRecord) => records.push(r);
    await expect(runExperiment(small({ data: { train: { start: 0, end: 70000 } } }), { data, onRecord })).rejects.toThrow(
      'runExperiment: config.data.train = [0, 70000) reaches past the 60000 images of mnist-train',
    );
    await expect(
      runExperiment(small({ sampler: { kind: 'class-restricted', classesPerBatch: 3 } }), { data, onRecord }),
    ).rejects.toThrow(/batchSize: expected a multiple of sampler\.classesPerBatch = 3/);
    await expect(runExperiment(small({ epochs: 0 }), { data, onRecord })).rejects.toThrow(/epochs: expected a positive integer, got 0/);
    // The first 3 test images are a 7, a 2 and a 1: no CCMAS possible.
    await expect(runExperiment(small({ data: { test: { start: 0, end: 3 } } }), { data, onRecord })).rejects.toThrow(
      'runExperiment: the test images (mnist-test[0:3], 3 images) have no example of class 0, 3, 4, 5, 6, 8, 9; CCMAS selectivity needs every class — use more test images',
    );
    expect(records).toEqual([]);
  });

  it('scans the images for NaN/∞ once, before emitting anything (batches then skip the per-forward scan)', async () => {
    const records: ResultRecord[] = [];
    const train = subset(data.train, { start: 0, end: 500 });
    train.images[12 * 784 + 345] = NaN;
    await expect(runExperiment(small({ data: {} }), { data: { train, test: data.test }, onRecord: (r) => records.push(r) })).rejects.toThrow(
      'runExperiment: the train images (mnist-train[0:500]) must be finite; image 12, pixel 345 is NaN',
    );
    const test = subset(data.test, { start: 0, end: 200 });
    test.images[3 * 784] = -Infinity;
    await expect(runExperiment(small({ data: { train: { start: 0, end: 500 } } }), { data: { train: data.train, test }, onRecord: (r) => records.push(r) })).rejects.toThrow(
      'runExperiment: the test images (mnist-test[0:200]) must be finite; image 3, pixel 0 is -Infinity',
    );
    expect(records).toEqual([]);
  });

  it('stops between steps when the signal is aborted', async () => {
    const controller = new AbortController();
    const out = await runExperiment(small({ epochs: 3 }), {
      data,
      signal: controller.signal,
      yieldEvery: 2,
      onProgress: () => controller.abort(),
      progressEvery: 1,
    });
    expect(out.aborted).toBe(true);
    expect(out.epochs).toHaveLength(0);
  });
});

describe('runExperiment with wasmMemory (the CLI’s setting)', () => {
  it('gives the same numbers as on the JS heap and keeps the caller’s allocator outside the run', async () => {
    const heap = wasmHeap();
    await runExperiment(small(), { data, wasmMemory: true }); // the gemm kernel's scratch regions grow once
    const inUse = heap.bytesInUse;
    const allocators = new Set<string>();
    let peak = 0;
    const inWasm: ResultRecord[] = [];
    const onHeap: ResultRecord[] = [];
    let between = '';
    await runExperiment(small({ epochs: 2 }), {
      data,
      wasmMemory: true,
      progressEvery: 1,
      yieldEvery: 3,
      onRecord: (r) => {
        inWasm.push(r);
        allocators.add(getFloat32Allocator().name);
      },
      onProgress: () => {
        peak = Math.max(peak, heap.bytesInUse);
        allocators.add(getFloat32Allocator().name);
        // Code the event loop runs while the run waits for its next turn.
        setImmediate(() => (between = getFloat32Allocator().name));
      },
    });
    await runExperiment(small({ epochs: 2 }), { data, onRecord: (r) => onHeap.push(r) });
    expectSameUpToRounding(numbers(inWasm), numbers(onHeap));
    // During the run its storage was in the WebAssembly heap: the 784-32-10 net's weights and gradients
    // alone are 2 × 25,450 floats, plus Adam's two state buffers per parameter.
    expect(peak - inUse).toBeGreaterThan(4 * 25450 * 4);
    expect([...allocators]).toEqual(['heap']);
    expect(between).toBe('heap');
    expect(getFloat32Allocator().name).toBe('heap');
    expect(heap.bytesInUse).toBe(inUse);
  });

  it('frees everything it allocated however the run ends: diverged, aborted, or by an exception', async () => {
    const heap = wasmHeap();
    await runExperiment(small(), { data, wasmMemory: true });
    const inUse = heap.bytesInUse;

    const diverged = await runExperiment(small({ optimizer: { name: 'sgd', lr: 1e38 }, epochs: 3 }), { data, wasmMemory: true });
    expect(diverged.diverged).not.toBeNull();
    expect(heap.bytesInUse).toBe(inUse);

    const controller = new AbortController();
    const aborted = await runExperiment(small({ epochs: 3 }), {
      data,
      wasmMemory: true,
      signal: controller.signal,
      yieldEvery: 2,
      progressEvery: 1,
      onProgress: () => controller.abort(),
    });
    expect(aborted.aborted).toBe(true);
    expect(heap.bytesInUse).toBe(inUse);

    const failing = runExperiment(small({ epochs: 2 }), {
      data,
      wasmMemory: true,
      onRecord: (r) => {
        if (r.type === 'epoch') throw new Error('disk full');
      },
    });
    await expect(failing).rejects.toThrow('disk full');
    expect(heap.bytesInUse).toBe(inUse);

    // A configuration that fails after the net is built (the optimizer class rejects its option value).
    await expect(runExperiment(small({ optimizer: { name: 'sgd', nesterov: true } }), { data, wasmMemory: true })).rejects.toThrow(/[Nn]esterov/);
    expect(heap.bytesInUse).toBe(inUse);
    expect(getFloat32Allocator().name).toBe('heap');
  });
});
