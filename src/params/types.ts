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
  readonly default: number;
  /** Inclusive bounds: the front doors accept exactly [min, max]. */
  readonly min: number;
  readonly max: number;
  /** Only integers allowed. */
  readonly integer?: boolean;
  /** Slider step (defaults to 1 for integers, (max − min)/100 otherwise). */
  readonly step?: number;
  /** Unit, e.g. "regions", "masks", "forward passes"; omitted when unitless. */
  readonly unit?: string;
  /** One line: what it means (the tooltip and the `--help` text). */
  readonly meaning: string;
}

/** A parameter with a fixed set of values: a select in the explorer. */
export interface ChoiceParam {
  readonly kind: "choice";
  readonly name: string;
  readonly label: string;
  readonly default: string;
  readonly choices: readonly string[];
  readonly meaning: string;
}

/** An on/off parameter. */
export interface BooleanParam {
  readonly kind: "boolean";
  readonly name: string;
  readonly label: string;
  readonly default: boolean;
  readonly meaning: string;
}

export type ParamSpec = NumberParam | ChoiceParam | BooleanParam;

/** The value type of a parameter. */
export type ParamValue<P extends ParamSpec> = P extends NumberParam ? number : P extends ChoiceParam ? string : boolean;

/**
 * Checks one value against its spec; returns the value or throws a RangeError naming the
 * parameter, the bad value and what is allowed.
 */
export function checkParam(spec: ParamSpec, value: unknown): number | string | boolean {
  switch (spec.kind) {
    case "number": {
      const ok = typeof value === "number" && Number.isFinite(value) && value >= spec.min && value <= spec.max && (!spec.integer || Number.isInteger(value));
      if (!ok) throw new RangeError(`${spec.name} ${String(value)} is not allowed: use ${spec.integer ? "an integer" : "a number"} in ${spec.min}..${spec.max}`);
      return value as number;
    }
    case "choice":
      if (typeof value !== "string" || !spec.choices.includes(value)) throw new RangeError(`${spec.name} ${JSON.stringify(value)} is not allowed: use one of ${spec.choices.join(", ")}`);
      return value;
    case "boolean":
      if (typeof value !== "boolean") throw new RangeError(`${spec.name} ${JSON.stringify(value)} is not allowed: use true or false`);
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
