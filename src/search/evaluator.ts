import { compositePlanarInto, compositeRegionsInto } from "../image/baseline";
import type { BlackBoxModel, ModelOutput } from "../model/types";
import type { RgbImage } from "../types";
import { throwIfAborted } from "../util/abort";
import type { ModelOutputCache } from "./cache";
import { type Subset, subsetKey } from "./subset";

/** Counters of one evaluator. */
export interface EvaluationStats {
  /** Images the model actually ran. */
  forwardPasses: number;
  /** Requested images served from the cache. */
  cacheHits: number;
}

/**
 * Runs the model on subset images I⊙1[T] (METHOD.md §1, §3), memoised in a shared cache.
 * The S-image of S is the subset image of S and the complement image is the subset image of
 * V \ S, so both share one cache. Missing images are built and run in model batches, the next
 * batch being composed while the previous one is inside the runtime. When the model offers its
 * input tensor (`tensorInput`), the image and the baseline are normalised once and each subset
 * image is composed straight into the model's input buffer in that layout (no per-image
 * normalisation, no copy, and the runtime never waits between the batches of one request).
 */
export class SubsetEvaluator {
  readonly stats: EvaluationStats = { forwardPasses: 0, cacheHits: 0 };
  /** Two banks of one model batch of image buffers: one inside the model, one being composed. */
  private readonly banks: RgbImage[][] = [[], []];
  /** The image's and baseline's tensors (with `tensorInput`). */
  private planar?: { readonly image: Float32Array; readonly baseline: Float32Array };

  constructor(
    private readonly model: BlackBoxModel,
    private readonly image: RgbImage,
    private readonly baseline: RgbImage,
    private readonly regionPixels: readonly Int32Array[],
    private readonly cache: ModelOutputCache,
    private readonly contextKey: string,
  ) {}

  /** Number of regions |V|. */
  get regionCount(): number {
    return this.regionPixels.length;
  }

  private key(subset: Subset): string {
    return `${this.contextKey}|${subsetKey(subset, this.regionCount)}`;
  }

  /** The model outputs of the subset images of `subsets`, in order. */
  async outputs(subsets: readonly Subset[], signal?: AbortSignal, options: { countHits?: boolean } = {}): Promise<ModelOutput[]> {
    throwIfAborted(signal);
    const hits0 = this.stats.cacheHits;
    const keys = subsets.map((s) => this.key(s));
    const found = new Map<string, ModelOutput>();
    const missing: { key: string; subset: Subset }[] = [];
    for (let i = 0; i < subsets.length; i++) {
      const hit = found.get(keys[i]) ?? this.cache.get(keys[i]);
      if (hit) {
        this.stats.cacheHits++;
        found.set(keys[i], hit);
      } else if (!missing.some((m) => m.key === keys[i])) {
        missing.push({ key: keys[i], subset: subsets[i] });
      } else {
        this.stats.cacheHits++;
      }
    }
    if (options.countHits === false) this.stats.cacheHits = hits0;
    await this.runMissing(missing, found, signal);
    return keys.map((k) => found.get(k)!);
  }

  /** Cached outputs of `subsets` without running the model (undefined where not cached). */
  peek(subsets: readonly Subset[]): (ModelOutput | undefined)[] {
    return subsets.map((s) => this.cache.get(this.key(s)));
  }

  private async runMissing(
    missing: readonly { key: string; subset: Subset }[],
    found: Map<string, ModelOutput>,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const store = (start: number, outputs: readonly ModelOutput[]) => {
      outputs.forEach((out, i) => {
        const { key } = missing[start + i];
        this.cache.set(key, out);
        found.set(key, out);
      });
      this.stats.forwardPasses += outputs.length;
    };
    const tensors = this.model.tensorInput;
    if (tensors) {
      if (missing.length === 0) return;
      this.planar ??= { image: tensors.normalise(this.image), baseline: tensors.normalise(this.baseline) };
      const { image, baseline } = this.planar;
      // Each subset image is composed straight into the model's input buffer, one batch ahead.
      await tensors.runWritten(missing.length, (i, out) => compositePlanarInto(out, image, baseline, this.regionPixels, missing[i].subset), { signal, onBatch: store });
      return;
    }
    return this.runBatches(missing, store, signal);
  }

  /** Composes the missing images batch by batch into two alternating banks and runs them (models without `tensorInput`). */
  private async runBatches(
    missing: readonly { key: string; subset: Subset }[],
    store: (start: number, outputs: readonly ModelOutput[]) => void,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const size = this.model.batchSize;
    const { width, height } = this.image;
    let bank = 0;
    const build = (start: number) => {
      const items = this.banks[bank];
      bank = 1 - bank;
      const count = Math.min(size, missing.length - start);
      for (let i = 0; i < count; i++) {
        items[i] = compositeRegionsInto(items[i] ?? { width, height, data: new Float32Array(width * height * 3) }, this.image, this.baseline, this.regionPixels, missing[start + i].subset);
      }
      return items.slice(0, count);
    };
    let batch = missing.length > 0 ? build(0) : [];
    for (let start = 0; start < missing.length; start += size) {
      throwIfAborted(signal);
      const running = this.model.run(batch, { signal });
      const next = start + size < missing.length ? build(start + size) : [];
      store(start, await running);
      batch = next;
    }
  }
}
