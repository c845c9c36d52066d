/**
 * Metrics bound to a benchmark, in Xplique's style (issue 10): an object holds the model, the
 * image, the target and its settings, and evaluates any saliency map. The protocol is METHOD.md §6.
 */
import type { BlackBoxModel } from "../model/types";
import type { RgbImage, RunControl, SaliencyMap } from "../types";
import { type Curve, CONFIDENCE_RANGES, highestConfidence } from "./curves";
import { muFidelity } from "./mu-fidelity";
import { pixelCurve, strongInteractionCount } from "./pixel-curves";

/** What every bound metric holds. */
export interface BoundMetricOptions extends RunControl {
  readonly model: BlackBoxModel;
  readonly image: RgbImage;
  /** Class index whose score is measured. */
  readonly target: number;
  /** Value of removed pixels, 0..255 (default 0). */
  readonly baseline?: number;
}

/** The numbers of {@link InsertionDeletion.evaluate}. */
export interface InsertionDeletionScores {
  readonly insertion: number;
  readonly deletion: number;
  /** LIMA eq. 15 per area budget: the largest insertion y within it. */
  readonly highestConfidence: Record<string, number>;
  /** LIMA §5: insertion steps whose |Δy| > 0.5. */
  readonly strongInteractions: number;
}

/**
 * Pixel insertion/deletion (METHOD.md §6; LIMA eqs. 13-15) bound to a model, image and target:
 * `curve(map, mode)` gives one curve (memoised per map, so insertion, deletion and highest
 * confidence of one map cost 2·(steps + 1) passes in all), `evaluate(map)` the numbers.
 */
export class InsertionDeletion {
  readonly steps: number;
  readonly baseline: number;
  readonly ranges: readonly number[];
  private readonly memo = new WeakMap<SaliencyMap, Partial<Record<"insertion" | "deletion", Promise<Curve>>>>();

  constructor(readonly bench: BoundMetricOptions & { readonly steps?: number; readonly ranges?: readonly number[] }) {
    this.steps = bench.steps ?? 50;
    this.baseline = bench.baseline ?? 0;
    this.ranges = bench.ranges ?? CONFIDENCE_RANGES;
  }

  curve(map: SaliencyMap, mode: "insertion" | "deletion"): Promise<Curve> {
    let curves = this.memo.get(map);
    if (!curves) this.memo.set(map, (curves = {}));
    const b = this.bench;
    return (curves[mode] ??= pixelCurve(b.model, b.image, map, mode, { target: b.target, steps: this.steps, baseline: this.baseline, signal: b.signal }));
  }

  async evaluate(map: SaliencyMap): Promise<InsertionDeletionScores> {
    const insertion = await this.curve(map, "insertion");
    const deletion = await this.curve(map, "deletion");
    const hc = highestConfidence(insertion, this.ranges);
    return {
      insertion: insertion.auc,
      deletion: deletion.auc,
      highestConfidence: Object.fromEntries(Object.entries(hc).map(([p, h]) => [p, h.score])),
      strongInteractions: strongInteractionCount(insertion),
    };
  }
}

/** μFidelity (METHOD.md §6) bound to a model, image and target; `evaluate(map)` gives the correlation. */
export class MuFidelity {
  constructor(readonly bench: BoundMetricOptions & { readonly grid?: number; readonly samples?: number; readonly correlation?: "spearman" | "pearson"; readonly seed?: number }) {}

  evaluate(map: SaliencyMap): Promise<number> {
    const b = this.bench;
    return muFidelity(b.model, b.image, map, { target: b.target, grid: b.grid, samples: b.samples, baseline: b.baseline, correlation: b.correlation, seed: b.seed, signal: b.signal });
  }
}
