/**
 * λ presets compared (issue 10): LIMA (bidirectional) and SMDL (greedy) with the `paper` and the
 * `reference` preset on the first N shared ImageNet photos, scored by the pixel insertion and
 * deletion AUC of METHOD.md §6 (50 steps, black baseline) for the predicted class.
 *
 *   node dist/bench/presets.js <model> <N> [methods=lima,smdl]
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { loadImage } from "../src/image/load";
import { loadModel } from "../src/model/load";
import { getMethod } from "../src/methods/registry";
import { pixelCurve } from "../src/metrics/pixel-curves";
import { PRESET_NAMES } from "../src/params/lima";
import { argmax } from "../src/util/math";
import { divide, DEFAULT_DIVISION } from "../src/division";

async function main(): Promise<void> {
  const [modelName = "squeezenet1.1-fp32", nText = "8", methodsText = "lima,smdl"] = process.argv.slice(2);
  const folder = path.join(process.env.LIMA_XAI_SHARED ?? "../shared", "data/images/imagenet");
  const files = readdirSync(folder).filter((f) => /\.jpe?g$/i.test(f)).sort().slice(0, Number(nText));
  const model = await loadModel(modelName, { batchSize: 32 });
  const sums: Record<string, { ins: number; del: number; passes: number; n: number }> = {};
  for (const file of files) {
    const image = await loadImage(path.join(folder, file), model.card);
    const [full] = await model.run([image]);
    const target = argmax(full.probs);
    const division = divide(image, DEFAULT_DIVISION);
    for (const method of methodsText.split(",")) {
      for (const preset of PRESET_NAMES) {
        const r = await getMethod(method).create(model, { preset }).attribute(image, { target, division });
        const ins = await pixelCurve(model, image, r.map, "insertion", { target, steps: 50, baseline: 0 });
        const del = await pixelCurve(model, image, r.map, "deletion", { target, steps: 50, baseline: 0 });
        const key = `${method}/${preset}`;
        const s = (sums[key] ??= { ins: 0, del: 0, passes: 0, n: 0 });
        s.ins += ins.auc; s.del += del.auc; s.passes += r.forwardPasses; s.n++;
        process.stdout.write(`${JSON.stringify({ file, method, preset, insertion: ins.auc, deletion: del.auc, forwardPasses: r.forwardPasses, order: r.order?.slice(0, 10) })}\n`);
      }
    }
  }
  for (const [key, s] of Object.entries(sums)) process.stdout.write(`# ${modelName} ${key}: n ${s.n}, insertion ${(s.ins / s.n).toFixed(4)}, deletion ${(s.del / s.n).toFixed(4)}, passes ${Math.round(s.passes / s.n)}\n`);
  await model.dispose();
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
  process.exit(1);
});
