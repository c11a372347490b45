/**
 * The one place the library allocates float32 storage for parameters, gradients and activation buffers.
 *
 * By default storage is an ordinary `Float32Array` on the JS heap. {@link useWasmMemory} switches
 * allocation to the WebAssembly heap the SIMD gemm kernel works in, so its operands need no copy; every
 * array is still an ordinary `Float32Array` to every other caller.
 *
 * The WebAssembly heap is a *shared* `WebAssembly.Memory` (backed by a SharedArrayBuffer, with a maximum).
 * Growing a shared memory never detaches existing views: each `Float32Array` handed out keeps reading and
 * writing the same bytes after any number of grows (a non-shared memory would detach them all). The same
 * memory is what worker threads share. Where shared memory is unavailable (a web page that is not
 * cross-origin isolated) the heap is instead a fixed-size non-shared memory ({@link UNSHARED_HEAP_PAGES}):
 * the same kernels run on it, single-threaded, and it never grows (growing would detach every view).
 *
 * Allocation is first-fit from a free list of 64-byte-aligned blocks, falling back to a bump pointer;
 * memory grows by at least half its size at a time, so many small allocations cost few grows. Nothing is
 * reclaimed implicitly (the garbage collector cannot know whether a block is still reachable through some
 * other view of the same buffer): {@link freeFloat32} returns a block to the free list, where adjacent free
 * blocks coalesce. A program that builds models one after another should free their buffers or keep to
 * the default heap allocator.
 */
import { describeValue } from './describe.js';
import { PAGE_BYTES, WasmMemory, wasmApi } from './gemm/wasm/api.js';

export interface Float32Allocator {
  readonly name: string;
  /** A zero-filled array of `length` elements. */
  alloc(length: number): Float32Array;
  /** Give back an array this allocator returned (optional; the heap allocator leaves it to the GC). */
  free?(array: Float32Array): void;
}

const plainAllocator: Float32Allocator = {
  name: 'heap',
  alloc: (length) => new Float32Array(length),
};

let current: Float32Allocator = plainAllocator;

/** A zero-filled float32 array of `length` elements from the active allocator. */
export function allocFloat32(length: number): Float32Array {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(`allocFloat32: length must be a non-negative integer, got ${describeValue(length)}`);
  }
  try {
    return current.alloc(length);
  } catch (e) {
    // The engine's "Invalid typed array length" / "Array buffer allocation failed", or a full WebAssembly heap.
    throw new RangeError(`allocFloat32: cannot allocate ${length} float32 values (${4 * length} bytes) from the ${current.name} allocator: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Return `array` (from {@link allocFloat32}) to its allocator. A no-op for arrays on the JS heap; for the
 * WebAssembly heap the block becomes reusable, so the array must not be used afterwards.
 */
export function freeFloat32(array: Float32Array): void {
  const heap = defaultHeap;
  if (heap && heap.addressOf(array) >= 0) heap.freeArray(array);
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

/** Block alignment: one cache line, and a multiple of the 16-byte SIMD width. */
const ALIGN = 64;
/** Bytes at the top of the memory never handed out, so a kernel's over-wide tail read stays in bounds. */
const TAIL_GUARD = 64;

/**
 * Pages of the fixed-size heap used where shared WebAssembly memory is unavailable (a web page that is not
 * cross-origin isolated): 2048 × 64 KiB = 128 MiB. A non-shared memory cannot grow without detaching every
 * array already handed out, so it is created at this size and never grows.
 */
export const UNSHARED_HEAP_PAGES = 2048;

export interface WasmHeapOptions {
  /**
   * Default true: a shared memory that grows up to `maximumPages` without detaching views. `false`: a
   * non-shared memory of exactly `initialPages` that never grows (for engines or pages without shared
   * memory; no worker threads can use it).
   */
  shared?: boolean;
}

/** A heap of aligned blocks in one WebAssembly memory: shared and growable, or (see options) fixed. */
export class WasmHeap {
  readonly memory: WasmMemory;
  readonly maximumPages: number;
  /** Whether the memory is shared (growable without detaching; usable by worker threads). */
  readonly shared: boolean;
  /** Every buffer this memory has exposed (one per size it has had); they alias the same bytes. */
  private readonly buffers = new WeakSet<object>();
  private lastBuffer: ArrayBuffer | SharedArrayBuffer;
  private view: Float32Array;
  /** First never-allocated byte. */
  private top = ALIGN;
  /** Free blocks, sorted by address, never adjacent (coalesced). */
  private readonly freeList: Array<{ addr: number; size: number }> = [];
  /** Size of each live block by address. */
  private readonly live = new Map<number, number>();

  constructor(initialPages = 256, maximumPages = 65536, options: WasmHeapOptions = {}) {
    const api = wasmApi();
    if (!api) throw new Error('WasmHeap: this engine has no WebAssembly');
    if (!Number.isInteger(initialPages) || !Number.isInteger(maximumPages) || initialPages < 1 || maximumPages < initialPages || maximumPages > 65536) {
      throw new RangeError(`WasmHeap: need 1 ≤ initialPages ≤ maximumPages ≤ 65536, got ${initialPages}, ${maximumPages}`);
    }
    this.shared = options.shared ?? true;
    if (this.shared) {
      this.memory = new api.Memory({ initial: initialPages, maximum: maximumPages, shared: true });
      this.maximumPages = maximumPages;
      if (typeof SharedArrayBuffer === 'undefined' || !(this.memory.buffer instanceof SharedArrayBuffer)) {
        throw new Error('WasmHeap: shared WebAssembly memory is unavailable');
      }
    } else {
      this.memory = new api.Memory({ initial: initialPages, maximum: initialPages });
      this.maximumPages = initialPages;
    }
    this.lastBuffer = this.memory.buffer;
    this.buffers.add(this.lastBuffer);
    this.view = new Float32Array(this.lastBuffer);
  }

  /** Current size in bytes. */
  get byteLength(): number {
    return this.buffer().byteLength;
  }

  /** Bytes in live blocks. */
  get bytesInUse(): number {
    let s = 0;
    for (const size of this.live.values()) s += size;
    return s;
  }

  /** The memory's current buffer (re-read after a grow). */
  buffer(): ArrayBuffer | SharedArrayBuffer {
    const b = this.memory.buffer;
    if (b !== this.lastBuffer) {
      this.lastBuffer = b;
      this.buffers.add(b);
      this.view = new Float32Array(b);
    }
    return b;
  }

  /** A Float32Array over the whole memory as it is now (element i is byte address 4i). */
  f32(): Float32Array {
    this.buffer();
    return this.view;
  }

  /** Byte address of `array`'s first element if it lives in this memory, else −1. */
  addressOf(array: Float32Array): number {
    return this.buffers.has(array.buffer) ? array.byteOffset : -1;
  }

  /** Allocate `bytes` (rounded up to 64), 64-byte aligned; returns the byte address. Contents unspecified. */
  allocBytes(bytes: number): number {
    if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`WasmHeap.allocBytes: bytes must be a non-negative integer, got ${bytes}`);
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    for (let i = 0; i < this.freeList.length; i++) {
      const block = this.freeList[i];
      if (block.size >= size) {
        const addr = block.addr;
        if (block.size === size) this.freeList.splice(i, 1);
        else {
          block.addr += size;
          block.size -= size;
        }
        this.live.set(addr, size);
        return addr;
      }
    }
    const addr = this.top;
    this.ensureCapacity(addr + size + TAIL_GUARD);
    this.top = addr + size;
    this.live.set(addr, size);
    return addr;
  }

  /** Return the block at `addr` to the free list. */
  freeBytes(addr: number): void {
    const size = this.live.get(addr);
    if (size === undefined) throw new Error(`WasmHeap.freeBytes: no live block at address ${addr}`);
    this.live.delete(addr);
    // Insert sorted, then coalesce with neighbours.
    let i = 0;
    while (i < this.freeList.length && this.freeList[i].addr < addr) i++;
    this.freeList.splice(i, 0, { addr, size });
    const next = this.freeList[i + 1];
    if (next && addr + size === next.addr) {
      this.freeList[i].size += next.size;
      this.freeList.splice(i + 1, 1);
    }
    const prev = this.freeList[i - 1];
    if (prev && prev.addr + prev.size === addr) {
      prev.size += this.freeList[i].size;
      this.freeList.splice(i, 1);
      i--;
    }
    // A free block touching the bump pointer goes back to it.
    const last = this.freeList[this.freeList.length - 1];
    if (last && last.addr + last.size === this.top) {
      this.top = last.addr;
      this.freeList.pop();
    }
  }

  /** A zero-filled Float32Array of `length` elements in this memory. */
  allocFloat32(length: number): Float32Array {
    const addr = this.allocBytes(length * 4);
    const a = new Float32Array(this.buffer(), addr, length);
    a.fill(0);
    return a;
  }

  /** Free an array returned by {@link allocFloat32}. */
  freeArray(array: Float32Array): void {
    const addr = this.addressOf(array);
    const size = this.live.get(addr);
    if (addr < 0 || size === undefined || array.length * 4 > size || Math.ceil(Math.max(array.length * 4, 1) / ALIGN) * ALIGN !== size) {
      throw new Error(`WasmHeap.freeArray: the array (${array.length} elements at byte ${addr}) is not a block this heap allocated`);
    }
    this.freeBytes(addr);
  }

  private ensureCapacity(bytes: number): void {
    const have = this.buffer().byteLength;
    if (bytes <= have) return;
    const havePages = have / PAGE_BYTES;
    const needPages = Math.ceil(bytes / PAGE_BYTES);
    if (needPages > this.maximumPages) {
      const why = this.shared ? '' : ' (a non-shared memory cannot grow: serve the page cross-origin isolated for a growable shared heap)';
      throw new RangeError(`WasmHeap: cannot grow to ${bytes} bytes; the maximum is ${this.maximumPages * PAGE_BYTES} bytes${why}`);
    }
    const pages = Math.min(this.maximumPages, Math.max(needPages, havePages + Math.ceil(havePages / 2)));
    this.memory.grow(pages - havePages);
    this.buffer();
  }
}

let defaultHeap: WasmHeap | null = null;

/**
 * The process-wide WebAssembly heap (created on first use; the gemm kernel and the allocator share it):
 * shared and growable where the engine allows (Node; cross-origin isolated pages), otherwise a fixed
 * {@link UNSHARED_HEAP_PAGES}-page non-shared heap (other pages: single-threaded, never grows).
 */
export function wasmHeap(): WasmHeap {
  if (!defaultHeap) {
    try {
      defaultHeap = new WasmHeap();
    } catch (shared) {
      try {
        defaultHeap = new WasmHeap(UNSHARED_HEAP_PAGES, UNSHARED_HEAP_PAGES, { shared: false });
      } catch {
        throw shared;
      }
    }
  }
  return defaultHeap;
}

/** The heap if {@link wasmHeap} has created it, else null (never creates it). */
export function existingWasmHeap(): WasmHeap | null {
  return defaultHeap;
}

/** Whether a WebAssembly memory (shared, or else fixed-size) can be created here. */
export function wasmMemoryAvailable(): boolean {
  try {
    wasmHeap();
    return true;
  } catch {
    return false;
  }
}

const wasmAllocator: Float32Allocator = {
  name: 'wasm',
  alloc: (length) => wasmHeap().allocFloat32(length),
  free: (array) => wasmHeap().freeArray(array),
};

/**
 * Allocate from the WebAssembly heap from now on (`on = false` returns to the JS heap). Arrays already
 * allocated stay where they are; the gemm kernel copies any operand that is not in its memory.
 * Returns the previous allocator.
 */
export function useWasmMemory(on = true): Float32Allocator {
  if (on && !wasmMemoryAvailable()) throw new Error('useWasmMemory: WebAssembly memory is unavailable in this engine');
  return setFloat32Allocator(on ? wasmAllocator : null);
}
