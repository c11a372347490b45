/**
 * Entry point of a gemm worker thread (see ./threads.ts): instantiate the module on the shared memory,
 * signal ready, then loop — wait for `seq` to change, run the posted part of the product, publish `done`.
 * Runs as compiled JS from dist/ or, in development, under tsx.
 */
import { workerData } from 'node:worker_threads';
import { WasmMemory, WasmModule, wasmApi } from './api.js';
import { BlockSizes, WasmGemmDriver } from './driver.js';
import { GemmExports, WasmGemmConfig } from './module.js';
import { CTRL, ERROR_BYTES, FixedScratch } from './threads.js';

interface WorkerData {
  module: WasmModule;
  memory: WasmMemory;
  config: WasmGemmConfig;
  blocks: BlockSizes;
  ctrl: Int32Array;
  job: Float64Array;
  errorText: Uint8Array;
}

const data = workerData as WorkerData;
const { ctrl, job } = data;
try {
  const api = wasmApi();
  if (!api) throw new Error('gemm worker: no WebAssembly');
  const x = new api.Instance(data.module, { env: { memory: data.memory } }).exports as unknown as GemmExports;
  const scratch = new FixedScratch();
  const driver = new WasmGemmDriver(x, data.config, data.blocks, scratch, null);
  Atomics.store(ctrl, CTRL.ready, 1);
  let seen = Atomics.load(ctrl, CTRL.seq);
  for (;;) {
    Atomics.wait(ctrl, CTRL.seq, seen);
    const seq = Atomics.load(ctrl, CTRL.seq);
    if (seq === seen) continue;
    seen = seq;
    try {
      scratch.packA = job[13];
      scratch.packB = job[14];
      scratch.tile = job[15];
      driver.run(job[0] === 1, job[1] === 1, job[2], job[3], job[4], job[5], job[6], job[7], job[8], job[9], job[10], job[11], job[12]);
    } catch (e) {
      // The caller is blocked in Atomics.wait and cannot take a message event: leave the text in memory.
      const bytes = new TextEncoder().encode(String(e)).subarray(0, ERROR_BYTES);
      data.errorText.set(bytes);
      Atomics.store(ctrl, CTRL.errorLength, bytes.length);
      Atomics.store(ctrl, CTRL.error, 1);
    }
    Atomics.store(ctrl, CTRL.done, seq);
    Atomics.notify(ctrl, CTRL.done);
  }
} catch (e) {
  Atomics.store(ctrl, CTRL.error, 1);
  Atomics.notify(ctrl, CTRL.done);
  throw e;
}
