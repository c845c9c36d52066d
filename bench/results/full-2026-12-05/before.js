// "Before" rows of the full bench table (bench/results/speed.md, "The full bench, before and
// after"): the library at da242c3 (before issue 12), with the same photos, models, |V| and columns
// as bench/explain.ts, and the floor (time inside onnxruntime for the same number of images at the
// same batch size) measured right after each explanation. How it was run:
//   git worktree add /tmp/before-wt da242c3 && cd /tmp/before-wt && ln -s <repo>/node_modules . && npx tsc -p .
//   node bench/results/full-2026-12-05/before.js > before.out   (writes /tmp/before/before.json)
const path = require("path"), fs = require("fs"), os = require("os");
const { Explainer, loadImage, loadModel } = require("/tmp/before-wt/dist/src/index.js");
const shared = process.env.LIMA_XAI_SHARED ?? "/work/shared";
const photoDir = path.join(shared, "data/images/imagenet");
const photos = fs.readdirSync(photoDir).sort().filter((_, i) => i % 5 === 0).slice(0, 2);
async function withPeakRss(work) {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  try { const out = await work(); return [out, Math.max(peak, process.memoryUsage.rss()) / 2 ** 20]; } finally { clearInterval(timer); }
}
async function floorMs(model, image, count) {
  const t0 = model.inferenceMs;
  const batch = Array.from({ length: model.batchSize }, () => image);
  for (let done = 0; done < count; done += model.batchSize) await model.run(batch.slice(0, Math.min(model.batchSize, count - done)));
  return model.inferenceMs - t0;
}
(async () => {
  const rows = [];
  const models = (process.argv[2] ?? "squeezenet1.1-fp32,mobilenetv2-12-int8").split(",");
  for (const name of models) {
    const model = await loadModel(name, { searchPaths: [path.join(shared, "data/models")], batchSize: 32 });
    const images = await Promise.all(photos.map((p) => loadImage(path.join(photoDir, p), model.card)));
    for (const regions of [25, 49, 100]) for (const search of ["bidirectional", "greedy"]) {
      const [runs, peak] = await withPeakRss(async () => {
        const out = [];
        for (let i = 0; i < images.length; i++) {
          const r = await new Explainer(model, { search, np: 8, division: { method: "slico", regions } }).explain(images[i]);
          out.push({ photo: photos[i], passes: r.forwardPasses, ms: r.ms, insideMs: r.inferenceMs, insertion: r.insertion.auc, floorMs: await floorMs(model, images[i], r.forwardPasses) });
        }
        return out;
      });
      const n = runs.length, sum = (f) => runs.reduce((a, r) => a + f(r), 0);
      const row = { model: name, regions, search, batchSize: model.batchSize, photos: runs, passesPerImage: sum((r) => r.passes) / n, secondsPerImage: sum((r) => r.ms) / n / 1000, floorSecondsPerImage: sum((r) => r.floorMs) / n / 1000, peakRssMiB: peak };
      row.ratio = row.secondsPerImage / row.floorSecondsPerImage;
      rows.push(row);
      console.log(`| ${name} | ${regions} | ${search} | ${row.batchSize} | ${row.passesPerImage.toFixed(0)} | ${row.secondsPerImage.toFixed(2)} | ${row.floorSecondsPerImage.toFixed(2)} | ${row.ratio.toFixed(3)} | ${peak.toFixed(0)} | ${(sum((r) => r.insertion) / n).toFixed(3)} | load ${os.loadavg()[0].toFixed(2)}`);
      fs.mkdirSync("/tmp/before", { recursive: true }); fs.writeFileSync("/tmp/before/before.json", JSON.stringify({ cores: os.cpus().length, rows }, null, 1));
    }
    await model.dispose();
  }
})();
