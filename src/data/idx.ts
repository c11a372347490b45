/**
 * The IDX file format (LeCun, Cortes & Burges, the MNIST page), raw or gzip-compressed.
 *
 * Layout: a 4-byte magic number `00 00 TT DD` — two zero bytes, the element type code TT and the number of
 * dimensions DD — then DD big-endian uint32 sizes, then product(sizes) elements, big-endian, row-major (the
 * last index varies fastest). MNIST images are `00 00 08 03` (ubyte, n × 28 × 28), labels `00 00 08 01`.
 *
 * | code | type     | bytes | array        |
 * |------|----------|-------|--------------|
 * | 0x08 | `ubyte`  | 1     | Uint8Array   |
 * | 0x09 | `sbyte`  | 1     | Int8Array    |
 * | 0x0B | `short`  | 2     | Int16Array   |
 * | 0x0C | `int`    | 4     | Int32Array   |
 * | 0x0D | `float`  | 4     | Float32Array |
 * | 0x0E | `double` | 8     | Float64Array |
 *
 * The parser is strict: the payload must be exactly product(sizes) · element size bytes. A short file is
 * "truncated" and a long one has "trailing bytes" — both errors, where Python's common MNIST readers
 * (`np.frombuffer(..., offset=16)`) would silently return a short or over-long array. Every error is a
 * {@link DataFileError} naming the file; nothing is returned from a file that fails any check.
 */
import { describeValue } from '../tensor/describe.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DataFileError } from './errors.js';

/** The element types of IDX, under the names the format's own description uses. */
export type IdxType = 'ubyte' | 'sbyte' | 'short' | 'int' | 'float' | 'double';

export interface IdxArrays {
  ubyte: Uint8Array;
  sbyte: Int8Array;
  short: Int16Array;
  int: Int32Array;
  float: Float32Array;
  double: Float64Array;
}

/** A decoded IDX file; `type` narrows `data` (`'ubyte'` → `Uint8Array`, …). */
export type IdxArray = { [T in IdxType]: { dims: number[]; type: T; data: IdxArrays[T] } }[IdxType];
export type IdxData = IdxArrays[IdxType];

interface TypeInfo {
  type: IdxType;
  code: number;
  size: number;
}

const TYPES: readonly TypeInfo[] = [
  { type: 'ubyte', code: 0x08, size: 1 },
  { type: 'sbyte', code: 0x09, size: 1 },
  { type: 'short', code: 0x0b, size: 2 },
  { type: 'int', code: 0x0c, size: 4 },
  { type: 'float', code: 0x0d, size: 4 },
  { type: 'double', code: 0x0e, size: 8 },
];

const byCode = new Map(TYPES.map((t) => [t.code, t]));
const byName = new Map(TYPES.map((t) => [t.type, t]));

function hex(n: number, digits: number): string {
  return '0x' + n.toString(16).toUpperCase().padStart(digits, '0');
}

/** True when `bytes` start with the gzip magic 1F 8B (an IDX file always starts with 00 00). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decode an IDX file held in memory. `sourceName` is used in error messages (a path or a label).
 * The returned `data` never aliases `bytes`.
 */
export function parseIdx(bytes: Uint8Array, sourceName: string): IdxArray {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`parseIdx: bytes must be a Uint8Array (the file's contents), got ${describeValue(bytes)}`);
  return decode(bytes, sourceName, true);
}

function decode(bytes: Uint8Array, source: string, copy: boolean): IdxArray {
  const fail = (problem: string): never => {
    throw new DataFileError(source, problem);
  };
  if (isGzip(bytes)) fail('is gzip-compressed; decompress it first (readIdx does this for files)');
  if (bytes.length < 4) fail(`is ${bytes.length} bytes long, too short for the 4-byte IDX magic number`);
  const magic = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    fail(`bad magic number ${hex(magic, 8)}: an IDX file starts with two zero bytes (e.g. 0x00000803 for images)`);
  }
  const info = byCode.get(bytes[2]);
  if (info === undefined) {
    fail(
      `bad magic number ${hex(magic, 8)}: unknown element type code ${hex(bytes[2], 2)} ` +
        `(known: ${TYPES.map((t) => `${hex(t.code, 2)} ${t.type}`).join(', ')})`,
    );
  }
  const { type, size } = info!;
  const ndims = bytes[3];
  if (ndims === 0) fail(`bad magic number ${hex(magic, 8)}: 0 dimensions`);
  const header = 4 + 4 * ndims;
  if (bytes.length < header) {
    fail(`truncated header: ${ndims} dimensions need ${header} header bytes, the file has ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1n;
  for (let d = 0; d < ndims; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    dims.push(n);
    count *= BigInt(n);
  }
  const expected = count * BigInt(size);
  const actual = BigInt(bytes.length - header);
  if (actual !== expected) {
    const what = `${dims.join('×')} ${type} (${size} byte${size > 1 ? 's' : ''} each) need ${expected} payload bytes after the ${header}-byte header`;
    if (actual < expected) fail(`truncated: ${what}, the file has ${actual} (${expected - actual} missing)`);
    fail(`trailing bytes: ${what}, the file has ${actual} (${actual - expected} extra)`);
  }
  const n = Number(count);
  const start = bytes.byteOffset + header;
  switch (type) {
    case 'ubyte': {
      // A plain Uint8Array either way (never a Node Buffer, whose slice() would share memory).
      if (!copy) return { dims, type, data: new Uint8Array(bytes.buffer, start, n) };
      const data = new Uint8Array(n);
      data.set(bytes.subarray(header));
      return { dims, type, data };
    }
    case 'sbyte': {
      const data = new Int8Array(n);
      data.set(new Int8Array(bytes.buffer, start, n));
      return { dims, type, data };
    }
    case 'short': {
      const data = new Int16Array(n);
      for (let i = 0; i < n; i++) data[i] = view.getInt16(header + 2 * i, false);
      return { dims, type, data };
    }
    case 'int': {
      const data = new Int32Array(n);
      for (let i = 0; i < n; i++) data[i] = view.getInt32(header + 4 * i, false);
      return { dims, type, data };
    }
    case 'float': {
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = view.getFloat32(header + 4 * i, false);
      return { dims, type, data };
    }
    case 'double': {
      const data = new Float64Array(n);
      for (let i = 0; i < n; i++) data[i] = view.getFloat64(header + 8 * i, false);
      return { dims, type, data };
    }
  }
}

/**
 * Read and decode an IDX file, raw or gzip-compressed (recognised by its content, not its name).
 * Synchronous; throws a {@link DataFileError} naming `path` for a missing, unreadable, corrupt or
 * truncated file.
 */
export function readIdx(path: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataFileError(path, code === 'ENOENT' ? 'no such file' : `cannot be read (${(err as Error).message})`, { cause: err });
  }
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw new DataFileError(path, `corrupt or truncated gzip stream (${(err as Error).message})`, { cause: err });
    }
  }
  // The buffer is ours: decode without copying when it is not a slice of Node's shared small-buffer pool.
  return decode(bytes, path, bytes.byteOffset !== 0 || bytes.byteLength !== bytes.buffer.byteLength);
}

/** Encode an array as IDX bytes (the inverse of {@link parseIdx}). */
export function encodeIdx(array: { dims: readonly number[]; type: IdxType; data: ArrayLike<number> }): Uint8Array {
  const info = byName.get(array.type);
  if (info === undefined) throw new RangeError(`encodeIdx: unknown type '${array.type}'`);
  const { dims, data } = array;
  if (dims.length < 1 || dims.length > 255) throw new RangeError(`encodeIdx: need 1 to 255 dimensions, got ${dims.length}`);
  let count = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0 || d > 0xffffffff) {
      throw new RangeError(`encodeIdx: dimensions must be uint32 integers, got [${dims.join(', ')}]`);
    }
    count *= d;
  }
  if (data.length !== count) {
    throw new RangeError(`encodeIdx: dims [${dims.join(', ')}] hold ${count} elements, data has ${data.length}`);
  }
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + count * info.size);
  const view = new DataView(out.buffer);
  out[2] = info.code;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) {
    const v = data[i];
    const p = header + i * info.size;
    switch (info.type) {
      case 'ubyte': out[p] = v; break;
      case 'sbyte': view.setInt8(p, v); break;
      case 'short': view.setInt16(p, v, false); break;
      case 'int': view.setInt32(p, v, false); break;
      case 'float': view.setFloat32(p, v, false); break;
      case 'double': view.setFloat64(p, v, false); break;
    }
  }
  return out;
}

/** Write an IDX file, gzip-compressed when `gzip` is true (conventionally with a `.gz` name). */
export function writeIdx(
  path: string,
  array: { dims: readonly number[]; type: IdxType; data: ArrayLike<number> },
  options: { gzip?: boolean } = {},
): void {
  const bytes = encodeIdx(array);
  writeFileSync(path, options.gzip ? gzipSync(bytes) : bytes);
}
