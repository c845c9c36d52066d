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
  dispose(): Promise<void>;
}
