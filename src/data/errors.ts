/**
 * The error every data reader throws for a bad file: it names the file (or the in-memory source) and
 * says what is wrong, e.g. `data/train-images-idx3-ubyte: truncated: …`.
 */
export class DataFileError extends Error {
  /** The file path (or the source name given to an in-memory parser). */
  readonly file: string;
  /** What is wrong, without the file name. */
  readonly problem: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`${file}: ${problem}`, options);
    this.name = 'DataFileError';
    this.file = file;
    this.problem = problem;
  }
}
