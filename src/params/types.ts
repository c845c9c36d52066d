/**
 * Parameters described once, as plain data (issue 10). Every front door — CLI flags and
 * `--help`, the kernel-side widget's defaults and validation, the explorer's sliders and
 * tooltips, the page's URL settings — derives from a {@link ParamSpec}, never from a second copy
 * of a default or a range.
 */

/** A numeric parameter: a slider in the explorer, a `--flag <number>` in the CLI. */
export interface NumberParam {
  readonly kind: "number";
  /** Key in the options object, e.g. "np" or "cons" (inside `lambdas`). */
  readonly name: string;
  /** Short label for sliders and tables, e.g. "λ_cons" or "n_p". */
  readonly label: string;
  /** Options sub-object the value lives in, e.g. "lambdas" for λ_cons (absent: top level). */
  readonly group?: string;
  /** CLI flag without the dashes (default: the name, or "<group-singular>-<name>"; see src/params/flags.ts). */
  readonly flag?: string;
  readonly default: number;
  /** Inclusive bounds: the front doors accept exactly [min, max]. */
  readonly min: number;
  readonly max: number;
  /** Only integers allowed. */
  readonly integer?: boolean;
  /** Only multiples of this (e.g. 2: even numbers). */
  readonly multipleOf?: number;
  /** Slider step (defaults to 1 for integers, (max − min)/100 otherwise). */
  readonly step?: number;
  /**
   * How `--help` states the default when the value in force depends on another parameter or reads
   * better in words (the device's batch, "every image" for --limit); absent: the default itself.
   */
  readonly defaultText?: string;
  /** Unit, e.g. "regions", "masks", "forward passes"; omitted when unitless. */
  readonly unit?: string;
  /** One line: what it means (the tooltip and the `--help` text). */
  readonly meaning: string;
  /**
   * Applies only when each named sibling parameter has one of the listed values, e.g.
   * `{ division: ["felzenszwalb"] }` for the scale; the explorer hides the control otherwise.
   * Checking a value ignores it.
   */
  readonly when?: Readonly<Record<string, readonly string[]>>;
}

/**
 * A parameter with a fixed set of values: a select in the explorer. `C` is the union of its
 * choices when they are written `as const` (see {@link choiceParam}); a type such as SearchKind
 * is then derived from the spec ({@link ChoiceOf}) instead of being written a second time.
 */
export interface ChoiceParam<C extends string = string> {
  readonly kind: "choice";
  readonly name: string;
  readonly label: string;
  /** Options sub-object the value lives in, e.g. "lambdas" for λ_cons (absent: top level). */
  readonly group?: string;
  /** CLI flag without the dashes (default: the name, or "<group-singular>-<name>"; see src/params/flags.ts). */
  readonly flag?: string;
  readonly default: C;
  readonly choices: readonly C[];
  readonly meaning: string;
  /**
   * Applies only when each named sibling parameter has one of the listed values, e.g.
   * `{ division: ["felzenszwalb"] }` for the scale; the explorer hides the control otherwise.
   * Checking a value ignores it.
   */
  readonly when?: Readonly<Record<string, readonly string[]>>;
}

/** A choice spec whose value type is the union of its literal choices (`choices: ["a", "b"]` gives "a" | "b"). */
export function choiceParam<const C extends string>(spec: ChoiceParam<C>): ChoiceParam<C> {
  return spec;
}

/** The value type of a choice spec: `ChoiceOf<typeof SEARCH>` is "bidirectional" | "greedy" | "fast". */
export type ChoiceOf<P> = P extends ChoiceParam<infer C> ? C : never;

/** An on/off parameter. */
export interface BooleanParam {
  readonly kind: "boolean";
  readonly name: string;
  readonly label: string;
  /** Options sub-object the value lives in, e.g. "lambdas" for λ_cons (absent: top level). */
  readonly group?: string;
  /** CLI flag without the dashes (default: the name, or "<group-singular>-<name>"; see src/params/flags.ts). */
  readonly flag?: string;
  readonly default: boolean;
  readonly meaning: string;
  /**
   * Applies only when each named sibling parameter has one of the listed values, e.g.
   * `{ division: ["felzenszwalb"] }` for the scale; the explorer hides the control otherwise.
   * Checking a value ignores it.
   */
  readonly when?: Readonly<Record<string, readonly string[]>>;
}

export type ParamSpec = NumberParam | ChoiceParam | BooleanParam;

/** The value type of a parameter. */
export type ParamValue<P extends ParamSpec> = P extends NumberParam ? number : P extends ChoiceParam ? string : boolean;

/** The CLI flag of a spec, without dashes: `spec.flag`, else its name. */
export function flagOf(spec: ParamSpec): string {
  return spec.flag ?? spec.name;
}

/** "an integer", "an even integer", "a multiple of 3", "a number". */
export function numberKind(spec: NumberParam): string {
  if (spec.multipleOf === 2) return "an even integer";
  if (spec.multipleOf) return `a multiple of ${spec.multipleOf}`;
  return spec.integer ? "an integer" : "a number";
}

/**
 * Checks one value against its spec; returns the value or throws a RangeError naming the
 * parameter, the bad value and what is allowed.
 */
export function checkParam(spec: ParamSpec, value: unknown): number | string | boolean {
  const name = spec.group ? `${spec.group}.${spec.name}` : spec.name;
  switch (spec.kind) {
    case "number": {
      const ok = typeof value === "number" && Number.isFinite(value) && value >= spec.min && value <= spec.max && (!spec.integer || Number.isInteger(value)) && (!spec.multipleOf || value % spec.multipleOf === 0);
      if (!ok) throw new RangeError(`${name} ${String(value)} is not allowed: use ${numberKind(spec)} in ${spec.min}..${spec.max}`);
      return value as number;
    }
    case "choice":
      if (typeof value !== "string" || !spec.choices.includes(value)) throw new RangeError(`${name} ${JSON.stringify(value)} is not allowed: use one of ${spec.choices.join(", ")}`);
      return value;
    case "boolean":
      if (typeof value !== "boolean") throw new RangeError(`${name} ${JSON.stringify(value)} is not allowed: use true or false`);
      return value;
  }
}

/**
 * Fills defaults and checks every given value against `specs`; reports every problem at once
 * (unknown keys included) in one RangeError.
 */
export function resolveParams(specs: readonly ParamSpec[], given: Readonly<Record<string, unknown>> = {}): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  const problems: string[] = [];
  for (const spec of specs) {
    const v = given[spec.name];
    if (v === undefined) {
      out[spec.name] = spec.default;
      continue;
    }
    try {
      out[spec.name] = checkParam(spec, v);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  const known = new Set(specs.map((s) => s.name));
  for (const k of Object.keys(given)) {
    if (!known.has(k) && given[k] !== undefined) problems.push(`unknown option "${k}" (allowed: ${[...known].join(", ") || "none"})`);
  }
  if (problems.length) throw new RangeError(problems.join("; "));
  return out;
}

/** A resolved options object: top-level values, and one nested object per group (e.g. `lambdas`). */
export type ResolvedParams = Record<string, number | string | boolean | Record<string, number | string | boolean>>;

/**
 * Like {@link resolveParams}, for specs with a `group`: a grouped value is read from and written to
 * `given[group][name]` (λ travels as the nested object `lambdas: { cons, colla, conf, eff }`).
 * Missing values take their defaults; every problem (unknown keys included, inside groups too)
 * is reported at once in one RangeError.
 */
export function resolveParamTree(specs: readonly ParamSpec[], given: Readonly<Record<string, unknown>> = {}): ResolvedParams {
  const out: ResolvedParams = {};
  const problems: string[] = [];
  const groups = new Set(specs.flatMap((s) => (s.group ? [s.group] : [])));
  for (const g of groups) {
    const v = given[g];
    if (v !== undefined && (typeof v !== "object" || v === null || Array.isArray(v))) problems.push(`${g} ${JSON.stringify(v)} is not allowed: use an object`);
    out[g] = {};
  }
  for (const spec of specs) {
    const holder = spec.group ? given[spec.group] : given;
    const v = holder && typeof holder === "object" ? (holder as Record<string, unknown>)[spec.name] : undefined;
    const target = spec.group ? (out[spec.group] as Record<string, number | string | boolean>) : out;
    if (v === undefined) {
      target[spec.name] = spec.default;
      continue;
    }
    try {
      target[spec.name] = checkParam(spec, v);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  const top = new Set(specs.filter((s) => !s.group).map((s) => s.name));
  for (const k of Object.keys(given)) {
    if (given[k] === undefined || top.has(k)) continue;
    if (groups.has(k)) {
      const inner = new Set(specs.filter((s) => s.group === k).map((s) => s.name));
      const v = given[k];
      if (v && typeof v === "object") {
        for (const j of Object.keys(v)) if (!inner.has(j) && (v as Record<string, unknown>)[j] !== undefined) problems.push(`unknown option "${k}.${j}" (allowed: ${[...inner].join(", ")})`);
      }
      continue;
    }
    problems.push(`unknown option "${k}" (allowed: ${[...top, ...groups].join(", ") || "none"})`);
  }
  if (problems.length) throw new RangeError(problems.join("; "));
  return out;
}
