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
  /** Three banks of one model batch of image buffers: two inside the model, one composed ahead. */
  private readonly banks: RgbImage[][] = [[], [], []];
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

  /**
   * Composes the missing images batch by batch and runs them (models without `tensorInput`): two
   * batches in the model at once and the next one composed, so that the model is handed its next
   * batch the moment one comes back. Three banks of image buffers in turn: a bank is composed
   * again only once its batch has come back.
   */
  private async runBatches(
    missing: readonly { key: string; subset: Subset }[],
    store: (start: number, outputs: readonly ModelOutput[]) => void,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const size = this.model.batchSize;
    const { width, height } = this.image;
    let next = 0, bank = 0;
    const compose = (): { start: number; items: RgbImage[] } | undefined => {
      if (next >= missing.length) return undefined;
      const items = this.banks[bank];
      bank = (bank + 1) % this.banks.length;
      const count = Math.min(size, missing.length - next);
      for (let i = 0; i < count; i++) {
        items[i] = compositeRegionsInto(items[i] ?? { width, height, data: new Float32Array(width * height * 3) }, this.image, this.baseline, this.regionPixels, missing[next + i].subset);
      }
      const start = next;
      next += count;
      return { start, items: items.slice(0, count) };
    };
    const inFlight: { start: number; outputs: Promise<ModelOutput[]> }[] = [];
    const launch = (batch: { start: number; items: RgbImage[] }) => {
      throwIfAborted(signal);
      inFlight.push({ start: batch.start, outputs: this.model.run(batch.items, { signal }) });
    };
    try {
      let ready = compose();
      while (ready && inFlight.length < 2) (launch(ready), (ready = compose()));
      while (inFlight.length > 0) {
        const outputs = await inFlight[0].outputs;
        const { start } = inFlight.shift()!;
        if (ready) (launch(ready), (ready = compose()));
        store(start, outputs);
      }
    } finally {
      // After an error or abort, the batches still in the model are not wanted.
      for (const f of inFlight) f.outputs.catch(() => undefined);
    }
  }
}
