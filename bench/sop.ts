/**
 * Sum-of-Parts wrapper benchmark: trains GroupSelect on the first shared ImageNet photos and
 * reports, on the held-out rest, agreement with the backbone and top-1 accuracy of both.
 *
 *   node dist/bench/sop.js [--model mobilenetv2-12-int8] [--train 30] [--epochs 30] [--regions 49]
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadSopBackbone } from "../src/methods/sop";
import { trainSopOnPhotos } from "../src/methods/sop/folder";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { model: { type: "string", default: "mobilenetv2-12-int8" }, train: { type: "string", default: "30" }, epochs: { type: "string", default: "30" }, regions: { type: "string", default: "49" }, images: { type: "string" } } });
  const folder = values.images ?? path.join(process.env.LIMA_XAI_SHARED ?? path.resolve("../shared"), "data", "images", "imagenet");
  const files = readdirSync(folder).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort().map((f) => path.join(folder, f));
  const nTrain = Math.min(Number(values.train), files.length - 1);
  const backbone = await loadSopBackbone(values.model!);
  try {
    const r = await trainSopOnPhotos(backbone, { train: files.slice(0, nTrain), heldOut: files.slice(nTrain), epochs: Number(values.epochs), regions: Number(values.regions), onLine: (l) => process.stderr.write(`${l}\n`) });
    console.log(JSON.stringify({ model: values.model, head: backbone.head.kind, h: backbone.head.h, train: r.train, heldOut: r.heldOut, encodeMsPerPhoto: r.encodeMsPerPhoto, trainMs: r.trainMs, losses: r.losses.map((l) => +l.toFixed(4)) }));
  } finally {
    await backbone.dispose();
  }
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
