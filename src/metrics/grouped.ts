/**
 * Grouped insertion and deletion (Sum-of-Parts, Appendix C.3.2) and the deletion/insertion error
 * of Definitions 1 and 3 measured on sampled subsets of regions, for any attribution.
 *
 * Grouped insertion: groups are inserted one at a time in decreasing order of score; a group that
 * overlaps what is already inserted adds only its new pixels. x = inserted area fraction, y = the
 * target probability; the curve starts at the empty image and, when the groups do not cover the
 * image, ends with the full image at x = 1, so that AUCs of different methods share [0, 1].
 * Grouped deletion removes the groups from the full image the same way.
 */
import { checkParam, type NumberParam } from "../params/types";
import type { AttributionGroup, AttributionResult } from "../methods/types";
import type { BlackBoxModel } from "../model/types";
import type { MetricBenchmark, MetricSpec } from "./types";
import { targetScore } from "../score/terms";
import type { Division, RgbImage, RunControl, SaliencyMap } from "../types";
import { createRandom } from "../util/random";
import { throwIfAborted } from "../util/abort";
import { type Curve, trapezoid } from "./curves";

/** Options of {@link groupedCurve}. */
export interface GroupedCurveOptions extends RunControl {
  readonly target: number;
  /** Value of hidden pixels, 0..255 (default 0). */
  readonly baseline?: number;
}

/** Group indices by score, highest first; ties by lower index (stable). */
export function rankGroups(groups: readonly AttributionGroup[]): number[] {
  return groups.map((_, i) => i).sort((a, b) => groups[b].score - groups[a].score || a - b);
}

function checkGroups(groups: readonly AttributionGroup[], pixels: number): void {
  if (groups.length === 0) throw new RangeError("grouped curve needs at least one group; got none");
  groups.forEach((g, i) => {
    if (g.mask.length !== pixels) throw new RangeError(`group ${i} mask has ${g.mask.length} pixels; the image has ${pixels}`);
    if (!Number.isFinite(g.score)) throw new RangeError(`group ${i} score ${g.score} is not allowed: use a finite number`);
  });
}

/**
 * Grouped insertion or deletion curve (SOP Appendix C.3.2): groups in decreasing score, each
 * adding (or removing) only the pixels not yet inserted (removed). One model batch for all steps.
 */
export async function groupedCurve(model: BlackBoxModel, image: RgbImage, groups: readonly AttributionGroup[], mode: "insertion" | "deletion", options: GroupedCurveOptions): Promise<Curve> {
  const n = image.width * image.height;
  checkGroups(groups, n);
  throwIfAborted(options.signal);
  const baseline = options.baseline ?? 0;
  const shown = new Uint8Array(n); // insertion: revealed pixels; deletion: removed pixels
  const states: Uint8Array[] = [shown.slice()];
  const x = [0];
  let count = 0;
  for (const g of rankGroups(groups)) {
    let added = 0;
    for (let p = 0; p < n; p++) if (groups[g].mask[p] && !shown[p]) {
      shown[p] = 1;
      added++;
    }
    if (added === 0) continue;
    count += added;
    states.push(shown.slice());
    x.push(count / n);
  }
  if (count < n) {
    states.push(new Uint8Array(n).fill(1));
    x.push(1);
  }
  const images = states.map((s) => {
    const data = new Float32Array(image.data.length);
    for (let p = 0; p < n; p++) {
      const keep = mode === "insertion" ? s[p] === 1 : s[p] === 0;
      for (let c = 0; c < 3; c++) data[3 * p + c] = keep ? image.data[3 * p + c] : baseline;
    }
    return { width: image.width, height: image.height, data };
  });
  const outputs = await model.run(images, { signal: options.signal });
  const y = outputs.map((o) => targetScore(o, { kind: "class", index: options.target }));
  return { x, y, auc: trapezoid(x, y) };
}

/** One group per region of a division, scored by the mean of the map over the region. */
export function regionGroups(map: SaliencyMap, division: Division): AttributionGroup[] {
  const sums = new Float64Array(division.count);
  const counts = new Float64Array(division.count);
  division.labels.forEach((l, p) => {
    sums[l] += map.data[p];
    counts[l]++;
  });
  return Array.from({ length: division.count }, (_, r) => ({
    mask: Uint8Array.from(division.labels, (l) => (l === r ? 1 : 0)),
    score: sums[r] / counts[r],
    regions: [r],
  }));
}

/**
 * The groups a result is judged by: its own groups when it has them (LIMA's prefixes, SOP's
 * groups), else one group per region of the shared division scored by the map (the paper scores
 * post-hoc methods on given groups the same way).
 */
export function groupsOf(result: AttributionResult, division: Division): readonly AttributionGroup[] {
  return result.groups && result.groups.length > 0 ? result.groups : regionGroups(result.map, division);
}

/** Options of {@link sampledAttributionError}. */
export interface SampledErrorOptions extends RunControl {
  readonly target: number;
  /** Subsets sampled (default ERROR_SUBSETS.default, 64); each keeps every region with probability 1/2. */
  readonly samples?: number;
  readonly seed?: number;
  readonly baseline?: number;
}

/**
 * Deletion and insertion error (SOP Definitions 1 and 3) of a map on sampled subsets S of the
 * division's regions: α_i = s·Σ_{p∈R_i} map_p, deletion error |f(x) − f(x₋S) − Σ_{i∈S} α_i| and
 * insertion error |f(x_S) − f(0) − Σ_{i∈S} α_i|, averaged over the subsets. Maps have no unit, so
 * the scale s ≥ 0 is the one that minimises the mean deletion error (a weighted median; the same
 * s is used for insertion). Lower is better; 0 means the map predicts every tested change.
 */
export async function sampledAttributionError(model: BlackBoxModel, image: RgbImage, map: SaliencyMap, division: Division, options: SampledErrorOptions): Promise<{ deletionError: number; insertionError: number; scale: number }> {
  const samples = options.samples ?? ERROR_SUBSETS.default;
  if (!Number.isInteger(samples) || samples < 1) throw new RangeError(`samples ${samples} is not allowed: use an integer ≥ 1`);
  const random = createRandom(options.seed ?? 0);
  const m = division.count;
  const regionSum = new Float64Array(m);
  division.labels.forEach((l, p) => (regionSum[l] += map.data[p]));
  const subsets = Array.from({ length: samples }, () => Uint8Array.from({ length: m }, () => (random.next() < 0.5 ? 1 : 0)));
  const baseline = options.baseline ?? 0;
  const withRegions = (keep: (r: number) => boolean): RgbImage => {
    const data = new Float32Array(image.data.length);
    division.labels.forEach((l, p) => {
      const k = keep(l);
      for (let c = 0; c < 3; c++) data[3 * p + c] = k ? image.data[3 * p + c] : baseline;
    });
    return { width: image.width, height: image.height, data };
  };
  const images = [withRegions(() => true), withRegions(() => false), ...subsets.map((s) => withRegions((r) => s[r] === 0)), ...subsets.map((s) => withRegions((r) => s[r] === 1))];
  const outputs = await model.run(images, { signal: options.signal });
  const f = outputs.map((o) => targetScore(o, { kind: "class", index: options.target }));
  const full = f[0];
  const empty = f[1];
  const mass = subsets.map((s) => s.reduce((a, v, r) => a + (v ? regionSum[r] : 0), 0));
  const dropDel = subsets.map((_, i) => full - f[2 + i]);
  const gainIns = subsets.map((_, i) => f[2 + samples + i] - empty);
  const scale = l1Scale(mass, dropDel);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    deletionError: mean(dropDel.map((d, i) => Math.abs(d - scale * mass[i]))),
    insertionError: mean(gainIns.map((g, i) => Math.abs(g - scale * mass[i]))),
    scale,
  };
}

/** argmin_{s ≥ 0} Σ |y_i − s·x_i|: the weighted median of y_i/x_i with weights |x_i|. */
export function l1Scale(x: readonly number[], y: readonly number[]): number {
  const pts = x.map((xi, i) => ({ r: y[i] / xi, w: Math.abs(xi) })).filter((p) => p.w > 1e-12 && Number.isFinite(p.r));
  if (pts.length === 0) return 0;
  pts.sort((a, b) => a.r - b.r);
  const half = pts.reduce((a, p) => a + p.w, 0) / 2;
  let acc = 0;
  for (const p of pts) {
    acc += p.w;
    if (acc >= half) return Math.max(0, p.r);
  }
  return Math.max(0, pts[pts.length - 1].r);
}

/** Grouped insertion and deletion AUC of any result (columns insG ↑, delG ↓). */
export const GROUPED_METRIC: MetricSpec = {
  name: "grouped",
  columns: [
    { key: "insG", label: "grouped insertion", better: "higher" },
    { key: "delG", label: "grouped deletion", better: "lower" },
  ],
  params: [],
  async evaluate(bench: MetricBenchmark, result: AttributionResult): Promise<Record<string, number>> {
    const groups = groupsOf(result, bench.division);
    const o = { target: bench.target, baseline: bench.baseline, signal: bench.signal };
    const ins = await groupedCurve(bench.model, bench.image, groups, "insertion", o);
    const del = await groupedCurve(bench.model, bench.image, groups, "deletion", o);
    return { insG: ins.auc, delG: del.auc };
  },
};

/** Random region subsets of the attribution-error metric (`--error-subsets`). */
export const ERROR_SUBSETS: NumberParam = { kind: "number", name: "samples", label: "subsets", flag: "error-subsets", default: 64, min: 1, max: 4096, integer: true, unit: "subsets", meaning: "random region subsets on which Definitions 1 and 3 are measured" };

/** SOP Definitions 1 and 3 on sampled region subsets (columns delErr ↓, insErr ↓). */
export const ATTRIBUTION_ERROR_METRIC: MetricSpec = {
  name: "attribution-error",
  columns: [
    { key: "delErr", label: "deletion error", better: "lower" },
    { key: "insErr", label: "insertion error", better: "lower" },
  ],
  params: [ERROR_SUBSETS],
  async evaluate(bench: MetricBenchmark, result: AttributionResult, options: Readonly<Record<string, unknown>> = {}): Promise<Record<string, number>> {
    // Eval hands one options object to every metric: this metric's own key is `subsets` (μFidelity's is `samples`).
    const samples = checkParam(ERROR_SUBSETS, options.samples ?? ERROR_SUBSETS.default) as number;
    const e = await sampledAttributionError(bench.model, bench.image, result.map, bench.division, { target: bench.target, samples, seed: bench.seed, baseline: bench.baseline, signal: bench.signal });
    return { delErr: e.deletionError, insErr: e.insertionError };
  },
};
