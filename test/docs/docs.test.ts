/**
 * The documents in the repository against the code: the README's model-card example parses and
 * its field table states parseModelCard's defaults; docs/METHOD.md's defaults table lists every
 * parameter of the schema with its current default and flag (and nothing else); every relative
 * link in README.md and docs/*.md leads to a file that exists.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import test from "node:test";
import { BATCH_FLAG } from "../../src/cli/batch";
import { EXPLAIN_PARAMS } from "../../src/cli/explain";
import { EXPLORE_PARAMS } from "../../src/cli/explore";
import { flagOf } from "../../src/cli/flags";
import { FELZENSZWALB_PARAMS } from "../../src/division";
import { EVAL_PARAMS } from "../../src/eval/cli";
import { METHODS } from "../../src/methods/registry";
import { METRICS } from "../../src/metrics/registry";
import { parseModelCard } from "../../src/model/card";
import { ATTEMPTS, LIMIT, PORT } from "../../src/params/commands";
import { DEVICE, DIVISION_PARAMS, LIMA_PARAMS } from "../../src/params/lima";
import type { ParamSpec } from "../../src/params/types";
import { FAST_DEFAULTS } from "../../src/search/fast";
import { REPO } from "../support/paths";

const README = path.join(REPO, "README.md");
const METHOD = path.join(REPO, "docs", "METHOD.md");

/** The text under a heading (the heading line matched exactly), up to the next heading of the same or a higher level. */
function section(markdown: string, heading: string): string {
  const lines = markdown.split("\n");
  const start = lines.findIndex((l) => l.trim() === heading);
  if (start < 0) throw new Error(`heading ${JSON.stringify(heading)} not found`);
  const level = /^#+/.exec(heading)![0].length;
  const end = lines.findIndex((l, i) => i > start && /^#+ /.test(l) && /^#+/.exec(l)![0].length <= level);
  return lines.slice(start + 1, end < 0 ? undefined : end).join("\n");
}

/** The body of the first fenced block of a language in `text`. */
function firstFence(text: string, language: string): string {
  const m = new RegExp("^```" + language + "\\s*\\n([\\s\\S]*?)^```", "m").exec(text);
  if (!m) throw new Error(`no \`\`\`${language} block found`);
  return m[1];
}

/** Cells of a markdown table row: split on unescaped pipes, trimmed, `\|` unescaped. */
function cells(row: string): string[] {
  return row.trim().replace(/^\|/, "").replace(/\|$/, "").split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, "|"));
}

/** The body rows of the table whose header row's cells are exactly `header`. */
function tableRows(markdown: string, header: readonly string[]): string[][] {
  const lines = markdown.split("\n");
  const at = lines.findIndex((l) => l.trim().startsWith("|") && JSON.stringify(cells(l)) === JSON.stringify(header));
  if (at < 0) throw new Error(`no table with header ${header.join(" | ")}`);
  const rows: string[][] = [];
  for (let i = at + 2; i < lines.length && lines[i].trim().startsWith("|"); i++) rows.push(cells(lines[i]));
  return rows;
}

const unquote = (cell: string): string => cell.replace(/`/g, "").trim();

/** A table cell against a default: numbers by value (so 1e-7 and 0.0000001 agree), the rest as text. */
function sameDefault(cell: string, value: number | string | boolean): boolean {
  const text = unquote(cell);
  return typeof value === "number" ? text !== "" && Number(text) === value : text === String(value);
}

const fullName = (p: ParamSpec): string => (p.group ? `${p.group}.${p.name}` : p.name);

/** Every scope the defaults table may name, with its parameters. */
function scopes(): Map<string, readonly ParamSpec[]> {
  const out = new Map<string, readonly ParamSpec[]>();
  for (const m of METHODS) out.set(m.name, m.params);
  out.set("division", DIVISION_PARAMS);
  out.set("felzenszwalb", FELZENSZWALB_PARAMS);
  out.set("model", [BATCH_FLAG, DEVICE]);
  out.set("eval", [LIMIT, ATTEMPTS]);
  out.set("explore", [PORT]);
  for (const metric of METRICS) if (metric.params.length > 0) out.set(metric.name, metric.params);
  return out;
}

test("README: the model-card example under 'Bring your own model' parses with parseModelCard", () => {
  const byom = section(readFileSync(README, "utf8"), "### Bring your own model: PyTorch or Keras");
  const raw = JSON.parse(firstFence(byom, "json")) as Record<string, unknown>;
  const card = parseModelCard(raw, "README example");
  assert.equal(card.resize, "shorter-side-256-center-crop");
  assert.deepEqual(card.size, [224, 224]);
  assert.equal(typeof card.features, "string", "the worked example shows the features output too");
});

test("README: the card field table's required fields and defaults are parseModelCard's", () => {
  const byom = section(readFileSync(README, "utf8"), "### Bring your own model: PyTorch or Keras");
  const example = JSON.parse(firstFence(byom, "json")) as Record<string, unknown>;
  const rows = tableRows(byom, ["field", "required", "default", "meaning"]);
  const fields = rows.map((r) => unquote(r[0]));
  for (const key of Object.keys(example)) assert.ok(fields.includes(key), `the example's field "${key}" is in the table`);
  const required = rows.filter((r) => r[1] === "yes").map((r) => unquote(r[0]));
  assert.deepEqual([...required].sort(), ["file", "input", "name", "output", "size"]);
  for (const key of fields) {
    const without = { ...example };
    delete without[key];
    if (required.includes(key)) assert.throws(() => parseModelCard(without), new RegExp(`"${key}"`), `a card without "${key}" is refused`);
    else assert.doesNotThrow(() => parseModelCard(without), `a card without "${key}" is accepted`);
  }
  const minimal = parseModelCard({ name: "m", file: "m.onnx", input: "x", output: "y", size: [8, 8] }) as unknown as Record<string, unknown>;
  for (const r of rows.filter((row) => unquote(row[2]) !== "")) {
    const key = unquote(r[0]);
    assert.deepEqual(minimal[key], JSON.parse(/^[[\d]/.test(unquote(r[2])) ? unquote(r[2]) : JSON.stringify(unquote(r[2]))), `default of "${key}"`);
  }
});

test("docs/METHOD.md: every parameter appears in the defaults table with its current default and flag, and every row is a real parameter", () => {
  const rows = tableRows(readFileSync(METHOD, "utf8"), ["where", "parameter", "flag", "default", "range", "why this default"]);
  const known = scopes();
  const cliSpecs = new Set<ParamSpec>([...EXPLAIN_PARAMS, ...EVAL_PARAMS, ...EXPLORE_PARAMS]);
  const covered = new Set<string>();
  const problems: string[] = [];
  for (const row of rows) {
    const [where, parameter, flag, value, , why] = row;
    const name = unquote(parameter);
    if (!why) problems.push(`${where} ${name}: no reason given`);
    for (const scope of where.split(",").map((s) => s.trim())) {
      const spec = known.get(scope)?.find((p) => fullName(p) === name);
      if (!spec) {
        problems.push(`row "${where} | ${name}": ${known.has(scope) ? `${scope} has no parameter ${name}` : `unknown scope ${scope}`}`);
        continue;
      }
      covered.add(`${scope}/${name}`);
      if (!sameDefault(value, spec.default)) problems.push(`${scope} ${name}: the table says ${value}, the code's default is ${String(spec.default)}`);
      if (cliSpecs.has(spec) && !flag.includes(`\`--${flagOf(spec)}\``)) problems.push(`${scope} ${name}: flag --${flagOf(spec)} missing from "${flag}"`);
      if (!cliSpecs.has(spec) && flag !== "—") problems.push(`${scope} ${name}: has no command-line flag, the table says ${flag}`);
    }
  }
  for (const [scope, specs] of known) for (const p of specs) if (!covered.has(`${scope}/${fullName(p)}`)) problems.push(`${scope} ${fullName(p)} (default ${String(p.default)}) is not in the table`);
  for (const p of LIMA_PARAMS) if (!covered.has(`lima/${fullName(p)}`)) problems.push(`LIMA_PARAMS ${fullName(p)} is not in the table`);
  assert.deepEqual(problems, []);
});

test("docs/METHOD.md: the fast search's fixed choices are FAST_DEFAULTS", () => {
  const rows = tableRows(readFileSync(METHOD, "utf8"), ["where", "parameter", "default", "why"]).filter((r) => r[0] === "fast");
  const listed = new Map(rows.map((r) => [unquote(r[1]), r[2]]));
  assert.deepEqual([...listed.keys()].sort(), Object.keys(FAST_DEFAULTS).sort());
  for (const [key, value] of Object.entries(FAST_DEFAULTS)) assert.ok(sameDefault(listed.get(key)!, value), `fast ${key}: table ${listed.get(key)}, code ${value}`);
});

/** Markdown link targets outside code blocks and code spans. */
function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
  const targets = [...prose.matchAll(/\]\(([^)\s]*)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]);
  return targets.filter((t) => !/^(?:[a-z][a-z0-9+.-]*:|#)/i.test(t));
}

test("README.md and docs/*.md: every relative link points to an existing file", () => {
  const files = [README, ...readdirSync(path.join(REPO, "docs")).filter((f) => f.endsWith(".md")).map((f) => path.join(REPO, "docs", f))];
  const broken: string[] = [];
  let count = 0;
  for (const file of files) {
    for (const link of relativeLinks(readFileSync(file, "utf8"))) {
      count++;
      const target = decodeURIComponent(link.split("#")[0]);
      if (target === "" || !existsSync(path.resolve(path.dirname(file), target))) broken.push(`${path.relative(REPO, file)}: ${link}`);
    }
  }
  assert.deepEqual(broken, []);
  assert.ok(relativeLinks(readFileSync(README, "utf8")).includes("docs/METHOD.md"), "the README links docs/METHOD.md");
  assert.ok(count >= 8, `expected the documents' links to be found, found ${count}`);
});

test("the link checker finds broken links and ignores code", () => {
  const md = "see [a](docs/METHOD.md) and [b](missing.md#x), [web](https://x.org), [here](#top)\n`[c](in-code.md)`\n```\n[d](fenced.md)\n```\n";
  assert.deepEqual(relativeLinks(md), ["docs/METHOD.md", "missing.md#x"]);
  assert.deepEqual(cells("| a | `b\\|c` | d |"), ["a", "`b|c`", "d"]);
});

/** The number a paper's text gives the display equation that starts at `start` (the first "(n)" after it). */
function equationNumber(text: string, start: RegExp): number {
  const at = text.search(start);
  if (at < 0) throw new Error(`${start} not found`);
  const m = /\((\d+)\)/.exec(text.slice(at, at + 600));
  if (!m) throw new Error(`no equation number after ${start}`);
  return Number(m[1]);
}

test("citations of the score F(S) name the equations the papers number: LIMA eq. 8, SMDL eq. 9", () => {
  const seeds = path.join(REPO, "..", "shared", "seeds");
  const seed = (prefix: string) => readFileSync(path.join(seeds, readdirSync(seeds).find((f) => f.startsWith(prefix))!), "utf8");
  const lima = equationNumber(seed("000_"), /\\mathcal\{F\}\(S\) = /);
  const smdl = equationNumber(seed("001_"), /F \(S\) = /);
  assert.deepEqual([lima, smdl], [8, 9]);
  const files = [
    ...readdirSync(path.join(REPO, "src"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts")).map((f) => path.join(REPO, "src", f)),
    ...readdirSync(path.join(REPO, "docs")).filter((f) => f.endsWith(".md")).map((f) => path.join(REPO, "docs", f)),
  ];
  const wrong: string[] = [];
  let checked = 0;
  for (const file of files) {
    readFileSync(file, "utf8").split("\n").forEach((line, i) => {
      if (!/F\(S\)|score weights/.test(line)) return;
      for (const m of line.matchAll(/\b(LIMA|SMDL) eq\. (\d+)/g)) {
        checked++;
        if (Number(m[2]) !== (m[1] === "LIMA" ? lima : smdl)) wrong.push(`${path.relative(REPO, file)}:${i + 1}: ${m[0]}`);
      }
    });
  }
  assert.deepEqual(wrong, []);
  assert.ok(checked >= 4, `the F(S) citations were found (${checked})`);
});
