import assert from "node:assert/strict";
import test from "node:test";
import type { ModelOutput } from "../../src/model/types";
import { scoreSubset, type SubmodularScore } from "../../src/score/submodular";
import { angularDistance, distanceMatrix, effectiveness, entropyConfidence } from "../../src/score/terms";

const out = (p0: number): ModelOutput => ({ probs: Float32Array.from([p0, 1 - p0]), features: Float32Array.from([p0, 1 - p0]) });
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-6, `${what}: ${a} vs ${b}`);

// A 3-region toy (METHOD.md §3): region features φ0 = (1, 0), φ1 = (0, 1), φ2 = (1, 1).
// Angular distances d = arccos(cos)/π: d(0,1) = 1/2, d(0,2) = d(1,2) = 1/4.
const features = [[1, 0], [0, 1], [1, 1]];

test("angular distances of the 3-region toy, by hand", () => {
  const d = distanceMatrix(features);
  close(d[0 * 3 + 1], 0.5, "d(0,1)");
  close(d[0 * 3 + 2], 0.25, "d(0,2)");
  close(d[1 * 3 + 2], 0.25, "d(1,2)");
  close(d[2 * 3 + 1], 0.25, "symmetric");
  assert.equal(d[0], 0);
  close(angularDistance([1, 0], [-1, 0]), 1, "opposite vectors");
});

test("s_eff on the 3-region toy: Σ_i min_j d(φ_i, φ_j), 0 for |S| ≤ 1", () => {
  const d = distanceMatrix(features);
  assert.equal(effectiveness([], d, 3), 0);
  assert.equal(effectiveness([2], d, 3), 0);
  close(effectiveness([0, 1], d, 3), 0.5 + 0.5, "{0,1}");
  close(effectiveness([0, 2], d, 3), 0.25 + 0.25, "{0,2}");
  close(effectiveness([0, 1, 2], d, 3), 0.25 + 0.25 + 0.25, "{0,1,2}: each region's nearest is at 1/4");
});

test("the four terms and F(S) for S = {0, 1} of the 3-region toy, by hand", () => {
  const score: SubmodularScore = { target: { kind: "class", index: 0 }, lambdas: { cons: 20, colla: 5, conf: 0.05, eff: 0.01 }, confidence: "entropy", distances: distanceMatrix(features), m: 3 };
  // S-image: p = (0.8, 0.2); complement image (region 2 alone): p = (0.3, 0.7).
  const t = scoreSubset(score, [0, 1], out(0.8), out(0.3));
  close(t.cons, 0.8, "s_cons = p(S)[c]");
  close(t.colla, 0.7, "s_colla = 1 − p(V∖S)[c]");
  // s_conf = 1 − H(p)/ln 2 with H = −(0.8 ln 0.8 + 0.2 ln 0.2) = 0.500402…
  close(t.conf, 0.27807219365160063, "s_conf");
  close(t.eff, 1, "s_eff");
  close(t.F, 20 * 0.8 + 5 * 0.7 + 0.05 * 0.27807219365160063 + 0.01 * 1, "F = Σ λ·term");
  close(t.F, 19.52390360968258, "F by hand");
  // The same S under the reference preset (λ_eff = 0) loses exactly 0.01·s_eff.
  const ref = scoreSubset({ ...score, lambdas: { cons: 20, colla: 5, conf: 0.05, eff: 0 } }, [0, 1], out(0.8), out(0.3));
  close(t.F - ref.F, 0.01, "the effectiveness share");
  close(entropyConfidence(out(0.5), { kind: "class", index: 0 }), 0, "a uniform prediction has no confidence");
});
