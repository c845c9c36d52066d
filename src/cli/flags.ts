/**
 * Command-line flags and `--help` lines derived from parameter specs (issue 10): a flag's name,
 * its range or choices, its default and its one-line meaning all come from the
 * {@link ParamSpec}, never from a second copy here.
 */
import { checkParam, flagOf, numberKind, type ParamSpec } from "../params/types";
import { UsageError } from "./args";

export { flagOf };

/** What a spec accepts, in words: "an integer in 2..400", "one of slico, grid", "true or false". */
export function allowedText(spec: ParamSpec): string {
  switch (spec.kind) {
    case "number":
      return `${numberKind(spec)} in ${spec.min}..${spec.max}`;
    case "choice":
      return `one of ${spec.choices.join(", ")}`;
    case "boolean":
      return "true or false";
  }
}

/**
 * Specs with distinct flags; a flag shared by several specs (e.g. --baseline, --seed) appears
 * once. Two different specs under one flag are a programming error and throw.
 */
export function uniqueFlags(specs: readonly ParamSpec[]): ParamSpec[] {
  const byFlag = new Map<string, ParamSpec>();
  for (const s of specs) {
    const f = flagOf(s);
    const seen = byFlag.get(f);
    if (seen && seen !== s) throw new TypeError(`flag --${f} is claimed by two different parameters (${seen.label}, ${s.label})`);
    byFlag.set(f, s);
  }
  return [...byFlag.values()];
}

/** node:util parseArgs options for the specs (every value is read as a string and checked here). */
export function flagOptions(specs: readonly ParamSpec[]): Record<string, { type: "string" | "boolean" }> {
  return Object.fromEntries(uniqueFlags(specs).map((s) => [flagOf(s), { type: s.kind === "boolean" ? "boolean" : "string" }]));
}

/** One flag's value, checked against its spec: a {@link UsageError} naming the flag, the value and the range. */
export function parseParamFlag(spec: ParamSpec, raw: string | boolean): number | string | boolean {
  const fail = (): never => {
    throw new UsageError(`--${flagOf(spec)} ${JSON.stringify(raw)} is not allowed: use ${allowedText(spec)}`);
  };
  let value: unknown = raw;
  if (spec.kind === "number") value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
  try {
    return checkParam(spec, value);
  } catch {
    return fail();
  }
}

/**
 * The options object the given flags name, nested by group (λ under `lambdas`); flags left out
 * are left out, so each consumer's defaults (its own specs) apply.
 */
export function readParamFlags(specs: readonly ParamSpec[], values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
    const raw = values[flagOf(spec)];
    if (raw === undefined) continue;
    const value = parseParamFlag(spec, raw as string | boolean);
    if (spec.group) out[spec.group] = { ...(out[spec.group] as object | undefined), [spec.name]: value };
    else out[spec.name] = value;
  }
  return out;
}

/** A value of a spec read with its default when the flag is absent. */
export function flagValue<T extends number | string | boolean>(spec: ParamSpec, values: Readonly<Record<string, unknown>>): T {
  const raw = values[flagOf(spec)];
  return (raw === undefined ? spec.default : parseParamFlag(spec, raw as string | boolean)) as T;
}

/** `--help` lines: flag, range, default, unit and meaning, one line each. */
export function helpLines(specs: readonly ParamSpec[], indent = "  "): string[] {
  return uniqueFlags(specs).map((s) => {
    const range = s.kind === "number" ? `${s.min}..${s.max}` : s.kind === "choice" ? s.choices.join("|") : "";
    const unit = s.kind === "number" && s.unit ? ` ${s.unit}` : "";
    const value = s.kind === "number" && s.defaultText !== undefined ? s.defaultText : `${String(s.default)}${unit}`;
    const head = s.kind === "boolean" ? `--${flagOf(s)}` : `--${flagOf(s)} <${range}>`;
    return `${indent}${head.padEnd(34)} ${s.meaning} (default ${value})`;
  });
}
