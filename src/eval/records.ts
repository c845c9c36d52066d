import { appendFileSync, existsSync, readFileSync, truncateSync } from "node:fs";

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
}

/** The key of a pair in a results file. */
export function pairKey(image: string, method: string): string {
  return `${image}\u0000${method}`;
}

function isRecord(value: unknown): value is EvalRecord {
  const v = value as Partial<EvalRecord> | null;
  return typeof v === "object" && v !== null && typeof v.image === "string" && typeof v.method === "string";
}

/**
 * Reads the records of a results file written by an earlier (possibly interrupted) run. A last
 * line cut short by an interruption is removed from the file, so that appending stays valid; a
 * malformed line anywhere else is an error naming its line number.
 */
export function readRecords(file: string): EvalRecord[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, "utf8");
  const records: EvalRecord[] = [];
  let offset = 0;
  let line = 0;
  while (offset < text.length) {
    const end = text.indexOf("\n", offset);
    line++;
    if (end < 0) {
      // An unfinished last line: the pair in flight when the run stopped. Drop it.
      truncateSync(file, Buffer.byteLength(text.slice(0, offset)));
      break;
    }
    const body = text.slice(offset, end).trim();
    offset = end + 1;
    if (body === "") continue;
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

/** Appends one record as one line with a single write, so an interruption never leaves half a pair. */
export function appendRecord(file: string, record: EvalRecord): void {
  appendFileSync(file, `${JSON.stringify(record)}\n`);
}
