import { describeValue } from './describe.js';
// Only the Alea generator, not seedrandom's index (which reaches for node:crypto to auto-seed), so that
// this module bundles for a browser unchanged. Its types are declared in src/types/seedrandom-alea.d.ts.
import alea, { type AleaPrng } from 'seedrandom/lib/alea.js';

/** Alea's internal state (seedrandom's names): three float fractions and a carry. Plain JSON. */
export interface AleaState {
  readonly c: number;
  readonly s0: number;
  readonly s1: number;
  readonly s2: number;
}

/** The serialisable state of an {@link Rng}: restore it with `Rng.fromState`. */
export interface RngState {
  readonly seed: string;
  readonly prng: AleaState;
  /** The second Box–Muller normal of the last pair, if it has not been used yet. */
  readonly spareNormal: number | null;
}

/**
 * A seeded random generator (seedrandom's Alea: fast, 2^116 period, identical on every JS engine).
 * Everything random in the library takes one of these; nothing uses `Math.random`.
 *
 * `state()` returns a plain JSON-serialisable object; `Rng.fromState(s)` continues the exact sequence.
 */
export class Rng {
  private prng: AleaPrng;
  private spare: number | null = null;
  readonly seed: string;

  constructor(seed: number | string) {
    if ((typeof seed === 'number' && !Number.isFinite(seed)) || (typeof seed !== 'number' && typeof seed !== 'string')) {
      throw new RangeError(`Rng: seed must be a finite number or a string, got ${describeValue(seed)}`);
    }
    this.seed = String(seed);
    this.prng = alea(this.seed, { state: true });
  }

  static fromState(state: RngState): Rng {
    const rng = new Rng(state.seed);
    rng.prng = alea('', { state: state.prng });
    rng.spare = state.spareNormal;
    return rng;
  }

  state(): RngState {
    return { seed: this.seed, prng: this.prng.state(), spareNormal: this.spare };
  }

  /** Uniform on [0, 1) with 53 bits of randomness. */
  random(): number {
    return this.prng.double();
  }

  /** Uniform on [low, high). */
  uniform(low = 0, high = 1): number {
    checkFinitePair('Rng.uniform', 'low', low, 'high', high);
    return low + (high - low) * this.prng.double();
  }

  /** A normal sample (Box–Muller; pairs are cached, and the cache is part of the state). */
  normal(mean = 0, std = 1): number {
    checkFinitePair('Rng.normal', 'mean', mean, 'std', std);
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.prng.double();
    const v = this.prng.double();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** An integer uniform on [0, n). */
  int(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`Rng.int: n must be a positive integer, got ${describeValue(n)}`);
    return Math.floor(this.prng.double() * n);
  }

  /**
   * Fill `out` with samples uniform on [low, high); returns `out`. Storing into a Float32Array rounds, and a
   * sample within half a float32 ulp of `high` would round up to `high` itself (probability ~2⁻²⁵ for
   * [0, 1)); such a value is replaced by the largest value of the array's type below `high`, so the range
   * stays half-open and the stream of draws is unchanged.
   */
  fillUniform<T extends Float32Array | Float64Array>(out: T, low = 0, high = 1): T {
    checkFloatArray('Rng.fillUniform', out);
    checkFinitePair('Rng.fillUniform', 'low', low, 'high', high);
    const span = high - low;
    let top = NaN;
    for (let i = 0; i < out.length; i++) {
      out[i] = low + span * this.prng.double();
      if (out[i] >= high && span > 0) {
        if (Number.isNaN(top)) top = largestBelow(high, out instanceof Float32Array);
        out[i] = top;
      }
    }
    return out;
  }

  /** Fill `out` with normal samples; returns `out`. */
  fillNormal<T extends Float32Array | Float64Array>(out: T, mean = 0, std = 1): T {
    checkFloatArray('Rng.fillNormal', out);
    checkFinitePair('Rng.fillNormal', 'mean', mean, 'std', std);
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /** Fisher–Yates shuffle of `array` in place; returns it. */
  shuffle<T extends { length: number; [i: number]: any }>(array: T): T {
    if (!Array.isArray(array) && !(ArrayBuffer.isView(array) && !(array instanceof DataView))) {
      throw new TypeError(`Rng.shuffle: array must be an array or typed array, got ${describeValue(array)}`);
    }
    for (let i = array.length - 1; i > 0; i--) {
      const j = Math.floor(this.prng.double() * (i + 1));
      const t = array[i];
      array[i] = array[j];
      array[j] = t;
    }
    return array;
  }

  /** A random permutation of 0..n-1 as an Int32Array. */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1) throw new RangeError(`Rng.permutation: n must be an integer in [0, 2³¹ − 1], got ${describeValue(n)}`);
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}

function checkFloatArray(fn: string, out: unknown): void {
  if (!(out instanceof Float32Array) && !(out instanceof Float64Array)) throw new TypeError(`${fn}: out must be a Float32Array or Float64Array, got ${describeValue(out)}`);
}

/** Both distribution parameters must be finite numbers (a NaN or ±∞ one can only give NaN or ±∞ samples). */
function checkFinitePair(fn: string, aName: string, a: number, bName: string, b: number): void {
  if (typeof a !== 'number' || !Number.isFinite(a)) throw new RangeError(`${fn}: ${aName} must be a finite number, got ${describeValue(a)}`);
  if (typeof b !== 'number' || !Number.isFinite(b)) throw new RangeError(`${fn}: ${bName} must be a finite number, got ${describeValue(b)}`);
}

/** The largest float32 (or float64) strictly below `x`. */
function largestBelow(x: number, float32: boolean): number {
  if (float32) {
    const r = Math.fround(x);
    if (r < x) return r;
    const bits = new Uint32Array(new Float32Array([r]).buffer);
    if (r === 0) bits[0] = 0x80000001; // the negative subnormal closest to 0
    else if (r > 0) bits[0] -= 1;
    else bits[0] += 1;
    return new Float32Array(bits.buffer)[0];
  }
  const f = new Float64Array([x]);
  const b = new BigInt64Array(f.buffer);
  if (x === 0) return -Number.MIN_VALUE;
  b[0] += x > 0 ? -1n : 1n;
  return f[0];
}
