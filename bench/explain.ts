/**
 * Engine benchmark (issue 12): for each model and |V|, the forward passes, wall time per image, the
 * pure inference time of the same number of images at the same batch size measured in the same
 * run (the floor), their ratio and the peak memory, for the bidirectional, greedy and fast searches;
 * the fast search's passes and region insertion AUC relative to bidirectional, per photo; the
 * event-loop delay during a run against the time of one batch; and the prefetch of one neighbour.
 *
 *   npm run bench [-- --models a,b --regions 25,49,100 --photos 2 --searches bidirectional,fast --no-floor --no-prefetch --json out.json]
 *   npm run bench -- --quick     one model, |V| = 49, two photos (greedy on one, floor for
 *                                bidirectional only); ends with one JSON line
 *
 * Photos: every fifth of ../shared/data/images/imagenet (sorted), from the first.
 */
import { readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { Explainer, loadImage, loadModel } from "../src";
import type { LoadedModel } from "../src/model/onnx";
import { NP, REGIONS } from "../src/params/lima";
import { prefetchNeighbours } from "../src/search/prefetch";
import type { RgbImage } from "../src/types";

const shared = process.env.LIMA_XAI_SHARED ?? path.resolve(process.cwd(), "../shared");
const SEARCHES = ["bidirectional", "greedy", "fast"] as const;
type Search = (typeof SEARCHES)[number];

interface PhotoRun {
  photo: string;
  passes: number;
  ms: number;
  floorMs: number;
  insideMs: number;
  insertion: number;
  eventLoopMaxMs: number;
}

interface Row {
  model: string;
  regions: number;
  search: Search;
  batchSize: number;
  photos: PhotoRun[];
  passesPerImage: number;
  secondsPerImage: number;
  floorSecondsPerImage: number;
  ratio: number;
  peakRssMiB: number;
}

const load = () => os.loadavg().map((v) => v.toFixed(2)).join(" ");

/** Peak resident memory while `work` runs, sampled every 50 ms. */
async function withPeakRss<T>(work: () => Promise<T>): Promise<[T, number]> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  try {
    const out = await work();
    return [out, Math.max(peak, process.memoryUsage.rss()) / 2 ** 20];
  } finally {
    clearInterval(timer);
  }
}

/** Time inside onnxruntime for `count` images at the model's batch size (the floor). */
async function floorMs(model: LoadedModel, image: RgbImage, count: number): Promise<number> {
  const t0 = model.inferenceMs;
  const batch = Array.from({ length: model.batchSize }, () => image);
  for (let done = 0; done < count; done += model.batchSize) await model.run(batch.slice(0, Math.min(model.batchSize, count - done)));
  return model.inferenceMs - t0;
}

async function runOne(model: LoadedModel, image: RgbImage, photo: string, search: Search, regions: number, floor: boolean): Promise<PhotoRun> {
  const explainer = new Explainer(model, { search, np: NP.default, division: { method: "slico", regions } });
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const r = await explainer.explain(image);
  delay.disable();
  return {
    photo, passes: r.forwardPasses, ms: r.ms, insideMs: r.inferenceMs, insertion: r.insertion.auc,
    floorMs: floor ? await floorMs(model, image, r.forwardPasses) : NaN, eventLoopMaxMs: delay.max / 1e6,
  };
}

/** Prefetch one neighbour (λ cons one step up) after a run, then make that move: hit rate and times. */
async function prefetchProbe(model: LoadedModel, image: RgbImage, regions: number, compare: boolean) {
  const explainer = new Explainer(model, { division: { method: "slico", regions } });
  await explainer.explain(image);
  const t0 = performance.now();
  const report = await prefetchNeighbours(explainer, image, { last: { control: "cons", direction: 1 }, limit: 1 });
  const prefetchMs = performance.now() - t0;
  explainer.setOptions({ lambdas: { cons: explainer.options.lambdas.cons + 0.5 } });
  const moved = await explainer.explain(image);
  const probe = {
    prefetchHitRate: moved.cacheHits / (moved.cacheHits + moved.forwardPasses),
    prefetchMs, prefetchPasses: report.done[0]?.forwardPasses ?? 0,
    movedMs: moved.ms, movedPasses: moved.forwardPasses,
  };
  if (!compare) return probe;
  // The same move without prefetch, for comparison.
  const cold = new Explainer(model, { division: { method: "slico", regions } });
  await cold.explain(image);
  cold.setOptions({ lambdas: { cons: cold.options.lambdas.cons + 0.5 } });
  const unfetched = await cold.explain(image);
  return {
    ...probe,
    withoutPrefetchHitRate: unfetched.cacheHits / (unfetched.cacheHits + unfetched.forwardPasses), withoutPrefetchMs: unfetched.ms,
  };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      models: { type: "string" },
      regions: { type: "string" },
      photos: { type: "string" },
      searches: { type: "string" },
      batch: { type: "string" },
      json: { type: "string" },
      "no-floor": { type: "boolean", default: false },
      "no-prefetch": { type: "boolean", default: false },
    },
  });
  const quick = values.quick!;
  const modelsDir = path.join(shared, "data/models");
  const models = values.models?.split(",") ?? (quick ? ["squeezenet1.1-fp32"] : readdirSync(modelsDir).filter((f) => f.endsWith(".onnx")).map((f) => f.slice(0, -5)).sort());
  const regionList = values.regions?.split(",").map(Number) ?? (quick ? [REGIONS.default] : [25, REGIONS.default, 100]);
  const searches = (values.searches?.split(",") ?? SEARCHES) as Search[];
  const photoDir = path.join(shared, "data/images/imagenet");
  const photos = readdirSync(photoDir).sort().filter((_, i) => i % 5 === 0).slice(0, Number(values.photos ?? 2));
  const started = performance.now();
  process.stderr.write(`load ${load()} (1/5/15 min), ${os.cpus().length} cores\n`);
  const rows: Row[] = [];
  const probes: Record<string, unknown>[] = [];
  for (const name of models) {
    const model = await loadModel(name, { searchPaths: [modelsDir], ...(values.batch ? { batchSize: Number(values.batch) } : {}) });
    const images = await Promise.all(photos.map((p) => loadImage(path.join(photoDir, p), model.card)));
    for (const regions of regionList) {
      for (const search of searches) {
        // --quick measures the floor for the bidirectional rows only (overheadRatio).
        const floor = !values["no-floor"] && (!quick || search === "bidirectional");
        // --quick runs greedy on one photo: its pass count hardly depends on the photo.
        const count = quick && search === "greedy" ? 1 : images.length;
        const [runs, peak] = await withPeakRss(async () => {
          const out: PhotoRun[] = [];
          for (let i = 0; i < count; i++) out.push(await runOne(model, images[i], photos[i], search, regions, floor));
          return out;
        });
        const n = runs.length;
        const ms = runs.reduce((a, r) => a + r.ms, 0), fl = runs.reduce((a, r) => a + r.floorMs, 0);
        const row: Row = {
          model: name, regions, search, batchSize: model.batchSize, photos: runs, passesPerImage: runs.reduce((a, r) => a + r.passes, 0) / n,
          secondsPerImage: ms / n / 1000, floorSecondsPerImage: fl / n / 1000, ratio: ms / fl, peakRssMiB: peak,
        };
        rows.push(row);
        process.stderr.write(`${name} |V|=${regions} ${search}: ${row.passesPerImage.toFixed(0)} passes, ${row.secondsPerImage.toFixed(2)} s/image, floor ${row.floorSecondsPerImage.toFixed(2)}, load ${load()}\n`);
      }
      if ((regions === REGIONS.default || quick) && !values["no-prefetch"]) probes.push({ model: name, regions, ...(await prefetchProbe(model, images[0], regions, !quick)) });
    }
    await model.dispose();
  }
  console.log(`\n| model | V | search | batch | passes/image | s/image | floor s/image | ratio | peak RSS MiB | region insertion |`);
  console.log(`|---|---|---|---|---|---|---|---|---|---|`);
  for (const r of rows) {
    console.log(`| ${r.model} | ${r.regions} | ${r.search} | ${r.batchSize} | ${r.passesPerImage.toFixed(0)} | ${r.secondsPerImage.toFixed(2)} | ${Number.isNaN(r.floorSecondsPerImage) ? "–" : r.floorSecondsPerImage.toFixed(2)} | ${Number.isNaN(r.ratio) ? "–" : r.ratio.toFixed(3)} | ${r.peakRssMiB.toFixed(0)} | ${mean(r.photos.map((p) => p.insertion)).toFixed(3)} |`);
  }
  const fastVsBidi: Record<string, unknown>[] = [];
  for (const b of rows.filter((r) => r.search === "bidirectional")) {
    const f = rows.find((r) => r.search === "fast" && r.model === b.model && r.regions === b.regions);
    if (!f) continue;
    console.log(`\nfast vs bidirectional, ${b.model}, |V| = ${b.regions} (passes ratio / region insertion ratio per photo):`);
    b.photos.forEach((p, i) => {
      const q = f.photos[i];
      const entry = { model: b.model, regions: b.regions, photo: p.photo, passesRatio: q.passes / p.passes, insertionRatio: q.insertion / p.insertion, bidirectional: p.insertion, fast: q.insertion };
      fastVsBidi.push(entry);
      console.log(`  ${p.photo}: ${entry.passesRatio.toFixed(3)} / ${entry.insertionRatio.toFixed(3)} (${p.insertion.toFixed(3)} → ${q.insertion.toFixed(3)})`);
    });
  }
  for (const p of probes) console.log(`prefetch ${JSON.stringify(p)}`);
  const evLoop = rows.flatMap((r) => r.photos.map((p) => p.eventLoopMaxMs));
  const batchMs = rows.filter((r) => r.search === "bidirectional").flatMap((r) => r.photos.map((p) => (p.insideMs / p.passes) * r.batchSize));
  console.log(`event loop: max delay during a run ${Math.max(...evLoop).toFixed(1)} ms; mean time of one full batch inside onnxruntime ${mean(batchMs).toFixed(1)} ms`);
  if (values.json) writeFileSync(values.json, JSON.stringify({ load: os.loadavg(), cores: os.cpus().length, rows, fastVsBidi, probes }, null, 1));
  const bidi = rows.filter((r) => r.search === "bidirectional" && r.regions === REGIONS.default);
  const greedy = rows.filter((r) => r.search === "greedy" && r.regions === REGIONS.default);
  const fastAtDefault = fastVsBidi.filter((e) => e.regions === REGIONS.default);
  const probe = probes.find((p) => p.regions === REGIONS.default) as Record<string, number> | undefined;
  const summary = {
    overheadRatio: bidi.reduce((a, r) => a + r.secondsPerImage, 0) / bidi.reduce((a, r) => a + r.floorSecondsPerImage, 0),
    passesRatio: mean(bidi.map((r) => r.passesPerImage)) / mean(greedy.map((r) => r.passesPerImage)),
    fastPassesRatio: mean(fastAtDefault.map((e) => e.passesRatio as number)),
    fastInsertionRatio: mean(fastAtDefault.map((e) => e.insertionRatio as number)),
    prefetchHitRate: probe?.prefetchHitRate,
    prefetchMs: probe?.prefetchMs,
    movedMs: probe?.movedMs,
    eventLoopMaxMs: Math.max(...evLoop),
    batchMs: mean(batchMs),
    photos: photos.length,
    load: os.loadavg()[0],
    seconds: (performance.now() - started) / 1000,
  };
  console.log(JSON.stringify(summary));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
