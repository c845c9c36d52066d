import assert from "node:assert/strict";
import test from "node:test";
import { gridDivision } from "../../src/division";
import { Explainer } from "../../src/explain/explainer";
import type { RgbImage } from "../../src/types";
import { fakeModel, SQUARE_SIDE, squareScore, whiteImage } from "../support/fake-model";

/** The square model, recording the size of every run() call. */
function spyModel() {
  const model = fakeModel(squareScore, { width: SQUARE_SIDE, height: SQUARE_SIDE, batchSize: 1000 });
  const calls: number[] = [];
  const run = model.run.bind(model);
  model.run = (images: readonly RgbImage[], control?: { signal?: AbortSignal }) => {
    calls.push(images.length);
    return run(images, control);
  };
  return { model, calls };
}

test("λ_eff = 0: no separate singleton pass for the region features; λ_eff > 0: one pass of |V| singletons", async () => {
  const division = gridDivision(SQUARE_SIDE, SQUARE_SIDE, { n: 3 });
  const m = division.count;
  const runWith = async (eff: number) => {
    const { model, calls } = spyModel();
    const e = await new Explainer(model, { np: 2, lambdas: { eff } }).explain(whiteImage(SQUARE_SIDE, SQUARE_SIDE), { target: 0, division });
    return { e, calls, passes: model.forwardPasses };
  };
  const withEff = await runWith(0.01);
  const without = await runWith(0);
  // Full and empty image first; then with λ_eff > 0 the |V| singletons alone (for s_eff's features),
  // while with λ_eff = 0 the first search step asks for singletons and complements together.
  assert.deepEqual(withEff.calls.slice(0, 3), [2, m, m], "features pass of the m singletons, then the m complements (singletons cached)");
  assert.deepEqual(without.calls.slice(0, 2), [2, 2 * m], "no features pass");
  assert.equal(without.calls.filter((n) => n === m).length < withEff.calls.filter((n) => n === m).length, true);
  // The singleton images are also the first search step's subsets, so the passes are the same
  // and the saving shows as m fewer cache hits.
  assert.equal(without.passes, withEff.passes);
  assert.equal(withEff.e.cacheHits - without.e.cacheHits, m);
  assert.ok(without.e.steps.every((s) => s.terms.eff === 0), "s_eff reads 0 when its λ is 0");
});
