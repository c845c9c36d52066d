import assert from "node:assert/strict";
import test from "node:test";
import { UsageError } from "../../src/cli/args";
import { EXPLAIN_PARAMS, parseExplainFlags } from "../../src/cli/explain";
import { flagOf } from "../../src/cli/flags";
import { divide } from "../../src/division";
import { EVAL_PARAMS, parseEvalFlags } from "../../src/eval/cli";
import { methodSettings } from "../../src/eval/methods";
import { Explainer } from "../../src/explain/explainer";
import { METHODS } from "../../src/methods/registry";
import { DIVISION, LAMBDAS, NP, PRESETS, REGIONS, schemaForFrontEnd } from "../../src/params/lima";
import type { NumberParam, ParamSpec } from "../../src/params/types";
import { fakeModel, squareScore } from "../support/fake-model";

/** The value just inside each bound and just outside it. */
function edges(p: NumberParam): { inside: number[]; outside: number[] } {
  const d = p.multipleOf ?? (p.integer ? 1 : Math.min(0.001, (p.max - p.min) / 1000));
  return { inside: [p.min, p.max], outside: [p.min - d, p.max + d] };
}

/** Accepted values for a spec and a few that are not. */
function probes(p: ParamSpec): { inside: unknown[]; outside: unknown[] } {
  if (p.kind === "number") return edges(p);
  if (p.kind === "choice") return { inside: [...p.choices], outside: ["nope", p.choices[0].toUpperCase() + "!"] };
  return { inside: [true, false], outside: [] };
}

const rejects = (f: () => unknown, what: string) => assert.throws(f, (e: unknown) => e instanceof UsageError, what);

test("the schema is well formed: defaults inside their ranges, meanings given, one flag per parameter", () => {
  for (const p of [...EXPLAIN_PARAMS, ...EVAL_PARAMS, ...METHODS.flatMap((m) => m.params)]) {
    assert.ok(p.meaning.length > 10 && p.label, `${p.name} has a label and a meaning`);
    if (p.kind === "number") {
      assert.ok(p.min <= p.default && p.default <= p.max, `${p.name} default in range`);
      if (p.integer) assert.ok(Number.isInteger(p.default));
    }
    if (p.kind === "choice") assert.ok(p.choices.includes(p.default), `${p.name} default is a choice`);
  }
  for (const l of LAMBDAS) assert.equal(l.group, "lambdas", "λ travels nested");
  assert.equal(NP.max, REGIONS.max, "n_p is bounded by the largest |V|");
  const fe = schemaForFrontEnd();
  assert.deepEqual(JSON.parse(JSON.stringify(fe)), fe, "the front end's schema is plain JSON");
  assert.deepEqual(fe.presets.reference, { ...PRESETS.paper, eff: 0 }, "reference = paper without the effectiveness term");
  assert.ok(fe.settings.some((s) => s.name === "regions" && s.kind === "number" && s.min === 2 && s.max === 400));
});

test("lima-xai explain accepts exactly each parameter's range and rejects the value just outside", () => {
  const base = ["--model", "m", "--image", "x.jpg"];
  for (const method of METHODS) {
    for (const p of method.params) {
      const args = (v: unknown) => [...base, "--method", method.name, `--${flagOf(p)}`, String(v)];
      const { inside, outside } = probes(p);
      for (const v of inside) {
        const c = parseExplainFlags(args(v));
        const got = p.group ? (c.methodOptions[p.group] as Record<string, unknown>)[p.name] : c.methodOptions[p.name];
        assert.equal(got, v, `${method.name} --${flagOf(p)} ${v}`);
      }
      for (const v of outside) rejects(() => parseExplainFlags(args(v)), `${method.name} --${flagOf(p)} ${v}`);
    }
  }
  for (const p of EXPLAIN_PARAMS.filter((q) => !METHODS.some((m) => m.params.includes(q)))) {
    const { inside, outside } = probes(p);
    const extra = p.name === "division" ? ["--prior-map", "p.png"] : [];
    for (const v of inside) parseExplainFlags([...base, `--${flagOf(p)}`, String(v), ...extra]);
    for (const v of outside) rejects(() => parseExplainFlags([...base, `--${flagOf(p)}`, String(v), ...extra]), `--${flagOf(p)} ${v}`);
  }
  rejects(() => parseExplainFlags([...base, "--method", "rise", "--np", "4"]), "a flag of another method");
  rejects(() => parseExplainFlags([...base, "--regions-from", "l.png", "--regions", "9"]), "--regions-from with --regions");
});

test("lima-xai eval accepts exactly each parameter's range and rejects the value just outside", () => {
  const base = ["--model", "m", "--images", "folder", "--out", "r.jsonl"];
  for (const p of EVAL_PARAMS) {
    // n_p up to |V|: probe it with the largest |V|.
    const context = p === NP ? ["--regions", String(REGIONS.max)] : p === REGIONS ? ["--np", String(NP.min)] : p.name === "target" ? ["--labels-from-filename"] : [];
    const { inside, outside } = probes(p);
    for (const v of inside) {
      const c = parseEvalFlags([...base, ...context, `--${flagOf(p)}`, String(v)], { listFiles: false });
      assert.ok(c, `--${flagOf(p)} ${v}`);
    }
    for (const v of outside) {
      if (p.name === "division" && v === "prior") continue;
      rejects(() => parseEvalFlags([...base, ...context, `--${flagOf(p)}`, String(v)], { listFiles: false }), `eval --${flagOf(p)} ${v}`);
    }
  }
  rejects(() => parseEvalFlags([...base, "--division", "prior"], { listFiles: false }), "eval has no per-photo prior map");
  assert.ok(DIVISION.choices.includes("prior"));
});

test("the library resolves each method's options over exactly the schema's range", () => {
  const model = fakeModel(squareScore, { width: 24, height: 24 });
  for (const method of METHODS) {
    for (const p of method.params) {
      const given = (v: unknown) => (p.group ? { [p.group]: { [p.name]: v } } : { [p.name]: v });
      const { inside, outside } = probes(p);
      for (const v of inside) {
        method.create(model, given(v));
        const s = methodSettings(method.name, { [method.name]: given(v) });
        assert.equal(p.group ? (s[p.group] as Record<string, unknown>)[p.name] : s[p.name], v, `${method.name}.${p.name} = ${v} is recorded`);
      }
      for (const v of outside) assert.throws(() => method.create(model, given(v)), RangeError, `${method.name}.${p.name} = ${v}`);
    }
  }
});

test("the Explainer and divide() hold n_p, λ and |V| to the schema's ranges", () => {
  const model = fakeModel(squareScore, { width: 24, height: 24 });
  for (const v of edges(NP).inside) assert.equal(new Explainer(model, { np: v }).options.np, v);
  for (const v of edges(NP).outside) assert.throws(() => new Explainer(model, { np: v }), RangeError);
  for (const l of LAMBDAS) {
    for (const v of edges(l).inside) assert.equal(new Explainer(model, { lambdas: { [l.name]: v } }).options.lambdas[l.name as "cons"], v);
    for (const v of edges(l).outside) assert.throws(() => new Explainer(model, { lambdas: { [l.name]: v } }), RangeError);
  }
  const image = { width: 48, height: 48, data: Float32Array.from({ length: 48 * 48 * 3 }, (_, i) => (i * 37) % 256) };
  for (const v of edges(REGIONS).outside) {
    assert.throws(() => divide(image, { method: "slico", regions: v }), /regions .* is not allowed: use an integer in 2\.\.400/);
    assert.throws(() => divide(image, { method: "grid", regions: v }), /regions .* is not allowed: use an integer in 2\.\.400/);
  }
  assert.equal(divide(image, { method: "grid", regions: REGIONS.max }).count, 400, "|V| = 400 = 20² is a grid");
  assert.ok(divide(image, { method: "slico", regions: REGIONS.min }).count >= 1, "|V| = 2 is a SLICO target");
  assert.ok(divide(image, { method: "slico", regions: REGIONS.max }).count > 100, "|V| = 400 is a SLICO target");
});
