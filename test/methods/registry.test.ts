import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import test from "node:test";
import { gridDivision } from "../../src/division";
import { getMethod, METHOD_NAMES, METHODS, methodsForFrontEnd } from "../../src/methods/registry";
import type { AttributionMethod } from "../../src/methods/types";
import { fakeModel, inSquare, SQUARE_SIDE, squareScore, whiteImage } from "../support/fake-model";

/** Small settings per parameter name so that every method runs in well under a second on 24×24. */
const SMALL: Record<string, number> = { masks: 60, designs: 32, samples: 60, patch: 6, stride: 6, grid: 4 };

function smallOptions(method: AttributionMethod): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const p of method.params) if (!p.group && p.kind === "number" && p.name in SMALL) o[p.name] = SMALL[p.name];
  if (method.params.some((p) => p.name === "np")) o.np = 2;
  return o;
}

const W = SQUARE_SIDE, H = SQUARE_SIDE;
// A 3×3 grid of 8-pixel cells: the square [8,16)² is exactly cell 4.
const division = gridDivision(W, H, { n: 3 });

test("every method that needs training has its own contract test (test/methods/<name>-method.test.ts)", () => {
  for (const method of METHODS.filter((m) => m.needs)) {
    assert.ok(existsSync(path.join(__dirname, `${method.name}-method.test.js`)), `${method.name} needs ${method.needs}; its contract test is missing`);
  }
});

for (const method of METHODS.filter((m) => !m.needs)) {
  test(`registered method "${method.name}" keeps the shared result contract on the square world`, async () => {
    assert.match(method.name, /^[a-z0-9]+$/);
    assert.ok(method.title && method.paper, "title and paper are given");
    const run = async () => {
      const model = fakeModel(squareScore, { width: W, height: H, batchSize: 16 });
      const attributor = method.create(model, smallOptions(method));
      const fractions: number[] = [];
      const result = await attributor.attribute(whiteImage(W, H), { target: 0, division, onProgress: (f) => fractions.push(f) });
      return { result, passes: model.forwardPasses, fractions };
    };
    const { result, passes } = await run();
    assert.equal(result.method, method.name);
    assert.equal(result.map.width, W);
    assert.equal(result.map.height, H);
    assert.equal(result.map.data.length, W * H);
    assert.ok(result.map.data.every(Number.isFinite), "finite map");
    assert.ok(result.forwardPasses > 0, "forward passes counted");
    assert.equal(result.forwardPasses, passes, "the result counts the model's passes");
    assert.ok(result.ms >= 0);
    if (result.order) {
      assert.deepEqual([...result.order].sort((a, b) => a - b), Array.from({ length: division.count }, (_, i) => i), "order is a permutation of the regions");
    }
    if (method.usesDivision) assert.equal(result.division?.count, division.count, "a region method reports the shared division");
    // The square (cell 4) comes first in an order (LIMA eq. 11's map may be flat once the first
    // region saturates the score); a map without an order gives it more mass than the rest.
    if (result.order) assert.equal(result.order[0], 4, `${method.name} places the square first`);
    else {
      let inside = 0, outside = 0;
      result.map.data.forEach((v, q) => (inSquare(q) ? (inside += v / 64) : (outside += v / (W * H - 64))));
      assert.ok(inside > outside, `${method.name}: square ${inside} > rest ${outside}`);
    }
    const again = await run();
    assert.deepEqual(Array.from(again.result.map.data), Array.from(result.map.data), "deterministic");
    assert.deepEqual(again.result.order, result.order);
  });
}

test("getMethod finds every registered name and names the allowed ones otherwise", () => {
  for (const name of METHOD_NAMES) assert.equal(getMethod(name).name, name);
  assert.deepEqual(new Set(METHOD_NAMES).size, METHODS.length, "names are unique");
  for (const name of ["lima", "smdl", "rise", "occlusion", "kernelshap", "lime", "hsic"]) assert.ok(METHOD_NAMES.includes(name), name);
  assert.throws(() => getMethod("gradcam"), (e: unknown) => e instanceof RangeError && /"gradcam"/.test(e.message) && /lima, rise, occlusion, kernelshap, lime, hsic, smdl/.test(e.message));
});

test("create() checks options against the method's schema", () => {
  const model = fakeModel(squareScore, { width: W, height: H });
  assert.throws(() => getMethod("rise").create(model, { masks: 0 }), /masks 0 is not allowed: use an integer in 1\.\.100000/);
  assert.throws(() => getMethod("rise").create(model, { mask: 10 }), /unknown option "mask"/);
  assert.throws(() => getMethod("lima").create(model, { lambdas: { cons: -1 } }), /lambdas\.cons -1 is not allowed/);
  assert.throws(() => getMethod("lima").create(model, { lambdas: { gamma: 1 } }), /unknown option "lambdas\.gamma"/);
});

test("methodsForFrontEnd lists every method with its own controls as plain JSON", () => {
  const fe = methodsForFrontEnd();
  assert.deepEqual(fe.map((m) => m.name), METHOD_NAMES);
  assert.deepEqual(fe.find((m) => m.name === "rise")!.params.map((p) => (p as { name: string }).name), getMethod("rise").params.map((p) => p.name));
  assert.deepEqual(JSON.parse(JSON.stringify(fe)), fe);
});
