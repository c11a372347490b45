/**
 * The figure catalogue of the dissertation's chapters 5 and 6 (Fig. 5.1–5.19 and 6.2), as data: what each
 * figure shows, which preset folders of `results/dissertation/` it reads, the figure kind that draws it
 * (dissertation-kinds.ts) with its options, and a caption template. A researcher changes a figure here,
 * not in code.
 *
 * Caption placeholders, filled from the runs that went in: {presets} the preset folders that contributed
 * runs, {n} the number of runs, {conditions} the number of conditions, {seeds} the seeds, {epoch} the
 * epoch(s) the values are taken at, {band} the error band, {diverged} a note on runs left out.
 */
import type { KindOptions } from './dissertation-kinds.js';

export interface DissertationFigure {
  /** The dissertation's number, e.g. "5.1" (sub-figures "5.10a"). */
  id: string;
  title: string;
  /**
   * Preset folders read, in order (a run id found in two is read from the first). The first is the figure's
   * own: without runs of it the figure is not drawn; the others complete it (e.g. the baseline reference).
   */
  presets: string[];
  /** A kind of dissertation-kinds.ts, or null for figures that are not results (diagrams). */
  kind: string | null;
  options?: KindOptions;
  caption: string;
  /** Why a kind may find nothing in existing runs (shown in the index when that happens). */
  needs?: string;
}

const TAIL = 'Preset {presets}; n = {n} runs ({conditions} conditions × seeds {seeds}); {epoch}; {band}.{diverged}';
/** For scatters of per-epoch means, which draw no error band. */
const TAIL_MEANS = 'Preset {presets}; n = {n} runs ({conditions} conditions × seeds {seeds}); {epoch}; points are means over seeds, no error band drawn.{diverged}';
const THREE = ['test_acc', 'sparsity', 'selectivity'];

export const DISSERTATION_FIGURES: DissertationFigure[] = [
  {
    id: '5.1',
    title: 'Test accuracy, sparsity and selectivity of the four optimizers',
    presets: ['baseline'],
    kind: 'epoch-lines',
    options: { values: THREE },
    caption: `Test accuracy, Hoyer sparsity and CCMAS selectivity against epoch, one line per optimizer. ${TAIL}`,
  },
  {
    id: '5.2',
    title: 'Sparsity and selectivity on the training stream and the test set',
    presets: ['train-vs-test'],
    kind: 'train-test-lines',
    caption: `Sparsity and selectivity measured on the training stream (each minibatch before its step; dashed) and on the test set (solid), against epoch. ${TAIL}`,
    needs: 'runs with metrics.train on (train_layers)',
  },
  {
    id: '5.3',
    title: 'Training against test sparsity and selectivity',
    presets: ['train-vs-test'],
    kind: 'train-test-scatter',
    caption: `Training-stream value against test-set value, one point per optimizer and epoch (mean over seeds); the dashed line is y = x. ${TAIL_MEANS}`,
    needs: 'runs with metrics.train on (train_layers)',
  },
  {
    id: '5.4',
    title: 'Sparsity against selectivity per optimizer and depth',
    presets: ['hidden-layers'],
    kind: 'sparsity-selectivity',
    caption: `Sparsity against selectivity, one panel per optimizer, one point per epoch (mean over seeds), shape = number of hidden layers; epoch is not an axis. ${TAIL_MEANS}`,
  },
  {
    id: '5.5',
    title: 'Test accuracy against sparsity and selectivity',
    presets: ['hidden-layers'],
    kind: 'accuracy-vs-metric',
    caption: `Test accuracy against sparsity and against selectivity, one point per optimizer, depth and epoch (means; SEM omitted as in the dissertation). ${TAIL_MEANS}`,
  },
  {
    id: '5.6',
    title: 'Number of hidden layers',
    presets: ['hidden-layers'],
    kind: 'bars',
    options: { values: THREE, label: 'depth' },
    caption: `Final-epoch test accuracy, sparsity and selectivity for 1–5 hidden layers × optimizer (Table 5.3 drawn). ${TAIL}`,
  },
  {
    id: '5.7',
    title: 'Each hidden layer of the 4-layer nets at the last epoch',
    presets: ['hidden-layers'],
    kind: 'per-layer-final',
    options: { depth: 4 },
    caption: `Sparsity and selectivity of each hidden layer (HL1 = input side) of the 4-hidden-layer nets at the last epoch. ${TAIL}`,
    needs: 'runs with 4 hidden layers',
  },
  {
    id: '5.8',
    title: 'Weight decay',
    presets: ['hyperparameters'],
    kind: 'final-vs-param',
    options: { param: 'optimizer.weightDecay', blocks: ['weight-decay'], logX: true },
    caption: `Final-epoch values against weight decay (log x; the default, 0, cannot sit on a log axis). ${TAIL}`,
    needs: 'runs of the weight-decay block',
  },
  {
    id: '5.9',
    title: 'Learning rate',
    presets: ['hyperparameters'],
    kind: 'final-vs-param',
    options: { param: 'optimizer.lr', blocks: ['lr'], logX: true },
    caption: `Final-epoch values against the learning rate (log x); diverged learning rates have no point. ${TAIL}`,
    needs: 'runs of the lr block',
  },
  {
    id: '5.10a',
    title: 'SGD momentum γ',
    presets: ['hyperparameters'],
    kind: 'final-vs-param',
    options: { param: 'optimizer.momentum', blocks: ['momentum'], marker: 0 },
    caption: `Final-epoch values against SGD's momentum γ (black rule: the default 0). ${TAIL}`,
    needs: 'runs of the momentum block',
  },
  {
    id: '5.10b',
    title: 'Adadelta ρ',
    presets: ['hyperparameters'],
    kind: 'final-vs-param',
    options: { param: 'optimizer.rho', blocks: ['rho'], marker: 0.9 },
    caption: `Final-epoch values against Adadelta's ρ (black rule: the default 0.9). ${TAIL}`,
    needs: 'runs of the rho block',
  },
  {
    id: '5.10c',
    title: 'Adam β1',
    presets: ['hyperparameters'],
    kind: 'final-vs-param',
    options: { param: 'optimizer.betas.0', blocks: ['beta1'], marker: 0.9 },
    caption: `Final-epoch values against Adam's β1 (black rule: the default 0.9). ${TAIL}`,
    needs: 'runs of the beta1 block',
  },
  {
    id: '5.10d',
    title: 'Adam β2',
    presets: ['hyperparameters'],
    kind: 'final-vs-param',
    options: { param: 'optimizer.betas.1', blocks: ['beta2'], marker: 0.999 },
    caption: `Final-epoch values against Adam's β2 (black rule: the default 0.999). ${TAIL}`,
    needs: 'runs of the beta2 block',
  },
  {
    id: '5.11',
    title: 'Batch size',
    presets: ['batch-size'],
    kind: 'final-vs-param',
    options: { param: 'batchSize', logX: true, marker: 50 },
    caption: `Final-epoch values against the batch size (log x; black rule: the baseline's 50). ${TAIL}`,
  },
  {
    id: '5.12',
    title: 'Batch 1 with n consecutive same-digit images',
    presets: ['consecutive', 'baseline'],
    kind: 'bars',
    options: { conditions: ['baseline', 'con 1', 'con 5', 'con 10'] },
    caption: `Final-epoch values for the batch-50 baseline and batch 1 with 1, 5 and 10 consecutive images of one digit. ${TAIL}`,
    needs: 'conditions baseline / con 1 / con 5 / con 10',
  },
  {
    id: '5.13',
    title: 'Number of neurons',
    presets: ['neurons'],
    kind: 'final-vs-param',
    options: { param: 'hidden.0', split: 'batchSize', marker: 256 },
    caption: `Final-epoch values against the width of the single hidden layer; line dash: batch size (black rule: 256). ${TAIL}`,
  },
  {
    id: '5.14',
    title: 'Class diversity in a batch',
    presets: ['class-diversity'],
    kind: 'bars',
    options: { conditions: ['baseline', 'single', 'pair', '5nums'] },
    caption: `Final-epoch values with all classes (baseline), one, two and five classes per batch. ${TAIL}`,
    needs: 'conditions baseline / single / pair / 5nums',
  },
  {
    id: '5.15',
    title: 'Batch 10 of one digit vs batch 1 with 10 consecutive',
    presets: ['class-diversity'],
    kind: 'bars',
    options: { conditions: ['single-b10', 'con10-b1'] },
    caption: `Final-epoch values: batch 10 with a single digit per batch (A, single-b10) vs batch 1 with 10 identical consecutive digits (B, con10-b1). ${TAIL}`,
    needs: 'conditions single-b10 / con10-b1',
  },
  {
    id: '5.16',
    title: 'The structure of the CNN',
    presets: [],
    kind: null,
    caption: 'A diagram of the network (src/layers/cnn.ts), not a result: not redrawn.',
  },
  {
    id: '5.17',
    title: 'With and without the convolutional front-end',
    presets: ['conv', 'baseline'],
    kind: 'bars',
    options: { label: 'model', conditions: ['mlp', 'cnn'] },
    caption: `Final-epoch values of the MLP (30 epochs) and the CNN (5 epochs). ${TAIL}`,
  },
  {
    id: '5.18',
    title: 'Sorted vs unsorted',
    presets: ['sorted'],
    kind: 'bars',
    options: { conditions: ['unsorted', 'sorted'] },
    caption: `Final-epoch values, training set shuffled (unsorted) vs sorted by digit, 100 epochs. ${TAIL}`,
  },
  {
    id: '5.19a',
    title: 'Combined conditions and their components: SGD',
    presets: ['combined', 'baseline'],
    kind: 'bars',
    options: { optimizers: ['sgd'], conditions: ['baseline', 'b1', 'momentum 0.9', 'combined'] },
    caption: `Final-epoch values of SGD: baseline, batch 1, momentum 0.9, and both combined (the dissertation's top row). ${TAIL}`,
    needs: 'SGD conditions of the combined preset',
  },
  {
    id: '5.19b',
    title: 'Combined conditions and their components: Adam',
    presets: ['combined', 'baseline'],
    kind: 'bars',
    options: { optimizers: ['adam'], conditions: ['baseline', 'single', '768', 'combined'] },
    caption: `Final-epoch values of Adam: baseline, one class per batch, 768 hidden units, and both combined (the dissertation's bottom row). ${TAIL}`,
    needs: 'Adam conditions of the combined preset',
  },
  {
    id: '6.2',
    title: 'Test accuracy × sparsity and × selectivity',
    presets: ['baseline'],
    kind: 'epoch-lines',
    options: { values: ['acc_x_sparsity', 'acc_x_selectivity'] },
    caption: `Test accuracy × sparsity and test accuracy × selectivity against epoch (products per run and epoch, then averaged). ${TAIL}`,
  },
  {
    id: 'V.1',
    title: 'Per-unit selectivity (extra experiment)',
    presets: ['selectivity-violin'],
    kind: 'violin',
    caption: `The distribution of the hidden units' CCMAS selectivity at the final epoch, a violin per optimizer (units of all seeds pooled). Preset {presets}; n = {n} runs (seeds {seeds}); {epoch}.{diverged}`,
    needs: 'per_unit_selectivity in the final epoch record',
  },
];
