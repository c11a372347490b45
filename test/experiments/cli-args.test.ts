import { describe, expect, it } from 'vitest';
import {
  chooseMemory,
  parseBetas,
  parseIntList,
  parseOptimizers,
  parseSampler,
  planFromFlags,
  QUICK,
  UsageError,
  type RunFlags,
} from '../../src/cli/args.js';
import { configHash, runId } from '../../src/experiments/config.js';
import { groupLabels } from '../../src/experiments/labels.js';

describe('CLI flag parsing', () => {
  it('defaults to the baseline into results/', () => {
    const plan = planFromFlags({});
    expect(plan.outDir).toBe('results');
    expect(plan.configs).toHaveLength(12);
    expect(plan.configs[0]).toMatchObject({ epochs: 30, batchSize: 50, hidden: [256], data: { name: 'mnist' } });
    expect(plan.configs[0].data).not.toHaveProperty('train');
  });

  it('applies every flag', () => {
    const plan = planFromFlags({
      optimizers: 'adam,sgd',
      seeds: '7,8',
      epochs: '3',
      batchSize: '10',
      hidden: '128,64',
      activation: 'relu',
      out: 'elsewhere',
      trainMetrics: true,
      eps: '0',
      trainImages: '1000',
      testImages: '200',
    });
    expect(plan.outDir).toBe('elsewhere');
    expect(plan.configs.map((c) => `${c.optimizer.name}:${c.seed}`)).toEqual(['adam:7', 'adam:8', 'sgd:7', 'sgd:8']);
    expect(plan.configs[0]).toMatchObject({
      epochs: 3,
      batchSize: 10,
      hidden: [128, 64],
      activation: 'relu',
      metrics: { eps: 0, train: true },
      data: { name: 'mnist', train: { start: 0, end: 1000 }, test: { start: 0, end: 200 } },
    });
  });

  it('--quick is a small smoke run, and explicit flags win over it', () => {
    const q = planFromFlags({ quick: true });
    expect(q.outDir).toBe(QUICK.out);
    expect(q.configs.map((c) => c.seed)).toEqual([1, 1, 1, 1]);
    expect(q.configs[0]).toMatchObject({ epochs: QUICK.epochs, data: { train: { start: 0, end: QUICK.trainImages }, test: { start: 0, end: QUICK.testImages } } });
    const q2 = planFromFlags({ quick: true, epochs: '1', seeds: '1,2', out: 'x', optimizers: 'adam' });
    expect(q2.outDir).toBe('x');
    expect(q2.configs.map((c) => [c.seed, c.epochs])).toEqual([[1, 1], [2, 1]]);
  });

  it('rejects bad values naming the flag', () => {
    const bad = (flags: Parameters<typeof planFromFlags>[0]) => () => planFromFlags(flags);
    expect(bad({ optimizers: 'adam,lbfgs' })).toThrow('--optimizers: unknown optimizer "lbfgs" (known: sgd, adagrad, adadelta, adam, adamw, rmsprop, adagradk, adadeltak)');
    expect(bad({ optimizers: 'adam,adam' })).toThrow('--optimizers: an optimizer is listed twice in "adam,adam"');
    expect(bad({ seeds: '1,x' })).toThrow('--seeds: "x" is not a non-negative integer (in "1,x")');
    expect(bad({ seeds: '1,1' })).toThrow('--seeds: a seed is listed twice in "1,1"');
    expect(bad({ epochs: '0' })).toThrow('--epochs: "0" is not a positive integer (in "0")');
    expect(bad({ epochs: '2,3' })).toThrow('--epochs: expected one positive integer, got "2,3"');
    expect(bad({ batchSize: '1.5' })).toThrow('--batch-size: "1.5" is not a positive integer');
    expect(bad({ hidden: '256,' })).toThrow('--hidden: expected a comma-separated list of integers, got "256,"');
    expect(bad({ activation: 'gelu' })).toThrow('--activation: expected one of sigmoid, relu, tanh, got "gelu"');
    expect(bad({ eps: '-1' })).toThrow('--eps: expected a finite number ≥ 0, got "-1"');
    expect(bad({ eps: 'abc' })).toThrow(UsageError);
  });

  it('parses lists', () => {
    expect(parseIntList('--seeds', '1, 100,1234')).toEqual([1, 100, 1234]);
    expect(parseOptimizers('--optimizers', 'SGD,Adam')).toEqual(['sgd', 'adam']);
  });

  it('--memory: the WebAssembly heap by default exactly with a WebAssembly kernel; explicit choices win; bad values are usage errors', () => {
    expect(chooseMemory(undefined, 'wasm-relaxed', true)).toBe('wasm');
    expect(chooseMemory(undefined, 'wasm-simd', true)).toBe('wasm');
    expect(chooseMemory(undefined, 'js-tuned', true)).toBe('heap');
    expect(chooseMemory(undefined, 'wasm-simd', false)).toBe('heap');
    expect(chooseMemory('heap', 'wasm-simd', true)).toBe('heap');
    expect(chooseMemory('wasm', 'js-tuned', true)).toBe('wasm');
    expect(() => chooseMemory('gpu', 'wasm-simd', true)).toThrow(new UsageError('--memory: expected heap or wasm, got "gpu"'));
    expect(() => chooseMemory('wasm', 'js-tuned', false)).toThrow(new UsageError('--memory wasm: this engine has no shared WebAssembly memory'));
  });
});

const FORMS = 'expected shuffled, sequential, sorted, consecutive:<n>, class-restricted:<k>[:original]';
const bad = (flags: RunFlags) => () => planFromFlags(flags);

describe('--sampler', () => {
  it('parses every form into the run config’s sampler', () => {
    expect(parseSampler('--sampler', 'shuffled')).toEqual({ kind: 'shuffled' });
    expect(parseSampler('--sampler', 'sequential')).toEqual({ kind: 'sequential' });
    expect(parseSampler('--sampler', 'Sorted')).toEqual({ kind: 'sorted' });
    expect(parseSampler('--sampler', 'consecutive:10')).toEqual({ kind: 'consecutive', n: 10 });
    expect(parseSampler('--sampler', 'class-restricted:2')).toEqual({ kind: 'class-restricted', classesPerBatch: 2 });
    // The library's default exhaust rule is left out, so both spellings are one condition (one hash).
    expect(parseSampler('--sampler', 'class-restricted:2:all-images')).toEqual({ kind: 'class-restricted', classesPerBatch: 2 });
    expect(parseSampler('--sampler', 'class-restricted:5:original')).toEqual({ kind: 'class-restricted', classesPerBatch: 5, exhaust: 'original' });
  });

  it('goes into every config; consecutive implies batch 1; class-restricted keeps the batch size', () => {
    const sorted = planFromFlags({ sampler: 'sorted', optimizers: 'sgd,adam' });
    expect(sorted.configs.every((c) => c.sampler.kind === 'sorted' && c.batchSize === 50)).toBe(true);
    expect(sorted.settings).toEqual(['sampler sorted']);
    const con = planFromFlags({ sampler: 'consecutive:5', optimizers: 'sgd', seeds: '1' });
    expect(con.configs[0]).toMatchObject({ sampler: { kind: 'consecutive', n: 5 }, batchSize: 1 });
    expect(runId(con.configs[0])).toMatch(/^sgd-784x256x10-b1-s1-[0-9a-f]{8}$/);
    expect(planFromFlags({ sampler: 'consecutive:5', batchSize: '1', optimizers: 'sgd', seeds: '1' }).configs).toEqual(con.configs);
    const single = planFromFlags({ sampler: 'class-restricted:1', batchSize: '10', optimizers: 'adam', seeds: '1' });
    expect(single.configs[0]).toMatchObject({ sampler: { kind: 'class-restricted', classesPerBatch: 1 }, batchSize: 10 });
  });

  it('--sampler shuffled is the baseline itself (same config hash, so its complete runs are reused)', () => {
    const base = planFromFlags({ optimizers: 'sgd', seeds: '1' }).configs[0];
    const same = planFromFlags({ optimizers: 'sgd', seeds: '1', sampler: 'shuffled', momentum: '0', lr: '0.1' });
    expect(configHash(same.configs[0])).toBe(configHash(base));
    expect(configHash(planFromFlags({ optimizers: 'sgd', seeds: '1', sampler: 'sorted' }).configs[0])).not.toBe(configHash(base));
  });

  it('rejects bad specs and conflicts naming the flag, the forms and the value', () => {
    expect(bad({ sampler: 'random' })).toThrow(new UsageError(`--sampler: ${FORMS}, got "random"`));
    expect(bad({ sampler: 'sorted:2' })).toThrow(new UsageError(`--sampler: sorted takes no parameter; ${FORMS}, got "sorted:2"`));
    expect(bad({ sampler: 'consecutive' })).toThrow(
      new UsageError(`--sampler: consecutive needs n, the number of same-digit images in a row; ${FORMS}, got "consecutive"`),
    );
    expect(bad({ sampler: 'consecutive:0' })).toThrow(new UsageError(`--sampler: n must be a positive integer, got "0"; ${FORMS}, got "consecutive:0"`));
    expect(bad({ sampler: 'class-restricted:x' })).toThrow('--sampler: k must be a positive integer, got "x"');
    expect(bad({ sampler: 'class-restricted:2:orig' })).toThrow('--sampler: the exhaust rule after k must be original or all-images, got "orig"');
    expect(bad({ sampler: 'class-restricted:2:original:x' })).toThrow('--sampler: class-restricted needs k, the number of classes per batch');
    expect(bad({ sampler: 'consecutive:10', batchSize: '50' })).toThrow(
      new UsageError('--sampler consecutive:10 trains with batch size 1 (Sec. 5.7), but --batch-size is 50: drop --batch-size or set it to 1'),
    );
    expect(bad({ sampler: 'class-restricted:3' })).toThrow(
      /^--sampler class-restricted:3: batchSize: expected a multiple of sampler\.classesPerBatch = 3 .*got 50 \(batch size 50, the default; set it with --batch-size\)$/,
    );
    expect(bad({ sampler: 'class-restricted:5', batchSize: '12' })).toThrow(
      /^--sampler class-restricted:5: batchSize: expected a multiple of sampler\.classesPerBatch = 5 .*got 12 \(batch size 12 from --batch-size\)$/,
    );
    expect(bad({ sampler: 'class-restricted:20', batchSize: '20' })).toThrow(
      /^--sampler class-restricted:20: sampler\.classesPerBatch: expected an integer in \[1, 10\] \(the dataset's classes\), got 20/,
    );
  });
});

describe('optimizer hyper-parameter flags', () => {
  it('set the options of every listed optimizer, PyTorch’s names in camelCase', () => {
    const sgd = planFromFlags({ optimizers: 'sgd', seeds: '1,2', lr: '0.05', momentum: '0.9', dampening: '0', nesterov: true, weightDecay: '1e-4' });
    for (const c of sgd.configs) {
      expect(c.optimizer).toEqual({ name: 'sgd', lr: 0.05, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 1e-4 });
    }
    expect(sgd.settings).toEqual(['lr 0.05', 'momentum 0.9', 'dampening 0', 'nesterov', 'weight-decay 1e-4']);
    const adams = planFromFlags({ optimizers: 'adam,adamw', seeds: '1', betas: '0.8, 0.99', optimizerEps: '1e-6', amsgrad: true, weightDecay: '0' });
    expect(adams.configs.map((c) => c.optimizer)).toEqual([
      { name: 'adam', lr: 1e-3, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0, amsgrad: true },
      { name: 'adamw', lr: 1e-3, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0, amsgrad: true },
    ]);
    expect(planFromFlags({ optimizers: 'adadelta', seeds: '1', rho: '0.5', lr: '0' }).configs[0].optimizer).toMatchObject({ rho: 0.5, lr: 0 });
    expect(planFromFlags({ optimizers: 'rmsprop', seeds: '1', momentum: '0.5' }).configs[0].optimizer).toMatchObject({ momentum: 0.5 });
    // The CCMAS epsilon (--eps) and the optimizer's (--optimizer-eps) are separate.
    const both = planFromFlags({ optimizers: 'adagrad', seeds: '1', eps: '0', optimizerEps: '1e-3' }).configs[0];
    expect([both.metrics.eps, both.optimizer.eps]).toEqual([0, 1e-3]);
  });

  it('a sweep gives distinct run ids and condition labels', () => {
    const lrs = ['0.001', '0.01', '0.1'];
    const configs = lrs.flatMap((lr) => planFromFlags({ optimizers: 'sgd', seeds: '1', lr }).configs);
    expect(new Set(configs.map(runId)).size).toBe(3);
    expect(groupLabels(configs).map((l) => l.label)).toEqual(['sgd lr=0.001', 'sgd lr=0.01', 'sgd lr=0.1']);
    const betas = ['0.0001,0.999', '0.9,0.999', '0.9,0.1'].flatMap((b) => planFromFlags({ optimizers: 'adam', seeds: '1', betas: b }).configs);
    expect(groupLabels(betas).map((l) => l.label)).toEqual(['adam betas=0.0001x0.999', 'adam betas=0.9x0.999', 'adam betas=0.9x0.1']);
    const orders = ['shuffled', 'sorted'].flatMap((sampler) => planFromFlags({ optimizers: 'sgd', seeds: '1', sampler }).configs);
    expect(groupLabels(orders).map((l) => l.label)).toEqual(['sgd sampler.kind=shuffled', 'sgd sampler.kind=sorted']);
  });

  it('a flag an optimizer does not take is an error naming the flag and the optimizer', () => {
    expect(bad({ optimizers: 'sgd', rho: '0.5' })).toThrow(
      new UsageError('--rho does not apply to sgd (it is an option of adadelta, adadeltak); drop --rho or list only optimizers that take it in --optimizers'),
    );
    // The baseline's four optimizers when --optimizers is not given.
    expect(bad({ momentum: '0.9' })).toThrow('--momentum does not apply to adagrad, adadelta, adam (it is an option of sgd, rmsprop)');
    expect(bad({ optimizers: 'sgd,adam', betas: '0.9,0.99' })).toThrow('--betas does not apply to sgd (it is an option of adam, adamw)');
    expect(bad({ optimizers: 'sgd', optimizerEps: '1e-8' })).toThrow('--optimizer-eps does not apply to sgd (it is an option of adagrad, adadelta, adam, adamw, rmsprop, adagradk, adadeltak)');
    expect(bad({ optimizers: 'adam', nesterov: true })).toThrow('--nesterov does not apply to adam (it is an option of sgd)');
    expect(bad({ optimizers: 'sgd', amsgrad: true })).toThrow('--amsgrad does not apply to sgd (it is an option of adam, adamw)');
    expect(bad({ optimizers: 'adam', dampening: '0.1' })).toThrow('--dampening does not apply to adam (it is an option of sgd)');
  });

  it('bad values are errors naming the flag and the value', () => {
    expect(bad({ optimizers: 'sgd', lr: '-0.1' })).toThrow(new UsageError('--lr: expected a finite number ≥ 0, got "-0.1"'));
    expect(bad({ optimizers: 'sgd', lr: 'fast' })).toThrow(new UsageError('--lr: expected a finite number ≥ 0, got "fast"'));
    expect(bad({ optimizers: 'sgd', momentum: '' })).toThrow(new UsageError('--momentum: expected a finite number ≥ 0, got ""'));
    expect(bad({ optimizers: 'sgd', weightDecay: 'Infinity' })).toThrow(new UsageError('--weight-decay: expected a finite number ≥ 0, got "Infinity"'));
    expect(bad({ optimizers: 'adadelta', rho: '1.5' })).toThrow(new UsageError('--rho: expected a number in [0, 1], got "1.5"'));
    expect(bad({ optimizers: 'adam', optimizerEps: '-1' })).toThrow(new UsageError('--optimizer-eps: expected a finite number ≥ 0, got "-1"'));
    const betasMsg = (t: string) => new UsageError(`--betas: expected two numbers b1,b2 in [0, 1), e.g. 0.9,0.999, got "${t}"`);
    for (const t of ['0.9', '0.9,1', '0.9,0.99,0.5', '0.9,', 'a,b', '-0.1,0.9']) expect(bad({ optimizers: 'adam', betas: t })).toThrow(betasMsg(t));
    expect(parseBetas('--betas', '0,0.5')).toEqual([0, 0.5]);
    expect(bad({ optimizers: 'sgd', nesterov: true })).toThrow(
      new UsageError('--nesterov needs --momentum > 0 and --dampening 0 (as in PyTorch), got momentum 0 and dampening 0'),
    );
    expect(bad({ optimizers: 'sgd', nesterov: true, momentum: '0.9', dampening: '0.1' })).toThrow('got momentum 0.9 and dampening 0.1');
  });
});
