import assert from "node:assert/strict";
import { test } from "node:test";
import type { ModelOutput } from "../../src/model/types";
import type { Lambdas } from "../../src/score/options";
import { scoreSubset, type SubmodularScore } from "../../src/score/submodular";

const output = (p0: number): ModelOutput => {
  const probs = Float32Array.from([p0, 1 - p0]);
  return { probs, features: probs };
};

/** A score with weights as given (not through the schema's bounds: scoreSubset is also called directly). */
function score(lambdas: Partial<Lambdas>): SubmodularScore {
  return { target: { kind: "class", index: 0 }, lambdas: { cons: 20, colla: 5, conf: 0.05, eff: 0.01, ...lambdas }, confidence: "entropy", distances: new Float64Array([0, 0.5, 0.5, 0]), m: 2 };
}

test("scoreSubset: weights whose sum overflows to Infinity stop with a RangeError naming them; large finite sums stay exact", () => {
  const t = scoreSubset(score({ cons: 1e300, colla: 2 }), [0], output(0.75), output(0.5));
  assert.equal(t.F, 1e300 * 0.75 + 2 * 0.5 + 0.05 * t.conf + 0.01 * t.eff);
  assert.throws(
    () => scoreSubset(score({ cons: 1e308, colla: 1e308 }), [0], output(0.9), output(0.1)),
    (e: Error) => e instanceof RangeError && /F\(S\) = Infinity is not finite/.test(e.message) && /lambda cons = 1e\+308, colla = 1e\+308, conf = 0\.05, eff = 0\.01/.test(e.message),
  );
});
