/**
 * Sum-of-Parts wrapper benchmark: trains GroupSelect on the first shared ImageNet photos and
 * reports, on the held-out rest, agreement with the backbone and top-1 accuracy of both.
 *
 *   node dist/bench/sop.js [--model mobilenetv2-12-int8] [--train 30] [--epochs 0,10,30] [--regions 49] [--cache FILE]
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadSopBackbone } from "../src/methods/sop";
import { REGIONS } from "../src/params/lima";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { deserialize, serialize } from "node:v8";
import { encodeAll, fitSop, type Labelled } from "../src/methods/sop/folder";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { model: { type: "string", default: "mobilenetv2-12-int8" }, train: { type: "string", default: "30" }, epochs: { type: "string", default: "30" }, regions: { type: "string", default: String(REGIONS.default) }, images: { type: "string" }, cache: { type: "string" }, radii: { type: "string", default: "1" } } });
  const folder = values.images ?? path.join(process.env.LIMA_XAI_SHARED ?? path.resolve("../shared"), "data", "images", "imagenet");
  const files = readdirSync(folder).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort().map((f) => path.join(folder, f));
  const nTrain = Math.min(Number(values.train), files.length - 1);
  const backbone = await loadSopBackbone(values.model!);
  try {
    const onLine = (l: string) => process.stderr.write(`${l}\n`);
    const t0 = performance.now();
    // --cache FILE keeps the encoded photos (the G + 1 forward passes per photo) between runs.
    const photos: Labelled[] = values.cache && existsSync(values.cache) ? deserialize(readFileSync(values.cache)) : await encodeAll(backbone, files, { train: [], regions: Number(values.regions), radii: values.radii!.split(",").map(Number), onLine });
    const encodeMsPerPhoto = (performance.now() - t0) / photos.length;
    if (values.cache && !existsSync(values.cache)) writeFileSync(values.cache, serialize(photos));
    for (const epochs of values.epochs!.split(",").map(Number)) {
      const r = fitSop(backbone, photos.slice(0, nTrain), photos.slice(nTrain), { epochs, onLine });
      console.log(JSON.stringify({ model: values.model, head: backbone.head.kind, h: backbone.head.h, epochs, train: r.train, heldOut: r.heldOut, encodeMsPerPhoto, trainMs: r.trainMs, losses: r.losses.map((l) => +l.toFixed(4)) }));
    }
  } finally {
    await backbone.dispose();
  }
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
