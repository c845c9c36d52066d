/**
 * SALVAGE measurements on a few shared photos (issue 14): LIMA, RISE, Kernel SHAP and SALVAGE
 * compared by pixel insertion/deletion, SRG and R-SRG with their time; the attribution-guided
 * sampler's ablation on Kernel SHAP, LIME, RISE (and SALVAGE's own guided share); the cost of
 * SALVAGE's top-k buckets against all 1000 classes. Writes one JSON line per run.
 *
 *   node dist/bench/salvage.js <part: compare|ablation|buckets> [photos=4] [model=mobilenetv2-12-int8] [rmasks=16] > out.jsonl
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { kernelShap, lime, rise } from "../src/baselines";
import { divide } from "../src/division";
import { Explainer } from "../src/explain/explainer";
import { loadImage } from "../src/image/load";
import { adamState, exposeFeatureOutput, fitDistribution, salvageMethod, trainAmortised, untrainedAmortised, zeroDistribution } from "../src/methods/salvage";
import { loadModel } from "../src/model/load";
import { REGIONS } from "../src/params/lima";
import type { LoadedModel } from "../src/model/onnx";
import { pixelMetrics } from "../src/metrics/pixel-curves";
import { modelCoalitionValue, regionScores, relativeInfluence, symmetricRelevanceGain } from "../src/metrics/srg";
import type { BlackBoxModel } from "../src/model/types";
import type { Division, RgbImage, SaliencyMap } from "../src/types";
import { createRandom } from "../src/util/random";

const shared = process.env.LIMA_XAI_SHARED ?? "/work/shared";
const [part = "compare", photosArg = "4", modelName = "mobilenetv2-12-int8", rmasksArg = "16"] = process.argv.slice(2);
const photos = Number(photosArg), rmasks = Number(rmasksArg);

async function score(model: BlackBoxModel, image: RgbImage, division: Division, target: number, map: SaliencyMap) {
  const passes0 = model.forwardPasses;
  const px = await pixelMetrics(model, image, map, { target });
  const phi = regionScores(map, division);
  const value = modelCoalitionValue(model, image, division, target);
  const srg = await symmetricRelevanceGain(phi, value);
  const r = await relativeInfluence(phi, value, { masks: rmasks, random: createRandom(0) });
  return { insertion: px.insertion.auc, deletion: px.deletion.auc, ...srg, ...r, metricPasses: model.forwardPasses - passes0 };
}

/** Cost of the fit alone (no model): one Adam epoch over 1500 random coalitions at the default |V| (REGIONS.default), per bucket count K. */
function fitCost(): void {
  for (const K of [11, 101, 1001]) {
    const random = createRandom(K);
    const samples = Array.from({ length: 1500 }, () => {
      const t = Float64Array.from({ length: K }, () => random.next());
      const s = t.reduce((a, b) => a + b, 0);
      return { coalition: Uint8Array.from({ length: REGIONS.default }, () => (random.next() < 0.5 ? 1 : 0)), target: t.map((v) => v / s) };
    });
    const d = zeroDistribution(REGIONS.default, K);
    fitDistribution(d, samples, adamState(d), { epochs: 1, learningRate: 0.05, batch: 32, random }); // warm-up
    const t0 = performance.now(), c0 = process.cpuUsage();
    fitDistribution(d, samples, adamState(d), { epochs: 3, learningRate: 0.05, batch: 32, random });
    const cpu = process.cpuUsage(c0);
    const perEpoch = (cpu.user + cpu.system) / 1000 / 3;
    // CPU time, not wall time: the shared machine's wall clock is several times slower under load.
    process.stdout.write(`${JSON.stringify({ part: "fitcost", buckets: K, cpuMsPerEpoch: Math.round(perEpoch), wallMsPerEpoch: Math.round((performance.now() - t0) / 3), cpuMsDefaultSchedule: Math.round(perEpoch * 40 * 5) })}\n`);
  }
}

async function main(): Promise<void> {
  if (part === "fitcost") return fitCost();
  const model = await loadModel(modelName, { searchPaths: [path.join(shared, "data/models")], batchSize: 32 });
  const dir = path.join(shared, "data/images/imagenet");
  const all = readdirSync(dir).sort();
  const step = Math.max(1, Math.floor(all.length / photos));
  // FROM skips the first photos of the list (to finish an interrupted run); ONLY restricts compare's methods.
  const from = Number(process.env.FROM ?? 0);
  const files = Array.from({ length: photos }, (_, i) => all[i * step]).slice(from);
  const only = process.env.ONLY?.split(",");
  const wanted = (m: string) => !only || only.includes(m);
  const emit = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ part, model: modelName, rmasks, ...o })}\n`);
  for (const file of files) {
    const image = await loadImage(path.join(dir, file), model.card);
    const [out] = await model.run([image]);
    const target = out.probs.indexOf(Math.max(...out.probs));
    const division = divide(image, { method: "slico", regions: REGIONS.default });
    const timed = async (method: string, f: () => Promise<SaliencyMap | { map: SaliencyMap; details?: unknown }>, extra: Record<string, unknown> = {}) => {
      const p0 = model.forwardPasses;
      const t0 = performance.now();
      const got = await f();
      const ms = performance.now() - t0;
      const passes = model.forwardPasses - p0;
      const map = "data" in got ? got : got.map;
      const details = "data" in got ? undefined : (got.details as Record<string, unknown>);
      const m = await score(model, image, division, target, map);
      emit({ photo: file, target, method, ms: Math.round(ms), passes, ...extra, ...m, ...(details ? { loss: details.loss, highShareKernel: details.highShareKernel, highShareGuided: details.highShareGuided } : {}) });
    };
    const salvage = (o: Record<string, unknown>) => () => salvageMethod.create(model, o).attribute(image, { target, division });
    if (part === "compare") {
      const explainer = new Explainer(model, { division: { method: "slico", regions: REGIONS.default } });
      if (wanted("lima")) await timed("lima", async () => (await explainer.explain(image, { target })).importanceMap);
      if (wanted("rise")) await timed("rise", () => rise(model, image, { target }));
      if (wanted("kernelshap")) await timed("kernelshap", () => kernelShap(model, image, { target, division }));
      if (wanted("salvage")) await timed("salvage", salvage({}));
    } else if (part === "ablation") {
      for (const sampler of ["native", "guided"] as const) {
        await timed(`kernelshap/${sampler}`, () => kernelShap(model, image, { target, division, samples: 1000, sampler }));
        await timed(`lime/${sampler}`, () => lime(model, image, { target, division, samples: 1000, sampler }));
        await timed(`rise/${sampler}`, () => rise(model, image, { target, masks: 1000, sampler }));
      }
      await timed("salvage/kernel-only", salvage({ guidedFraction: 0 }));
      await timed("salvage/guided-0.5", salvage({ guidedFraction: 0.5 }));
    } else if (part === "buckets") {
      for (const topk of [10, 100, 1000]) await timed(`salvage/topk-${topk}`, salvage({ topk }), { topk });
    } else if (part !== "amortised") throw new RangeError(`part ${JSON.stringify(part)} is not allowed: use compare, ablation, buckets, amortised`);
  }
  if (part === "amortised") await amortised(model, all.map((f) => path.join(dir, f)), emit);
  await model.dispose();
}

/**
 * Amortised SALVAGE on SqueezeNet's exposed "conv10_2" map: train on every other ImageNet photo
 * (`photos` of them), hold out the rest; agreement of the explainer-as-classifier with the model,
 * SRG/R-SRG of its maps (trained and untrained), training and explanation cost.
 */
async function amortised(model: LoadedModel, files: string[], emit: (o: Record<string, unknown>) => void): Promise<void> {
  const tmp = path.join(process.env.TMPDIR ?? "/tmp", "salvage-amortised");
  const backbone = await loadModel(exposeFeatureOutput(path.join(shared, "data/models", `${modelName}.json`), "conv10_2", tmp), { batchSize: 8 });
  const trainFiles = files.filter((_, i) => i % 2 === 0).slice(0, photos), heldFiles = files.filter((_, i) => i % 2 === 1);
  const load = (f: string) => loadImage(f, model.card);
  const train = await Promise.all(trainFiles.map(load));
  const p0 = model.forwardPasses + backbone.forwardPasses;
  const t0 = performance.now();
  const trained = await trainAmortised(model, backbone, train, { epochs: Number(process.env.EPOCHS ?? 20), masks: Number(process.env.MASKS ?? 64) });
  emit({ method: "amortised/train", images: train.length, ms: Math.round(performance.now() - t0), passes: model.forwardPasses + backbone.forwardPasses - p0, losses: trained.losses });
  const cam = untrainedAmortised(backbone);
  for (const file of heldFiles) {
    const image = await load(file);
    const [out] = await model.run([image]);
    const target = out.probs.indexOf(Math.max(...out.probs));
    for (const [name, ex] of [["amortised/trained", trained], ["amortised/untrained-cam", cam]] as const) {
      const t1 = performance.now();
      const e = await ex.explain(image, { target });
      const ms = performance.now() - t1;
      const value = modelCoalitionValue(model, image, e.division, target);
      const srg = await symmetricRelevanceGain(e.phi, value);
      const r = await relativeInfluence(e.phi, value, { masks: rmasks, random: createRandom(0) });
      emit({ photo: path.basename(file), target, method: name, ms: Math.round(ms), passes: 1, agrees: e.predicted === target, predicted: e.predicted, ...srg, ...r });
    }
  }
  await backbone.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
