/**
 * The one place the library allocates float32 storage for parameters, gradients and activation buffers.
 *
 * By default storage is an ordinary `Float32Array`. A fast kernel that wants its operands inside its own
 * memory (WebAssembly) installs an allocator with {@link setFloat32Allocator}; everything allocated after
 * that lives where the kernel can reach it without a copy, and is still an ordinary `Float32Array` to every
 * other caller.
 */
export interface Float32Allocator {
  readonly name: string;
  /** A zero-filled array of `length` elements. */
  alloc(length: number): Float32Array;
}

const plainAllocator: Float32Allocator = {
  name: 'heap',
  alloc: (length) => new Float32Array(length),
};

let current: Float32Allocator = plainAllocator;

/** A zero-filled float32 array of `length` elements from the active allocator. */
export function allocFloat32(length: number): Float32Array {
  if (!Number.isInteger(length) || length < 0) {
    throw new RangeError(`allocFloat32: length must be a non-negative integer, got ${length}`);
  }
  return current.alloc(length);
}

/** Install `allocator` (or the plain heap allocator when `null`); returns the previous one. */
export function setFloat32Allocator(allocator: Float32Allocator | null): Float32Allocator {
  const previous = current;
  current = allocator ?? plainAllocator;
  return previous;
}

export function getFloat32Allocator(): Float32Allocator {
  return current;
}
