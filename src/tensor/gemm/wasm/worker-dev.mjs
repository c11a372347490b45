// Development entry of the gemm worker (see threads.ts): when the library runs from TypeScript sources
// under tsx (tests, benchmarks), a worker thread does not inherit tsx's loader, so register it here and
// load worker.ts. The built library (dist/) starts worker.js directly and never uses this file.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
