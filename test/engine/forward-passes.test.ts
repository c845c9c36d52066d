import assert from "node:assert/strict";
import { test } from "node:test";
import { Explainer, expectedIterations, loadModel } from "../../src";
import { interactionModel, rectMask, writeTestModel } from "../support/onnx-graphs";

const W = 16, H = 16;
const white = { width: W, height: H, data: new Float32Array(W * H * 3).fill(200) };
const cardFile = () =>
  writeTestModel(interactionModel({ width: W, height: H, masks: [rectMask(W, H, 0, 0, 8, 8), rectMask(W, H, 8, 8, 16, 16)], combine: "and", gain: 3 }), {
    name: "passes", width: W, height: H, classes: ["a", "b"],
  });

/** METHOD.md §4: images requested by greedy = 1 (original) + 1 (baseline) + |V| (features) + 2·Σ_{i<|V|}(|V| − i). */
function greedyRequests(m: number): number {
  let sum = 0;
  for (let i = 0; i < m; i++) sum += m - i;
  return 2 + m + 2 * sum;
}

/** Images requested by the bidirectional search: 2·|candidates| forward and 2·n_p reverse per iteration. */
function bidirectionalRequests(m: number, np: number): number {
  let remaining = m, total = 2 + m;
  while (remaining > 0) {
    total += 2 * remaining;
    remaining--;
    if (remaining > np) {
      total += 2 * np;
      remaining--;
    }
  }
  return total;
}

for (const regions of [9, 16, 25]) {
  test(`greedy over |V| = ${regions}: passes + cache hits equal the METHOD.md count`, async () => {
    const model = await loadModel(cardFile());
    const r = await new Explainer(model, { search: "greedy", division: { method: "grid", regions } }).explain(white);
    assert.equal(r.forwardPasses + r.cacheHits, greedyRequests(regions));
    assert.equal(r.forwardPasses, model.forwardPasses, "every model image is counted");
    // Identical images are run once: the singletons of step 0 are the feature images, the last two
    // steps' subsets are step 0's complements, V and ∅ (6 more).
    assert.equal(r.forwardPasses, regions * (regions + 1) - 4);
    await model.dispose();
  });
}

for (const np of [1, 4, 8]) {
  test(`bidirectional over |V| = 25 with n_p = ${np}: counts follow LIMA Algorithm 1`, async () => {
    const model = await loadModel(cardFile());
    const steps: number[] = [];
    const r = await new Explainer(model, { search: "bidirectional", np, division: { method: "grid", regions: 25 } }).explain(white, {
      onProgress: (p) => p.phase === "search" && steps.push(p.step),
    });
    assert.equal(r.forwardPasses + r.cacheHits, bidirectionalRequests(25, np));
    assert.ok(r.forwardPasses < 0.8 * 25 * 26);
    assert.equal(steps.length, expectedIterations(25, "bidirectional", np));
    assert.deepEqual([...r.order].sort((a, b) => a - b), Array.from({ length: 25 }, (_, i) => i), "every region placed once");
    await model.dispose();
  });
}

test("a re-run on the same image and division is served from the cache", async () => {
  const model = await loadModel(cardFile());
  const explainer = new Explainer(model, { division: { method: "grid", regions: 16 } });
  const first = await explainer.explain(white);
  const again = await explainer.explain(white);
  assert.equal(again.forwardPasses, 0);
  assert.equal(again.cacheHits, first.forwardPasses + first.cacheHits);
  explainer.setOptions({ lambdas: { cons: 1 }, np: 3 });
  const changed = await explainer.explain(white);
  assert.ok(changed.cacheHits > changed.forwardPasses, `λ/n_p change reuses most outputs (${changed.cacheHits} hits, ${changed.forwardPasses} passes)`);
  assert.equal(model.forwardPasses, first.forwardPasses + changed.forwardPasses);
  await model.dispose();
});

test("explain rejects with AbortError when its signal aborts mid-search", async () => {
  const model = await loadModel(cardFile());
  const controller = new AbortController();
  const explainer = new Explainer(model, { division: { method: "grid", regions: 16 } });
  await assert.rejects(
    explainer.explain(white, { signal: controller.signal, onProgress: (p) => p.step === 2 && controller.abort() }),
    (e: Error) => e.name === "AbortError",
  );
  const passes = model.forwardPasses;
  assert.ok(passes < 2 + 16 + 16 * 17, `stopped early (${passes} passes)`);
  await model.dispose();
});

test("n_p larger than |V| is refused with the allowed range", async () => {
  const model = await loadModel(cardFile());
  const explainer = new Explainer(model, { np: 20, division: { method: "grid", regions: 9 } });
  await assert.rejects(explainer.explain(white), /n_p 20 is larger than \|V\| = 9: use 1\.\.9/);
  assert.equal(model.forwardPasses, 0, "refused before any model call");
  await model.dispose();
});
