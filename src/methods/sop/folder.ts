/**
 * Training a Sum-of-Parts GroupSelect on a folder of photos, and measuring it on held-out photos:
 * agreement with the backbone's predictions and, where file names carry ImageNet ids
 * (`<wnid>_<name>.JPEG`), top-1 accuracy of both.
 */
import path from "node:path";
import { loadImage } from "../../image/load";
import { REGIONS } from "../../params/lima";
import type { RunControl } from "../../types";
import type { GroupSelectWeights } from "./group-select";
import { type EncodedPhoto, encodePhoto, predictSop, type SopBackbone, trainSumOfParts } from "./index";

/** Options of {@link trainSopOnPhotos}. */
export interface SopFolderOptions extends RunControl {
  /** Photos to train on and photos to hold out (paths). */
  readonly train: readonly string[];
  readonly heldOut?: readonly string[];
  /** Target |V| of the SLICO division whose neighbourhoods are the groups (default REGIONS.default). */
  readonly regions?: number;
  /** Neighbourhood radii of the groups (default DEFAULT_SOP_RADII). */
  readonly radii?: readonly number[];
  readonly epochs?: number;
  readonly d?: number;
  readonly seed?: number;
  readonly onLine?: (line: string) => void;
}

/** Agreement and accuracy of SOP on a set of encoded photos. */
export interface SopSetReport {
  readonly n: number;
  /** Share of photos where SOP predicts the backbone's class. */
  readonly agreement: number;
  /** Top-1 accuracy against the file names' classes (NaN when none has one). */
  readonly sopTop1: number;
  readonly backboneTop1: number;
  /** Mean number of groups with a non-zero score for the predicted class. */
  readonly meanActiveGroups: number;
}

export type Labelled = EncodedPhoto & { readonly truth?: number };

/** Agreement and top-1 of SOP's predictions on encoded photos. */
export function sopReport(backbone: SopBackbone, weights: GroupSelectWeights, photos: readonly Labelled[]): SopSetReport {
  let agree = 0, sopRight = 0, backRight = 0, labelled = 0, active = 0;
  for (const p of photos) {
    const r = predictSop(backbone.head, weights, p);
    if (r.predicted === p.predicted) agree++;
    active += r.groups.length;
    if (p.truth !== undefined) {
      labelled++;
      if (r.predicted === p.truth) sopRight++;
      if (p.predicted === p.truth) backRight++;
    }
  }
  const n = photos.length;
  return { n, agreement: agree / n, sopTop1: sopRight / labelled, backboneTop1: backRight / labelled, meanActiveGroups: active / n };
}

/** Encodes photo files (G + 1 forward passes each), with their true class when the file name carries a wnid. */
export async function encodeAll(backbone: SopBackbone, files: readonly string[], options: SopFolderOptions): Promise<Labelled[]> {
  const classes = backbone.model.classes;
  const out: Labelled[] = [];
  for (const f of files) {
    const image = await loadImage(f, backbone.model.card);
    const wnid = path.basename(f).split("_")[0];
    const truth = classes.findIndex((c) => c.wnid === wnid);
    out.push({ ...(await encodePhoto(backbone, image, { division: { method: "slico", regions: options.regions ?? REGIONS.default }, radii: options.radii, signal: options.signal })), truth: truth >= 0 ? truth : undefined });
    options.onLine?.(`encoded ${out.length}/${files.length} ${path.basename(f)}`);
  }
  return out;
}

/** Encodes the photos (G + 1 forward passes each), trains GroupSelect, reports on both sets. */
export async function trainSopOnPhotos(backbone: SopBackbone, options: SopFolderOptions): Promise<{ weights: GroupSelectWeights; train: SopSetReport; heldOut?: SopSetReport; encodeMsPerPhoto: number; trainMs: number; losses: number[] }> {
  if (options.train.length === 0) throw new RangeError("SOP training needs at least one photo; the training list is empty");
  const t0 = performance.now();
  const train = await encodeAll(backbone, options.train, options);
  const held = options.heldOut?.length ? await encodeAll(backbone, options.heldOut, options) : undefined;
  const encodeMsPerPhoto = (performance.now() - t0) / (train.length + (held?.length ?? 0));
  return { ...fitSop(backbone, train, held, options), encodeMsPerPhoto };
}

/** Trains GroupSelect on encoded photos and reports on them and on held-out ones. */
export function fitSop(backbone: SopBackbone, train: readonly Labelled[], held: readonly Labelled[] | undefined, options: Omit<SopFolderOptions, "train" | "heldOut">): { weights: GroupSelectWeights; train: SopSetReport; heldOut?: SopSetReport; trainMs: number; losses: number[] } {
  const t1 = performance.now();
  const { weights, losses } = trainSumOfParts(backbone.head, train, {
    epochs: options.epochs,
    d: options.d,
    seed: options.seed,
    onEpoch: (e, loss, acc) => options.onLine?.(`epoch ${e + 1}: loss ${loss.toFixed(3)}, agreement on the training photos ${acc.toFixed(2)}`),
  });
  const trainMs = performance.now() - t1;
  return { weights, train: sopReport(backbone, weights, train), heldOut: held ? sopReport(backbone, weights, held) : undefined, trainMs, losses };
}
