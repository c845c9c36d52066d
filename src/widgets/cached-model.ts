import type { BlackBoxModel, ModelOutput, TensorInput, WrittenRunControl } from "../model/types";
import { runTensorsWritten } from "../model/tensor-input";
import { ModelOutputCache } from "../search/cache";
import type { RgbImage, RunControl } from "../types";
import { throwIfAborted } from "../util/abort";

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Two MurmurHash3-style 32-bit lanes over `words`, as one 64-bit hex string. */
function hashWords(words: Uint32Array): string {
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
  return `${fmix(h1 ^ words.length).toString(16)}${fmix(h2 ^ words.length).toString(16).padStart(8, "0")}`;
}

const wordsOf = (data: Float32Array) => new Uint32Array(data.buffer, data.byteOffset, data.length);

/**
 * The key of an image: a 64-bit hash of its size and pixel bytes (two MurmurHash3-style lanes
 * over the 32-bit words; a 32-bit hash would collide within a long session). About 3× faster
 * than SHA-1 on a 224×224 image, which matters since every cached run hashes every image.
 */
export function imageKey(image: RgbImage): string {
  return `${image.width}x${image.height}:${hashWords(wordsOf(image.data))}`;
}

/** The key of a model input tensor (`TensorInput`): the same hash over its floats, in a key space of its own. */
export function tensorKey(tensor: Float32Array): string {
  return `t${tensor.length}:${hashWords(wordsOf(tensor))}`;
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

  /**
   * The wrapped model's input tensor, memoised by tensor content in the same cache (keys of their
   * own: a tensor and an RGB image of the same picture do not share an entry), when the wrapped
   * model offers one. Through it the subset evaluator and the explorer's curves compose straight
   * into the model's input layout and keep the model's pipeline full; see {@link cachedRunWritten}.
   */
  get tensorInput(): TensorInput | undefined {
    const inner = this.inner.tensorInput;
    if (!inner) return undefined;
    return (this.tensors ??= {
      normalise: (image) => inner.normalise(image),
      runTensors: (tensors, control) => runTensorsWritten(this.tensors!, this, tensors, (m) => new RangeError(m), control),
      runWritten: (count, write, control) => this.cachedRunWritten(inner, count, write, control),
    });
  }
  private tensors?: TensorInput;

  /**
   * `runWritten` through the cache, one model batch of the request at a time: each image is
   * written into a scratch tensor and hashed; the batch's misses go to the wrapped model (written
   * again, straight into its buffer) while the next batch is hashed, two batches in the model at
   * most. Each distinct tensor runs once. `onBatch` sees hits and results as they are known.
   */
  private async cachedRunWritten(inner: TensorInput, count: number, write: (index: number, out: Float32Array) => void, control: WrittenRunControl = {}): Promise<ModelOutput[]> {
    const size = 3 * this.inputSize.width * this.inputSize.height;
    const scratch = new Float32Array(size);
    const out: (ModelOutput | undefined)[] = new Array(count);
    const keys: string[] = new Array(count);
    /** The first index of each key not cached when its batch was hashed: it runs; later ones copy it. */
    const runs = new Map<string, number>();
    const report = (i: number) => control.onBatch?.(i, [out[i]!]);
    const inFlight: Promise<unknown>[] = [];
    try {
      for (let start = 0; start < count; start += this.batchSize) {
        const misses: number[] = [];
        for (let i = start; i < Math.min(count, start + this.batchSize); i++) {
          write(i, scratch);
          keys[i] = tensorKey(scratch);
          const hit = this.cache.get(keys[i]);
          if (hit) (out[i] = hit), this.hits++, report(i);
          else if (!runs.has(keys[i])) runs.set(keys[i], i), misses.push(i);
        }
        if (misses.length === 0) continue;
        if (inFlight.length >= 2) await inFlight.shift();
        throwIfAborted(control.signal);
        inFlight.push(inner.runWritten(misses.length, (j, buffer) => write(misses[j], buffer), {
          signal: control.signal,
          onBatch: (first, outputs) => outputs.forEach((o, k) => {
            const i = misses[first + k];
            this.cache.set(keys[i], o);
            out[i] = o;
            report(i);
          }),
        }));
      }
      while (inFlight.length > 0) await inFlight.shift();
    } finally {
      for (const p of inFlight) p.catch(() => undefined);
    }
    // Repeats of a tensor that was running when they were hashed.
    for (let i = 0; i < count; i++) {
      if (out[i]) continue;
      out[i] = out[runs.get(keys[i])!];
      this.hits++;
      report(i);
    }
    return out as ModelOutput[];
  }

  /** The wrapped model stays open: whoever made it disposes it. */
  async dispose(): Promise<void> {}
}
