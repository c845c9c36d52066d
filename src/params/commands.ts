/**
 * Parameters of the commands themselves (not of a method, a division or a metric), described once
 * like every other parameter (src/params/types.ts): their flags, ranges, defaults and --help text.
 */
import type { NumberParam } from "./types";

/** `eval --limit`: the first N images of the folder, by file name. */
export const LIMIT: NumberParam = {
  kind: "number", name: "limit", label: "limit", default: 1_000_000, defaultText: "every image", min: 1, max: 1_000_000, integer: true, unit: "images",
  meaning: "evaluate only the first N images of the folder (by file name)",
};

/** `eval --attempts`: how often a queued pair is tried before its error line is written (with --queue). */
export const ATTEMPTS: NumberParam = {
  kind: "number", name: "attempts", label: "attempts", default: 3, min: 1, max: 100, integer: true, unit: "tries",
  meaning: "tries of a queued pair before its error line (with --queue; a retry waits 2 s, then 4 s, …)",
};

/** `explore --port`: where the explorer's server listens; 0 lets the system pick a free port. */
export const PORT: NumberParam = {
  kind: "number", name: "port", label: "port", default: 0, defaultText: "0, a free port", min: 0, max: 65535, integer: true,
  meaning: "port of the explorer's local server (0: any free port)",
};
