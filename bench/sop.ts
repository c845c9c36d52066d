/**
 * Sum-of-Parts wrapper benchmark: encodes the shared ImageNet photos with a backbone, trains
 * GroupSelect on the first part, and reports on the held-out rest its agreement with the backbone's
 * predictions, its top-1 accuracy against the true labels (file names), and the costs.
 *
 *   node dist/bench/sop.js [--model mobilenetv2-12-int8] [--train 30] [--epochs 30] [--regions 49]
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadImage } from "../src/image/load";
import { encodePhoto, loadSopBackbone, predictSop, trainSumOfParts, type EncodedPhoto } from "../src/methods/sop";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { model: { type: "string", default: "mobilenetv2-12-int8" }, train: { type: "string", default: "30" }, epochs: { type: "string", default: "30" }, regions: { type: "string", default: "49" }, images: { type: "string" } } });
  const folder = values.images ?? path.join(process.env.LIMA_XAI_SHARED ?? path.resolve("../shared"), "data", "images", "imagenet");
  const backbone = await loadSopBackbone(values.model!);
  const wnids = backbone.model.labels.map((_, i) => i);
  const classes = (backbone.model as unknown as { classes: { wnid?: string }[] }).classes;
  const files = readdirSync(folder).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort();
  const t0 = performance.now();
  const photos: (EncodedPhoto & { file: string; truth?: number })[] = [];
  for (const f of files) {
    const image = await loadImage(path.join(folder, f), backbone.model.card);
    const wnid = f.split("_")[0];
    const truth = classes.findIndex((c) => c.wnid === wnid);
    photos.push({ ...(await encodePhoto(backbone, image, { division: { method: "slico", regions: Number(values.regions) } })), file: f, truth: truth >= 0 ? truth : undefined });
  }
  const encodeMs = performance.now() - t0;
  const nTrain = Math.min(Number(values.train), photos.length - 1);
  const train = photos.slice(0, nTrain);
  const test = photos.slice(nTrain);
  const t1 = performance.now();
  const { weights, losses } = trainSumOfParts(backbone.head, train, { epochs: Number(values.epochs), onEpoch: (e, l, a) => process.stderr.write(`epoch ${e + 1}: loss ${l.toFixed(3)} train agreement ${a.toFixed(2)}\n`) });
  const trainMs = performance.now() - t1;
  const report = (set: typeof photos) => {
    let agree = 0, sopRight = 0, backRight = 0, labelled = 0, active = 0;
    for (const p of set) {
      const r = predictSop(backbone.head, weights, p);
      if (r.predicted === p.predicted) agree++;
      active += r.groups.length;
      if (p.truth !== undefined) {
        labelled++;
        if (r.predicted === p.truth) sopRight++;
        if (p.predicted === p.truth) backRight++;
      }
    }
    return { n: set.length, agreement: agree / set.length, sopTop1: sopRight / labelled, backboneTop1: backRight / labelled, meanActiveGroups: active / set.length };
  };
  const out = { model: values.model, head: backbone.head.kind, h: backbone.head.h, groupsPerPhoto: photos[0].masks.length, train: report(train), heldOut: report(test), encodeMsPerPhoto: encodeMs / photos.length, trainMs, epochs: Number(values.epochs), finalLoss: losses[losses.length - 1], wnids: wnids.length };
  console.log(JSON.stringify(out));
  await backbone.dispose();
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
