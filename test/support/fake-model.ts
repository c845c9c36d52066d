import { createRandom } from "../../src/util/random";
import type { BlackBoxModel, ModelOutput } from "../../src/model/types";
import type { RgbImage } from "../../src/types";

/**
 * A black-box model written in JavaScript: `score(image)` is class 0's probability, class 1 gets
 * the rest. Counts forward passes and honours the batch size, like an ONNX model would.
 */
export function fakeModel(score: (image: RgbImage) => number, options: { width: number; height: number; batchSize?: number; name?: string }): BlackBoxModel & { batches: number[] } {
  const model = {
    name: options.name ?? "fake",
    inputSize: { width: options.width, height: options.height },
    numClasses: 2,
    labels: ["target", "rest"],
    batchSize: options.batchSize ?? 16,
    forwardPasses: 0,
    inferenceMs: 0,
    batches: [] as number[],
    async run(images: readonly RgbImage[], control: { signal?: AbortSignal } = {}): Promise<ModelOutput[]> {
      const out: ModelOutput[] = [];
      for (let i = 0; i < images.length; i += model.batchSize) {
        control.signal?.throwIfAborted();
        const batch = images.slice(i, i + model.batchSize);
        model.batches.push(batch.length);
        for (const img of batch) {
          const p = score(img);
          const probs = Float32Array.from([p, 1 - p]);
          out.push({ probs, features: probs });
        }
        model.forwardPasses += batch.length;
        await new Promise((r) => setImmediate(r));
      }
      return out;
    },
    async dispose() {},
  };
  return model;
}

/** A white image. */
export function whiteImage(width: number, height: number): RgbImage {
  return { width, height, data: new Float32Array(width * height * 3).fill(255) };
}

/** Side of the square-world images: 24 × 24 pixels. */
export const SQUARE_SIDE = 24;

/** Whether pixel `q` of a 24 × 24 image lies in the square [8, 16)². */
export const inSquare = (q: number): boolean => q % SQUARE_SIDE >= 8 && q % SQUARE_SIDE < 16 && Math.floor(q / SQUARE_SIDE) >= 8 && Math.floor(q / SQUARE_SIDE) < 16;

/** The square-world class score: the mean brightness (red channel, 0..1) of the square. The right map puts the square on top. */
export function squareScore(img: RgbImage): number {
  let s = 0;
  for (let q = 0; q < SQUARE_SIDE * SQUARE_SIDE; q++) if (inSquare(q)) s += img.data[3 * q] / 255;
  return s / 64;
}

/** A 32×32 image of 8 × 8 blocks of 4×4 pixels, each a random colour (seeded). */
export function blockImage(seed: number): RgbImage {
  const size = 32;
  const random = createRandom(seed);
  const data = new Float32Array(size * size * 3);
  const colours = Array.from({ length: 64 }, () => [random.next() * 255, random.next() * 255, random.next() * 255]);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) data.set(colours[(y >> 2) * 8 + (x >> 2)], (y * size + x) * 3);
  return { width: size, height: size, data };
}
