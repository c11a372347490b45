/**
 * One training run, as the original notebooks did it (PROTOCOL §1–§3), epoch by epoch:
 *
 *   for each epoch: for each training batch (sampler order): zero grads → forward → cross-entropy (batch
 *   mean) → backward → optimizer step; then the test pass (evaluate.ts).
 *   train_loss = mean of the epoch's batch losses; test_loss = mean of the test batches' mean losses.
 *
 * Each finished epoch is handed to `onRecord` as an {@link EpochRecord} right away (after a header record
 * before the first epoch), so a caller can write it to disk before the next epoch starts. Everything that
 * can be wrong with the configuration or data is checked before the header is emitted: a bad run leaves
 * nothing half-written.
 *
 * Divergence (PROTOCOL §4.3): the first non-finite batch loss (NaN or ±Inf), or a non-finite test loss,
 * ends the run with a {@link DivergedRecord}; the run returns normally, so a sweep carries on.
 *
 * The step loop allocates nothing: each batch's rows are copied (memcpy, from views of the training
 * images made once per run) into one reused input tensor and the layers reuse their own buffers. The
 * event loop gets a turn every `yieldEvery` steps so a progress bar can draw and Ctrl-C (`signal`) can
 * stop the run between steps.
 *
 * Memory: with `wasmMemory: true` the run's float32 storage — parameters, gradients, activation and
 * input buffers, optimizer state — comes from the WebAssembly heap (`useWasmMemory`), where the
 * WebAssembly gemm kernels use it in place instead of copying operands in and results out. The switch
 * is scoped to the run: the allocator is the WebAssembly one only while the run's own code executes,
 * and is put back before every yield to the event loop, so code running in between (and other runs)
 * keep whatever allocator they had. Every run frees what it allocated when it ends — normally, diverged,
 * aborted or by an exception — through `dispose()` on the model, loss, evaluator and optimizer, so a
 * sweep of many runs stays at the memory of one. The default (`wasmMemory` unset) uses the installed
 * allocator, i.e. the JS heap unless the program called `useWasmMemory()` itself; the CLI turns it on
 * whenever the gemm kernel is a WebAssembly one (src/cli/main.ts, `--memory`).
 */
import type { Dataset, Sampler } from '../data/index.js';
import { epochBatches, makeSampler, subset } from '../data/index.js';
import { CrossEntropyLoss, Dropout, hiddenActivationLayers, type Sequential } from '../layers/index.js';
import { neuronAblation } from './ablation.js';
import { models, type BuiltModel } from './kinds/models.js';
import { SparseInputFeed } from '../layers/sparse-input.js';
import { activeGemmKernel, freeFloat32, Rng, sparseInputMode, setFloat32Allocator, type Float32Allocator, Tensor, useWasmMemory, zeros } from '../tensor/index.js';
import {
  DATASETS,
  configHash,
  deriveSeeds,
  trainingHash,
  layerWidths,
  normalizeConfig,
  runId,
  samplerSpec,
  type RunConfig,
  type RunConfigInput,
} from './config.js';
import { checkFiniteImages, Evaluator } from './evaluate.js';
import { createOptimizer, type Optimizer } from './optimizers.js';
import type { DivergedRecord, EpochRecord, HeaderRecord, ResultRecord } from './records.js';
import { ActivationTaps } from './taps.js';
import { libraryVersion } from './version.js';
import { provenance } from './provenance.js';

/** The full splits; the runner cuts `config.data.train` / `.test` out of them. */
export interface RunData {
  train: Dataset;
  test: Dataset;
}

export interface RunProgress {
  run: string;
  epoch: number;
  epochs: number;
  /** Steps done in this epoch. */
  step: number;
  steps: number;
  /** Mean batch loss so far in this epoch. */
  loss: number;
  /** Test accuracy after the previous epoch (NaN before the first evaluation). */
  accuracy: number;
}

export interface RunOptions {
  data: RunData;
  /** Receives the header, then each epoch's record, then possibly a diverged record. */
  onRecord?: (record: ResultRecord) => void;
  /** Called every `progressEvery` steps and at the end of every epoch. */
  onProgress?: (progress: RunProgress) => void;
  progressEvery?: number;
  /** Stop between steps when aborted; the outcome then has `aborted: true`. */
  signal?: AbortSignal;
  /** Give the event loop a turn every this many steps (default 50). */
  yieldEvery?: number;
  /**
   * Allocate the run's float32 storage in the WebAssembly heap (see the module comment). Default false:
   * the installed allocator.
   */
  wasmMemory?: boolean;
  /** The experiment and condition the run was planned under, recorded in its header. */
  labels?: RunLabels;
  /**
   * Continue a run from the end of epoch `resume.epoch` (a checkpoint, src/sweep/checkpoint.ts): the
   * parameters and optimizer state are restored after set-up, no header is emitted, and training starts at
   * epoch `resume.epoch + 1`. Samplers are pure functions of (seed, epoch), so nothing else carries over.
   */
  resume?: RunSnapshot;
  /**
   * Called after each epoch's record was emitted (not after the last epoch unless `snapshotLast`), with the
   * state to continue from; the caller saves it (synchronously: the arrays are the run's live buffers).
   */
  onSnapshot?: (snapshot: RunSnapshot) => void;
  snapshotLast?: boolean;
}

/** What a run needs to continue after `epoch` (see RunOptions.resume). */
export interface RunSnapshot {
  epoch: number;
  /** Test accuracy after `epoch` (progress display). */
  accuracy: number;
  params: Array<{ name: string; data: Float32Array }>;
  /** The optimizer's stateDict(). */
  optimizer: unknown;
}

interface StatefulOptimizer extends Optimizer {
  stateDict(): unknown;
  loadStateDict(dict: unknown): void;
}

function stateful(optimizer: Optimizer): StatefulOptimizer {
  const o = optimizer as Partial<StatefulOptimizer>;
  if (typeof o.stateDict !== 'function' || typeof o.loadStateDict !== 'function') {
    throw new Error('runExperiment: the optimizer has no stateDict()/loadStateDict(), so the run cannot be checkpointed or resumed');
  }
  return o as StatefulOptimizer;
}

/** Put a snapshot's parameters and optimizer state into a freshly set-up run; throws naming any mismatch. */
export function restoreSnapshot(s: RunSetup, snapshot: RunSnapshot): void {
  const params = s.model.parameters() as Array<{ name: string; data: Float32Array }>;
  if (snapshot.params.length !== params.length) {
    throw new Error(`resume: the checkpoint has ${snapshot.params.length} parameters, the model ${params.length}`);
  }
  params.forEach((p, i) => {
    const saved = snapshot.params[i];
    if (saved.name !== p.name || saved.data.length !== p.data.length) {
      throw new Error(`resume: checkpoint parameter ${i} is ${saved.name} (${saved.data.length} values), the model's is ${p.name} (${p.data.length})`);
    }
  });
  stateful(s.optimizer).loadStateDict(snapshot.optimizer);
  params.forEach((p, i) => p.data.set(snapshot.params[i].data));
}

/** A planned run's place in its experiment (src/experiments/spec.ts). */
export interface RunLabels {
  experiment: string;
  condition: string;
}

export interface RunOutcome {
  header: HeaderRecord;
  epochs: EpochRecord[];
  diverged: DivergedRecord | null;
  aborted: boolean;
}

/** The training split and test split a configuration asks for, checked against the dataset's sizes. */
export function selectData(config: RunConfig, data: RunData): RunData {
  const want = DATASETS[config.data.name];
  for (const [split, ds] of [['train', data.train], ['test', data.test]] as const) {
    if (ds.features !== want.features || ds.numClasses !== want.classes) {
      throw new Error(
        `runExperiment: the ${split} dataset ${ds.name} has ${ds.features} features and ${ds.numClasses} classes; ` +
          `config.data.name "${config.data.name}" needs ${want.features} and ${want.classes}`,
      );
    }
  }
  const cut = (ds: Dataset, range: { start: number; end: number } | undefined, field: string): Dataset => {
    if (!range) return ds;
    if (range.end > ds.count) {
      throw new Error(`runExperiment: config.data.${field} = [${range.start}, ${range.end}) reaches past the ${ds.count} images of ${ds.name}`);
    }
    return range.start === 0 && range.end === ds.count ? ds : subset(ds, range);
  };
  const train = cut(data.train, config.data.train, 'train');
  const test = cut(data.test, config.data.test, 'test');
  // Once per images array, so the step loop and the test pass can skip the per-batch input scan.
  checkFiniteImages(train, 'runExperiment', 'train');
  checkFiniteImages(test, 'runExperiment', 'test');
  // CCMAS needs a mean for every class: a subset without some class would fail mid-run, so say so now.
  checkAllClasses(test, 'test');
  if (config.metrics.train) checkAllClasses(train, 'train');
  return { train, test };
}

function checkAllClasses(ds: Dataset, split: string): void {
  const seen = new Uint8Array(ds.numClasses);
  for (let i = 0; i < ds.count; i++) seen[ds.labels[i]] = 1;
  const missing = [...seen.keys()].filter((c) => seen[c] === 0);
  if (missing.length > 0) {
    throw new Error(
      `runExperiment: the ${split} images (${ds.name}, ${ds.count} images) have no example of class ${missing.join(', ')}; ` +
        `CCMAS selectivity needs every class — use more ${split} images`,
    );
  }
}

/** The network of a run, built by its model kind (src/experiments/kinds/models.ts; no `model` = mlp). */
function buildModel(config: RunConfig, widths: number[], rng: Rng, forwardSeed: string): BuiltModel {
  const { kind, ...options } = config.model ?? { kind: 'mlp' };
  return models.get(kind).build({
    forwardSeed,
    features: widths[0],
    classes: widths[widths.length - 1],
    hidden: config.hidden,
    activation: config.activation,
    options: options as Record<string, number | boolean | [number, number]>,
    rng,
  });
}

/** The training objects of one run, built from its configuration and seeds. */
export interface RunSetup {
  config: RunConfig;
  id: string;
  /** Seed of the forward pass's randomness (Dropout masks); each epoch draws from `${forwardSeed}/epoch <n>`. */
  forwardSeed: string;
  train: Dataset;
  test: Dataset;
  model: Sequential;
  /** One example's shape as the model takes it ([784], or [1, 28, 28] for the CNN). */
  exampleShape: readonly number[];
  loss: CrossEntropyLoss;
  optimizer: Optimizer;
  sampler: Sampler;
  taps: ActivationTaps;
  evaluator: Evaluator;
  /**
   * Free everything the setup allocated (model, loss and evaluator buffers, optimizer state where the
   * optimizer can free it) and detach the taps. Idempotent; nothing of the setup may be used afterwards.
   */
  dispose(): void;
}

/** The optimizer's `dispose()`, for optimizers that have one (they free their state buffers). */
function disposeOptimizer(optimizer: Optimizer): void {
  (optimizer as Optimizer & { dispose?: () => void }).dispose?.();
}

/** Build the model, optimizer, sampler, taps and evaluator for `config` (no training yet). */
export function setupRun(input: RunConfigInput | RunConfig, data: RunData): RunSetup {
  const config = normalizeConfig(input);
  const { train, test } = selectData(config, data);
  const seeds = deriveSeeds(config);
  const widths = layerWidths(config);
  let sampler: Sampler;
  try {
    sampler = makeSampler(samplerSpec(config), train.labels);
  } catch (e) {
    throw new Error(`config.sampler ${JSON.stringify(config.sampler)}: ${(e as Error).message}`, { cause: e });
  }
  // The model kind (mlp, mlp + dropout, cnn) and its measured layers: src/experiments/kinds/models.ts.
  const forwardSeed = `${config.seed}/${trainingHash(config)}/dropout`;
  const built = buildModel(config, widths, new Rng(seeds.init), forwardSeed);
  const model = built.model;
  const loss = new CrossEntropyLoss({ reduction: 'mean' });
  let taps: ActivationTaps | null = null;
  let optimizer: Optimizer | null = null;
  let evaluator: Evaluator | null = null;
  let disposed = false;
  const dispose = (): void => {
    if (disposed) return;
    disposed = true;
    taps?.remove();
    evaluator?.dispose();
    if (optimizer) disposeOptimizer(optimizer);
    loss.dispose();
    model.dispose();
  };
  try {
    taps = new ActivationTaps(built.measured, built.measuredWidths, train.numClasses, config.metrics.eps);
    optimizer = createOptimizer(config.optimizer, model.parameters());
    evaluator = new Evaluator(model, taps, test, config.evalBatchSize, built.exampleShape);
  } catch (e) {
    dispose(); // nothing half-built stays allocated
    throw e;
  }
  return { config, id: runId(config), train, test, model, exampleShape: built.exampleShape, forwardSeed, loss, optimizer, sampler, taps, evaluator, dispose };
}

/**
 * The float32 allocator of one run: with `wasm`, the WebAssembly heap while the run's code executes and
 * the caller's allocator around every await and callback (see the module comment); without, the
 * installed allocator throughout.
 */
class RunMemory {
  private previous: Float32Allocator | null = null;

  constructor(private readonly wasm: boolean) {}

  enter(): void {
    if (this.wasm && this.previous === null) this.previous = useWasmMemory(true);
  }

  leave(): void {
    if (this.previous !== null) setFloat32Allocator(this.previous);
    this.previous = null;
  }
}

/** One view per training image (`images.subarray`), made once per run: rows are then copied by memcpy. */
export function imageRows(ds: Dataset): Float32Array[] {
  const F = ds.features;
  const rows = new Array<Float32Array>(ds.count);
  for (let i = 0; i < ds.count; i++) rows[i] = ds.images.subarray(i * F, i * F + F);
  return rows;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Train and evaluate one configuration for its epochs; see the module comment. */
export async function runExperiment(input: RunConfigInput | RunConfig, options: RunOptions): Promise<RunOutcome> {
  const memory = new RunMemory(options.wasmMemory === true);
  memory.enter();
  let s: RunSetup;
  try {
    s = setupRun(input, options.data);
  } catch (e) {
    memory.leave();
    throw e;
  }
  try {
    return await trainAndEvaluate(s, options, memory);
  } finally {
    memory.leave();
    s.dispose();
  }
}

/** The epochs of a set-up run (runExperiment's body; `s` is disposed by the caller). */
async function trainAndEvaluate(s: RunSetup, options: RunOptions, memory: RunMemory): Promise<RunOutcome> {
  const { config, train, model, loss, optimizer, sampler, taps, evaluator } = s;
  const header: HeaderRecord = {
    run: s.id,
    type: 'header',
    config,
    seed: config.seed,
    version: libraryVersion(),
    config_hash: configHash(config),
    streams: deriveSeeds(config),
    gemm_kernel: activeGemmKernel().name,
    sparse_input: sparseInputMode(),
    ...(options.labels && { experiment: options.labels.experiment, condition: options.labels.condition }),
    provenance: provenance(),
  };
  // Callbacks are the caller's code: they run with the caller's allocator, not the run's.
  const outside = <T>(f: (arg: T) => void, arg: T): void => {
    memory.leave();
    try {
      f(arg);
    } finally {
      memory.enter();
    }
  };
  const emit = (r: ResultRecord): void => {
    if (options.onRecord) outside(options.onRecord, r);
  };
  const progress = (p: RunProgress): void => {
    if (options.onProgress) outside(options.onProgress, p);
  };
  const outcome: RunOutcome = { header, epochs: [], diverged: null, aborted: false };
  const yieldEvery = options.yieldEvery ?? 50;
  const progressEvery = options.progressEvery ?? 20;
  const resume = options.resume;
  if (resume) {
    if (!Number.isInteger(resume.epoch) || resume.epoch < 0 || resume.epoch >= config.epochs) {
      throw new Error(`runExperiment: resume.epoch must be an integer in [0, ${config.epochs}), got ${resume.epoch}`);
    }
    restoreSnapshot(s, resume);
  } else {
    emit(header);
  }
  const snapshot = (epoch: number, acc: number): void => {
    if (!options.onSnapshot || (epoch === config.epochs && !options.snapshotLast)) return;
    const params = (model.parameters() as Array<{ name: string; data: Float32Array }>).map((p) => ({ name: p.name, data: p.data }));
    const snap: RunSnapshot = { epoch, accuracy: acc, params, optimizer: stateful(optimizer).stateDict() };
    outside(options.onSnapshot, snap);
  };

  const B = config.batchSize;
  const F = train.features;
  const xBuf = zeros([B, F]);
  const yBuf = new Uint8Array(B);
  const rowsOf = imageRows(train);
  // The first layer's sparse-input path (raw pixels are mostly zeros): null when it does not apply.
  const feed = SparseInputFeed.forModel(model, train, B);
  // A pause for the event loop, with the run's allocator off meanwhile.
  const pause = async (): Promise<void> => {
    memory.leave();
    await nextTurn();
    memory.enter();
  };
  // Views for the full batch and any shorter one (a short last batch, or a variable-batch sampler's).
  const views = new Map<number, { x: Tensor; y: Uint8Array }>();
  const view = (rows: number) => {
    let v = views.get(rows);
    if (!v) {
      // [rows, features] for an mlp, [rows, 1, 28, 28] for the CNN: a view of the same storage.
      v = { x: new Tensor(xBuf.data, [rows, ...s.exampleShape]), y: yBuf.subarray(0, rows) };
      views.set(rows, v);
    }
    return v;
  };

  let accuracy = resume ? resume.accuracy : NaN;
  try {
    for (let epoch = (resume?.epoch ?? 0) + 1; epoch <= config.epochs; epoch++) {
      const t0 = performance.now();
      // Dropout masks from a stream of (seed, configuration, epoch): a resumed run draws what an uninterrupted one does.
      model.layers.forEach((l, i) => {
        if (l instanceof Dropout) l.setRng(new Rng(`${s.forwardSeed}/epoch ${epoch}/layer ${i}`));
      });
      const { order, ends } = epochBatches(sampler, epoch);
      const steps = ends.length;
      taps.target = config.metrics.train ? 'train' : 'off';
      if (config.metrics.train) for (const m of taps.train) m.reset();
      let lossSum = 0;
      for (let step = 0; step < steps; step++) {
        const start = step === 0 ? 0 : ends[step - 1];
        const rows = ends[step] - start;
        const { x, y } = view(rows);
        gatherBatch(train, rowsOf, feed, order, start, rows, x, y);
        taps.setLabels(y);
        model.zeroGrad();
        const logits = model.forwardTrusted(x); // images checked finite once, in selectData
        const l = loss.forward(logits, y);
        if (!Number.isFinite(l) || taps.nonFinite !== null) {
          const what = Number.isFinite(l) ? taps.nonFinite : `train loss ${l}`;
          outcome.diverged = { run: s.id, type: 'diverged', epoch, step: step + 1, reason: `${what} at step ${step + 1} of epoch ${epoch}` };
          emit(outcome.diverged);
          return outcome;
        }
        lossSum += l;
        model.backwardParams(loss.backward()); // the input needs no gradient
        optimizer.step();
        if (options.onProgress && (step + 1) % progressEvery === 0 && step + 1 < steps) {
          progress({ run: s.id, epoch, epochs: config.epochs, step: step + 1, steps, loss: lossSum / (step + 1), accuracy });
        }
        if ((step + 1) % yieldEvery === 0) {
          await pause();
          if (options.signal?.aborted) {
            outcome.aborted = true;
            return outcome;
          }
        }
      }
      const trainSeconds = (performance.now() - t0) / 1000;
      const trainLayers = config.metrics.train ? taps.train.map((m) => m.result()) : undefined;
      const tEval = performance.now();
      const ev = evaluator.run();
      const evalSeconds = (performance.now() - tEval) / 1000;
      accuracy = ev.accuracy;
      if (!Number.isFinite(ev.loss) || taps.nonFinite !== null) {
        const what = Number.isFinite(ev.loss) ? taps.nonFinite : `test loss ${ev.loss}`;
        outcome.diverged = { run: s.id, type: 'diverged', epoch, step: 0, reason: `${what} in the test pass after epoch ${epoch}` };
        emit(outcome.diverged);
        return outcome;
      }
      const record: EpochRecord = {
        run: s.id,
        type: 'epoch',
        epoch,
        train_loss: lossSum / steps,
        test_loss: ev.loss,
        test_acc: ev.accuracy,
        layers: ev.layers,
        ...(trainLayers && { train_layers: trainLayers }),
        seconds: (performance.now() - t0) / 1000,
        train_seconds: trainSeconds,
        eval_seconds: evalSeconds,
      };
      if (epoch === config.epochs) finalEpochExtras(s, record);
      outcome.epochs.push(record);
      emit(record);
      snapshot(epoch, accuracy);
      progress({ run: s.id, epoch, epochs: config.epochs, step: steps, steps, loss: record.train_loss, accuracy });
      await pause();
      if (options.signal?.aborted && epoch < config.epochs) {
        outcome.aborted = true;
        return outcome;
      }
    }
    return outcome;
  } finally {
    feed?.dispose();
    freeFloat32(xBuf.data);
  }
}

/**
 * The final epoch's optional measures (`metrics.perUnit`, `metrics.ablation`), added to its record. Runs after
 * the epoch's test pass, whose per-unit selectivity they read before any further pass resets the meters.
 */
function finalEpochExtras(s: RunSetup, record: EpochRecord): void {
  const { config, taps, evaluator } = s;
  if (!config.metrics.perUnit && !config.metrics.ablation) return;
  const perUnit = taps.test.map((m) => Array.from(m.ccmas.result().perUnit));
  if (config.metrics.perUnit) record.per_unit_selectivity = perUnit.map((u) => u.map((v) => (Number.isFinite(v) ? v : null)));
  if (config.metrics.ablation) {
    const layers = hiddenActivationLayers(s.model);
    const last = layers.length - 1;
    record.ablation = neuronAblation({
      layer: layers[last],
      selectivity: perUnit[last],
      baselineAccuracy: record.test_acc,
      evaluate: () => evaluator.run().accuracy,
      seed: config.seed,
    });
  }
}

/**
 * The training loop's batch gather (the runner's and `bench epoch`'s): labels of images `order[start]` …
 * `order[start + rows − 1]` into `y`; with a sparse-input feed only their block form (the first layer
 * densifies it into `x` itself if it takes the dense path), otherwise their pixels into `x` (one copy per
 * image from `rowsOf`, views made once). Allocates nothing.
 */
export function gatherBatch(train: Dataset, rowsOf: readonly Float32Array[], feed: SparseInputFeed | null, order: ArrayLike<number>, start: number, rows: number, x: Tensor, y: Uint8Array): void {
  const labels = train.labels;
  for (let r = 0; r < rows; r++) y[r] = labels[order[start + r]];
  if (feed !== null) {
    feed.gatherOnly(order, start, rows, x);
    return;
  }
  const xd = x.data, F = train.features;
  for (let r = 0; r < rows; r++) xd.set(rowsOf[order[start + r]], r * F);
}
