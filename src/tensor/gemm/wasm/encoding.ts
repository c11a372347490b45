/**
 * Binary encodings of the WebAssembly format: LEB128 integers, IEEE-754 floats, names and
 * length-prefixed vectors (WebAssembly Core Specification §5.2).
 */

/** Unsigned LEB128 of a non-negative integer below 2³². */
export function uleb(value: number): number[] {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`uleb: expected an integer in [0, 2^32), got ${value}`);
  }
  const out: number[] = [];
  let v = value;
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 of an integer in the i32 range (i32.const takes a signed immediate). */
export function sleb(value: number): number[] {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) {
    throw new RangeError(`sleb: expected a 32-bit integer, got ${value}`);
  }
  let v = value | 0; // values ≥ 2³¹ are the same i32 bit pattern as their negative counterpart
  const out: number[] = [];
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** Little-endian IEEE-754 single precision (f32.const immediate). */
export function f32Bytes(value: number): number[] {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, value, true);
  return Array.from(b);
}

/** A UTF-8 name, length-prefixed. */
export function name(text: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(text));
  return [...uleb(bytes.length), ...bytes];
}

/** A length-prefixed vector of already-encoded items. */
export function vector(items: number[][]): number[] {
  const out = uleb(items.length);
  for (const item of items) for (const b of item) out.push(b);
  return out;
}

/** A section: id byte, then its byte length, then its contents. */
export function section(id: number, contents: number[]): number[] {
  return [id, ...uleb(contents.length), ...contents];
}
