/**
 * The values the schema holds are not written a second time elsewhere: types derived from the
 * choices, library defaults taken from the specs, the bench scripts' |V| and n_p, prior's m, and
 * the batch that follows the device.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import test from "node:test";
import { UsageError } from "../../src/cli/args";
import { EXPLAIN_USAGE, parseExplainFlags } from "../../src/cli/explain";
import { divide, PRIOR_REGIONS } from "../../src/division";
import { EVAL_USAGE, parseEvalFlags } from "../../src/eval/cli";
import type { SearchKind } from "../../src/explain/options";
import { AMORTISED_DEFAULTS, SALVAGE_DEFAULTS, SALVAGE_PARAMS } from "../../src/methods/salvage";
import { SESSION_DEFAULTS } from "../../src/model/onnx";
import { BASELINE, BATCH, CONFIDENCE, REGIONS, SEARCH, SEED } from "../../src/params/lima";
import type { ConfidenceKind } from "../../src/score/options";
import { REPO } from "../support/paths";

/** True when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

test("SearchKind and ConfidenceKind are the schema's choices (types derived, choices literal)", () => {
  // Compile-time: these lines do not build if a type is written apart from its spec or the choices widen to string.
  const searchIsChoices: Equal<SearchKind, (typeof SEARCH.choices)[number]> = true;
  const confidenceIsChoices: Equal<ConfidenceKind, (typeof CONFIDENCE.choices)[number]> = true;
  const searchLiteral: Equal<SearchKind, string> = false;
  const confidenceLiteral: Equal<ConfidenceKind, string> = false;
  assert.deepEqual([searchIsChoices, confidenceIsChoices, searchLiteral, confidenceLiteral], [true, true, false, false]);
  const searches: Record<SearchKind, true> = { bidirectional: true, greedy: true, fast: true };
  const confidences: Record<ConfidenceKind, true> = { entropy: true, edl: true };
  assert.deepEqual(Object.keys(searches), [...SEARCH.choices]);
  assert.deepEqual(Object.keys(confidences), [...CONFIDENCE.choices]);
});

test("SALVAGE's library defaults are its schema's: every parameter, the shared baseline and seed included", () => {
  for (const p of SALVAGE_PARAMS) assert.equal(SALVAGE_DEFAULTS[p.name as keyof typeof SALVAGE_DEFAULTS], p.default, `SALVAGE_DEFAULTS.${p.name}`);
  assert.ok(SALVAGE_PARAMS.includes(BASELINE) && SALVAGE_PARAMS.includes(SEED));
  assert.deepEqual([AMORTISED_DEFAULTS.baseline, AMORTISED_DEFAULTS.seed, AMORTISED_DEFAULTS.regions], [BASELINE.default, SEED.default, REGIONS.default]);
});

test("the bench scripts take |V| and n_p from the schema: no literal 49 or n_p 8 in their code", () => {
  const dir = path.join(REPO, "bench");
  const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));
  assert.ok(files.length >= 5);
  const found: string[] = [];
  for (const f of files) {
    // Comments may say "|V| = 49"; code may name result files (bidirectional-49.json).
    const code = readFileSync(path.join(dir, f), "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    code.split("\n").forEach((line, i) => {
      if (/(?<![\w.-])49(?![\w.])/.test(line) || /\bnp:\s*8\b|n_p 8\b/.test(line)) found.push(`bench/${f}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(found, []);
});

test("prior's m is its strategy's own parameter: --regions with --division prior, default 25 (not slico's 49), a divisor of N² = 100", () => {
  const base = ["--model", "m", "--image", "x.jpg", "--division", "prior", "--prior-map", "p.png"];
  assert.deepEqual(parseExplainFlags(base).division, { method: "prior", file: "p.png", m: PRIOR_REGIONS.default });
  assert.equal(PRIOR_REGIONS.default, 25);
  assert.deepEqual(parseExplainFlags([...base, "--regions", "20"]).division, { method: "prior", file: "p.png", m: 20 });
  assert.throws(() => parseExplainFlags([...base, "--regions", "49"]), (e: unknown) => e instanceof UsageError && /--regions 49 is not allowed with --division prior: use a divisor of N² = 100 \(2, 4, 5, 10, 20, 25, 50, 100\)/.test(e.message));
  assert.throws(() => parseExplainFlags([...base, "--regions", "101"]), /--regions "101" is not allowed: use an integer in 2\.\.100/);
  assert.equal(parseExplainFlags(["--model", "m", "--image", "x.jpg"]).division.method === "slico" && (parseExplainFlags(["--model", "m", "--image", "x.jpg"]).division as { regions: number }).regions, REGIONS.default);
  assert.match(EXPLAIN_USAGE, /prior --regions \(default 25: number of regions of the prior division/);
  const map = { width: 20, height: 20, data: Float32Array.from({ length: 400 }, (_, i) => i) };
  const image = { width: 20, height: 20, data: new Float32Array(1200) };
  assert.equal(divide(image, { method: "prior", map }).count, PRIOR_REGIONS.default, "the library's default is the spec's");
});

test("without --batch, explain and eval take the device's batch (SESSION_DEFAULTS: 128 on cuda), and --help says so", () => {
  const explain = ["--model", "m", "--image", "x.jpg"];
  const evaluate = ["--model", "m", "--images", "folder", "--out", "r.jsonl"];
  assert.equal(SESSION_DEFAULTS.batchSize.cuda, 128);
  assert.equal(BATCH.default, SESSION_DEFAULTS.batchSize.cpu, "the schema's default is the cpu one");
  for (const [device, batch] of Object.entries(SESSION_DEFAULTS.batchSize)) {
    assert.equal(parseExplainFlags([...explain, "--device", device]).batchSize, batch, `explain --device ${device}`);
    assert.equal(parseEvalFlags([...evaluate, "--device", device], { listFiles: false }).batchSize, batch, `eval --device ${device}`);
  }
  assert.equal(parseEvalFlags([...evaluate, "--device", "cuda"], { listFiles: false }).batchSize, 128);
  assert.equal(parseEvalFlags([...evaluate], { listFiles: false }).batchSize, 32);
  assert.equal(parseEvalFlags([...evaluate, "--device", "cuda", "--batch", "16"], { listFiles: false }).batchSize, 16, "an explicit --batch wins");
  assert.equal(parseExplainFlags([...explain, "--device", "cuda", "--batch", "4096"]).batchSize, 4096);
  for (const usage of [EXPLAIN_USAGE, EVAL_USAGE]) assert.match(usage, /--batch <1\.\.4096> +images per model call; without it, the device's default .*\(default 32 on cpu, 128 on cuda\)/);
});
