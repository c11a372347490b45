/**
 * Per-epoch checkpoints, `<run>.ckpt` beside the run's results: everything the next epoch depends on.
 *
 * What a run carries from one epoch to the next is (i) the parameters, (ii) the optimizer's state (its
 * `stateDict()`: buffers and step counts), and (iii) the sampler's position — samplers are pure functions of
 * (seed, epoch) (src/data/sampler.ts), so the epoch number is the whole sampler/RNG state; the weight-init
 * stream is used once, before epoch 1. Restoring those three and continuing at epoch k+1 gives the same bits
 * as never stopping (tested).
 *
 * Format: `SLCKPT1\n`, a uint32 (little-endian) byte length, a JSON manifest of that length, zero padding to a
 * multiple of 4, then float32 data. In the manifest every float32 buffer (parameters; optimizer buffers whose
 * values are all float32) is `{ "$f32": offset, "length": n }` (offset in floats into the data); everything
 * else is plain JSON. The manifest holds a SHA-256 of the data, checked on load. Written with
 * writeFileAtomic: a checkpoint on disk is always whole.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.js';

const MAGIC = 'SLCKPT1\n';

export interface CheckpointState {
  run: string;
  config_hash: string;
  gemm_kernel: string;
  /** The last complete epoch: training resumes at epoch + 1. */
  epoch: number;
  /** Test accuracy after that epoch (progress display only). */
  accuracy: number;
  /** Parameter name → values, in `model.parameters()` order. */
  params: Array<{ name: string; data: Float32Array }>;
  /** The optimizer's `stateDict()` (buffers may be Float32Array or number[]). */
  optimizer: unknown;
}

export function checkpointPath(dir: string, run: string): string {
  return join(dir, `${run}.ckpt`);
}

function isF32Array(v: unknown): v is number[] {
  if (!Array.isArray(v) || v.length < 16) return false;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x !== 'number' || (Math.fround(x) !== x && !Number.isNaN(x))) return false;
  }
  return true;
}

export function encodeCheckpoint(state: CheckpointState): Uint8Array[] {
  const blobs: Float32Array[] = [];
  let offset = 0;
  const put = (a: Float32Array | number[]): { $f32: number; length: number } => {
    const f = a instanceof Float32Array ? a : Float32Array.from(a);
    blobs.push(f);
    const ref = { $f32: offset, length: f.length };
    offset += f.length;
    return ref;
  };
  const pack = (v: unknown): unknown => {
    if (v instanceof Float32Array || isF32Array(v)) return put(v as Float32Array | number[]);
    if (Array.isArray(v)) return v.map(pack);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, pack(x)]));
    if (typeof v === 'number' && !Number.isFinite(v)) return { $num: String(v) };
    return v;
  };
  const manifest = {
    run: state.run,
    config_hash: state.config_hash,
    gemm_kernel: state.gemm_kernel,
    epoch: state.epoch,
    accuracy: pack(state.accuracy),
    params: state.params.map((p) => ({ name: p.name, data: put(p.data) })),
    optimizer: pack(state.optimizer),
  };
  const data = new Uint8Array(offset * 4);
  let at = 0;
  for (const b of blobs) {
    data.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), at);
    at += b.byteLength;
  }
  const sha256 = createHash('sha256').update(data).digest('hex');
  const json = Buffer.from(JSON.stringify({ ...manifest, floats: offset, sha256 }), 'utf8');
  const head = Buffer.alloc(MAGIC.length + 4 + json.length + ((4 - ((MAGIC.length + 4 + json.length) % 4)) % 4));
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(json.length, MAGIC.length);
  json.copy(head, MAGIC.length + 4);
  return [head, data];
}

export function decodeCheckpoint(bytes: Uint8Array, source: string): CheckpointState {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < MAGIC.length + 4 || buf.toString('latin1', 0, MAGIC.length) !== MAGIC) {
    throw new Error(`checkpoint ${source}: not a sparsity-lab checkpoint (bad magic)`);
  }
  const jsonLength = buf.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4;
  if (start + jsonLength > buf.length) throw new Error(`checkpoint ${source}: truncated manifest`);
  const manifest = JSON.parse(buf.toString('utf8', start, start + jsonLength)) as Record<string, unknown> & { floats: number; sha256: string };
  const dataStart = start + jsonLength + ((4 - ((start + jsonLength) % 4)) % 4);
  if (buf.length !== dataStart + manifest.floats * 4) {
    throw new Error(`checkpoint ${source}: expected ${manifest.floats} floats of data, found ${(buf.length - dataStart) / 4}`);
  }
  const raw = buf.subarray(dataStart);
  if (createHash('sha256').update(raw).digest('hex') !== manifest.sha256) throw new Error(`checkpoint ${source}: data checksum mismatch`);
  const floats = new Float32Array(manifest.floats);
  new Uint8Array(floats.buffer).set(raw);
  // Parameters come back as Float32Array; optimizer buffers as number[] (what loadStateDict takes).
  const unpack = (v: unknown, plain = false): unknown => {
    if (Array.isArray(v)) return v.map((x) => unpack(x, plain));
    if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.$f32 === 'number') {
        const f = floats.slice(o.$f32, o.$f32 + (o.length as number));
        return plain ? Array.from(f) : f;
      }
      if (typeof o.$num === 'string') return Number(o.$num);
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unpack(x, plain)]));
    }
    return v;
  };
  return {
    run: manifest.run as string,
    config_hash: manifest.config_hash as string,
    gemm_kernel: manifest.gemm_kernel as string,
    epoch: manifest.epoch as number,
    accuracy: unpack(manifest.accuracy) as number,
    params: (manifest.params as Array<{ name: string; data: unknown }>).map((p) => ({ name: p.name, data: unpack(p.data) as Float32Array })),
    optimizer: unpack(manifest.optimizer, true),
  };
}

export function saveCheckpoint(dir: string, state: CheckpointState): void {
  writeFileAtomic(checkpointPath(dir, state.run), encodeCheckpoint(state), 'checkpoint');
}

/** The run's checkpoint, or null if there is none. A damaged one throws (naming the file). */
export function loadCheckpoint(dir: string, run: string): CheckpointState | null {
  const path = checkpointPath(dir, run);
  if (!existsSync(path)) return null;
  return decodeCheckpoint(readFileSync(path), path);
}

export function removeCheckpoint(dir: string, run: string): void {
  try {
    unlinkSync(checkpointPath(dir, run));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
