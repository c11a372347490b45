/**
 * The part every optimizer shares: parameter groups with per-group options, per-parameter state, the step
 * loop that skips parameters without a gradient, `zeroGrad`, and PyTorch-shaped state dicts.
 *
 * A subclass supplies four things: how to validate its options, how to create a parameter's state, how to
 * update one parameter (a call to its pure step function), and which state entries exist. Everything else
 * — including the checks that leave nothing half-written when the input is bad — lives here.
 *
 * Differences from `torch.optim.Optimizer` 1.13, all deliberate:
 * - Options are validated for every group (PyTorch checks only the constructor's defaults), with PyTorch's
 *   wording, so `addParamGroup({ params, lr: -1 })` throws "Invalid learning rate: -1".
 * - A parameter listed twice in a group throws (PyTorch warns and would update it twice).
 * - `step()` first checks every gradient's type and length, so a bad gradient throws before any parameter
 *   has moved.
 * - `zeroGrad()` fills gradients with zeros, PyTorch 1.13's default (`set_to_none=False`); gradients here
 *   are preallocated arrays that layers accumulate into, so there is no set-to-none variant.
 * - State buffers come from `allocFloat32`, so after `useWasmMemory()` they live in WebAssembly memory next
 *   to the parameters, and `step()` runs the WebAssembly SIMD kernels (./wasm) for every parameter whose
 *   value, gradient and state are all there — same bits, several times faster; elsewhere it runs the
 *   JavaScript step functions. WebAssembly memory is not garbage-collected: `dispose()` gives the state
 *   back (PyTorch has no counterpart).
 */
import {
  type OptimizerStateDict,
  type ParamGroupStateDict,
  type StateEntry,
  camelToSnake,
  decodeFloatArray,
  snakeToCamel,
} from './state-dict.js';
import { describe } from './checks.js';
import { allocFloat32, freeFloat32 } from '../tensor/memory.js';

/**
 * Anything with float32 values and (optionally) a float32 gradient of the same length. The library's
 * `Parameter` is one; so is `{ data: new Float32Array(n), grad: new Float32Array(n) }`. A `null` or
 * `undefined` grad means "no gradient this step": the parameter is skipped and its state left untouched,
 * as PyTorch skips parameters whose `.grad` is `None`.
 */
export interface ParameterLike {
  readonly data: Float32Array;
  grad?: Float32Array | null;
}

/** Options every optimizer has. */
export interface CommonOptions {
  lr: number;
  weightDecay: number;
  maximize: boolean;
}

/** A live parameter group: the parameters and this group's options (mutable, e.g. by a scheduler). */
export type ParamGroup<O> = O & {
  params: ParameterLike[];
  /** Set by learning-rate schedulers: the lr the schedule started from (PyTorch's `initial_lr`). */
  initialLr?: number;
};

/** What the constructor and `addParamGroup` accept: parameters plus any options to override. */
export type ParamGroupInput<O> = Partial<O> & { params: Iterable<ParameterLike> | ParameterLike };

/** Parameters, or parameter groups with per-group options. */
export type ParamsInput<O> = Iterable<ParameterLike> | Iterable<ParamGroupInput<O>>;

/** Per-parameter state: named float32 buffers plus a step count. */
export type StateRecord = { step: number } & { [key: string]: Float32Array | number | null | undefined };

/** Which state entries a group's options require (`required`) or merely allow (`optional`). */
export interface StateSchema {
  required: readonly string[];
  optional: readonly string[];
}

/**
 * State entries that are running sums or averages of squares (or of squared updates): a loaded negative
 * value can only make a later square root NaN, so loading one is an error.
 */
const NON_NEGATIVE_STATE = new Set(['exp_avg_sq', 'max_exp_avg_sq', 'square_avg', 'sum', 'acc_delta']);

/** PyTorch keys in `param_groups` that do not change the arithmetic on CPU; accepted and ignored on load. */
const IGNORED_GROUP_KEYS = new Set(['foreach', 'differentiable', 'capturable', 'fused']);

export abstract class Optimizer<O extends CommonOptions, S extends StateRecord> {
  /** The options a group gets when it does not set them. */
  readonly defaults: Readonly<O>;
  readonly paramGroups: Array<ParamGroup<O>> = [];
  /** The state as stored, without bringing deferred state up to date (for subclasses' hooks). */
  protected readonly states = new Map<ParameterLike, S>();

  /**
   * Per-parameter state, created at a parameter's first step with a gradient. Reading it first brings any
   * deferred state up to date (Adadelta's lazy columns, see `syncState`), so it always holds what PyTorch's
   * `optimizer.state` would.
   */
  get state(): Map<ParameterLike, S> {
    if (!this.disposed) this.syncState();
    return this.states;
  }

  /** The class name used in error messages ("Adam", "SGD", …). */
  readonly name: string;

  constructor(name: string, params: ParamsInput<O>, defaults: O) {
    this.name = name;
    this.validateDefaults(defaults);
    this.defaults = Object.freeze({ ...defaults });
    if (params === null || typeof params !== 'object' || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function' || isParameterLike(params)) {
      throw new TypeError(`${this.name}: params must be an iterable of parameters or of parameter groups, got ${describe(params)}`);
    }
    if (params instanceof Set) {
      // PyTorch converts a top-level set with list() and checks only a group's set; the order problem is the same.
      throw new TypeError('optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets will change between runs. Please use a list instead.');
    }
    const list = Array.from(params as Iterable<unknown>);
    if (list.length === 0) throw new RangeError('optimizer got an empty parameter list');
    const first = list[0];
    const isGroup = first !== null && typeof first === 'object' && 'params' in first;
    if (!isGroup && !isParameterLike(first)) {
      throw new TypeError(`${this.name}: params[0] must be a parameter (an object with a Float32Array 'data') or a param group ({ params, ...options }), got ${describe(first)}`);
    }
    const groups = isGroup ? (list as ParamGroupInput<O>[]) : [{ params: list as ParameterLike[] } as unknown as ParamGroupInput<O>];
    for (const g of groups) this.addParamGroup(g);
  }

  /** Throw (with PyTorch's wording) if `options` are invalid. */
  protected abstract validateOptions(options: O): void;

  /** A fresh state for `param` in `group` (zero-filled buffers, step 0). */
  protected abstract createState(param: ParameterLike, group: ParamGroup<O>): S;

  /** Update one parameter with its gradient; `state.step` has not been incremented yet. */
  protected abstract updateParameter(param: ParameterLike, grad: Float32Array, state: S, group: ParamGroup<O>): void;

  /** The state entries (besides `step`) a parameter in `group` has. */
  protected abstract stateSchema(group: ParamGroup<O>): StateSchema;

  /** Check the constructor's options; SGD overrides this because its `lr` may come from the groups alone. */
  protected validateDefaults(defaults: O): void {
    this.validateOptions(defaults);
  }

  /** Whether `step` is a saved state entry (PyTorch's SGD has none). */
  protected get savesStep(): boolean {
    return true;
  }

  private disposed = false;

  /**
   * Bring state an optimizer keeps deferred up to date before anyone reads it (`state`, `stateDict`).
   * The default has nothing deferred. Subclass fields may not exist yet when the base constructor runs.
   */
  protected syncState(): void {}

  /** Called before the state is replaced (`loadStateDict`) or freed (`dispose`): drop anything deferred. */
  protected onStateReplaced(): void {}

  /** Called once for each group added; Adagrad uses it to create state eagerly, as PyTorch does. */
  protected onGroupAdded(_group: ParamGroup<O>): void {}

  /**
   * Add a parameter group (PyTorch's `add_param_group`): options missing from `group` come from the
   * defaults. Throws if the options are invalid, a parameter is not `{ data: Float32Array }`, or a
   * parameter already belongs to a group.
   */
  addParamGroup(group: ParamGroupInput<O>): void {
    this.checkLive('addParamGroup');
    if (group === null || typeof group !== 'object' || !('params' in group)) {
      throw new TypeError(`${this.name}: a param group must be an object with a 'params' entry, got ${describe(group)}`);
    }
    const groupIndex = this.paramGroups.length;
    const raw = group.params;
    let params: ParameterLike[];
    if (isParameterLike(raw)) params = [raw];
    else if (raw instanceof Set) {
      throw new TypeError('optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets will change between runs. Please use a list instead.');
    } else if (raw !== null && typeof raw === 'object' && typeof (raw as Iterable<unknown>)[Symbol.iterator] === 'function') {
      params = Array.from(raw as Iterable<ParameterLike>);
    } else {
      throw new TypeError(`${this.name}: param group ${groupIndex}: 'params' must be a parameter or an iterable of parameters, got ${describe(raw)}`);
    }
    params.forEach((p, i) => {
      if (!isParameterLike(p)) {
        throw new TypeError(`${this.name}: param group ${groupIndex}: params[${i}] must be an object with a Float32Array 'data', got ${describe(p)}`);
      }
    });
    const seen = new Set<ParameterLike>();
    params.forEach((p, i) => {
      if (seen.has(p)) throw new RangeError(`${this.name}: param group ${groupIndex} lists params[${i}] more than once`);
      seen.add(p);
    });
    for (const g of this.paramGroups) {
      for (const p of g.params) if (seen.has(p)) throw new RangeError('some parameters appear in more than one parameter group');
    }
    const merged = { ...this.defaults } as ParamGroup<O>;
    const target = merged as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(group)) if (k !== 'params' && v !== undefined) target[k] = v;
    for (const [k, v] of Object.entries(target)) if (Array.isArray(v)) target[k] = v.slice(); // a group owns its betas
    for (const k of Object.keys(group)) {
      if (k !== 'params' && k !== 'initialLr' && !(k in this.defaults)) {
        throw new RangeError(`${this.name}: param group ${groupIndex} has unknown option '${k}' (expected one of ${Object.keys(this.defaults).join(', ')})`);
      }
    }
    this.validateOptions(merged);
    merged.params = params;
    this.paramGroups.push(merged);
    this.onGroupAdded(merged);
  }

  /**
   * One optimization step over every parameter that has a gradient. With a `closure` (which recomputes
   * the loss and gradients) the closure runs first and its value is returned, as in PyTorch.
   */
  step(closure?: () => number): number | undefined {
    this.checkLive('step');
    const loss = closure ? closure() : undefined;
    // Check every gradient before touching anything, so a bad one leaves all parameters as they were.
    let index = 0;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const grad = p.grad;
        if (grad != null) {
          if (!(grad instanceof Float32Array)) throw new TypeError(`${this.name}.step: parameter ${index} has a grad that is not a Float32Array (${describe(grad)})`);
          if (grad.length !== p.data.length) throw new RangeError(`${this.name}.step: parameter ${index} has ${p.data.length} values but its grad has ${grad.length}`);
        }
        index++;
      }
    }
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const grad = p.grad;
        if (grad == null) continue;
        let s = this.states.get(p);
        if (s === undefined) {
          s = this.createState(p, group);
          this.states.set(p, s);
        }
        this.updateParameter(p, grad, s, group);
      }
    }
    return loss;
  }

  /** Fill every gradient with zeros (PyTorch 1.13's `zero_grad()` default). */
  zeroGrad(): void {
    for (const group of this.paramGroups) for (const p of group.params) if (p.grad != null) p.grad.fill(0);
  }

  /**
   * The optimizer's state as plain JSON-serialisable data, laid out like PyTorch's `state_dict()`:
   * `state` maps a parameter's index (counting through the groups in order) to its entries under PyTorch's
   * names (`exp_avg`, `step`, …; buffers as flat arrays of numbers), and `param_groups` holds each group's
   * options under PyTorch's snake_case names with `params` as indices. Values are copies.
   */
  stateDict(): OptimizerStateDict {
    this.checkLive('stateDict');
    const states = this.state; // brings deferred state up to date
    const state: Record<string, Record<string, StateEntry>> = {};
    const paramGroups: ParamGroupStateDict[] = [];
    let index = 0;
    for (const group of this.paramGroups) {
      const packed: ParamGroupStateDict = { params: [] };
      for (const [k, v] of Object.entries(group)) {
        if (k === 'params' || v === undefined) continue;
        packed[camelToSnake(k)] = Array.isArray(v) ? v.slice() : (v as number | boolean);
      }
      for (const p of group.params) {
        packed.params.push(index);
        const s = states.get(p);
        if (s !== undefined) {
          const entry: Record<string, StateEntry> = {};
          for (const [k, v] of Object.entries(s)) {
            if (v === undefined || (k === 'step' && !this.savesStep)) continue;
            entry[k] = v instanceof Float32Array ? Array.from(v) : (v as number | null);
          }
          state[String(index)] = entry;
        }
        index++;
      }
      paramGroups.push(packed);
    }
    return { state, param_groups: paramGroups };
  }

  /**
   * Load a dict from {@link stateDict} — or a PyTorch `state_dict()` exported to JSON (tensors as
   * `.tolist()`, nested lists are flattened; `foreach`/`differentiable`/`capturable`/`fused` are ignored).
   * Group sizes, buffer lengths, entry names and options are all checked before anything is replaced;
   * on error the optimizer is unchanged. Buffers must be finite (the JSON markers null/"NaN"/"Infinity"
   * are decoded, then rejected: every later step from them would be NaN) and second-moment buffers
   * (exp_avg_sq, max_exp_avg_sq, square_avg, sum, acc_delta) ≥ 0 — PyTorch loads both unchecked. Options missing from a saved group take the defaults.
   */
  loadStateDict(dict: OptimizerStateDict): void {
    this.checkLive('loadStateDict');
    const where = `${this.name}.loadStateDict`;
    if (dict === null || typeof dict !== 'object' || !Array.isArray(dict.param_groups) || dict.state === null || typeof dict.state !== 'object') {
      throw new TypeError(`${where}: expected { state: {...}, param_groups: [...] }, got ${describe(dict)}`);
    }
    const saved = dict.param_groups;
    if (saved.length !== this.paramGroups.length) {
      throw new RangeError(`loaded state dict has a different number of parameter groups (${saved.length}, optimizer has ${this.paramGroups.length})`);
    }
    const newGroups: Array<ParamGroup<O>> = [];
    const indexToParam: Array<[ParameterLike, ParamGroup<O>]> = [];
    const savedIds = new Set<string>();
    saved.forEach((sg, gi) => {
      const group = this.paramGroups[gi];
      if (sg === null || typeof sg !== 'object' || !Array.isArray(sg.params)) {
        throw new TypeError(`${where}: param_groups[${gi}] must be an object with a 'params' array, got ${describe(sg)}`);
      }
      if (sg.params.length !== group.params.length) {
        throw new RangeError(`loaded state dict contains a parameter group that doesn't match the size of optimizer's group (param_groups[${gi}] has ${sg.params.length} params, optimizer's group has ${group.params.length})`);
      }
      const ng = { ...this.defaults } as ParamGroup<O>;
      for (const [key, v] of Object.entries(sg)) {
        if (key === 'params' || IGNORED_GROUP_KEYS.has(key)) continue;
        const k = snakeToCamel(key);
        if (!(k in this.defaults) && k !== 'initialLr') {
          throw new RangeError(`${where}: param_groups[${gi}] has unknown option '${key}' (expected ${Object.keys(this.defaults).map(camelToSnake).join(', ')}, initial_lr)`);
        }
        if (k === 'initialLr' && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) throw new TypeError(`${where}: param_groups[${gi}].initial_lr must be a finite number ≥ 0, got ${describe(v)}`);
        const def = (this.defaults as Record<string, unknown>)[k];
        if (k !== 'initialLr' && def !== undefined && typeof def !== typeof v && !(Array.isArray(def) && Array.isArray(v))) {
          throw new TypeError(`${where}: param_groups[${gi}].${key} must be a ${Array.isArray(def) ? 'list' : typeof def}, got ${describe(v)}`);
        }
        (ng as unknown as Record<string, unknown>)[k] = Array.isArray(v) ? v.slice() : v;
      }
      this.validateOptions(ng);
      ng.params = group.params;
      newGroups.push(ng);
      sg.params.forEach((id, pi) => {
        const key = String(id);
        if (savedIds.has(key)) throw new RangeError(`${where}: parameter index ${key} appears twice in param_groups`);
        savedIds.add(key);
        indexToParam[Number(id)] = [group.params[pi], ng];
      });
    });
    const newState = new Map<ParameterLike, S>();
    for (const [key, entry] of Object.entries(dict.state)) {
      const target = indexToParam[Number(key)];
      if (!savedIds.has(key) || target === undefined) {
        throw new RangeError(`${where}: state has an entry for parameter ${key}, which no param group lists`);
      }
      const [param, group] = target;
      newState.set(param, this.decodeState(entry, param, group, `${where}: state[${key}]`));
    }
    // Everything checked: replace.
    newGroups.forEach((g, i) => {
      this.paramGroups[i] = g;
    });
    // Move the decoded buffers to the active allocator (WebAssembly memory after
    // useWasmMemory(), where the kernels can use them), and give the old state back.
    for (const s of newState.values()) {
      const record = s as Record<string, unknown>;
      for (const [k, v] of Object.entries(record)) {
        if (v instanceof Float32Array) {
          const a = allocFloat32(v.length);
          a.set(v);
          record[k] = a;
        }
      }
    }
    this.freeState();
    for (const [p, s] of newState) this.states.set(p, s);
  }

  /**
   * Give the state buffers back to their allocator (`freeFloat32`: WebAssembly memory is reused, arrays on
   * the JS heap are left to the garbage collector) and retire the optimizer: any further `step`,
   * `stateDict`, `loadStateDict` or `addParamGroup` throws. Parameters and gradients are the caller's and
   * are not touched. Calling it twice is harmless. Arrays taken from `state` must not be used afterwards.
   */
  dispose(): void {
    if (this.disposed) return;
    this.freeState();
    this.disposed = true;
  }

  /** Whether {@link dispose} has been called. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  private freeState(): void {
    this.onStateReplaced();
    for (const s of this.states.values()) {
      for (const v of Object.values(s)) if (v instanceof Float32Array) freeFloat32(v);
    }
    this.states.clear();
  }

  private checkLive(method: string): void {
    if (this.disposed) throw new Error(`${this.name}.${method}: the optimizer has been disposed (dispose() freed its state)`);
  }

  /** Turn one saved state entry into live state, checking names and lengths. */
  private decodeState(entry: unknown, param: ParameterLike, group: ParamGroup<O>, where: string): S {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new TypeError(`${where} must be an object, got ${describe(entry)}`);
    const schema = this.stateSchema(group);
    const known = new Set([...schema.required, ...schema.optional]);
    const s = { step: 0 } as S;
    const record = s as Record<string, unknown>;
    const e = entry as Record<string, unknown>;
    for (const [k, v] of Object.entries(e)) {
      if (k === 'step' && this.savesStep) {
        const step = Array.isArray(v) && v.length === 1 ? v[0] : v; // a (1,)-shaped step tensor
        if (typeof step !== 'number' || !(step >= 0) || !Number.isInteger(step)) throw new RangeError(`${where}.step must be a non-negative integer, got ${describe(v)}`);
        record.step = step;
      } else if (known.has(k)) {
        if (v === null) {
          record[k] = null;
          continue;
        }
        const values = decodeFloatArray(v, param.data.length, `${where}.${k}`);
        const nonNegative = NON_NEGATIVE_STATE.has(k);
        for (let i = 0; i < values.length; i++) {
          const x = values[i];
          if (!Number.isFinite(x)) throw new RangeError(`${where}.${k}[${i}] is ${x}; loaded state must be finite (every later step from it would be NaN or ±Infinity)`);
          if (nonNegative && x < 0) throw new RangeError(`${where}.${k}[${i}] is ${x}; ${k} is an average of squares and must be ≥ 0 (its square root would be NaN)`);
        }
        record[k] = values;
      } else {
        throw new RangeError(`${where} has unknown entry '${k}' (expected ${[...(this.savesStep ? ['step'] : []), ...known].join(', ')})`);
      }
    }
    if (Object.keys(e).length > 0) {
      for (const k of schema.required) {
        if (!(k in e) || e[k] === null) throw new RangeError(`${where} is missing '${k}', which ${this.name} needs with these options`);
      }
      if (this.savesStep && !('step' in e)) throw new RangeError(`${where} is missing 'step'`);
    }
    this.afterStateLoaded(s, param, group);
    return s;
  }

  /** Hook for optimizers whose live state has more than the saved entries (SGD's step count). */
  protected afterStateLoaded(_state: S, _param: ParameterLike, _group: ParamGroup<O>): void {}
}

export function isParameterLike(x: unknown): x is ParameterLike {
  return x !== null && typeof x === 'object' && (x as { data?: unknown }).data instanceof Float32Array;
}

/**
 * A zero-filled float32 buffer the size of `param`, for optimizer state, from `allocFloat32`: after
 * `useWasmMemory()` it lives in WebAssembly memory, where the SIMD step kernels can use it. Such blocks are
 * not garbage-collected — an optimizer's `dispose()` frees them.
 */
export function zerosLike(param: ParameterLike): Float32Array {
  return allocFloat32(param.data.length);
}

/**
 * `defaults` overridden by the options the caller set (`undefined` means "not set"); an option name the
 * optimizer does not have throws, so a typo such as `weight_decay` or `momentun` cannot pass silently.
 */
export function withDefaults<O extends object>(name: string, defaults: O, options: Partial<O> | undefined): O {
  if (options === undefined) return { ...defaults };
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${name}: options must be an object, got ${describe(options)}`);
  }
  const out = { ...defaults };
  for (const [k, v] of Object.entries(options)) {
    if (!(k in defaults)) throw new RangeError(`${name}: unknown option '${k}' (expected one of ${Object.keys(defaults).join(', ')})`);
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}
