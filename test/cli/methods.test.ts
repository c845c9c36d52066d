import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import test from "node:test";
import { flagOf } from "../../src/cli/flags";
import { METHODS } from "../../src/methods/registry";
import { tempDir } from "../support/onnx-graphs";
import { MODELS, PHOTOS, REPO } from "../support/paths";

const BIN = path.join(REPO, "bin/lima-xai.js");
const env = { ...process.env, LIMA_XAI_MODELS: MODELS };

/** Cheap settings by parameter name, so every registered method runs in a few seconds on squeezenet. */
const SMALL: Record<string, string> = { masks: "8", designs: "8", samples: "8", patch: "112", stride: "112", grid: "2", np: "2" };

for (const method of METHODS) {
  test(`lima-xai explain --method ${method.name} prints the shared result and writes map.png`, () => {
    const out = tempDir(`explain-${method.name}-`);
    const flags = method.params.filter((p) => !p.group && p.name in SMALL).flatMap((p) => [`--${flagOf(p)}`, SMALL[p.name]]);
    const r = spawnSync(process.execPath, [BIN, "explain", "--model", "squeezenet1.1-fp32", "--image", path.join(PHOTOS, "pelican.jpeg"), "--method", method.name, "--division", "grid", "--regions", "4", ...flags, "--json", "--out", out], { env, encoding: "utf8", timeout: 300_000 });
    if (method.needs && r.status !== 0) {
      // A method that needs a trained artefact ("needs") it cannot find fails with one readable line.
      assert.equal(r.status, 1, r.stderr);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`lima-xai explain: .*${method.name}`, "i"));
      return;
    }
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.method, method.name);
    assert.deepEqual(j.target, { index: 144, label: "pelican" }, "the predicted class");
    assert.ok(j.forwardPasses > 0);
    if (method.usesDivision) assert.equal(j.regions, 4);
    const lima = method.params.some((p) => p.name === "preset");
    assert.equal("insertion" in j, lima, "region curves only for the submodular methods");
    assert.ok(existsSync(path.join(out, "map.png")) && existsSync(path.join(out, "result.json")));
    assert.equal(existsSync(path.join(out, "curves.html")), lima);
  });
}
