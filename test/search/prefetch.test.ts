import assert from "node:assert/strict";
import { test } from "node:test";
import { Explainer } from "../../src";
import { movedControl, neighbourSettings, prefetchNeighbours } from "../../src/search/prefetch";
import { LatestWins } from "../../src/widgets/scheduler";
import { fakeModel, SQUARE_SIDE, squareScore } from "../support/fake-model";

const image = { width: SQUARE_SIDE, height: SQUARE_SIDE, data: new Float32Array(SQUARE_SIDE * SQUARE_SIDE * 3).map((_, i) => (i * 37) % 256) };
const model = () => fakeModel(squareScore, { width: SQUARE_SIDE, height: SQUARE_SIDE, batchSize: 8 });
const division = { method: "slico", regions: 16 } as const;

test("neighbourSettings(current, last move) puts the last move first, then its reverse, then every other control up and down", () => {
  const explainer = new Explainer(model(), { division, np: 1 });
  const n = neighbourSettings(explainer.options, { control: "colla", direction: -1 });
  assert.deepEqual(n.slice(0, 2).map((x) => [x.control, x.direction]), [["colla", -1], ["colla", 1]]);
  assert.deepEqual(n[0].options, { lambdas: { cons: 20, colla: 4.75, conf: 0.05, eff: 0.01 } });
  // n_p = 1 cannot step down; every other control has both directions.
  assert.equal(n.length, 11);
  assert.ok(!n.some((x) => x.control === "np" && x.direction === -1));
  assert.deepEqual(n.find((x) => x.control === "regions" && x.direction === 1)!.options, { division: { method: "slico", regions: 17 } });
});

test("movedControl(previous, next) names the one control that moved and its direction", () => {
  const explainer = new Explainer(model(), { division });
  const before = explainer.options;
  explainer.setOptions({ lambdas: { conf: 0.04 } });
  assert.deepEqual(movedControl(before, explainer.options), { control: "conf", direction: -1 });
  explainer.setOptions({ lambdas: { cons: 1 }, np: 3 });
  assert.equal(movedControl(before, explainer.options), undefined);
});

for (const search of ["bidirectional", "fast"] as const) {
  test(`prefetchNeighbours (${search}): the prefetched one-step move is served wholly from the cache`, async () => {
    const m = model();
    const explainer = new Explainer(m, { division, search, np: 4 });
    await explainer.explain(image, { target: 0 });
    const report = await prefetchNeighbours(explainer, image, { last: { control: "cons", direction: 1 }, target: 0, limit: 2 });
    assert.equal(report.stopped, "done");
    assert.deepEqual(report.done.map((d) => [d.control, d.direction]), [["cons", 1], ["cons", -1]]);
    assert.equal(explainer.options.lambdas.cons, 20, "the explainer's own options are unchanged");
    const passes = m.forwardPasses;
    explainer.setOptions({ lambdas: { cons: 20.5 } });
    const moved = await explainer.explain(image, { target: 0 });
    assert.equal(moved.forwardPasses, 0);
    assert.equal(m.forwardPasses, passes);
    assert.ok(moved.cacheHits > 0);
  });
}

test("prefetchNeighbours stops at the cache bound and on abort", async () => {
  const small = new Explainer(model(), { division, cacheBytes: 40_000 });
  await small.explain(image, { target: 0 });
  const full = await prefetchNeighbours(small, image, { target: 0 });
  assert.equal(full.stopped, "memory");
  assert.equal(small.cacheStats.evictions, 0, "prefetch evicted nothing");
  const explainer = new Explainer(model(), { division });
  await explainer.explain(image, { target: 0 });
  const controller = new AbortController();
  const running = prefetchNeighbours(explainer, image, { target: 0, signal: controller.signal });
  controller.abort();
  const aborted = await running;
  assert.equal(aborted.stopped, "aborted");
  assert.equal(aborted.done.length, 0);
});

test("LatestWins(task, onOutcome, whenIdle) runs whenIdle after a done run, and the next request aborts it", async () => {
  const events: string[] = [];
  let idleSignal: AbortSignal | undefined;
  const runner = new LatestWins(
    async () => void events.push("run"),
    (o) => events.push(o.kind),
    (signal) => {
      idleSignal = signal;
      events.push("idle");
      return new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
    },
  );
  runner.request();
  await runner.idle();
  assert.deepEqual(events, ["run", "done", "idle"]);
  assert.equal(idleSignal?.aborted, false);
  runner.request();
  assert.equal(idleSignal?.aborted, true);
  await runner.idle();
  assert.deepEqual(events, ["run", "done", "idle", "run", "done", "idle"]);
  runner.stop();
});
