/**
 * Learning-rate schedules with PyTorch 1.13's semantics (`torch.optim.lr_scheduler`): each `step()`
 * advances `lastEpoch` by one and rewrites every group's `lr` from its current value (PyTorch's recursive,
 * "chainable" form), so several schedulers on one optimizer compose, as in PyTorch. Call
 * `optimizer.step()` first, then `scheduler.step()`. Arithmetic in double, in PyTorch's order.
 *
 * Constructing a scheduler records each group's starting `lr` as `initialLr` (PyTorch's `initial_lr`) and
 * makes the first step (to `lastEpoch` 0). Passing `lastEpoch` ≥ 0 resumes a schedule and requires
 * `initialLr` in every group.
 *
 * Deliberately not here: PyTorch's deprecated `step(epoch)` (the closed form), `verbose` printing, and the
 * warnings about calling order.
 */
import { describe } from './checks.js';

/** What a scheduler needs from an optimizer: its groups' learning rates. Every optimizer here has them. */
export interface SchedulableOptimizer {
  paramGroups: Array<{ lr: number; initialLr?: number }>;
}

/** A scheduler's state, laid out like PyTorch's `state_dict()` (snake_case; PyTorch's own keys). */
export interface SchedulerStateDict {
  base_lrs: number[];
  last_epoch: number;
  _step_count: number;
  _last_lr: number[];
  [key: string]: unknown;
}

export abstract class LRScheduler {
  readonly optimizer: SchedulableOptimizer;
  /** Each group's `initialLr`. */
  baseLrs: number[] = [];
  /** The index of the last step taken; 0 after construction. */
  lastEpoch = -1;
  /** Steps taken, counting the one made by the constructor (PyTorch's `_step_count`). */
  protected stepCount = 0;
  private lastLr: number[] = [];

  protected constructor(optimizer: SchedulableOptimizer) {
    if (optimizer === null || typeof optimizer !== 'object' || !Array.isArray(optimizer.paramGroups)) {
      throw new TypeError(`${this.constructor.name}: expected an optimizer (an object with paramGroups), got ${describe(optimizer)}`);
    }
    this.optimizer = optimizer;
  }

  /** Subclasses call this at the end of their constructor, once their own fields are set. */
  protected start(lastEpoch: number): void {
    if (!Number.isInteger(lastEpoch) || lastEpoch < -1) throw new RangeError(`${this.constructor.name}: lastEpoch must be an integer ≥ −1, got ${lastEpoch}`);
    const groups = this.optimizer.paramGroups;
    if (lastEpoch === -1) {
      for (const g of groups) if (g.initialLr === undefined) g.initialLr = g.lr;
    } else {
      groups.forEach((g, i) => {
        if (g.initialLr === undefined) throw new RangeError(`param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
      });
    }
    this.baseLrs = groups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
    this.stepCount = 0;
    this.step();
  }

  /** The learning rates after this step, from the groups' current ones (PyTorch's `get_lr`). */
  protected abstract computeLr(): number[];

  /** Advance one epoch and write the new learning rates into the optimizer's groups. */
  step(): void {
    this.stepCount++;
    this.lastEpoch++;
    const values = this.computeLr();
    const groups = this.optimizer.paramGroups;
    // A schedule whose factor over- or underflows (e.g. γ > 1 for long enough, or a resumed state with
    // odd values) must not hand the optimizer a learning rate it would reject: check before writing any.
    values.forEach((lr, i) => {
      if (!Number.isFinite(lr) || lr < 0) {
        this.stepCount--;
        this.lastEpoch--;
        throw new RangeError(`${this.constructor.name}.step: the schedule gives param group ${i} the learning rate ${lr} at epoch ${this.lastEpoch + 1}; a learning rate must be finite and ≥ 0`);
      }
    });
    values.forEach((lr, i) => {
      groups[i].lr = lr;
    });
    this.lastLr = groups.map((g) => g.lr);
  }

  /** The learning rates set by the last step (PyTorch's `get_last_lr()`). */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  /** PyTorch-shaped, JSON-serialisable state: `base_lrs`, `last_epoch`, `_step_count`, `_last_lr` and the schedule's options. */
  stateDict(): SchedulerStateDict {
    return { ...this.optionsDict(), base_lrs: this.baseLrs.slice(), last_epoch: this.lastEpoch, _step_count: this.stepCount, _last_lr: this.lastLr.slice() };
  }

  /**
   * Load a dict from {@link stateDict} or from PyTorch's `state_dict()` as JSON (its `verbose` and
   * `_get_lr_called_within_step` entries are ignored). Checked before anything changes.
   */
  loadStateDict(dict: SchedulerStateDict): void {
    const name = this.constructor.name;
    if (dict === null || typeof dict !== 'object') throw new TypeError(`${name}.loadStateDict: expected an object, got ${describe(dict)}`);
    const n = this.optimizer.paramGroups.length;
    const lrList = (key: string): number[] => {
      const v = dict[key];
      if (!Array.isArray(v) || v.length !== n || v.some((x) => typeof x !== 'number' || !Number.isFinite(x) || x < 0)) {
        throw new RangeError(`${name}.loadStateDict: ${key} must be ${n} finite numbers ≥ 0 (one per param group), got ${Array.isArray(v) ? `[${v.map(describe).join(', ')}]` : describe(v)}`);
      }
      return v.slice() as number[];
    };
    const baseLrs = lrList('base_lrs');
    const lastLr = lrList('_last_lr');
    for (const key of ['last_epoch', '_step_count']) {
      if (!Number.isInteger(dict[key])) throw new RangeError(`${name}.loadStateDict: ${key} must be an integer, got ${describe(dict[key])}`);
    }
    const known = new Set(['base_lrs', 'last_epoch', '_step_count', '_last_lr', 'verbose', '_get_lr_called_within_step', ...Object.keys(this.optionsDict())]);
    for (const key of Object.keys(dict)) if (!known.has(key)) throw new RangeError(`${name}.loadStateDict: unknown entry '${key}'`);
    const apply = this.checkOptionsDict(dict);
    apply();
    this.baseLrs = baseLrs;
    this.lastLr = lastLr;
    this.lastEpoch = dict.last_epoch;
    this.stepCount = dict._step_count as number;
  }

  /** The schedule's own options under PyTorch's names. */
  protected abstract optionsDict(): Record<string, unknown>;

  /** Check the schedule's options in `dict` (throwing if bad) and return a function that applies them. */
  protected abstract checkOptionsDict(dict: Record<string, unknown>): () => void;
}

/** An option's value, or `fallback` when it is not set (`undefined`); `null` is a value, and is rejected. */
function orDefault<T>(v: T | undefined, fallback: T): T {
  return v === undefined ? fallback : v;
}

function requireNumber(owner: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${owner}: ${name} must be a number, got ${describe(v)}`);
  if (!Number.isFinite(v)) throw new RangeError(`${owner}: ${name} must be a finite number, got ${describe(v)}`);
  return v;
}

/**
 * A multiplicative factor or floor that PyTorch does not check, but whose negative value can only make
 * some later learning rate negative, i.e. a step uphill.
 */
function requireNonNegative(owner: string, name: string, v: unknown): number {
  const x = requireNumber(owner, name, v);
  if (x < 0) throw new RangeError(`${owner}: ${name} must be ≥ 0 (a negative value makes the learning rate negative, a step uphill), got ${x}`);
  return x;
}

function requirePositiveInteger(owner: string, name: string, v: unknown): number {
  if (!Number.isSafeInteger(v) || (v as number) < 1) throw new RangeError(`${owner}: ${name} must be a positive integer, got ${describe(v)}`);
  return v as number;
}

/** Multiply each group's lr by γ every `stepSize` epochs: lr = base·γ^⌊epoch/stepSize⌋. */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: { stepSize: number; gamma?: number; lastEpoch?: number }) {
    super(optimizer);
    this.stepSize = requirePositiveInteger('StepLR', 'stepSize', options?.stepSize);
    this.gamma = requireNonNegative('StepLR', 'gamma', orDefault(options.gamma, 0.1));
    this.start(orDefault(options.lastEpoch, -1));
  }

  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }

  protected optionsDict(): Record<string, unknown> {
    return { step_size: this.stepSize, gamma: this.gamma };
  }

  protected checkOptionsDict(d: Record<string, unknown>): () => void {
    const stepSize = requirePositiveInteger('StepLR.loadStateDict', 'step_size', d.step_size);
    const gamma = requireNonNegative('StepLR.loadStateDict', 'gamma', d.gamma);
    return () => {
      this.stepSize = stepSize;
      this.gamma = gamma;
    };
  }
}

/**
 * Multiply each group's lr by γ at each milestone epoch (by γ^c when a milestone is listed c times, as
 * PyTorch counts them).
 */
export class MultiStepLR extends LRScheduler {
  /** Milestone epoch → how many times it was listed (PyTorch's `Counter`). */
  milestones: Map<number, number>;
  gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: { milestones: number[]; gamma?: number; lastEpoch?: number }) {
    super(optimizer);
    this.milestones = countMilestones('MultiStepLR', options?.milestones);
    this.gamma = requireNonNegative('MultiStepLR', 'gamma', orDefault(options.gamma, 0.1));
    this.start(orDefault(options.lastEpoch, -1));
  }

  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const count = this.milestones.get(this.lastEpoch);
    if (count === undefined) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma ** count);
  }

  protected optionsDict(): Record<string, unknown> {
    // PyTorch's Counter serialises as { "epoch": count }.
    const m: Record<string, number> = {};
    for (const [epoch, count] of this.milestones) m[String(epoch)] = count;
    return { milestones: m, gamma: this.gamma };
  }

  protected checkOptionsDict(d: Record<string, unknown>): () => void {
    const raw = d.milestones;
    let milestones: Map<number, number>;
    if (Array.isArray(raw)) milestones = countMilestones('MultiStepLR.loadStateDict', raw);
    else if (raw !== null && typeof raw === 'object') {
      milestones = new Map();
      for (const [k, c] of Object.entries(raw)) {
        if (!Number.isInteger(Number(k)) || !Number.isInteger(c) || (c as number) < 1) throw new RangeError(`MultiStepLR.loadStateDict: milestones must map epochs to positive counts, got ${k}: ${describe(c)}`);
        milestones.set(Number(k), c as number);
      }
    } else throw new TypeError(`MultiStepLR.loadStateDict: milestones must be a list or an { epoch: count } object, got ${describe(raw)}`);
    const gamma = requireNonNegative('MultiStepLR.loadStateDict', 'gamma', d.gamma);
    return () => {
      this.milestones = milestones;
      this.gamma = gamma;
    };
  }
}

function countMilestones(owner: string, list: unknown): Map<number, number> {
  if (!Array.isArray(list) || list.some((m) => !Number.isInteger(m))) throw new TypeError(`${owner}: milestones must be a list of integers, got ${describe(list)}`);
  const counts = new Map<number, number>();
  for (const m of list as number[]) counts.set(m, (counts.get(m) ?? 0) + 1);
  return counts;
}

/** Multiply each group's lr by γ every epoch: lr = base·γ^epoch. */
export class ExponentialLR extends LRScheduler {
  gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: { gamma: number; lastEpoch?: number }) {
    super(optimizer);
    this.gamma = requireNonNegative('ExponentialLR', 'gamma', options?.gamma);
    this.start(orDefault(options.lastEpoch, -1));
  }

  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }

  protected optionsDict(): Record<string, unknown> {
    return { gamma: this.gamma };
  }

  protected checkOptionsDict(d: Record<string, unknown>): () => void {
    const gamma = requireNonNegative('ExponentialLR.loadStateDict', 'gamma', d.gamma);
    return () => {
      this.gamma = gamma;
    };
  }
}

/**
 * Cosine annealing (Loshchilov & Hutter, "SGDR", ICLR 2017) without restarts, as PyTorch:
 * lr_t = η_min + (base − η_min)·(1 + cos(π·t/T_max))/2 for t ≤ T_max, computed recursively from the
 * previous lr; past T_max the recursion keeps following the cosine (the lr rises again with period
 * 2·T_max), exactly as PyTorch's does.
 */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;

  constructor(optimizer: SchedulableOptimizer, options: { tMax: number; etaMin?: number; lastEpoch?: number }) {
    super(optimizer);
    this.tMax = requirePositiveInteger('CosineAnnealingLR', 'tMax', options?.tMax);
    this.etaMin = requireNonNegative('CosineAnnealingLR', 'etaMin', orDefault(options.etaMin, 0));
    this.start(orDefault(options.lastEpoch, -1));
  }

  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const { lastEpoch: e, tMax: T, etaMin } = this;
    if (e === 0) return groups.map((g) => g.lr);
    if (this.stepCount === 1 && e > 0) {
      return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    }
    if ((e - 1 - T) % (2 * T) === 0) {
      return groups.map((g, i) => g.lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return groups.map((g) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (g.lr - etaMin) + etaMin);
  }

  protected optionsDict(): Record<string, unknown> {
    return { T_max: this.tMax, eta_min: this.etaMin };
  }

  protected checkOptionsDict(d: Record<string, unknown>): () => void {
    const tMax = requirePositiveInteger('CosineAnnealingLR.loadStateDict', 'T_max', d.T_max);
    const etaMin = requireNonNegative('CosineAnnealingLR.loadStateDict', 'eta_min', d.eta_min);
    return () => {
      this.tMax = tMax;
      this.etaMin = etaMin;
    };
  }
}

/**
 * Scale each group's lr linearly from `startFactor`·base to `endFactor`·base over `totalIters` epochs,
 * then keep it. Defaults as PyTorch: 1/3, 1, 5.
 */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;

  constructor(optimizer: SchedulableOptimizer, options: { startFactor?: number; endFactor?: number; totalIters?: number; lastEpoch?: number } = {}) {
    super(optimizer);
    const [s, e, t] = checkLinear('LinearLR', orDefault(options.startFactor, 1 / 3), orDefault(options.endFactor, 1), orDefault(options.totalIters, 5));
    this.startFactor = s;
    this.endFactor = e;
    this.totalIters = t;
    this.start(orDefault(options.lastEpoch, -1));
  }

  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const { startFactor: s, endFactor: f, totalIters: T, lastEpoch: e } = this;
    if (e === 0) return groups.map((g) => g.lr * s);
    if (e > T) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * (1 + (f - s) / (T * s + (e - 1) * (f - s))));
  }

  protected optionsDict(): Record<string, unknown> {
    return { start_factor: this.startFactor, end_factor: this.endFactor, total_iters: this.totalIters };
  }

  protected checkOptionsDict(d: Record<string, unknown>): () => void {
    const [s, e, t] = checkLinear('LinearLR.loadStateDict', d.start_factor, d.end_factor, d.total_iters);
    return () => {
      this.startFactor = s;
      this.endFactor = e;
      this.totalIters = t;
    };
  }
}

function checkLinear(owner: string, start: unknown, end: unknown, total: unknown): [number, number, number] {
  const s = requireNumber(owner, 'startFactor', start);
  const e = requireNumber(owner, 'endFactor', end);
  // PyTorch 1.13 accepts 0 here, and its next step divides by T·0 (lr·∞ = NaN); PyTorch 2 rejects it with this message.
  if (s > 1 || s <= 0) throw new RangeError('Starting multiplicative factor expected to be greater than 0 and less or equal to 1.');
  if (e > 1 || e < 0) throw new RangeError('Ending multiplicative factor expected to be between 0 and 1.');
  return [s, e, requirePositiveInteger(owner, 'totalIters', total)];
}
