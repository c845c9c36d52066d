import type { BlackBoxModel, ModelOutput } from "../model/types";
import { ModelOutputCache } from "../search/cache";
import type { RgbImage, RunControl } from "../types";

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The key of an image: a 64-bit hash of its size and pixel bytes (two MurmurHash3-style lanes
 * over the 32-bit words; a 32-bit hash would collide within a long session). About 3× faster
 * than SHA-1 on a 224×224 image, which matters since every cached run hashes every image.
 */
export function imageKey(image: RgbImage): string {
  const words = new Uint32Array(image.data.buffer, image.data.byteOffset, image.data.length);
  let h1 = 0x9747b28c | 0, h2 = 0x5bd1e995 | 0;
  for (let i = 0; i < words.length; i++) {
    let k = Math.imul(words[i], 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h1 ^= k;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    h2 ^= k;
    h2 = (h2 << 17) | (h2 >>> 15);
    h2 = (Math.imul(h2, 9) + 0x38b34ae5) | 0;
  }
  return `${image.width}x${image.height}:${fmix(h1 ^ words.length).toString(16)}${fmix(h2 ^ words.length).toString(16).padStart(8, "0")}`;
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
