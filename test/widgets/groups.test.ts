import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import sharp from "sharp";
import { divide } from "../../src/division";
import { setJupyterHost } from "../../src/jupyter/host";
import type { AttributionGroup } from "../../src/methods/types";
import type { Division, RgbImage } from "../../src/types";
import { explore, type ExplorerSettingsInput } from "../../src/widgets/explorer";
import { groupPayload, MAX_VIEWER_GROUPS } from "../../src/widgets/groups";
import { BINARY_KEYS, type MethodResult } from "../../src/widgets/protocol";
import { FakeHost } from "../support/fake-host";
import { blockImage, fakeModel } from "../support/fake-model";

const SIZE = 32;


/** Class 0: a logistic of the red channel weighted towards the right half, minus green. */
function score(image: RgbImage): number {
  let s = 0;
  for (let p = 0; p < SIZE * SIZE; p++) s += (((p % SIZE) / SIZE - 0.3) * image.data[p * 3] - 0.2 * image.data[p * 3 + 1]) / 255;
  return 1 / (1 + Math.exp(-s / 30));
}

/** A 4×4 grid on 32×32: 16 regions of 64 pixels. */
const small: ExplorerSettingsInput = { division: { division: "grid", regions: 16 }, params: { lima: { np: 2 }, rise: { masks: 64 } } };

function setup(settings: ExplorerSettingsInput = small, photos: RgbImage | { image: RgbImage; title: string }[] = blockImage(3)) {
  const host = new FakeHost();
  setJupyterHost(host);
  const model = fakeModel(score, { width: SIZE, height: SIZE, batchSize: 8 });
  const widget = explore(model, photos, { settings });
  return { host, widget, comm: host.opened[0].comm };
}

/** The last value the kernel sent for a binary key. */
function lastBuffer(comm: ReturnType<typeof setup>["comm"], key: (typeof BINARY_KEYS)[number]): Uint8Array | undefined {
  for (let i = comm.sent.length - 1; i >= 0; i--) {
    const m = comm.sent[i];
    const paths = (m.data.buffer_paths ?? []) as string[][];
    const at = paths.findIndex((p) => p[0] === key);
    if (m.data.method === "update" && at >= 0) return m.buffers[at];
  }
  return undefined;
}

/** Mask of a region list through a Uint16 little-endian label map (as the view rebuilds it). */
function maskFromLabels(labelBytes: Uint8Array, regions: readonly number[]): Uint8Array {
  const view = new DataView(labelBytes.buffer, labelBytes.byteOffset, labelBytes.byteLength);
  const set = new Set(regions);
  return Uint8Array.from({ length: labelBytes.length / 2 }, (_, p) => (set.has(view.getUint16(p * 2, true)) ? 1 : 0));
}

describe("group viewer: what the kernel sends", () => {
  after(() => setJupyterHost(undefined));

  it("a LIMA result carries its prefix groups: all 16, highest score first, region lists that make the division's masks", async () => {
    const { widget, comm } = setup();
    await widget.whenIdle();
    assert.equal(widget.get().status, "done", widget.get().error);
    const r = (widget.get().results as MethodResult[])[0];
    assert.equal(r.method, "lima");
    const groups = r.groups!;
    assert.ok(groups, "LIMA's result has groups");
    assert.equal(r.groups_total, 16, "one prefix group per region");
    assert.equal(groups.length, 16);
    for (let k = 1; k < groups.length; k++) assert.ok(groups[k - 1].score >= groups[k].score, `ranked by score: ${groups.map((g) => g.score).join(", ")}`);
    assert.deepEqual([...groups.map((g) => g.index)].sort((a, b) => a - b), Array.from({ length: 16 }, (_, i) => i), "each group once");
    const labels = lastBuffer(comm, "labels")!;
    assert.equal(labels.length, SIZE * SIZE * 2);
    for (const g of groups) {
      // LIMA's group i is the prefix of its order with i + 1 regions (src/methods/sop/groups.ts).
      assert.deepEqual(g.regions, r.order.slice(0, g.index + 1), `group ${g.index} is the order's prefix`);
      assert.equal(g.mask, null, "region groups travel as region lists, not PNGs");
      const mask = maskFromLabels(labels, g.regions!);
      assert.equal(mask.reduce((a, b) => a + b, 0), g.pixels, "its area through the label map");
      assert.equal(g.pixels, 64 * (g.index + 1), "grid regions of 8×8 pixels");
    }
    assert.equal(lastBuffer(comm, "group_masks_png")!.length, 0, "no mask PNGs needed");
    // The full prefix reveals the photo: the scores (marginal gains) add up to p(full) − p(baseline) of LIMA's curve.
    const total = groups.reduce((a, g) => a + g.score, 0);
    const explanation = r.insertion.y;
    assert.ok(Math.abs(total - (explanation[explanation.length - 1] - explanation[0])) < 1e-6, `Σ gains ${total} vs curve ends ${explanation[0]}..${explanation.at(-1)}`);
  });

  it("a method without groups (RISE) and the compared method send none; a photo switch clears them", async () => {
    const { widget, comm } = setup({ ...small, method: "rise", compare: "lima" }, [
      { image: blockImage(3), title: "a" },
      { image: blockImage(4), title: "b" },
    ]);
    await widget.whenIdle();
    const results = widget.get().results as MethodResult[];
    assert.deepEqual(results.map((r) => r.method), ["rise", "lima"]);
    assert.ok(results.every((r) => r.groups === undefined), "groups only for the shown method, and RISE has none");
    widget.update({ method: "lima", compare: "" });
    await widget.whenIdle();
    assert.equal((widget.get().results as MethodResult[])[0].groups?.length, 16);
    widget.showPhoto(1);
    assert.deepEqual(widget.get().results, [], "the old photo's groups go with its results");
    assert.equal(lastBuffer(comm, "group_masks_png")!.length, 0);
    await widget.whenIdle();
  });
});

describe("groupPayload", () => {
  const division: Division = divide(blockImage(3), { method: "grid", regions: 4 });
  const maskOf = (regions: number[]) => Uint8Array.from(division.labels, (l) => (regions.includes(l) ? 1 : 0));

  it("ranks by score (ties: the method's order; NaN last) and caps the list", () => {
    const groups: AttributionGroup[] = [0.1, -0.5, 0.7, 0.1, NaN, 0.3].map((score, i) => ({ score, mask: maskOf([i % 4]), regions: [i % 4] }));
    const all = groupPayload(groups, division);
    assert.deepEqual(all.groups.map((g) => g.index), [2, 5, 0, 3, 1, 4]);
    assert.deepEqual(all.groups.map((g) => g.score), [0.7, 0.3, 0.1, 0.1, -0.5, NaN]);
    assert.equal(all.total, 6);
    const top = groupPayload(groups, division, { max: 2 });
    assert.deepEqual(top.groups.map((g) => g.index), [2, 5]);
    assert.equal(top.total, 6, "the total counts the groups left out");
    assert.equal(MAX_VIEWER_GROUPS, 50);
    const many: AttributionGroup[] = Array.from({ length: 120 }, (_, i) => ({ score: Math.sin(i), mask: maskOf([i % 4]), regions: [i % 4] }));
    const capped = groupPayload(many, division);
    assert.equal(capped.groups.length, 50);
    const best = [...many.keys()].sort((a, b) => many[b].score - many[a].score).slice(0, 50);
    assert.deepEqual(capped.groups.map((g) => g.index), best, "the 50 highest scores");
  });

  it("a group that is not exactly its regions' union, or has none, travels as a mask PNG that decodes to its mask", async () => {
    const odd = maskOf([0]);
    odd[odd.indexOf(0)] = 1; // one pixel outside region 0
    const pixelMask = new Uint8Array(SIZE * SIZE).map((_, p) => ((p * 7) % 5 === 0 ? 1 : 0));
    const groups: AttributionGroup[] = [
      { score: 3, mask: maskOf([1, 2]), regions: [1, 2] },
      { score: 2, mask: odd, regions: [0] },
      { score: 1, mask: pixelMask },
      { score: 0, mask: maskOf([3]), regions: [9] },
    ];
    const payload = groupPayload(groups, division);
    assert.deepEqual(payload.groups.map((g) => g.regions), [[1, 2], null, null, null]);
    assert.deepEqual(payload.groups.map((g) => g.pixels), [512, 257, pixelMask.reduce((a, b) => a + b, 0), 256]);
    assert.equal(payload.groups[0].mask, null);
    for (const [rank, expected] of [[1, odd], [2, pixelMask], [3, maskOf([3])]] as const) {
      const [offset, length] = payload.groups[rank].mask!;
      const { data, info } = await sharp(payload.masksPng.subarray(offset, offset + length)).raw().toBuffer({ resolveWithObject: true });
      assert.deepEqual([info.width, info.height], [SIZE, SIZE]);
      const decoded = Uint8Array.from({ length: SIZE * SIZE }, (_, p) => (data[p * info.channels] > 127 ? 1 : 0));
      assert.deepEqual(decoded, expected, `rank ${rank}'s PNG is its mask`);
    }
    assert.equal(payload.groups[3].mask![0] + payload.groups[3].mask![1], payload.masksPng.length, "the PNGs back to back");
  });

  it("refuses a mask of the wrong size and a bad cap, naming them", () => {
    assert.throws(() => groupPayload([{ score: 1, mask: new Uint8Array(10) }], division), /group 0's mask has 10 pixels; the 32×32 division needs 1024/);
    assert.throws(() => groupPayload([], division, { max: -1 }), /max -1 is not allowed: use an integer ≥ 0/);
  });
});
