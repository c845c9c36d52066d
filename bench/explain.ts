/**
 * Benchmark of the engine: seconds per image, forward passes, and the share of time spent outside
 * onnxruntime, for both shared models and both searches at |V| = 49 (SLICO).
 *
 *   npm run bench [-- --images 3 --regions 49]
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { Explainer, loadImage, loadModel } from "../src";

const shared = process.env.LIMA_XAI_SHARED ?? path.resolve(process.cwd(), "../shared");
const PHOTOS = ["pelican.jpeg", "bald_eagle.jpeg", "resnet-cat.jpg", "squeezenet-piano.jpg", "fish.png"];

interface Row {
  model: string;
  search: string;
  images: number;
  secondsPerImage: number;
  forwardPasses: number;
  cacheHits: number;
  outsideShare: number;
  insertion: number;
  deletion: number;
}

async function benchOne(modelName: string, search: "bidirectional" | "greedy", photos: string[], regions: number): Promise<Row> {
  const model = await loadModel(modelName, { searchPaths: [path.join(shared, "data/models")], batchSize: 32 });
  let ms = 0, inference = 0, passes = 0, hits = 0, ins = 0, del = 0;
  for (const photo of photos) {
    const image = await loadImage(path.join(shared, "data/images/photos", photo), model.card);
    const explainer = new Explainer(model, { search, np: 8, division: { method: "slico", regions } });
    const r = await explainer.explain(image);
    ms += r.ms;
    inference += r.inferenceMs;
    passes += r.forwardPasses;
    hits += r.cacheHits;
    ins += r.insertion.auc;
    del += r.deletion.auc;
  }
  await model.dispose();
  const n = photos.length;
  return {
    model: modelName, search, images: n, secondsPerImage: ms / n / 1000, forwardPasses: passes / n, cacheHits: hits / n,
    outsideShare: 1 - inference / ms, insertion: ins / n, deletion: del / n,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { images: { type: "string", default: "3" }, regions: { type: "string", default: "49" } } });
  const photos = PHOTOS.slice(0, Number(values.images));
  const rows: Row[] = [];
  for (const model of ["squeezenet1.1-fp32", "mobilenetv2-12-int8"]) {
    for (const search of ["bidirectional", "greedy"] as const) {
      const row = await benchOne(model, search, photos, Number(values.regions));
      rows.push(row);
      process.stderr.write(`${model} ${search}: ${row.secondsPerImage.toFixed(2)} s/image\n`);
    }
  }
  console.log(`| model | search | images | s/image | forward passes | cache hits | outside onnxruntime | insertion (region) | deletion (region) |`);
  console.log(`|---|---|---|---|---|---|---|---|---|`);
  for (const r of rows) {
    console.log(`| ${r.model} | ${r.search} | ${r.images} | ${r.secondsPerImage.toFixed(2)} | ${r.forwardPasses.toFixed(0)} | ${r.cacheHits.toFixed(0)} | ${(100 * r.outsideShare).toFixed(1)} % | ${r.insertion.toFixed(3)} | ${r.deletion.toFixed(3)} |`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
