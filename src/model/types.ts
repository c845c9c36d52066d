import type { RgbImage, RunControl } from "../types";

/** What the model gives back for one image. */
export interface ModelOutput {
  /** Class probabilities (softmax already applied when the model emits logits), length C. */
  readonly probs: Float32Array;
  /** Raw logits when the model emits logits (used by the EDL confidence), else undefined. */
  readonly logits?: Float32Array;
  /** The feature vector for the effectiveness score (METHOD.md §3): the configured feature
   * output, or the logit vector when the model exposes none. */
  readonly features: Float32Array;
}

/**
 * A black-box image classifier: raw 0..255 RGB images at `inputSize` in, probabilities out.
 * The model applies its own normalisation (channel order, scale, mean, std) internally.
 * Anything that owns an inference session has `dispose()`.
 */
export interface BlackBoxModel {
  readonly name: string;
  /** Input resolution every image passed to `run` must have. */
  readonly inputSize: { readonly width: number; readonly height: number };
  /** Number of classes C. */
  readonly numClasses: number;
  /** Class labels, length C (index i = class i); "class i" when the card names no labels. */
  readonly labels: readonly string[];
  /** Images per forward batch. */
  readonly batchSize: number;
  /** Total images run through the model so far (one "forward pass" = one image). */
  readonly forwardPasses: number;
  /** Milliseconds spent inside the inference runtime so far. */
  readonly inferenceMs: number;
  /** Runs the model on any number of images, batching internally; outputs in input order. */
  run(images: readonly RgbImage[], control?: RunControl): Promise<ModelOutput[]>;
  /** The model's own input tensor, when it offers it: callers that build many masked copies of one
   * image (the subset evaluator) then write each copy straight into the normalised tensor layout. */
  readonly tensorInput?: TensorInput;
  dispose(): Promise<void>;
}

/**
 * Images as the model's normalised planar input: 3 planes of height × width floats each, channels in
 * the model's order, the card's scale, mean and std applied. A masked copy of an image is then the
 * baseline's tensor with the image's values at the region's pixels in each plane — the same numbers
 * the model would compute from the masked RGB image, without normalising every copy again.
 */
export interface TensorInput {
  /** The normalised planar tensor of one RGB image at the model's input size (3·H·W floats). */
  normalise(image: RgbImage): Float32Array;
  /** Runs tensors made by `normalise` (or masked copies of them) like `run` runs images. */
  runTensors(tensors: readonly Float32Array[], control?: RunControl): Promise<ModelOutput[]>;
  /**
   * Runs `count` images whose tensors are written on demand straight into the model's own input
   * buffer: `write(i, out)` must fill all of `out` (3·H·W floats) with image i's tensor, the same
   * tensor each time it is called for i (a caching wrapper writes an image twice: to hash it, then
   * into the model's buffer). No tensor is copied, and batch k + 1 is written while batch k runs, so
   * the runtime never waits between the batches of one call. `onBatch` sees outputs as they complete,
   * so a caller keeps them when a later batch is aborted. Outputs in index order.
   */
  runWritten(count: number, write: (index: number, out: Float32Array) => void, control?: WrittenRunControl): Promise<ModelOutput[]>;
}

/** {@link RunControl} of {@link TensorInput.runWritten}. */
export interface WrittenRunControl extends RunControl {
  /** Called as outputs complete (a model batch at a time, or single cached images): `outputs` are those
   * of the consecutive images from index `start` on. */
  readonly onBatch?: (start: number, outputs: readonly ModelOutput[]) => void;
}
