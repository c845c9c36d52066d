import { parseArgs, type ParseArgsConfig } from "node:util";

/** A command-line problem: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Parses flags strictly; unknown flags and missing values become a {@link UsageError}. */
export function parseFlags<O extends Options>(args: string[], options: O): ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional.*$/, ""));
  }
}

/** A numeric flag, checked: names the flag, the bad value and what is allowed. */
export function numberFlag(name: string, value: string | undefined, fallback: number, check: { integer?: boolean; min?: number; max?: number } = {}): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  const allowed = `${check.integer ? "an integer" : "a number"}${check.min !== undefined ? ` ≥ ${check.min}` : ""}${check.max !== undefined ? ` ≤ ${check.max}` : ""}`;
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
