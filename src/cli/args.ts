import { parseArgs, type ParseArgsConfig } from "node:util";

/** A command-line problem: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** A value that looks like a flag but is a negative number: `-1`, `-0.5`, `-.5`, `-1e3`, `-Infinity`. */
const NEGATIVE = /^-(\d|\.\d|Infinity$)/;

/**
 * `--flag -1` as `--flag=-1` for string-valued flags, so that a negative number reaches the flag's
 * own check (which names the allowed range) instead of node's "argument is ambiguous".
 */
function joinNegativeValues(args: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = /^--([^=]+)$/.exec(args[i])?.[1];
    const next = args[i + 1];
    if (name !== undefined && Object.hasOwn(options, name) && options[name].type === "string" && next !== undefined && NEGATIVE.test(next)) {
      out.push(`${args[i]}=${next}`);
      i++;
    } else {
      out.push(args[i]);
    }
  }
  return out;
}

/** Parses flags strictly; unknown flags and missing values become a {@link UsageError}. Negative numbers are accepted as values. */
export function parseFlags<O extends Options>(args: string[], options: O): ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>> {
  try {
    return parseArgs({ args: joinNegativeValues(args, options), options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional.*$/, ""));
  }
}

/** A numeric flag, checked: names the flag, the bad value and what is allowed. */
export function numberFlag(name: string, value: string | undefined, fallback: number, check: { integer?: boolean; min?: number; max?: number } = {}): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  const range = check.min !== undefined && check.max !== undefined
    ? ` in ${check.min}..${check.max}`
    : `${check.min !== undefined ? ` ≥ ${check.min}` : ""}${check.max !== undefined ? ` ≤ ${check.max}` : ""}`;
  const allowed = `${check.integer ? "an integer" : "a number"}${range}`;
  if (value.trim() === "" || !Number.isFinite(n) || (check.integer && !Number.isInteger(n)) || (check.min !== undefined && n < check.min) || (check.max !== undefined && n > check.max)) {
    throw new UsageError(`--${name} ${JSON.stringify(value)} is not allowed: use ${allowed}`);
  }
  return n;
}

/** A flag whose value must be one of `choices`. */
export function choiceFlag<T extends string>(name: string, value: string | undefined, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`--${name} ${JSON.stringify(value)} is not allowed: use one of ${choices.join(", ")}`);
  return value as T;
}

/** A required string flag. */
export function requiredFlag(name: string, value: string | undefined): string {
  if (value === undefined || value === "") throw new UsageError(`--${name} is required`);
  return value;
}
