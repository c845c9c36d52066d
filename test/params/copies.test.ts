/**
 * The values the schema holds are not written a second time elsewhere: types derived from the
 * choices, library defaults taken from the specs, the bench scripts' |V| and n_p.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import test from "node:test";
import type { SearchKind } from "../../src/explain/options";
import { AMORTISED_DEFAULTS, SALVAGE_DEFAULTS, SALVAGE_PARAMS } from "../../src/methods/salvage";
import { BASELINE, CONFIDENCE, REGIONS, SEARCH, SEED } from "../../src/params/lima";
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
