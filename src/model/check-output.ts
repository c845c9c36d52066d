/**
 * Checks that a model's output is what its card says, before the numbers are used: the output
 * tensor's element type (float32), and outputs declared as probabilities (non-negative, each row
 * summing to 1 within {@link PROBABILITY_TOLERANCE}).
 */
import type { ModelCard } from "./card";

/** Makes the error to throw (onnx.ts passes its ModelError, so this file needs no onnxruntime import). */
export type OutputErrorFactory = (message: string) => Error;

/** How far a row of probabilities may sum from 1 (float32 softmax outputs round to ~1e-6). */
export const PROBABILITY_TOLERANCE = 1e-3;

/** The card's output must be a float32 tensor; other types are refused naming the output and its type. */
export function checkOutputType(card: ModelCard, name: string, type: string, error: OutputErrorFactory): void {
  if (type !== "float32") {
    throw error(`model ${card.name} output "${name}" is ${type}; float32 is required (the card's "output" must name a float32 tensor of class scores)`);
  }
}

/**
 * For a card with `outputKind: "probabilities"`: every row of `rows` (C values each) must be
 * non-negative and sum to 1 within {@link PROBABILITY_TOLERANCE}. The error names the card field
 * and what was seen, and suggests "logits" when the rows look like unnormalised scores.
 */
export function checkProbabilities(card: ModelCard, data: ArrayLike<number>, rows: number, C: number, error: OutputErrorFactory): void {
  if (card.outputKind !== "probabilities") return;
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    let min = Infinity;
    let minAt = 0;
    for (let c = 0; c < C; c++) {
      const v = data[r * C + c];
      sum += v;
      if (v < min) {
        min = v;
        minAt = c;
      }
    }
    const negative = min < 0;
    if (negative || Math.abs(sum - 1) > PROBABILITY_TOLERANCE) {
      const seen = negative ? `class ${minAt} of image ${r} is ${min} (negative) and the row sums to ${sum}` : `the scores of image ${r} sum to ${sum}`;
      throw error(
        `model ${card.name}: its card says outputKind "probabilities", but ${seen}; probabilities must be ≥ 0 and sum to 1 (±${PROBABILITY_TOLERANCE}). ` +
          `If the model returns logits, set "outputKind": "logits" in its card`,
      );
    }
  }
}
