/**
 * Entry of the page bundle the headless-browser test loads (bundled by esbuild for the browser): exposes
 * the workload and what the engine offers on `window.sparsityLab`.
 */
import { gemmKernels, gemmThreadSupport, wasmMemoryAvailable } from '../src/tensor/index.js';
import { runWorkload, type Sample, type WorkloadOptions } from './workload.js';

function decodeBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

const api = {
  engine: () => ({
    crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    kernels: gemmKernels().map((k) => k.name),
    wasmMemory: wasmMemoryAvailable(),
    threads: gemmThreadSupport(),
  }),
  run: async (sampleUrl: string, options: WorkloadOptions) => {
    const json = (await (await fetch(sampleUrl)).json()) as { pixels: string; labels: string };
    const sample: Sample = { pixels: decodeBase64(json.pixels), labels: decodeBase64(json.labels) };
    return runWorkload(sample, options);
  },
};

(globalThis as unknown as { sparsityLab: typeof api }).sparsityLab = api;
(globalThis as unknown as { document: { body: { dataset: Record<string, string> } } }).document.body.dataset.ready = 'true';
