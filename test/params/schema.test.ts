import assert from "node:assert/strict";
import test from "node:test";
import { UsageError } from "../../src/cli/args";
import { EXPLAIN_PARAMS, parseExplainFlags, strategyParams } from "../../src/cli/explain";
import { EXPLORE_PARAMS, parseExploreFlags } from "../../src/cli/explore";
import { flagOf } from "../../src/cli/flags";
import { divide, DIVISIONS, felzenszwalbDivision, FELZENSZWALB_PARAMS, NAMED_DIVISIONS, PRIOR_REGIONS } from "../../src/division";
import { DEVICES } from "../../src/model/devices";
import { resolveSettings } from "../../src/widgets/explorer";
import { EXPLORER_DIVISION_PARAMS } from "../../src/widgets/schema";
import { PHOTOS } from "../support/paths";
import { EVAL_PARAMS, parseEvalFlags } from "../../src/eval/cli";
import { methodSettings } from "../../src/eval/methods";
import { Explainer } from "../../src/explain/explainer";
import { METHODS } from "../../src/methods/registry";
import { ATTEMPTS, LIMIT, PORT } from "../../src/params/commands";
import { DEVICE, DIVISION, LAMBDAS, NP, PRESETS, REGIONS, schemaForFrontEnd } from "../../src/params/lima";
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

/** The named division strategy a division parameter belongs to (|V| to the default, SLICO; prior's m to prior), or undefined for other parameters. */
const ownerOf = (p: ParamSpec, choices: readonly string[] = DIVISION.choices): string | undefined => {
  // By flag and name: the explorer's controls are copies of the strategies' specs (with `when`).
  const owns = (c: string) => strategyParams(c).some((q) => flagOf(q) === flagOf(p) && q.name === p.name);
  return choices.includes(DIVISION.default) && owns(DIVISION.default) ? DIVISION.default : choices.find(owns);
};

/** `--division <owner>` (and prior's map) for a division parameter of a strategy other than the default. */
const divisionContext = (p: ParamSpec, choices?: readonly string[]): string[] => {
  const owner = ownerOf(p, choices);
  return owner && owner !== DIVISION.default ? ["--division", owner, ...(owner === "prior" ? ["--prior-map", "p.png"] : [])] : [];
};

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

test("the division choices, their parameters and the devices are derived: registry → schema → every front door", () => {
  // --division offers exactly the registry's strategies picked by name; felzenszwalb among them.
  assert.deepEqual(DIVISION.choices, NAMED_DIVISIONS.map((d) => d.name));
  assert.deepEqual(DIVISION.choices, Object.values(DIVISIONS).filter((d) => d.byName).map((d) => d.name));
  assert.ok(DIVISION.choices.includes("felzenszwalb") && !DIVISION.choices.includes("labels") && !DIVISION.choices.includes("masks"));
  assert.match(DIVISION.meaning, /felzenszwalb = Felzenszwalb–Huttenlocher graph segmentation \(\|V\| follows from the scale/);
  assert.deepEqual(DEVICE.choices, [...DEVICES]);
  // explain and eval read each strategy's parameters from a flag; explore and the explorer too.
  for (const p of FELZENSZWALB_PARAMS) {
    assert.ok(EXPLAIN_PARAMS.includes(p) && EVAL_PARAMS.includes(p), `${flagOf(p)} in explain and eval`);
    assert.ok(EXPLORE_PARAMS.some((q) => flagOf(q) === flagOf(p) && q.kind === "number" && q.default === p.default && q.min === p.min && q.max === p.max), `${flagOf(p)} in explore`);
  }
  assert.deepEqual(FELZENSZWALB_PARAMS.map(flagOf), ["fh-scale", "fh-sigma", "fh-min-size"]);
  // The explorer (kernel side and the page's schema) offers felzenszwalb with its scale, shown only under it.
  for (const settings of [EXPLORER_DIVISION_PARAMS, schemaForFrontEnd().settings]) {
    const choice = settings.find((q) => q.name === "division");
    assert.ok(choice?.kind === "choice" && choice.choices.includes("felzenszwalb") && choice.choices.includes("slico"), "felzenszwalb is a division choice");
    const scale = settings.find((q) => q.name === "scale");
    assert.ok(scale?.kind === "number" && scale.default === 500 && scale.min === 1 && scale.max === 100000);
    assert.deepEqual(scale.when, { division: ["felzenszwalb"] });
    assert.deepEqual(settings.find((q) => q.name === "regions")?.when, { division: ["slico", "grid"] }, "|V| is not felzenszwalb's");
  }
  const explorerChoices = (EXPLORER_DIVISION_PARAMS[0] as { choices: readonly string[] }).choices;
  assert.deepEqual(explorerChoices, NAMED_DIVISIONS.filter((d) => d.memoisable).map((d) => d.name), "the explorer offers the strategies that need nothing but the photo");
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
  assert.ok(EXPLAIN_PARAMS.includes(PRIOR_REGIONS), "prior's m is walked too");
  for (const p of EXPLAIN_PARAMS.filter((q) => !METHODS.some((m) => m.params.includes(q)))) {
    const { inside, outside } = probes(p);
    const extra = p.name === "division" ? ["--prior-map", "p.png"] : divisionContext(p);
    for (const v of inside) {
      const c = parseExplainFlags([...base, `--${flagOf(p)}`, String(v), ...extra]);
      if (ownerOf(p) && p !== REGIONS) assert.equal((c.division as unknown as Record<string, unknown>)[p.name], v, `--${flagOf(p)} ${v} reaches the division options`);
      if (p.name === "division") assert.equal(c.division.method, v);
    }
    for (const v of outside) rejects(() => parseExplainFlags([...base, `--${flagOf(p)}`, String(v), ...extra]), `--${flagOf(p)} ${v}`);
  }
  // A strategy's own flag with another strategy is refused, naming the strategy's flags.
  for (const p of FELZENSZWALB_PARAMS) rejects(() => parseExplainFlags([...base, `--${flagOf(p)}`, String(p.default)]), `--${flagOf(p)} with slico`);
  assert.throws(() => parseExplainFlags([...base, "--division", "felzenszwalb", "--regions", "49"]), /--regions is not a parameter of --division felzenszwalb \(\|V\| follows from the scale.*its flags are --fh-scale, --fh-sigma, --fh-min-size/);
  assert.deepEqual(parseExplainFlags([...base, "--division", "felzenszwalb"]).division, { method: "felzenszwalb", scale: 500, sigma: 0.8, minSize: 20 }, "defaults from the schema");
  rejects(() => parseExplainFlags([...base, "--regions-from", "l.png", "--fh-scale", "300"]), "--regions-from with a division flag");
  rejects(() => parseExplainFlags([...base, "--method", "rise", "--np", "4"]), "a flag of another method");
  rejects(() => parseExplainFlags([...base, "--regions-from", "l.png", "--regions", "9"]), "--regions-from with --regions");
});

test("lima-xai eval accepts exactly each parameter's range and rejects the value just outside", () => {
  const base = ["--model", "m", "--images", "folder", "--out", "r.jsonl"];
  assert.ok(EVAL_PARAMS.includes(LIMIT) && EVAL_PARAMS.includes(ATTEMPTS), "--limit and --attempts are walked");
  for (const p of EVAL_PARAMS) {
    // n_p up to |V|: probe it with the largest |V|; --attempts only with --queue.
    const context = p === NP ? ["--regions", String(REGIONS.max)] : p === REGIONS ? ["--np", String(NP.min)] : p.name === "target" ? ["--labels-from-filename"] : p === ATTEMPTS ? ["--queue", "redis://127.0.0.1:6379"] : divisionContext(p);
    const { inside, outside } = probes(p);
    for (const v of inside) {
      const c = parseEvalFlags([...base, ...context, `--${flagOf(p)}`, String(v)], { listFiles: false });
      assert.ok(c, `--${flagOf(p)} ${v}`);
      if (p === ATTEMPTS) assert.equal(c.attempts, v);
    }
    for (const v of outside) {
      if (p.name === "division" && v === "prior") continue;
      rejects(() => parseEvalFlags([...base, ...context, `--${flagOf(p)}`, String(v)], { listFiles: false }), `eval --${flagOf(p)} ${v}`);
    }
  }
  rejects(() => parseEvalFlags([...base, "--division", "prior"], { listFiles: false }), "eval has no per-photo prior map");
  assert.throws(() => parseEvalFlags([...base, "--limit", "0"], { listFiles: false }), /--limit "0" is not allowed: use an integer in 1\.\.1000000/);
  assert.throws(() => parseEvalFlags([...base, "--queue", "redis://127.0.0.1:6379", "--attempts", "101"], { listFiles: false }), /--attempts "101" is not allowed: use an integer in 1\.\.100/);
  assert.equal(parseEvalFlags([...base, "--queue", "redis://127.0.0.1:6379"], { listFiles: false }).attempts, ATTEMPTS.default);
  const fh = parseEvalFlags([...base, "--division", "felzenszwalb", "--fh-scale", "300"], { listFiles: false });
  assert.deepEqual(fh.methodOptions.division, { method: "felzenszwalb", scale: 300, sigma: 0.8, minSize: 20 }, "eval divides every photo by felzenszwalb, recorded with its options");
  rejects(() => parseEvalFlags([...base, "--division", "felzenszwalb", "--regions", "16"], { listFiles: false }), "--regions with felzenszwalb");
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

test("lima-xai explore accepts exactly each parameter's range and rejects the value just outside; the explorer's settings too", () => {
  const base = ["--model", "m", "--image", `${PHOTOS}/pelican.jpeg`];
  const choices = (EXPLORER_DIVISION_PARAMS[0] as { choices: readonly string[] }).choices;
  assert.ok(EXPLORE_PARAMS.includes(PORT), "--port is walked");
  for (const p of EXPLORE_PARAMS) {
    const { inside, outside } = probes(p);
    const context = divisionContext(p, choices);
    for (const v of inside) {
      const { request, port } = parseExploreFlags([...base, ...context, `--${flagOf(p)}`, String(v)]);
      const division = request.settings?.division as Record<string, unknown> | undefined;
      const got = p === PORT ? port : p.name === "device" ? request.device : p.name === "preset" ? request.settings?.params?.lima?.preset : division?.[p.name];
      assert.equal(got, v, `explore --${flagOf(p)} ${v}`);
    }
    for (const v of outside) rejects(() => parseExploreFlags([...base, ...context, `--${flagOf(p)}`, String(v)]), `explore --${flagOf(p)} ${v}`);
  }
  assert.throws(() => parseExploreFlags([...base, "--fh-scale", "300"]), /--fh-scale is not a parameter of --division slico: it applies to --division felzenszwalb/);
  assert.throws(() => parseExploreFlags([...base, "--division", "felzenszwalb", "--regions", "9"]), /--regions is not a parameter of --division felzenszwalb/);
  // The kernel side checks the same ranges when the page (or a notebook) sends division settings.
  for (const p of EXPLORER_DIVISION_PARAMS.filter((q) => q.kind === "number")) {
    const division = p.when?.division[0] ?? DIVISION.default;
    const { inside, outside } = probes(p);
    for (const v of inside) assert.equal(resolveSettings({ division: { division, [p.name]: v } }, 2).division[p.name], v);
    for (const v of outside) assert.throws(() => resolveSettings({ division: { division, [p.name]: v } }, 2), RangeError, `explorer ${p.name} ${v}`);
  }
  assert.throws(() => resolveSettings({ division: { division: "labels" } }, 2), /division "labels" is not allowed: use one of slico, grid, felzenszwalb/);
});

test("felzenszwalb: the division holds scale, σ and min size to their ranges, and its |V| to the REGIONS range", () => {
  const image = { width: 48, height: 48, data: Float32Array.from({ length: 48 * 48 * 3 }, (_, i) => ((i * 37) % 256) * ((i % 3) / 2)) };
  for (const p of FELZENSZWALB_PARAMS) {
    const { inside, outside } = probes(p);
    for (const v of inside) assert.ok(felzenszwalbDivision(image, { [p.name]: v }).count >= 1, `${p.name} ${v}`);
    for (const v of outside) assert.throws(() => felzenszwalbDivision(image, { [p.name]: v }), new RegExp(`felzenszwalb ${p.name} ${v} is not allowed: use ${p.integer ? "an integer" : "a number"} in ${p.min}\\.\\.${p.max}`));
  }
  // Through the registry, the count the scale gives must be a |V| the searches take.
  assert.throws(() => divide(image, { method: "felzenszwalb", scale: 100000 }), /felzenszwalb at scale 100000 gave 1 regions; \|V\| must be 2\.\.400: lower the scale/);
  const d = divide(image, { method: "felzenszwalb", scale: 50, minSize: 5 });
  assert.ok(d.count >= REGIONS.min && d.count <= REGIONS.max);
  assert.equal(d.count, felzenszwalbDivision(image, { scale: 50, minSize: 5 }).count);
});
