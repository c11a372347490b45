/**
 * A registry of named kinds (optimizers, samplers, models): one descriptor per kind, looked up by name.
 * Config validation, the CLI's flags and help, the JSON Schema and the dry-run iterate over a registry
 * instead of switching on names, so a new kind is one descriptor in one file (src/experiments/kinds/).
 */
export interface Named {
  /** The name a configuration, a spec and the CLI use for this kind. */
  readonly name: string;
  /** One line: what it is and where it comes from (shown by `sparsity-lab list --kinds` and errors). */
  readonly doc: string;
}

export class Registry<D extends Named> {
  private readonly byName = new Map<string, D>();

  /**
   * @param what what the kinds are, for messages: 'optimizer', 'sampler kind', 'model kind'.
   * @param pending kinds that are planned but not registered yet, with what they wait for — named in the
   *   unknown-kind error so a user learns why a preset cannot run yet.
   */
  constructor(
    readonly what: string,
    private readonly pending: Readonly<Record<string, string>> = {},
  ) {}

  register(descriptor: D): this {
    if (this.byName.has(descriptor.name)) throw new Error(`${this.what} "${descriptor.name}" is registered twice`);
    this.byName.set(descriptor.name, descriptor);
    return this;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The descriptor, or undefined. */
  find(name: string): D | undefined {
    return this.byName.get(name);
  }

  /** The descriptor; throws an Error whose message is {@link unknownMessage}. */
  get(name: string): D {
    const d = this.byName.get(name);
    if (!d) throw new Error(this.unknownMessage(name));
    return d;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  all(): D[] {
    return [...this.byName.values()];
  }

  /** `unknown optimizer "x" (registered: sgd, adam, …)`, or why a planned kind is not there yet. */
  unknownMessage(name: unknown): string {
    const key = String(name);
    const pending = Object.prototype.hasOwnProperty.call(this.pending, key) ? this.pending[key] : undefined;
    if (pending !== undefined) return `${this.what} "${key}" is not available yet: ${pending} (registered: ${this.names().join(', ')})`;
    return `unknown ${this.what} ${JSON.stringify(name)} (registered: ${this.names().join(', ')})`;
  }
}
