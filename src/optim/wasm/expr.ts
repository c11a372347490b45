/**
 * A tiny element-wise expression language for optimizer kernels: what one element of one step computes,
 * written once in the order PyTorch's kernels round, and lowered to WebAssembly by ./lower.ts.
 *
 * Every node is a float32 value; each operation rounds to float32 once, like one PyTorch CPU kernel call:
 * `mul`, `add`, `sub`, `div`, `sqrt` are IEEE float32 operations, `max` is torch.maximum (NaN propagates),
 * `neg` is exact, and `fma(a, b, c)` is a·b + c with ONE rounding — PyTorch's fused `add_(x, alpha)` and
 * `addcmul_` (see ../fused.ts). `load(k)` is element i of array k as it was when the step started (all
 * loads happen before any store); `store(k, x)` writes it.
 */

export type Node =
  | { readonly op: 'load'; readonly array: number }
  | { readonly op: 'scalar'; readonly index: number }
  | { readonly op: 'add' | 'sub' | 'mul' | 'div' | 'max'; readonly a: Node; readonly b: Node }
  | { readonly op: 'sqrt' | 'neg'; readonly a: Node }
  | { readonly op: 'fma'; readonly a: Node; readonly b: Node; readonly c: Node };

export interface Store {
  readonly array: number;
  readonly value: Node;
}

/** One kernel variant: which arrays it stores to, in order. */
export interface KernelBody {
  readonly stores: readonly Store[];
}

export const load = (array: number): Node => ({ op: 'load', array });
export const scalar = (index: number): Node => ({ op: 'scalar', index });
export const add = (a: Node, b: Node): Node => ({ op: 'add', a, b });
export const sub = (a: Node, b: Node): Node => ({ op: 'sub', a, b });
export const mul = (a: Node, b: Node): Node => ({ op: 'mul', a, b });
export const div = (a: Node, b: Node): Node => ({ op: 'div', a, b });
export const max = (a: Node, b: Node): Node => ({ op: 'max', a, b });
export const sqrt = (a: Node): Node => ({ op: 'sqrt', a });
export const neg = (a: Node): Node => ({ op: 'neg', a });
/** a·b + c rounded once. */
export const fma = (a: Node, b: Node, c: Node): Node => ({ op: 'fma', a, b, c });

/** Arrays a body reads (sorted). */
export function loadsOf(body: KernelBody): number[] {
  const seen = new Set<number>();
  const visited = new Set<Node>();
  const walk = (n: Node): void => {
    if (visited.has(n)) return;
    visited.add(n);
    switch (n.op) {
      case 'load': seen.add(n.array); break;
      case 'scalar': break;
      case 'sqrt': case 'neg': walk(n.a); break;
      case 'fma': walk(n.a); walk(n.b); walk(n.c); break;
      default: walk(n.a); walk(n.b);
    }
  };
  for (const s of body.stores) walk(s.value);
  return [...seen].sort((x, y) => x - y);
}
