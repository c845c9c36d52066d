import { createHash } from "node:crypto";
import type { BlackBoxModel, ModelOutput } from "../model/types";
import { ModelOutputCache } from "../search/cache";
import type { RgbImage, RunControl } from "../types";

/** The key of an image: SHA-1 of its size and pixel bytes (a 32-bit hash would collide within a session). */
function imageKey(image: RgbImage): string {
  const bytes = new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return createHash("sha1").update(`${image.width}x${image.height}:`).update(bytes).digest("hex");
}

/**
 * A model whose outputs are memoised by image content (LRU, bounded in bytes). Any registered
 * method run through it reuses what an earlier run computed: LIMA re-run with other λ or n_p asks
 * for mostly the same subset images, RISE with the same seed for the same masked images, and the
 * curves of every method share their prefix images. `forwardPasses` counts real model runs only.
 */
export class CachedModel implements BlackBoxModel {
  readonly cache: ModelOutputCache;
  /** Images served from the cache so far. */
  hits = 0;

  constructor(readonly inner: BlackBoxModel, cacheBytes?: number) {
    this.cache = new ModelOutputCache(cacheBytes);
  }

  get name(): string {
    return this.inner.name;
  }
  get inputSize(): { readonly width: number; readonly height: number } {
    return this.inner.inputSize;
  }
  get numClasses(): number {
    return this.inner.numClasses;
  }
  get labels(): readonly string[] {
    return this.inner.labels;
  }
  get batchSize(): number {
    return this.inner.batchSize;
  }
  get forwardPasses(): number {
    return this.inner.forwardPasses;
  }
  get inferenceMs(): number {
    return this.inner.inferenceMs;
  }

  async run(images: readonly RgbImage[], control?: RunControl): Promise<ModelOutput[]> {
    const keys = images.map(imageKey);
    const out: (ModelOutput | undefined)[] = keys.map((k) => this.cache.get(k));
    // Each distinct missing image runs once, in input order.
    const missing = new Map<string, number>();
    keys.forEach((k, i) => {
      if (out[i] === undefined && !missing.has(k)) missing.set(k, i);
    });
    this.hits += images.length - missing.size;
    if (missing.size > 0) {
      const firsts = [...missing.values()];
      const fresh = await this.inner.run(firsts.map((i) => images[i]), control);
      firsts.forEach((i, j) => this.cache.set(keys[i], fresh[j]));
      const byKey = new Map(firsts.map((i, j) => [keys[i], fresh[j]]));
      keys.forEach((k, i) => (out[i] ??= byKey.get(k)));
    }
    return out as ModelOutput[];
  }

  /** The wrapped model stays open: whoever made it disposes it. */
  async dispose(): Promise<void> {}
}
