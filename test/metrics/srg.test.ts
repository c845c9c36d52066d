import assert from "node:assert/strict";
import { test } from "node:test";
import { gridDivision } from "../../src/division";
import { influenceFirst, influenceOrder, modelCoalitionValue, regionScores, relativeInfluence, relativeInfluenceFirst, rsrgMetric, srgMetric, symmetricRelevanceGain } from "../../src/metrics/srg";
import { createRandom } from "../../src/util/random";
import { fakeModel, whiteImage } from "../support/fake-model";

/** A 3-region game given as a table over coalitions (bit i = region i kept). */
const TABLE: Record<string, number> = { "000": 0.05, "100": 0.5, "010": 0.1, "001": 0.3, "110": 0.6, "101": 0.8, "011": 0.35, "111": 0.9 };
function tableValue() {
  let calls = 0;
  const value = async (zs: readonly Uint8Array[]) => {
    calls += zs.length;
    return zs.map((z) => TABLE[z.join("")]);
  };
  return Object.assign(value, { calls: () => calls });
}
const PHI = [3, 1, 2]; // MIF order 0, 2, 1; LIF order 1, 2, 0; φ_norm = [1, 0, 0.5]

test("influenceFirst(φ, v, mif|lif) on a 3-region table equals the hand-computed Algorithm 1 means", async () => {
  assert.deepEqual(influenceOrder(PHI, "mif"), [0, 2, 1]);
  assert.deepEqual(influenceOrder(PHI, "lif"), [1, 2, 0]);
  const mif = await influenceFirst(PHI, tableValue(), "mif");
  assert.deepEqual(mif.curve, [0.5, 0.8, 0.9]);
  assert.ok(Math.abs(mif.score - (0.5 + 0.8 + 0.9) / 3) < 1e-12);
  const lif = await influenceFirst(PHI, tableValue(), "lif");
  assert.deepEqual(lif.curve, [0.1, 0.35, 0.9]);
  const all = await symmetricRelevanceGain(PHI, tableValue());
  assert.ok(Math.abs(all.srg - ((0.5 + 0.8 + 0.9) / 3 - (0.1 + 0.35 + 0.9) / 3)) < 1e-12);
  // Ties: lower region index first in both orders.
  assert.deepEqual(influenceOrder([1, 1, 0], "mif"), [0, 1, 2]);
  assert.deepEqual(influenceOrder([1, 1, 0], "lif"), [2, 0, 1]);
});

test("relativeInfluence(φ, v) on the 3-region table: R-MIF, R-LIF, R-SRG within 0.005 of the hand-computed expectations", async () => {
  // R-MIF weights [1, 0, ½]: size 1 → {0} w.p. 2/3, {2} w.p. 1/3; size 2 → always {0,2}; size 3 → all.
  const rmif = ((2 / 3) * 0.5 + (1 / 3) * 0.3 + 0.8 + 0.9) / 3;
  // R-LIF weights [0, 1, ½]: size 1 → {1} 2/3, {2} 1/3; size 2 → always {1,2}; size 3 → all.
  const rlif = ((2 / 3) * 0.1 + (1 / 3) * 0.3 + 0.35 + 0.9) / 3;
  const r = await relativeInfluence(PHI, tableValue(), { masks: 20000, random: createRandom(7) });
  assert.ok(Math.abs(r.rmif - rmif) < 0.005, `R-MIF ${r.rmif} vs ${rmif}`);
  assert.ok(Math.abs(r.rlif - rlif) < 0.005, `R-LIF ${r.rlif} vs ${rlif}`);
  assert.ok(Math.abs(r.rsrg - (rmif - rlif)) < 0.01);
  // Deterministic sizes are exact; the per-size curve has |N| points.
  const one = await relativeInfluenceFirst(PHI, tableValue(), "rmif", { masks: 3, random: createRandom(1) });
  assert.equal(one.curve.length, 3);
  assert.ok(Math.abs(one.curve[1] - 0.8) < 1e-12);
  assert.ok(Math.abs(one.curve[2] - 0.9) < 1e-12);
  await assert.rejects(relativeInfluenceFirst(PHI, tableValue(), "rlif", { masks: 0 }), /masks 0 is not allowed/);
});

test("srgMetric and rsrgMetric on a fake model: region scores from the map, v from the masked image, repeated coalitions run once", async () => {
  // 6×6 image, 3×3 grid → regions of 2×2; class score = mean red of regions 0 and 4 (pixels 0..1,0..1 and 2..3,2..3).
  const W = 6;
  const inRegion = (q: number, r: number) => Math.floor((q % W) / 2) === r % 3 && Math.floor(Math.floor(q / W) / 2) === Math.floor(r / 3);
  const model = fakeModel((img) => {
    let s = 0;
    for (let q = 0; q < W * W; q++) if (inRegion(q, 0) || inRegion(q, 4)) s += img.data[3 * q] / 255;
    return s / 8;
  }, { width: W, height: W });
  const division = gridDivision(W, W, { n: 3 });
  const image = whiteImage(W, W);
  const good = Float32Array.from(division.labels, (l) => (l === 0 || l === 4 ? 1 : 0));
  const map = { width: W, height: W, data: good };
  assert.deepEqual(Array.from(regionScores(map, division)), [1, 0, 0, 0, 1, 0, 0, 0, 0]);
  const bench = { model, image, target: 0, division };
  const result = { method: "test", map, forwardPasses: 0, ms: 0 };
  const s = await srgMetric.evaluate(bench, result);
  // MIF prefixes: 0 → ½, {0,4} → 1, then 1 for the 7 others; LIF: 0 for seven, then ½, 1.
  assert.ok(Math.abs(s.mif - (0.5 + 8) / 9) < 1e-6);
  assert.ok(Math.abs(s.lif - 1.5 / 9) < 1e-6);
  assert.ok(Math.abs(s.srg - (s.mif - s.lif)) < 1e-12);
  const before = model.forwardPasses;
  const r = await rsrgMetric.evaluate({ ...bench, seed: 3 }, result, { masks: 8 });
  assert.ok(model.forwardPasses - before < 2 * 9 * 8, "repeated coalitions are evaluated once");
  assert.ok(r.rsrg > 0.3, `R-SRG ${r.rsrg}`);
  const again = await rsrgMetric.evaluate({ ...bench, seed: 3 }, result, { masks: 8 });
  assert.deepEqual(again, r);
  const counted = modelCoalitionValue(model, image, division, 0);
  await counted([new Uint8Array(9), new Uint8Array(9)]);
  assert.equal(counted.passes(), 1);
});
