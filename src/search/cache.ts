import type { ModelOutput } from "../model/types";

/** Default memory bound of a {@link ModelOutputCache}: 256 MiB of stored outputs. */
export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;

function sizeOf(output: ModelOutput): number {
  const arrays = new Set([output.probs, output.logits, output.features].filter((a) => a !== undefined));
  let bytes = 64;
  for (const a of arrays) bytes += a!.byteLength;
  return bytes;
}

/**
 * Model outputs of evaluated subset images, memoised across runs (METHOD.md §4: a re-run with
 * other λ or n_p on the same image and division needs many of the same subsets). Keys name the
 * context (model, image, division, baseline) and the subset. Least recently used entries are
 * evicted once the stored bytes exceed `maxBytes`.
 */
export class ModelOutputCache {
  private readonly entries = new Map<string, { output: ModelOutput; bytes: number }>();
  private storedBytes = 0;
  /** Entries evicted so far. */
  evictions = 0;

  constructor(readonly maxBytes: number = DEFAULT_CACHE_BYTES) {
    if (!(maxBytes > 0)) throw new RangeError(`cache maxBytes ${maxBytes} is not allowed: use a positive number of bytes`);
  }

  /** Number of stored outputs. */
  get size(): number {
    return this.entries.size;
  }

  /** Bytes held by stored outputs (an estimate: array bytes plus a small overhead). */
  get bytes(): number {
    return this.storedBytes;
  }

  get(key: string): ModelOutput | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.output;
  }

  set(key: string, output: ModelOutput): void {
    const old = this.entries.get(key);
    if (old) {
      this.storedBytes -= old.bytes;
      this.entries.delete(key);
    }
    const bytes = sizeOf(output);
    this.entries.set(key, { output, bytes });
    this.storedBytes += bytes;
    this.evict();
  }

  clear(): void {
    this.entries.clear();
    this.storedBytes = 0;
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.storedBytes <= this.maxBytes || this.entries.size <= 1) break;
      this.entries.delete(key);
      this.storedBytes -= entry.bytes;
      this.evictions++;
    }
  }
}
