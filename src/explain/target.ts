import type { ScoreTarget } from "../score/terms";

/** What to explain: a class index, a class label, "predicted" (default), or an embedding target. */
export type TargetOption = number | string | ScoreTarget;

/** Resolves a target against the model's labels and its prediction on the full image. */
export function resolveTarget(option: TargetOption | undefined, labels: readonly string[], predicted: number): ScoreTarget {
  if (option === undefined || option === "predicted") return { kind: "class", index: predicted };
  if (typeof option === "number") {
    if (!Number.isInteger(option) || option < 0 || option >= labels.length) {
      throw new RangeError(`target ${option} is not a class index of this model: use 0..${labels.length - 1}, a label, or "predicted"`);
    }
    return { kind: "class", index: option };
  }
  if (typeof option === "string") {
    if (/^\d+$/.test(option)) return resolveTarget(Number(option), labels, predicted);
    const wanted = option.trim().toLowerCase();
    const index = labels.findIndex((l) => l.toLowerCase() === wanted);
    if (index >= 0) return { kind: "class", index };
    const close = labels.filter((l) => l.toLowerCase().includes(wanted)).slice(0, 5);
    throw new RangeError(
      `target "${option}" is not a label of this model${close.length ? `; did you mean ${close.map((c) => JSON.stringify(c)).join(", ")}?` : ""} (use a label, a class index 0..${labels.length - 1}, or "predicted")`,
    );
  }
  return option;
}
