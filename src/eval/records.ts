import { appendFileSync, closeSync, existsSync, openSync, readFileSync, truncateSync, writeSync } from "node:fs";

/** A class as the evaluation records it. */
export interface ClassRef {
  readonly index: number;
  readonly label: string;
}

/**
 * One line of an evaluation's JSONL file: one (image, method) pair. Every method is scored by the
 * same pixel protocol (METHOD.md §6), so the numbers compare across methods.
 */
export interface EvalRecord {
  /** Image name (file name inside the images folder). */
  readonly image: string;
  /** Method name (one of EVAL_METHODS: "lima", "rise", "occlusion", "kernelshap", "lime", "hsic"). */
  readonly method: string;
  readonly model: string;
  /** Which class was explained: "predicted" (top-1) or "true" (from the file name). */
  readonly targetMode: "predicted" | "true";
  /** The explained class. */
  readonly target: ClassRef;
  /** The model's top-1 class on the full image. */
  readonly predicted: ClassRef;
  /** The true class, or null when it is unknown (no --labels-from-filename). */
  readonly trueClass: ClassRef | null;
  /** Top-1 equals the true class; null when the true class is unknown. */
  readonly correct: boolean | null;
  /** Pixel insertion AUC (LIMA eq. 13). */
  readonly insertion: number;
  /** Pixel deletion AUC (LIMA eq. 14). */
  readonly deletion: number;
  /** Highest confidence of the pixel insertion curve per area budget (LIMA eq. 15): {"0.25": score, …}. */
  readonly highestConfidence: Readonly<Record<string, number>>;
  /** μFidelity (METHOD.md §6); null when undefined (a constant map or a constant model). */
  readonly muFidelity: number | null;
  /** Insertion steps whose |Δy| > 0.5 (LIMA §5). */
  readonly strongInteractions: number;
  /** Values of the metrics chosen beyond the default ones (`--metrics`), by column key, e.g. {"insG": 0.61}. */
  readonly metrics?: Readonly<Record<string, number>>;
  /** Forward passes the method itself made (the metrics' passes excluded). */
  readonly forwardPasses: number;
  /** Wall time of the method itself, milliseconds. */
  readonly ms: number;
  /** Everything that shapes the numbers (method options, metric options, seed); a resumed run must match it. */
  readonly settings: Readonly<Record<string, unknown>>;
  /**
   * Set only on the line of a pair that failed on every try of a queue run (`eval --queue`): the
   * cause, naming the photo. Such a line has no classes, metric values or costs (they read as
   * absent), counts as done when a run resumes, and is left out of the summary; delete the line to
   * try the pair again.
   */
  readonly error?: string;
}

/** The key of a pair in a results file. */
export function pairKey(image: string, method: string): string {
  return `${image}\u0000${method}`;
}

function isRecord(value: unknown): value is EvalRecord {
  const v = value as Partial<EvalRecord> | null;
  return typeof v === "object" && v !== null && typeof v.image === "string" && typeof v.method === "string";
}

/** Parses one line; undefined when it is not complete JSON. */
function parseLine(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/**
 * Reads the records of a results file written by an earlier (possibly interrupted) run, without
 * changing it. A last line without its newline is kept when it is a complete record (the newline
 * alone was lost) and ignored when it was cut short (the pair in flight when a run stopped); a
 * malformed line anywhere else is an error naming its line number.
 */
export function readRecords(file: string): EvalRecord[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, "utf8");
  const records: EvalRecord[] = [];
  let offset = 0;
  let line = 0;
  while (offset < text.length) {
    let end = text.indexOf("\n", offset);
    line++;
    const last = end < 0;
    if (last) end = text.length;
    const body = text.slice(offset, end).trim();
    offset = end + 1;
    if (body === "") continue;
    if (last) {
      const parsed = parseLine(body);
      if (isRecord(parsed)) records.push(parsed);
      break;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (error) {
      throw new SyntaxError(`${file} line ${line} is not JSON (${(error as Error).message}); remove the line or use another --out`);
    }
    if (!isRecord(parsed)) throw new TypeError(`${file} line ${line} is not an evaluation record (it needs "image" and "method")`);
    records.push(parsed);
  }
  return records;
}

/**
 * Makes a results file safe to append to: a last line without its newline gets the newline when
 * it is a complete record, and is cut off when it is a fragment. Call it holding the file's lock.
 */
export function repairRecords(file: string): void {
  if (!existsSync(file)) return;
  const bytes = readFileSync(file);
  if (bytes.length === 0 || bytes[bytes.length - 1] === 0x0a) return;
  const start = bytes.lastIndexOf(0x0a) + 1;
  const tail = bytes.subarray(start).toString("utf8").trim();
  if (isRecord(parseLine(tail))) appendFileSync(file, "\n");
  else truncateSync(file, start);
}

/**
 * Appends one record as one line with a single O_APPEND write, so an interruption never leaves
 * half a pair and concurrent writers never interleave inside a line.
 */
export function appendRecord(file: string, record: EvalRecord): void {
  const fd = openSync(file, "a");
  try {
    writeSync(fd, Buffer.from(`${JSON.stringify(record)}\n`));
  } finally {
    closeSync(fd);
  }
}
