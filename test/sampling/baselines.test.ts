import assert from "node:assert/strict";
import { test } from "node:test";
import { kernelShap, lime, rise } from "../../src/baselines";
import { gridDivision } from "../../src/division";
import { checkSampler } from "../../src/sampling";
import type { SaliencyMap } from "../../src/types";
import { fakeModel, inSquare, SQUARE_SIDE, squareScore, whiteImage } from "../support/fake-model";

const W = SQUARE_SIDE;
const division = gridDivision(W, W, { n: 3 }); // region 4 is exactly the square [8, 16)²

function meanInside(map: SaliencyMap): [number, number] {
  let a = 0, na = 0, b = 0, nb = 0;
  map.data.forEach((v, q) => (inSquare(q) ? ((a += v), na++) : ((b += v), nb++)));
  return [a / na, b / nb];
}

for (const [name, run, passes] of [
  ["kernelShap", (m: ReturnType<typeof fakeModel>, sampler: "native" | "guided") => kernelShap(m, whiteImage(W, W), { target: 0, division, samples: 200, sampler }), 202],
  ["lime", (m: ReturnType<typeof fakeModel>, sampler: "native" | "guided") => lime(m, whiteImage(W, W), { target: 0, division, samples: 200, sampler }), 201],
  ["rise", (m: ReturnType<typeof fakeModel>, sampler: "native" | "guided") => rise(m, whiteImage(W, W), { target: 0, masks: 300, grid: 3, sampler }), 300],
] as const) {
  test(`${name}(…, { sampler: "guided" }) keeps the square on top within the same budget, seeded, and differs from native`, async () => {
    const model = fakeModel(squareScore, { width: W, height: W });
    const guided = await run(model, "guided");
    assert.ok(model.forwardPasses <= passes, `${model.forwardPasses} forward passes`);
    const [inside, outside] = meanInside(guided);
    assert.ok(inside > outside, `inside ${inside} vs outside ${outside}`);
    const again = await run(fakeModel(squareScore, { width: W, height: W }), "guided");
    assert.deepEqual(again.data, guided.data);
    const native = await run(fakeModel(squareScore, { width: W, height: W }), "native");
    assert.notDeepEqual(native.data, guided.data);
  });
}

test("checkSampler names the allowed samplers", async () => {
  assert.equal(checkSampler("guided"), "guided");
  assert.throws(() => checkSampler("uniform"), /sampler "uniform" is not allowed: use one of native, guided/);
  await assert.rejects(lime(fakeModel(squareScore, { width: W, height: W }), whiteImage(W, W), { target: 0, division, sampler: "x" as never }), /sampler "x"/);
});
