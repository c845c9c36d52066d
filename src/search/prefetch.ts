/**
 * Prefetch for the explorer: while the user is idle, evaluate the subsets the neighbouring
 * settings will need (one step either way on each λ, on n_p and on |V|; the control moved last,
 * in the direction it moved, first), so a one-step slider move is answered from the cache.
 * Cancellable by an AbortSignal, and bounded by the explainer's cache size.
 */
import type { ExplainerOptions, ResolvedOptions } from "../explain/options";
import { NP, REGIONS } from "../params/lima";
import type { RgbImage } from "../types";
import { isAbortError } from "../util/abort";

/** A setting a slider moves. */
export type PrefetchControl = "cons" | "colla" | "conf" | "eff" | "np" | "regions";

/** One slider step per control (default: the explorer's slider steps; |V| and n_p move by 1). */
export const PREFETCH_STEPS: Readonly<Record<PrefetchControl, number>> = Object.freeze({ cons: 0.5, colla: 0.25, conf: 0.01, eff: 0.005, np: 1, regions: 1 });

const CONTROLS: readonly PrefetchControl[] = ["cons", "colla", "conf", "eff", "np", "regions"];

/** The move a user made: which control, which way. */
export interface ControlMove {
  readonly control: PrefetchControl;
  readonly direction: 1 | -1;
}

/** A neighbouring setting: the move that reaches it and the options it runs with. */
export interface Neighbour extends ControlMove {
  readonly options: ExplainerOptions;
}

/** What prefetching needs of an explainer (an {@link Explainer} fits). */
export interface PrefetchExplainer {
  readonly options: ResolvedOptions;
  readonly cacheStats: { readonly entries: number; readonly bytes: number; readonly maxBytes: number };
  explain(image: RgbImage, control: { target?: number | string; signal?: AbortSignal; options?: ExplainerOptions }): Promise<{ forwardPasses: number; cacheHits: number; ms: number }>;
}

function valueOf(options: ResolvedOptions, control: PrefetchControl): number | undefined {
  if (control === "np") return options.np;
  if (control === "regions") return "regions" in options.division ? options.division.regions ?? REGIONS.default : undefined;
  return options.lambdas[control];
}

/** The control that differs between two settings and the way it moved (undefined unless exactly one moved). */
export function movedControl(previous: ResolvedOptions, next: ResolvedOptions): ControlMove | undefined {
  const moved = CONTROLS.filter((c) => valueOf(previous, c) !== valueOf(next, c));
  if (moved.length !== 1) return undefined;
  const [control] = moved;
  return { control, direction: valueOf(next, control)! > valueOf(previous, control)! ? 1 : -1 };
}

/** The options one step from `current` on `control`, or undefined where the step leaves the allowed range. */
function step(current: ResolvedOptions, control: PrefetchControl, direction: 1 | -1, size: number): ExplainerOptions | undefined {
  const regions = valueOf(current, "regions");
  if (control === "np") {
    const np = current.np + direction * size;
    return np >= NP.min && (regions === undefined || np <= regions) ? { np } : undefined;
  }
  if (control === "regions") {
    if (regions === undefined) return undefined;
    let next = regions + direction * size;
    if (current.division.method === "grid") next = (Math.round(Math.sqrt(regions)) + direction) ** 2;
    if (next < REGIONS.min || next > REGIONS.max || (current.search === "bidirectional" && current.np > next)) return undefined;
    return { division: { ...current.division, regions: next } as ExplainerOptions["division"] };
  }
  const value = Math.round((current.lambdas[control] + direction * size) * 1e9) / 1e9;
  return value >= 0 ? { lambdas: { ...current.lambdas, [control]: value } } : undefined;
}

/**
 * The neighbouring settings of `current` in prefetch order: the last move repeated first, then its
 * reverse, then every other control one step up and one step down (λ cons, colla, conf, eff, n_p, |V|).
 */
export function neighbourSettings(current: ResolvedOptions, last?: ControlMove, steps: Partial<Record<PrefetchControl, number>> = {}): Neighbour[] {
  const sizes = { ...PREFETCH_STEPS, ...steps };
  const moves: ControlMove[] = [];
  if (last) moves.push(last, { control: last.control, direction: last.direction === 1 ? -1 : 1 });
  for (const control of CONTROLS) {
    for (const direction of [1, -1] as const) if (!moves.some((m) => m.control === control && m.direction === direction)) moves.push({ control, direction });
  }
  const out: Neighbour[] = [];
  for (const move of moves) {
    const options = step(current, move.control, move.direction, sizes[move.control]);
    if (options) out.push({ ...move, options });
  }
  return out;
}

/** Options of {@link prefetchNeighbours}. */
export interface PrefetchOptions {
  /** The control moved last and its direction: its next step is prefetched first. */
  readonly last?: ControlMove;
  /** Class explained (as in the run being prefetched around; default "predicted"). */
  readonly target?: number | string;
  readonly signal?: AbortSignal;
  /** Stop after this many neighbours (default: all). */
  readonly limit?: number;
  /** Slider steps (default {@link PREFETCH_STEPS}). */
  readonly steps?: Partial<Record<PrefetchControl, number>>;
}

/** What a prefetch did. */
export interface PrefetchReport {
  readonly done: readonly (ControlMove & { readonly forwardPasses: number; readonly cacheHits: number; readonly ms: number })[];
  /** "done": every neighbour (up to the limit); "aborted": the signal fired; "memory": the next one might not fit the cache bound. */
  readonly stopped: "done" | "aborted" | "memory";
}

/**
 * Runs the explainer on each neighbouring setting of its current options, in
 * {@link neighbourSettings} order, so their model outputs land in its cache. Before each neighbour
 * it checks that |V|·(|V|+1) more outputs (plain greedy's count, more than bidirectional needs) fit
 * under the cache's byte bound at the current mean entry size, so prefetch never evicts the outputs
 * of the run on screen. An abort ends it quietly with `stopped: "aborted"`.
 */
export async function prefetchNeighbours(explainer: PrefetchExplainer, image: RgbImage, options: PrefetchOptions = {}): Promise<PrefetchReport> {
  const neighbours = neighbourSettings(explainer.options, options.last, options.steps).slice(0, options.limit ?? Infinity);
  const done: PrefetchReport["done"][number][] = [];
  for (const n of neighbours) {
    if (options.signal?.aborted) return { done, stopped: "aborted" };
    const stats = explainer.cacheStats;
    const m = valueOf({ ...explainer.options, ...n.options } as ResolvedOptions, "regions") ?? REGIONS.default;
    const perEntry = stats.entries > 0 ? stats.bytes / stats.entries : 0;
    if (stats.bytes + m * (m + 1) * perEntry > stats.maxBytes) return { done, stopped: "memory" };
    try {
      const r = await explainer.explain(image, { target: options.target, signal: options.signal, options: n.options });
      done.push({ control: n.control, direction: n.direction, forwardPasses: r.forwardPasses, cacheHits: r.cacheHits, ms: r.ms });
    } catch (error) {
      if (options.signal?.aborted && (isAbortError(error) || error === options.signal.reason)) return { done, stopped: "aborted" };
      throw error;
    }
  }
  return { done, stopped: "done" };
}
