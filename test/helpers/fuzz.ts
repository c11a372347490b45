/**
 * Shared pieces of the property-based (fuzz) suites, test/**\/*.property.test.ts.
 *
 * Every suite runs fast-check with a fixed seed and a bounded number of runs (FUZZ), so `npm test` is
 * deterministic and its time is bounded; FUZZ_RUNS=n in the environment multiplies the runs and FUZZ_SEED=s
 * changes the seed, for a longer local search (a failure prints fast-check's seed and path to replay it).
 *
 * `expectOurError` is the contract for invalid input: the call throws, the error is a RangeError, TypeError
 * or one of the library's Error subclasses with a message that names something (never empty), and it is not
 * an error raised by the JavaScript engine on our behalf ("Cannot read properties of null", "x is not a
 * function", "Invalid typed array length", …), which would mean a check is missing.
 */
import fc from 'fast-check';
import { expect } from 'vitest';

const scale = Number(process.env.FUZZ_RUNS ?? 1);
const baseSeed = Number(process.env.FUZZ_SEED ?? 20261206);

/** fast-check parameters for one property: seeded, `numRuns` runs (× FUZZ_RUNS), at most 10 s. */
export function fuzz(numRuns: number, seed = baseSeed): fc.Parameters<unknown> {
  return { seed, numRuns: Math.max(1, Math.round(numRuns * scale)), interruptAfterTimeLimit: 10_000, markInterruptAsFailure: false };
}

/** Messages the engine produces when code dereferences or calls a value it did not check. */
const ENGINE_MESSAGES = [
  /Cannot read propert/i,
  /Cannot set propert/i,
  /Cannot convert/i,
  /is not a function/i,
  /is not iterable/i,
  /is not a constructor/i,
  /is not defined/i,
  /Invalid typed array length/i,
  /Invalid array length/i,
  /Array buffer allocation failed/i,
  /Maximum call stack/i,
  /out of memory/i,
  /offset is out of bounds/i,
  /Start offset .* is outside/i,
  /must be (a )?Symbol/i,
  /Reduce of empty array/i,
  /undefined is not/i,
  /null is not/i,
  /^[a-zA-Z_$.[\]0-9]+ is (not|undefined|null)/,
];

/** Whether `e` looks like an error the engine threw (not one of ours). */
export function isEngineError(e: unknown): boolean {
  if (!(e instanceof Error)) return true; // we never throw non-Errors
  if (e instanceof ReferenceError || e instanceof SyntaxError || e instanceof EvalError || e instanceof URIError) return true;
  return ENGINE_MESSAGES.some((re) => re.test(e.message));
}

/** Call `f`; it must throw one of our errors (see module comment). Returns the error for further checks. */
export function expectOurError(f: () => unknown, what = 'call'): Error {
  let result: unknown;
  try {
    result = f();
  } catch (e) {
    expect(e, `${what}: threw a non-Error`).toBeInstanceOf(Error);
    const err = e as Error;
    expect(isEngineError(err), `${what}: engine error instead of ours: ${err.constructor.name}: ${err.message}`).toBe(false);
    expect(err.message.length, `${what}: empty error message`).toBeGreaterThan(10);
    return err;
  }
  throw new Error(`${what}: expected an error, but it returned ${describeValue(result)}`);
}

function describeValue(v: unknown): string {
  try {
    return typeof v === 'number' ? String(v) : JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x))?.slice(0, 200) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Every value where a number is expected that is not a number at all. */
export const notANumber = fc.constantFrom<unknown>(null, undefined, '1', '0x10', true, [], {}, [1], () => 1, 1n, Symbol('s'));

/** Numbers no hyper-parameter accepts: NaN and ±∞. */
export const nonFinite = fc.constantFrom(NaN, Infinity, -Infinity);

/** Anything that is not a finite number. */
export const notAFiniteNumber = fc.oneof(notANumber, nonFinite);

/** Values that are not a non-negative integer count (negative, fractional, non-finite, huge, not numbers). */
export const badCount = fc.oneof(
  notAFiniteNumber,
  fc.integer({ min: -1000, max: -1 }),
  fc.double({ min: 0.01, max: 100, noNaN: true }).filter((x) => !Number.isInteger(x)),
  fc.constantFrom(2 ** 53, 1e300, Number.MAX_SAFE_INTEGER + 2),
);

/** Values that are not a Float32Array. */
export const notAFloat32Array = fc.constantFrom<unknown>(null, undefined, 1, 'abc', [1, 2, 3], new Float64Array(3), new Int32Array(3), {}, { length: 3 });

/** A finite float32 value (as fast-check's float, which draws float32 values), excluding −0 for simplicity. */
export function float32(max = 1e6): fc.Arbitrary<number> {
  return fc.float({ min: Math.fround(-max), max: Math.fround(max), noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x));
}

/** A Float32Array of `n` finite values. */
export function float32Array(n: number, max = 1e3): fc.Arbitrary<Float32Array> {
  return fc.array(float32(max), { minLength: n, maxLength: n }).map((a) => Float32Array.from(a));
}
