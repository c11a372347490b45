import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataFileError, encodeIdx, parseIdx, readIdx, writeIdx, type IdxType } from '../../src/data/index.js';
import { Rng } from '../../src/tensor/random.js';

const tmp = mkdtempSync(join(tmpdir(), 'sparsity-lab-idx-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Run `fn`, expect a DataFileError for `file` whose message contains every one of `parts`. */
function expectDataError(fn: () => unknown, file: string, ...parts: string[]): DataFileError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(DataFileError);
  const e = caught as DataFileError;
  expect(e.file).toBe(file);
  expect(e.message.startsWith(`${file}: `)).toBe(true);
  for (const p of parts) expect(e.message).toContain(p);
  return e;
}

describe('parseIdx on hand-built bytes', () => {
  it('reads a 2×3 ubyte matrix: magic 00 00 08 02, sizes 2 and 3, then 6 bytes row-major', () => {
    const bytes = Uint8Array.from([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 255]);
    const a = parseIdx(bytes, 'm');
    expect(a.type).toBe('ubyte');
    expect(a.dims).toEqual([2, 3]);
    expect(a.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 255]);
    // The encoder writes exactly these bytes.
    expect(Array.from(encodeIdx({ dims: [2, 3], type: 'ubyte', data: [1, 2, 3, 4, 5, 255] }))).toEqual(Array.from(bytes));
  });

  it('decodes every element type big-endian', () => {
    const header = (code: number, n: number) => [0, 0, code, 1, 0, 0, 0, n];
    // sbyte: 0x80 = -128, 0x7F = 127.
    expect(Array.from(parseIdx(Uint8Array.from([...header(0x09, 2), 0x80, 0x7f]), 's').data)).toEqual([-128, 127]);
    // short: 01 02 = 258; FF FE = -2.
    const sh = parseIdx(Uint8Array.from([...header(0x0b, 2), 0x01, 0x02, 0xff, 0xfe]), 's');
    expect(sh.type).toBe('short');
    expect(Array.from(sh.data)).toEqual([258, -2]);
    // int: 80 00 00 00 = -2^31; 00 00 01 00 = 256.
    expect(Array.from(parseIdx(Uint8Array.from([...header(0x0c, 2), 0x80, 0, 0, 0, 0, 0, 1, 0]), 's').data)).toEqual([-2147483648, 256]);
    // float: 3F C0 00 00 = 1.5 (sign 0, exponent 127, mantissa .1b); C0 49 0F DB = -float32(π).
    const fl = parseIdx(Uint8Array.from([...header(0x0d, 2), 0x3f, 0xc0, 0, 0, 0xc0, 0x49, 0x0f, 0xdb]), 's');
    expect(fl.data).toBeInstanceOf(Float32Array);
    expect(Array.from(fl.data)).toEqual([1.5, -Math.fround(Math.PI)]);
    // double: BF E0 00 … = -0.5.
    const db = parseIdx(Uint8Array.from([...header(0x0e, 1), 0xbf, 0xe0, 0, 0, 0, 0, 0, 0]), 's');
    expect(db.data).toBeInstanceOf(Float64Array);
    expect(Array.from(db.data)).toEqual([-0.5]);
  });

  it('round-trips every type through encodeIdx, including an empty dimension', () => {
    const rng = new Rng(3);
    const gen: Record<IdxType, () => number> = {
      ubyte: () => rng.int(256),
      sbyte: () => rng.int(256) - 128,
      short: () => rng.int(65536) - 32768,
      int: () => rng.int(2 ** 32) - 2 ** 31,
      float: () => Math.fround(rng.normal() * 1e3),
      double: () => rng.normal() * 1e300,
    };
    for (const type of Object.keys(gen) as IdxType[]) {
      for (const dims of [[7], [3, 4, 5], [2, 0, 3]]) {
        const n = dims.reduce((a, b) => a * b, 1);
        const data = Array.from({ length: n }, gen[type]);
        const back = parseIdx(encodeIdx({ dims, type, data }), type);
        expect(back.type).toBe(type);
        expect(back.dims).toEqual(dims);
        expect(Array.from(back.data)).toEqual(data);
      }
    }
  });

  it('returns data that does not alias the input bytes', () => {
    const bytes = encodeIdx({ dims: [3], type: 'ubyte', data: [7, 8, 9] });
    const a = parseIdx(bytes, 'm');
    bytes.fill(0);
    expect(Array.from(a.data)).toEqual([7, 8, 9]);
  });
});

describe('parseIdx errors name the source and the problem', () => {
  const good = encodeIdx({ dims: [2, 3], type: 'ubyte', data: [1, 2, 3, 4, 5, 6] });

  it('too short for a magic number', () => {
    expectDataError(() => parseIdx(Uint8Array.from([0, 0, 8]), 'f.idx'), 'f.idx', '3 bytes long', 'magic');
  });
  it('non-zero leading bytes', () => {
    const b = good.slice();
    b[0] = 0x12;
    expectDataError(() => parseIdx(b, 'f.idx'), 'f.idx', 'bad magic number 0x12000802', 'two zero bytes');
  });
  it('gzip bytes given to the in-memory parser', () => {
    expectDataError(() => parseIdx(gzipSync(good), 'f.idx.gz'), 'f.idx.gz', 'gzip-compressed');
  });
  it('unknown element type', () => {
    const b = good.slice();
    b[2] = 0x0a;
    expectDataError(() => parseIdx(b, 'f.idx'), 'f.idx', 'unknown element type code 0x0A', '0x08 ubyte');
  });
  it('zero dimensions', () => {
    expectDataError(() => parseIdx(Uint8Array.from([0, 0, 8, 0, 1]), 'f.idx'), 'f.idx', '0 dimensions');
  });
  it('a header cut inside the sizes', () => {
    // 3 dimensions need 4 + 3·4 = 16 header bytes; give 10.
    expectDataError(() => parseIdx(Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 9, 0, 0]), 'f.idx'), 'f.idx', 'truncated header', '16 header bytes', 'has 10');
  });
  it('a truncated payload: expected and actual byte counts', () => {
    expectDataError(() => parseIdx(good.subarray(0, good.length - 1), 'f.idx'), 'f.idx', 'truncated', '2×3 ubyte', 'need 6 payload bytes', 'has 5', '1 missing');
  });
  it('a truncated multi-byte payload counts bytes, not elements', () => {
    const s = encodeIdx({ dims: [4], type: 'short', data: [1, 2, 3, 4] });
    expectDataError(() => parseIdx(s.subarray(0, s.length - 3), 's.idx'), 's.idx', 'need 8 payload bytes', 'has 5');
  });
  it('trailing bytes', () => {
    const b = new Uint8Array(good.length + 2);
    b.set(good);
    expectDataError(() => parseIdx(b, 'f.idx'), 'f.idx', 'trailing bytes', 'has 8', '2 extra');
  });
  it('sizes whose product overflows 2^53 are a length error, not a crash', () => {
    const b = Uint8Array.from([0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1]);
    expectDataError(() => parseIdx(b, 'f.idx'), 'f.idx', 'truncated', '79228162458924105385300197375 payload bytes');
  });
});

describe('readIdx', () => {
  const array = { dims: [3, 2, 2], type: 'ubyte' as const, data: Array.from({ length: 12 }, (_, i) => i * 20) };

  it('reads raw and gzip files alike (gzip recognised by content)', () => {
    const raw = join(tmp, 'a-idx3-ubyte');
    const gz = join(tmp, 'a-idx3-ubyte.gz');
    writeIdx(raw, array);
    writeIdx(gz, array, { gzip: true });
    expect(readFileSync(gz).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    for (const p of [raw, gz]) {
      const a = readIdx(p);
      expect(a.dims).toEqual([3, 2, 2]);
      expect(Array.from(a.data)).toEqual(array.data);
    }
  });

  it('a missing file', () => {
    const p = join(tmp, 'nope-idx1-ubyte');
    expectDataError(() => readIdx(p), p, 'no such file');
  });

  it('a truncated raw file names the file and the byte counts', () => {
    const p = join(tmp, 'cut-idx3-ubyte');
    writeFileSync(p, encodeIdx(array).subarray(0, 20)); // header 16 bytes, 4 of 12 payload bytes
    expectDataError(() => readIdx(p), p, 'truncated', 'need 12 payload bytes', 'has 4');
  });

  it('a truncated gzip stream', () => {
    const p = join(tmp, 'cut.gz');
    const z = gzipSync(encodeIdx(array));
    writeFileSync(p, z.subarray(0, z.length >> 1));
    expectDataError(() => readIdx(p), p, 'corrupt or truncated gzip stream');
  });

  it('a corrupted gzip stream (bad CRC)', () => {
    const p = join(tmp, 'crc.gz');
    const z = Buffer.from(gzipSync(encodeIdx(array)));
    z[z.length - 8] ^= 0xff; // the CRC-32 trailer
    writeFileSync(p, z);
    expectDataError(() => readIdx(p), p, 'gzip');
  });

  it('a well-formed gzip of a truncated IDX file', () => {
    const p = join(tmp, 'cut-inside.gz');
    writeFileSync(p, gzipSync(encodeIdx(array).subarray(0, 27)));
    expectDataError(() => readIdx(p), p, 'truncated', 'need 12 payload bytes', 'has 11');
  });
});
