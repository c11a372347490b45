import { getFloat32Allocator, setFloat32Allocator, type Float32Allocator } from '../../src/tensor/memory.js';

/**
 * Counts allocations while installed, for the "a step allocates nothing" tests. Two independent counters:
 * - `allocCalls`: every `allocFloat32` call (a counting allocator wrapped around the active one), and
 * - `typedArrays`: every typed array or buffer created anywhere — `new Float32Array/Float64Array/
 *   Int32Array/Uint8Array/ArrayBuffer/SharedArrayBuffer` through the global constructors (replaced by
 *   counting proxies) and every `subarray`/`slice` view (patched prototype methods), so even a temporary
 *   view is seen.
 * `restore()` puts the globals and the allocator back; call it in afterEach.
 */
export interface AllocationCounter {
  typedArrays: number;
  allocCalls: number;
  /** `{ typedArrays, allocCalls }`, for one `toEqual`. */
  counts(): { typedArrays: number; allocCalls: number };
  reset(): void;
  restore(): void;
}

const ctors = ['Float32Array', 'Float64Array', 'Int32Array', 'Uint8Array', 'ArrayBuffer', 'SharedArrayBuffer'] as const;

export function countAllocations(): AllocationCounter {
  const counter: AllocationCounter = {
    typedArrays: 0,
    allocCalls: 0,
    counts: () => ({ typedArrays: counter.typedArrays, allocCalls: counter.allocCalls }),
    reset() {
      counter.typedArrays = 0;
      counter.allocCalls = 0;
    },
    restore: () => {},
  };
  const originals = ctors.map((name) => [name, globalThis[name]] as const);
  for (const [name, C] of originals) {
    (globalThis as any)[name] = new Proxy(C, {
      construct(target, args, newTarget) {
        counter.typedArrays++;
        return Reflect.construct(target, args, newTarget === (globalThis as any)[name] ? target : newTarget);
      },
    });
  }
  const proto = Object.getPrototypeOf(Float32Array.prototype) as { subarray: Function; slice: Function };
  const { subarray, slice } = proto;
  proto.subarray = function (this: unknown, ...a: unknown[]) {
    counter.typedArrays++;
    return subarray.apply(this, a);
  };
  proto.slice = function (this: unknown, ...a: unknown[]) {
    counter.typedArrays++;
    return slice.apply(this, a);
  };
  const inner = getFloat32Allocator();
  const counting: Float32Allocator = {
    name: 'counting',
    alloc: (n) => {
      counter.allocCalls++;
      return inner.alloc(n);
    },
  };
  const previous = setFloat32Allocator(counting);
  counter.restore = () => {
    for (const [name, C] of originals) (globalThis as any)[name] = C;
    proto.subarray = subarray;
    proto.slice = slice;
    setFloat32Allocator(previous);
  };
  return counter;
}
