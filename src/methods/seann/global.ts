/**
 * Global (class-level) attribution with SEA-NN (Manupriya et al. §3.2 (vi)(a) and supplement S5):
 * the source maps of every image of a class are pre-processed as for one image and pooled into
 * one supervision; one DSF is learned over all of them and Algorithm 1 on it gives a map of the
 * features that matter for the class across the set. Meaningful when the objects sit at similar
 * places in the images (the paper shows it on MNIST).
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { loadImage } from "../../image/load";
import type { Preprocessing } from "../../model/card";
import type { BlackBoxModel } from "../../model/types";
import type { RgbImage, SaliencyMap } from "../../types";
import { throwIfAborted } from "../../util/abort";
import { learnAndAttribute, resolveSeannOptions, type SeannGridResult, seannSupervision } from "./pipeline";
import { upsampleGrid } from "./preprocess";
import { sourceMap } from "./sources";

/** What {@link globalSeann} returns. */
export interface GlobalSeannResult extends SeannGridResult {
  /** The class-level map at model resolution. */
  readonly map: SaliencyMap;
  /** Images pooled. */
  readonly images: number;
  readonly forwardPasses: number;
  readonly ms: number;
}

/**
 * One DSF over the source maps of all `images` for class `target` (options as the "seann"
 * method's; the sources run on each image with their own default regions).
 */
export async function globalSeann(model: BlackBoxModel, images: readonly RgbImage[], target: number, options: Readonly<Record<string, unknown>> = {}, control: { signal?: AbortSignal; onProgress?: (fraction: number) => void } = {}): Promise<GlobalSeannResult> {
  if (images.length === 0) throw new RangeError("images is empty: global SEA-NN needs at least one image of the class");
  const o = resolveSeannOptions(options);
  const t0 = performance.now(), passes0 = model.forwardPasses;
  const maps: Float64Array[] = [], subsets: number[][] = [];
  for (const [i, image] of images.entries()) {
    throwIfAborted(control.signal);
    const sourceMaps: SaliencyMap[] = [];
    for (const source of o.sources) sourceMaps.push(await sourceMap(source, model, image, { target, riseMasks: o.riseMasks, seed: o.seed, signal: control.signal }));
    const sup = seannSupervision(image, sourceMaps, o.sources, o);
    maps.push(...sup.maps);
    for (const s of sup.subsets) subsets.push([...s]);
    control.onProgress?.((0.9 * (i + 1)) / images.length);
  }
  const learned = learnAndAttribute({ maps, subsets }, o, control.signal);
  control.onProgress?.(1);
  const { width, height } = images[0];
  return { ...learned, map: upsampleGrid(learned.cells, o.grid, width, height, o.upsample), images: images.length, forwardPasses: model.forwardPasses - passes0, ms: performance.now() - t0 };
}

/**
 * Class-level map of the images in a folder whose file name contains `nameContains` (e.g. an
 * ImageNet synset id "n01530575"), or of every image there when it is omitted.
 */
export async function globalSeannFromFolder(model: BlackBoxModel & { readonly card: Preprocessing }, folder: string, target: number, options: Readonly<Record<string, unknown>> = {}, select: { readonly nameContains?: string; readonly limit?: number } = {}): Promise<GlobalSeannResult & { readonly files: string[] }> {
  const files = (await readdir(folder))
    .filter((f) => /\.(jpe?g|png)$/i.test(f) && (!select.nameContains || f.includes(select.nameContains)))
    .sort()
    .slice(0, select.limit ?? Infinity);
  if (files.length === 0) throw new RangeError(`folder ${JSON.stringify(folder)} has no .jpg/.png image${select.nameContains ? ` whose name contains ${JSON.stringify(select.nameContains)}` : ""}`);
  const images = await Promise.all(files.map((f) => loadImage(path.join(folder, f), model.card)));
  return { ...(await globalSeann(model, images, target, options)), files };
}
