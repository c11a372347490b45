import { describe, expect, it } from 'vitest';
import { chooseMemory, parseIntList, parseOptimizers, planFromFlags, QUICK, UsageError } from '../../src/cli/args.js';

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
    expect(bad({ optimizers: 'adam,lbfgs' })).toThrow('--optimizers: unknown optimizer "lbfgs" (known: sgd, adagrad, adadelta, adam, adamw, rmsprop)');
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
