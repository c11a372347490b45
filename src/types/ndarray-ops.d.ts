// ndarray-ops ships no types; we use only `assign` (off every hot path: it compiles its loops at run time).
declare module 'ndarray-ops' {
  import type { NdArray } from 'ndarray';
  const ops: {
    assign(dst: NdArray<any>, src: NdArray<any>): NdArray<any>;
  };
  export default ops;
}
