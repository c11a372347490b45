// seedrandom's Alea generator on its own (lib/alea.js, CommonJS; @types/seedrandom types only the index).
// Only private members of Rng use these types, so they never appear in the emitted declarations.
declare module 'seedrandom/lib/alea.js' {
  export interface AleaPrng {
    (): number;
    double(): number;
    int32(): number;
    quick(): number;
    state(): { c: number; s0: number; s1: number; s2: number };
  }
  export default function alea(
    seed: string,
    options: { state: true | { c: number; s0: number; s1: number; s2: number } },
  ): AleaPrng;
}
