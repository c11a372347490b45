/**
 * The workload the headless-browser test runs in a page and in Node, to compare bit for bit: train the
 * dissertation's 784-256-10 sigmoid net with Adam for a few steps on a small MNIST sample, measure Hoyer
 * sparsity and CCMAS selectivity of its hidden layer, and take one bare `adamStep`. Every float that comes
 * out is reported by its bits (hex of the float32 or float64), so "equal" means identical bits.
 *
 * It imports only the browser subpaths (tensor, layers, optim, metrics) — the page bundle is built from
 * this file, so anything Node-only reached from here breaks the bundle.
 */
import { activeGemmKernel, Rng, Tensor, useGemmKernel, useWasmMemory, wasmMemoryAvailable, zeros } from '../src/tensor/index.js';
import { CrossEntropyLoss, hiddenActivationLayers, mlp } from '../src/layers/index.js';
import { Adam, adamStep } from '../src/optim/index.js';
import { ccmasSelectivity, hoyerSparsity } from '../src/metrics/index.js';

export interface Sample {
  /** count × 784 pixel bytes, row-major. */
  pixels: Uint8Array;
  labels: Uint8Array;
}

export interface WorkloadOptions {
  /** Gemm kernel by name (default: the engine's default). */
  kernel?: string;
  /** Keep the net in the WebAssembly heap (default: when available). */
  wasmMemory?: boolean;
  steps: number;
  batch: number;
  seed: number;
}

export interface WorkloadResult {
  kernel: string;
  memory: 'wasm' | 'heap';
  /**
   * Loss of every step rounded to float32 (PyTorch's loss dtype), as bits. The library returns the loss as
   * a double accumulated from Math.log and Math.exp, which ECMAScript leaves implementation-approximated:
   * Node 20's V8 and a current Chrome differ in the last double bit now and then (seen: 1 ulp in one step
   * of 12). Gradients, parameters and activations are float32 and are compared exactly (`params`, metrics).
   */
  losses: string[];
  /** FNV-1a of the bytes of every parameter after training. */
  params: string;
  hoyerMean: string;
  hoyerPerSample: string;
  ccmasMean: string;
  ccmasPerUnit: string;
  /** One adamStep on fixed arrays: the parameter after it, as float32 bits. */
  adamStep: string[];
  /** Wall time of each training step (ms): forward, loss, backward, optimizer step. */
  stepMs: number[];
}

const f64hex = (x: number): string => {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, x);
  return b.getBigUint64(0).toString(16).padStart(16, '0');
};

const f32hex = (x: number): string => {
  const b = new DataView(new ArrayBuffer(4));
  b.setFloat32(0, x);
  return b.getUint32(0).toString(16).padStart(8, '0');
};

/** FNV-1a (32-bit) over the bytes of typed arrays, as hex. */
function fnv(...arrays: ArrayBufferView[]): string {
  let h = 0x811c9dc5;
  for (const a of arrays) {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

export function runWorkload(sample: Sample, options: WorkloadOptions): WorkloadResult {
  if (options.kernel !== undefined) useGemmKernel(options.kernel);
  const wasm = options.wasmMemory ?? wasmMemoryAvailable();
  const previous = wasm ? useWasmMemory(true) : null;
  try {
    const count = sample.labels.length;
    const rng = new Rng(options.seed);
    const net = mlp([784, 256, 10], { rng });
    const loss = new CrossEntropyLoss();
    const optimizer = new Adam(net.parameters(), { lr: 1e-3 });
    const x = zeros([options.batch, 784]);
    const labels = new Int32Array(options.batch);
    const losses: string[] = [];
    const stepMs: number[] = [];
    for (let s = 0; s < options.steps; s++) {
      for (let r = 0; r < options.batch; r++) {
        const i = (s * options.batch + r) % count;
        for (let p = 0; p < 784; p++) x.data[r * 784 + p] = sample.pixels[i * 784 + p] / 255; // torchvision's ToTensor
        labels[r] = sample.labels[i];
      }
      const t0 = performance.now();
      optimizer.zeroGrad();
      const value = loss.forward(net.forward(x), labels);
      net.backward(loss.backward());
      optimizer.step();
      stepMs.push(performance.now() - t0);
      losses.push(f32hex(value));
    }
    // Hidden activations of the whole sample.
    const all = zeros([count, 784]);
    for (let i = 0; i < count * 784; i++) all.data[i] = sample.pixels[i] / 255;
    let hidden: Tensor | null = null;
    const hook = hiddenActivationLayers(net)[0].registerForwardHook((out) => {
      hidden = out.clone();
    });
    net.forward(all);
    hook.remove();
    if (!hidden) throw new Error('runWorkload: the hidden layer produced no output');
    const hoyer = hoyerSparsity(hidden);
    const ccmas = ccmasSelectivity(hidden, sample.labels, 10);
    const params = fnv(...net.parameters().map((p) => p.data));
    const kernel = activeGemmKernel().name;
    net.dispose();
    loss.dispose();
    optimizer.dispose();

    const param = new Float32Array([1, -2, 3, 0.25]);
    const grad = new Float32Array([0.5, 0.5, -1, 1e-3]);
    const state = { exp_avg: new Float32Array(4), exp_avg_sq: new Float32Array(4), max_exp_avg_sq: null };
    for (let step = 1; step <= 3; step++) {
      adamStep(param, grad, state, { lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, amsgrad: false, maximize: false }, step);
    }
    return {
      kernel,
      memory: wasm ? 'wasm' : 'heap',
      losses,
      params,
      hoyerMean: f64hex(hoyer.mean),
      hoyerPerSample: fnv(hoyer.perSample),
      ccmasMean: f64hex(ccmas.mean),
      ccmasPerUnit: fnv(ccmas.perUnit),
      adamStep: Array.from(param, f32hex),
      stepMs,
    };
  } finally {
    if (previous) useWasmMemory(false);
  }
}
