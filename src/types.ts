/**
 * Core data types shared by every part of the library.
 *
 * Conventions (METHOD.md §1): images live at the model's input resolution, as raw
 * 0..255 RGB values; masking happens in that raw space, before any normalisation.
 */

/** An RGB image at model resolution: HWC interleaved, raw 0..255 values, length width·height·3. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

/**
 * A division V = {R_1..R_m} of an image into disjoint, covering regions (METHOD.md §2),
 * stored as a label map: `labels[y * width + x]` is the region index of that pixel (0..count-1).
 */
export interface Division {
  readonly width: number;
  readonly height: number;
  readonly labels: Int32Array;
  /** |V|, the actual number of regions (every index 0..count-1 is used by at least one pixel). */
  readonly count: number;
  /** Which strategy made it, e.g. "grid", "slico", "prior", "masks". */
  readonly method: string;
}

/** A saliency map at model resolution: one value per pixel, row-major, length width·height. */
export interface SaliencyMap {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

/** Options accepted by every long-running call. */
export interface RunControl {
  /** Aborts the run; the promise rejects with the signal's reason (an AbortError by default). */
  readonly signal?: AbortSignal;
}
