/**
 * The dissertation's findings (Sec. 6.1, and the claims of Sec. 5's discussions), each written down as data:
 * the claim in one sentence, where it is made, the figure that shows it, the presets whose runs judge it, and
 * the tests (analyses.ts) that operationalise it. A researcher who reads a claim differently edits a test here.
 *
 * Config paths in filters are those of the run header's normalised configuration (config.ts): `optimizer.name`,
 * `optimizer.lr`, `batchSize`, `hidden.length` (depth), `hidden.0` (width), `sampler.kind`, …
 */
import type { Direction, Filter } from './analyses.js';

export interface ClaimTest {
  kind: string;
  [key: string]: unknown;
}

export interface Claim {
  id: string;
  /** Where the dissertation states it. */
  where: string;
  claim: string;
  figure: string;
  presets: string[];
  tests: ClaimTest[];
  /** How the claim was read into tests, where that needed a choice. */
  reading?: string;
}

const OPTIMIZERS = ['sgd', 'adagrad', 'adadelta', 'adam'] as const;
type Opt = (typeof OPTIMIZERS)[number];

/** The dissertation's settings of each optimizer (PROTOCOL §1): a hyper-parameter sweep varies one of them. */
const DEFAULTS: Record<Opt, Filter> = {
  sgd: { 'optimizer.name': 'sgd', 'optimizer.lr': 0.1, 'optimizer.momentum': 0, 'optimizer.weightDecay': 0 },
  adagrad: { 'optimizer.name': 'adagrad', 'optimizer.lr': 0.1, 'optimizer.weightDecay': 0 },
  adadelta: { 'optimizer.name': 'adadelta', 'optimizer.lr': 1, 'optimizer.rho': 0.9, 'optimizer.weightDecay': 0 },
  adam: { 'optimizer.name': 'adam', 'optimizer.lr': 0.001, 'optimizer.betas': [[0.9, 0.999]], 'optimizer.weightDecay': 0 },
};

/** The defaults of `opt` with `path` left free (the sweep's axis). */
function sweep(opt: Opt, path: string, extra: Filter = {}): Filter {
  const { [path]: _free, ...rest } = DEFAULTS[opt];
  return { ...rest, ...extra };
}

const METRICS = ['sparsity_mean', 'selectivity_mean'] as const;

const each = <T>(opts: readonly Opt[], f: (o: Opt, m: (typeof METRICS)[number]) => T): T[] =>
  opts.flatMap((o) => METRICS.map((m) => f(o, m)));

// Shuffled batch-50 single-layer runs without training-stream metrics: a preset's train-metrics condition trains
// the very same nets (its seeds derive from the training fields only), so counting both would double every seed.
const BASE_SHUFFLED: Filter = { 'sampler.kind': 'shuffled', batchSize: 50, 'hidden.length': 1, 'metrics.train': false };

export const CLAIMS: Claim[] = [
  {
    id: 'epochs',
    where: '6.1 (1); 5.2',
    claim: 'Across epochs, sparsity and selectivity rise with SGD, Adadelta and Adam and fall with Adagrad.',
    figure: '5.1',
    presets: ['baseline'],
    tests: each(OPTIMIZERS, (o, m) => ({
      kind: 'epoch-trend', label: o, filter: { 'optimizer.name': o }, metric: m,
      expect: (o === 'adagrad' ? 'decreasing' : 'increasing') as Direction,
    })),
  },
  {
    id: 'optimizer-dependent',
    where: '6.1 (2); 5.6',
    claim: 'One condition can move sparsity in opposite directions for different optimizers.',
    figure: '5.11',
    presets: ['batch-size'],
    reading: 'Read on the batch-size sweep, the example the dissertation gives: SGD sparsity falls with batch size while Adagrad’s rises (its optimum is 200).',
    tests: [
      { kind: 'axis-trend', label: 'sgd', filter: { 'optimizer.name': 'sgd' }, axis: 'batchSize', metric: 'sparsity_mean', expect: 'decreasing' },
      { kind: 'axis-trend', label: 'adagrad', filter: { 'optimizer.name': 'adagrad' }, axis: 'batchSize', metric: 'sparsity_mean', expect: 'increasing' },
    ],
  },
  {
    id: 'train-test',
    where: '6.1 (3); 5.3',
    claim: 'Training-stream and test-set sparsity/selectivity differ slightly, and the difference shrinks over epochs.',
    figure: '5.2, 5.3',
    presets: ['train-vs-test'],
    tests: METRICS.map((m) => ({ kind: 'gap-shrinks', label: 'all optimizers', metric: m })),
  },
  {
    id: 'sparsity-selectivity',
    where: '6.1 (4); 5.4.3',
    claim: 'Sparsity and selectivity normally rise together.',
    figure: '5.4',
    presets: ['baseline', 'hidden-layers'],
    reading: 'Spearman ρ between a run’s sparsity and selectivity over its epochs, one ρ per run, tested over the runs of an optimizer (one-sample t of Fisher z).',
    tests: OPTIMIZERS.map((o) => ({ kind: 'co-movement', label: o, filter: { 'optimizer.name': o }, x: 'sparsity_mean', y: 'selectivity_mean', expect: 'increasing' })),
  },
  {
    id: 'accuracy-metrics',
    where: '6.1 (5, 6); 5.4.4',
    claim: 'Test accuracy, sparsity and selectivity usually rise together (with exceptions, e.g. Adagrad).',
    figure: '5.5',
    presets: ['baseline'],
    tests: each(['sgd', 'adadelta', 'adam'], (o, m) => ({ kind: 'co-movement', label: o, filter: { 'optimizer.name': o }, x: 'test_acc', y: m, expect: 'increasing' })),
  },
  {
    id: 'depth',
    where: '6.1 (7); 5.4',
    claim: 'More hidden layers raise sparsity and selectivity with Adadelta and Adam, and lower them with Adagrad.',
    figure: '5.6; Table 5.3',
    presets: ['hidden-layers'],
    reading: 'Sec. 5.4.6: "Adagrad decreases its sparsity and selectivity as the hidden layer is added"; SGD "fluctuates" (not tested). Depths 1–5 for Adadelta and Adam, 1–4 for Adagrad (its 5-layer net does not train).',
    tests: [
      ...each(['adadelta', 'adam'], (o, m) => ({ kind: 'axis-trend', label: o, filter: { 'optimizer.name': o }, axis: 'hidden.length', metric: m, expect: 'increasing' as Direction })),
      ...METRICS.map((m) => ({ kind: 'axis-trend', label: 'adagrad', filter: { 'optimizer.name': 'adagrad', 'hidden.length': [1, 2, 3, 4] }, axis: 'hidden.length', metric: m, expect: 'decreasing' as Direction })),
    ],
  },
  {
    id: 'per-layer',
    where: '6.1 (8); 5.4.6',
    claim: 'In the 4-layer net, sparsity and selectivity rise (or fluctuate) from layer to layer with SGD and Adadelta and fall with Adagrad.',
    figure: '5.7',
    presets: ['hidden-layers'],
    tests: [
      ...each(['sgd', 'adadelta'], (o, m) => ({ kind: 'layer-trend', label: o, filter: { 'optimizer.name': o, 'hidden.length': 4 }, metric: m, expect: 'increasing' as Direction })),
      ...METRICS.map((m) => ({ kind: 'layer-trend', label: 'adagrad', filter: { 'optimizer.name': 'adagrad', 'hidden.length': 4 }, metric: m, expect: 'decreasing' as Direction })),
    ],
  },
  {
    id: 'weight-decay',
    where: '6.1 (9); 5.5',
    claim: 'Weight decay lowers sparsity and selectivity with every optimizer.',
    figure: '5.8',
    presets: ['hyperparameters'],
    tests: each(OPTIMIZERS, (o, m) => ({ kind: 'axis-trend', label: o, filter: sweep(o, 'optimizer.weightDecay'), axis: 'optimizer.weightDecay', metric: m, expect: 'decreasing', log: true })),
  },
  {
    id: 'learning-rate',
    where: '6.1 (10); 5.5',
    claim: 'The highest sparsity and selectivity come at a learning rate slightly above the one with the best test accuracy.',
    figure: '5.9',
    presets: ['hyperparameters'],
    reading: 'Per (optimizer, seed) lr sweep, is the lr that maximises the metric above the lr that maximises accuracy? One-sided sign test over the 12 sweeps.',
    tests: METRICS.map((m) => ({
      kind: 'argmax-above', label: 'all optimizers', axis: 'optimizer.lr', x: 'test_acc', y: m,
      filter: { 'optimizer.weightDecay': 0, 'optimizer.momentum': [0, undefined], 'optimizer.rho': [0.9, undefined], 'optimizer.betas': [[0.9, 0.999], undefined] },
    })),
  },
  {
    id: 'past-gradients',
    where: '6.1 (11); 5.5',
    claim: 'The more past gradients count (SGD momentum γ, Adadelta ρ, Adam β1 and β2), the higher sparsity and selectivity — until too much harms.',
    figure: '5.10',
    presets: ['hyperparameters'],
    reading: 'Monotone trend over the whole sweep; the "too much harms" drop at 0.999 would weaken ρ, so a confirmed trend is despite it.',
    tests: [
      ...METRICS.map((m) => ({ kind: 'axis-trend', label: 'sgd momentum', filter: sweep('sgd', 'optimizer.momentum'), axis: 'optimizer.momentum', metric: m, expect: 'increasing' })),
      ...METRICS.map((m) => ({ kind: 'axis-trend', label: 'adadelta rho', filter: sweep('adadelta', 'optimizer.rho'), axis: 'optimizer.rho', metric: m, expect: 'increasing' })),
      ...METRICS.map((m) => ({ kind: 'axis-trend', label: 'adam beta1', filter: sweep('adam', 'optimizer.betas', { 'optimizer.betas.1': 0.999 }), axis: 'optimizer.betas.0', metric: m, expect: 'increasing' })),
      ...METRICS.map((m) => ({ kind: 'axis-trend', label: 'adam beta2', filter: sweep('adam', 'optimizer.betas', { 'optimizer.betas.0': 0.9 }), axis: 'optimizer.betas.1', metric: m, expect: 'increasing' })),
    ],
  },
  {
    id: 'batch-size',
    where: '6.1 (12); 5.6, 5.7',
    claim: 'The smaller the batch, the higher sparsity and selectivity with SGD and Adam.',
    figure: '5.11, 5.12',
    presets: ['batch-size'],
    tests: each(['sgd', 'adam'], (o, m) => ({ kind: 'axis-trend', label: o, filter: { 'optimizer.name': o, 'sampler.kind': 'shuffled' }, axis: 'batchSize', metric: m, expect: 'decreasing' })),
  },
  {
    id: 'neurons',
    where: '6.1 (13); 5.8',
    claim: 'More neurons raise sparsity and selectivity — except SGD at batch 50 (both fall) and SGD at batch 1 (selectivity falls).',
    figure: '5.13',
    presets: ['neurons'],
    tests: [
      ...each(['adagrad', 'adadelta', 'adam'], (o, m) => ({ kind: 'axis-trend', label: `${o} batch 50`, filter: { 'optimizer.name': o, batchSize: 50 }, axis: 'hidden.0', metric: m, expect: 'increasing' as Direction })),
      ...each(['adagrad', 'adadelta', 'adam'], (o, m) => ({ kind: 'axis-trend', label: `${o} batch 1`, filter: { 'optimizer.name': o, batchSize: 1 }, axis: 'hidden.0', metric: m, expect: 'increasing' as Direction })),
      ...METRICS.map((m) => ({ kind: 'axis-trend', label: 'sgd batch 50', filter: { 'optimizer.name': 'sgd', batchSize: 50 }, axis: 'hidden.0', metric: m, expect: 'decreasing' as Direction })),
      { kind: 'axis-trend', label: 'sgd batch 1', filter: { 'optimizer.name': 'sgd', batchSize: 1 }, axis: 'hidden.0', metric: 'sparsity_mean', expect: 'increasing' },
      { kind: 'axis-trend', label: 'sgd batch 1', filter: { 'optimizer.name': 'sgd', batchSize: 1 }, axis: 'hidden.0', metric: 'selectivity_mean', expect: 'decreasing' },
    ],
  },
  {
    id: 'class-diversity',
    where: '6.1 (14); 5.9',
    claim: 'Fewer classes per batch raise sparsity and selectivity with SGD and Adam (at a cost in accuracy), not with Adagrad or Adadelta.',
    figure: '5.14',
    presets: ['class-diversity'],
    reading: 'single-digit batches of 50 against the shuffled batch-50 runs of the same preset.',
    tests: [
      ...each(OPTIMIZERS, (o, m) => ({
        kind: 'difference', label: o, metric: m, aName: 'single', bName: 'shuffled',
        a: { 'optimizer.name': o, 'sampler.kind': 'class-restricted', 'sampler.classesPerBatch': 1, batchSize: 50 },
        b: { 'optimizer.name': o, ...BASE_SHUFFLED },
        expect: (o === 'sgd' || o === 'adam' ? 'greater' : 'none') as Direction,
      })),
      ...(['sgd', 'adam'] as const).map((o) => ({
        kind: 'difference', label: o, metric: 'test_acc', aName: 'single', bName: 'shuffled',
        a: { 'optimizer.name': o, 'sampler.kind': 'class-restricted', 'sampler.classesPerBatch': 1, batchSize: 50 },
        b: { 'optimizer.name': o, ...BASE_SHUFFLED },
        expect: 'less' as Direction,
      })),
    ],
  },
  {
    id: 'consecutive-vs-single',
    where: '5.9.3',
    claim: 'Batch 1 with 10 consecutive same digits gives higher sparsity and selectivity than batch-10 single-digit batches (SGD, Adam).',
    figure: '5.15',
    presets: ['class-diversity'],
    tests: each(['sgd', 'adam'], (o, m) => ({
      kind: 'difference', label: o, metric: m, aName: 'con 10, batch 1', bName: 'single, batch 10',
      a: { 'optimizer.name': o, 'sampler.kind': 'consecutive', batchSize: 1 },
      b: { 'optimizer.name': o, 'sampler.kind': 'class-restricted', 'sampler.classesPerBatch': 1, batchSize: 10 },
      expect: 'greater',
    })),
  },
  {
    id: 'conv',
    where: '5.10',
    claim: 'A convolutional front-end raises the FC layer’s sparsity and selectivity (except Adagrad, which diverges at lr 0.1).',
    figure: '5.17',
    presets: ['conv'],
    tests: each(['sgd', 'adadelta', 'adam'], (o, m) => ({
      kind: 'difference', label: o, metric: m, aName: 'CNN', bName: 'MLP',
      a: { 'optimizer.name': o, 'model.kind': 'cnn' },
      b: { 'optimizer.name': o, 'model.kind': [undefined, 'mlp'] },
      expect: 'greater',
    })),
  },
  {
    id: 'sorted',
    where: '6.1 (15); 5.11',
    // Sec. 6.1 says Adagrad and Adadelta "do not show this tendency"; Sec. 5.11 is specific: "In Adagrad and
    // Adadelta baseline shows better performance on the sparsity and selectivity than sorted" — a decrease.
    claim: 'Training on data sorted by digit raises sparsity and selectivity with SGD and Adam (at a cost in accuracy); with Adagrad and Adadelta the shuffled baseline is the sparser and more selective.',
    figure: '5.18',
    presets: ['sorted'],
    tests: [
      ...each(OPTIMIZERS, (o, m) => ({
        kind: 'difference', label: o, metric: m, aName: 'sorted', bName: 'unsorted',
        a: { 'optimizer.name': o, 'sampler.kind': 'sorted' },
        b: { 'optimizer.name': o, 'sampler.kind': 'shuffled' },
        expect: (o === 'sgd' || o === 'adam' ? 'greater' : 'less') as Direction,
      })),
      ...OPTIMIZERS.map((o) => ({
        kind: 'difference', label: o, metric: 'test_acc', aName: 'sorted', bName: 'unsorted',
        a: { 'optimizer.name': o, 'sampler.kind': 'sorted' },
        b: { 'optimizer.name': o, 'sampler.kind': 'shuffled' },
        expect: 'less' as Direction,
      })),
    ],
  },
  {
    id: 'combined',
    where: '6.1 (16); 5.12',
    claim: 'Combining two high-sparsity conditions can raise sparsity and selectivity further (Adam: single digits + 768 units) or lower them (SGD: batch 1 + momentum 0.9).',
    figure: '5.19',
    presets: ['combined', 'batch-size', 'neurons', 'class-diversity', 'hyperparameters'],
    tests: [
      ...METRICS.map((m) => ({
        kind: 'difference', label: 'adam', metric: m, aName: 'single + 768', bName: 'single',
        a: { 'optimizer.name': 'adam', 'sampler.kind': 'class-restricted', 'sampler.classesPerBatch': 1, 'hidden.0': 768 },
        b: { 'optimizer.name': 'adam', 'sampler.kind': 'class-restricted', 'sampler.classesPerBatch': 1, 'hidden.0': 256, batchSize: 50 },
        expect: 'greater' as Direction,
      })),
      ...METRICS.map((m) => ({
        kind: 'difference', label: 'sgd', metric: m, aName: 'batch 1 + momentum 0.9', bName: 'batch 1',
        a: { 'optimizer.name': 'sgd', batchSize: 1, 'optimizer.momentum': 0.9, 'hidden.0': 256, 'sampler.kind': 'shuffled' },
        b: { 'optimizer.name': 'sgd', batchSize: 1, 'optimizer.momentum': 0, 'hidden.0': 256, 'sampler.kind': 'shuffled' },
        expect: 'less' as Direction,
      })),
    ],
  },
  {
    id: 'fluctuation',
    where: '6.1 (17), a speculation',
    claim: 'More fluctuation in training (high lr, large momentum, small batches) goes with higher sparsity and selectivity.',
    figure: '5.9–5.11',
    presets: ['batch-size'],
    reading: 'Operationalised on SGD’s batch-size sweep: the epoch-to-epoch change of the train loss is not recorded per step, so the test is the batch-size trend itself (smaller batch = noisier steps); the dissertation offers this as speculation.',
    tests: METRICS.map((m) => ({ kind: 'axis-trend', label: 'sgd', filter: { 'optimizer.name': 'sgd', 'sampler.kind': 'shuffled' }, axis: 'batchSize', metric: m, expect: 'decreasing' })),
  },
];
