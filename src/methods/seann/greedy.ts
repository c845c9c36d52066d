/**
 * The two greedy algorithms of SEA-NN on a DSF: cardinality-constrained maximisation (the inner
 * max_{|A| ≤ B} f(A) of eq. 2, Nemhauser et al.'s greedy) and the attribution of Algorithm 1
 * (every feature gets its marginal gain f(e | A) at the moment it is picked).
 *
 * Both use lazy evaluation (Minoux's accelerated greedy): for a submodular f a marginal gain
 * never grows as A grows, so a gain computed at an earlier step is an upper bound; a candidate
 * is re-evaluated only when its stale bound is the largest. This picks the same elements as the
 * plain greedy (ties by lowest index) at a fraction of the DSF evaluations. A second bound comes
 * from concavity: f is concave in the first layer's pre-activation z₁, so f(v | A) ≤ ∇f(z₁(A)) ·
 * W₁[v] for every v at the price of one backward pass; the bound used is the smaller of the two.
 * Both are exact upper bounds, so the picks are those of the plain greedy.
 */
import { addRow, type Dsf, dsfScratch, gradientAtFirst, rowDots, valueFromFirst } from "./dsf";

/** What a greedy run did. */
export interface GreedyRun {
  /** Picked features in order. */
  readonly order: number[];
  /** f(A) after each pick (length order.length); f(∅) is `base`. */
  readonly values: number[];
  readonly base: number;
  /** DSF evaluations (first layer incremental, layers 2..L each time). */
  readonly evaluations: number;
}

/** Relative tolerance under which two marginal gains count as tied (Algorithm 1's set M). */
const TIE = 1e-12;

class LazyGains {
  readonly bound: Float64Array;
  readonly stamp: Int32Array;
  readonly alive: Uint8Array;
  evaluations = 0;
  private readonly z1: Float64Array;
  private readonly probe: Float64Array;
  private readonly scratch: Float64Array[];
  private readonly linear: Float64Array;
  value: number;

  constructor(private readonly dsf: Dsf) {
    const n = dsf.inputs;
    this.bound = new Float64Array(n).fill(Infinity);
    this.stamp = new Int32Array(n).fill(-1);
    this.alive = new Uint8Array(n).fill(1);
    this.z1 = Float64Array.from(dsf.layers[0].b);
    this.probe = new Float64Array(this.z1.length);
    this.scratch = dsfScratch(dsf);
    this.linear = new Float64Array(n);
    this.value = valueFromFirst(dsf, this.z1, this.scratch);
  }

  /** The exact marginal gain f(v | A) now. */
  gain(v: number, step: number): number {
    this.probe.set(this.z1);
    addRow(this.dsf, v, this.probe);
    this.evaluations++;
    const g = valueFromFirst(this.dsf, this.probe, this.scratch) - this.value;
    this.bound[v] = g;
    this.stamp[v] = step;
    return g;
  }

  /** The alive candidate with the largest bound, lowest index on ties; −1 when none. */
  top(): number {
    let best = -1, bv = -Infinity;
    const { bound, alive } = this;
    for (let v = 0; v < bound.length; v++) if (alive[v] && bound[v] > bv) (bv = bound[v]), (best = v);
    return best;
  }

  /** Tightens every stale bound with the concavity bound ∇f(z₁(A)) · W₁[v] (valid for this step). */
  tighten(step: number): void {
    const linear = rowDots(this.dsf, gradientAtFirst(this.dsf, this.z1), this.linear);
    const { bound, stamp, alive } = this;
    for (let v = 0; v < bound.length; v++) if (alive[v] && stamp[v] !== step && linear[v] < bound[v]) bound[v] = linear[v];
  }


  /** The feature with the largest exact gain at this step (lowest index on ties), with its gain. */
  best(step: number): { v: number; gain: number } | undefined {
    this.tighten(step);
    for (;;) {
      const v = this.top();
      if (v < 0) return undefined;
      if (this.stamp[v] === step) return { v, gain: this.bound[v] };
      this.gain(v, step);
      // A fresh gain that still tops every bound wins; ties with a lower-index stale bound are
      // settled by re-evaluating that one first (top() prefers the lower index).
    }
  }

  /** Every alive feature whose exact gain ties `g` (re-evaluating stale bounds that could tie). */
  ties(g: number, step: number): number[] {
    const tol = TIE * Math.max(1, Math.abs(g));
    const out: number[] = [];
    for (let v = 0; v < this.bound.length; v++) {
      if (!this.alive[v] || this.bound[v] < g - tol) continue;
      const gv = this.stamp[v] === step ? this.bound[v] : this.gain(v, step);
      if (Math.abs(gv - g) <= tol) out.push(v);
    }
    return out;
  }

  add(v: number): void {
    addRow(this.dsf, v, this.z1);
    this.alive[v] = 0;
    this.value = valueFromFirst(this.dsf, this.z1, this.scratch);
  }
}

/**
 * Greedy maximisation of f subject to |A| ≤ budget (eq. 2's inner problem): the prefix of
 * length B of the returned order is the greedy solution for every B ≤ budget (SEA-NN §3.1,
 * "Computational Effort"), so one call serves every threshold.
 */
export function greedyMaximize(dsf: Dsf, budget: number): GreedyRun {
  if (!Number.isInteger(budget) || budget < 0) throw new RangeError(`budget ${budget} is not allowed: use an integer ≥ 0`);
  const lazy = new LazyGains(dsf);
  const base = lazy.value;
  const order: number[] = [], values: number[] = [];
  for (let step = 0; step < Math.min(budget, dsf.inputs); step++) {
    const pick = lazy.best(step);
    if (!pick) break;
    lazy.add(pick.v);
    order.push(pick.v);
    values.push(lazy.value);
  }
  return { order, values, base, evaluations: lazy.evaluations };
}

/** The result of Algorithm 1. */
export interface Algorithm1Result {
  /** G[v]: the marginal gain at which v was attributed, divided by Σ G (0 for features never reached). */
  readonly attribution: Float64Array;
  /** Features in the order they were attributed (tied features together, lowest index first). */
  readonly order: number[];
  /** The chosen set A (one element per step; tied features besides e are attributed but not added). */
  readonly chosen: number[];
  readonly evaluations: number;
}

/**
 * SEA-NN Algorithm 1: A ← ∅; while features remain and the best gain f(e | A) > 0: every feature
 * in M = argmax_v f(v | A) gets G = f(e | A); e (the lowest index in M) joins A; all of M leave V.
 * Finally G is divided by its sum (the paper's normalisation).
 */
export function attributeByMarginalGains(dsf: Dsf, options: { readonly maxSteps?: number } = {}): Algorithm1Result {
  const n = dsf.inputs;
  const lazy = new LazyGains(dsf);
  const G = new Float64Array(n);
  const order: number[] = [], chosen: number[] = [];
  const maxSteps = options.maxSteps ?? n;
  for (let step = 0; step < maxSteps; step++) {
    const pick = lazy.best(step);
    if (!pick || !(pick.gain > 0)) break;
    const tied = lazy.ties(pick.gain, step);
    const e = tied.length > 0 ? tied[0] : pick.v;
    for (const p of tied.length > 0 ? tied : [e]) {
      G[p] = pick.gain;
      order.push(p);
      if (p !== e) lazy.alive[p] = 0;
    }
    lazy.add(e);
    chosen.push(e);
  }
  let sum = 0;
  for (const g of G) sum += g;
  if (sum > 0) for (let v = 0; v < n; v++) G[v] /= sum;
  return { attribution: G, order, chosen, evaluations: lazy.evaluations };
}
