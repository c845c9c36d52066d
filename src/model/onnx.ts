/**
 * The one module that touches onnxruntime-node: sessions, tensors, execution providers. Its
 * companion onnx-worker.ts (beside it) is the entry file of the inference worker thread
 * (`inference: "worker"`); it imports session opening and batch running from here and nothing
 * from onnxruntime-node itself.
 */
import { Worker } from "node:worker_threads";
import path from "node:path";
import * as ort from "onnxruntime-node";
import type { RgbImage, RunControl } from "../types";
import type { ClassLabel, ModelCard } from "./card";
import type { BlackBoxModel, ModelOutput, TensorInput, WrittenRunControl } from "./types";
import { softmax } from "../util/math";
import { abortReason, throwIfAborted } from "../util/abort";
import { checkOutputType, checkProbabilities } from "./check-output";
import { runTensorsWritten } from "./tensor-input";
import { cudaProblem } from "./cuda";

import { DEVICES, type Device } from "./devices";

export { DEVICES, type Device };

/** Options of {@link createOnnxModel}. */
export interface OnnxModelOptions {
  /** Images per forward batch (default 32). Models with a fixed batch of 1 always use 1. */
  readonly batchSize?: number;
  /** Execution provider (default "cpu"). "cuda" needs onnxruntime-node installed with CUDA. */
  readonly device?: Device;
  /** Intra-op threads (default: onnxruntime's choice, one per physical core; see {@link SESSION_DEFAULTS}). */
  readonly threads?: number;
  /** Graph optimisation level (default "all"; see {@link SESSION_DEFAULTS}). */
  readonly graphOptimizationLevel?: "disabled" | "basic" | "extended" | "all";
  /** onnxruntime's CPU memory arena (default true; see {@link SESSION_DEFAULTS}). */
  readonly enableCpuMemArena?: boolean;
  /** CUDA device index when `device` is "cuda" (default 0). */
  readonly deviceId?: number;
  /**
   * Where onnxruntime runs (default "worker"; see {@link SESSION_DEFAULTS}): "main" on this
   * thread, which blocks the event loop for each whole batch (onnxruntime-node's run is
   * synchronous); "worker" in a worker thread that owns the session, so timers, sockets and a
   * Jupyter kernel's messages are served while a batch runs. Outputs are the same bit for bit.
   */
  readonly inference?: InferenceMode;
}

/** Where inference runs: on the calling thread or in a worker thread (see {@link OnnxModelOptions.inference}). */
export const INFERENCE_MODES = ["main", "worker"] as const;
export type InferenceMode = (typeof INFERENCE_MODES)[number];

/**
 * Session defaults, chosen by measurement (bench/session.ts; numbers in bench/results/speed.md):
 * on a 2-core CPU, batch 32 vs 8/16/64 and graph level "all" vs "basic" differ by less than the
 * noise of a shared machine, and the memory arena saves allocation time for repeated same-shape
 * batches. On CUDA the default batch is 128, which fills the device better.
 *
 * Inference runs in a worker thread by default. End to end it is within noise of the main
 * thread (one bidirectional explanation at |V| = 49 on squeezenet, ten alternating pairs at load
 * 6–10: mean 24.7 s worker vs 24.0 s main, median ratio 0.99), and it keeps the event loop free
 * while a batch runs (max event-loop delay in pure inference 23–67 ms instead of one whole batch,
 * 190–600 ms), which the Jupyter kernel and the explorer need to answer messages during an
 * explanation; the rule for a tie is the event loop.
 */
export const SESSION_DEFAULTS = {
  batchSize: { cpu: 32, cuda: 128 },
  graphOptimizationLevel: "all",
  enableCpuMemArena: true,
  inference: "worker",
} as const satisfies { readonly inference: InferenceMode } & Record<string, unknown>;

/** A model, input or output that does not fit what the card says. */
export class ModelError extends Error {
  override name = "ModelError";
}

interface TensorInfo {
  readonly name: string;
  readonly shape: ReadonlyArray<number | string>;
  readonly type: string;
}

function metadataOf(list: readonly ort.InferenceSession.ValueMetadata[], name: string): TensorInfo | undefined {
  const meta = list.find((m) => m.name === name);
  if (!meta || !meta.isTensor) return undefined;
  return { name, shape: meta.shape, type: meta.type };
}

function checkDevice(device: string): Device {
  if (!(DEVICES as readonly string[]).includes(device)) {
    throw new RangeError(`Unsupported device: ${device}. Should be one of: ${DEVICES.join(", ")}`);
  }
  if (device === "cuda") {
    const problem = cudaProblem() ?? (ort.listSupportedBackends().some((b) => b.name === "cuda") ? undefined : "this onnxruntime-node has no CUDA provider");
    if (problem) throw new ModelError(`device cuda is not available: ${problem} — or use --device cpu`);
  }
  return device as Device;
}

function checkInput(card: ModelCard, info: TensorInfo | undefined, names: readonly string[]): number | undefined {
  if (!info) throw new ModelError(`model ${card.name} has no tensor input "${card.input}"; its inputs are: ${names.join(", ")}`);
  if (info.type !== "float32") throw new ModelError(`model ${card.name} input "${card.input}" is ${info.type}; only float32 is supported`);
  const [, c, h, w] = info.shape;
  const [height, width] = card.size;
  const fits = info.shape.length === 4 && (c === 3 || typeof c === "string") &&
    (h === height || typeof h === "string") && (w === width || typeof w === "string");
  if (!fits) {
    throw new ModelError(
      `model ${card.name} input "${card.input}" has shape [${info.shape.join(",")}]; expected [N,3,${height},${width}] (NCHW, as the card's size says)`,
    );
  }
  return typeof info.shape[0] === "number" ? info.shape[0] : undefined;
}

/**
 * Converts raw RGB images into one NCHW float tensor, applying the card's normalisation. Writes
 * into `out` when given (it must hold at least images.length·3·H·W floats), so repeated batches
 * need no new buffer.
 */
export function toTensorData(images: readonly RgbImage[], card: ModelCard, out?: Float32Array): Float32Array {
  const [height, width] = card.size;
  const plane = height * width;
  const size = images.length * 3 * plane;
  if (out && out.length < size) throw new RangeError(`tensor buffer of ${out.length} floats is too small: ${images.length} images need ${size}`);
  const data = out ?? new Float32Array(size);
  const bgr = card.channels === "BGR";
  // Multipliers and offsets per source channel r, g, b.
  const mul = [0, 0, 0], add = [0, 0, 0], plane0 = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    const src = bgr ? 2 - c : c;
    mul[src] = card.scale / card.std[c];
    add[src] = -card.mean[c] / card.std[c];
    plane0[src] = c * plane;
  }
  const [mr, mg, mb] = mul, [ar, ag, ab] = add;
  for (let n = 0; n < images.length; n++) {
    const img = images[n];
    if (img.width !== width || img.height !== height) {
      throw new ModelError(`image ${n} is ${img.width}×${img.height}; model ${card.name} needs ${width}×${height}`);
    }
    const px = img.data;
    const base = n * 3 * plane;
    const r0 = base + plane0[0], g0 = base + plane0[1], b0 = base + plane0[2];
    for (let p = 0, q = 0; p < plane; p++, q += 3) {
      data[r0 + p] = px[q] * mr + ar;
      data[g0 + p] = px[q + 1] * mg + ag;
      data[b0 + p] = px[q + 2] * mb + ab;
    }
  }
  return data;
}

/** An open onnxruntime session (the type, for the worker entry, which does not import onnxruntime-node). */
export type OnnxSession = ort.InferenceSession;

/** The raw output rows of one batch: the card's output and, when the card names one, its features. */
export interface BatchOutput {
  readonly output: Float32Array;
  readonly features?: Float32Array;
  /** Milliseconds inside onnxruntime's run. */
  readonly ms: number;
}

/**
 * Runs one batch through an open session: `data` holds at least n·3·H·W floats (NCHW, already
 * normalised); only the first n images are run. Used on the main thread and in the worker alike.
 */
export async function runSessionBatch(session: ort.InferenceSession, card: ModelCard, data: Float32Array, n: number): Promise<BatchOutput> {
  const [height, width] = card.size;
  const size = n * 3 * height * width;
  const tensor = new ort.Tensor("float32", data.length === size ? data : data.subarray(0, size), [n, 3, height, width]);
  const fetches = card.features ? [card.output, card.features] : [card.output];
  const t0 = performance.now();
  const result = await session.run({ [card.input]: tensor }, fetches);
  const ms = performance.now() - t0;
  tensor.dispose();
  const output = result[card.output].data as Float32Array;
  const features = card.features ? (result[card.features].data as Float32Array) : undefined;
  // dispose() drops onnxruntime's references; the typed arrays stay valid.
  for (const value of Object.values(result)) value.dispose();
  return { output, features, ms };
}

/** What the model layer keeps per model whichever thread runs inference: counters and the reusable input buffers. */
export class BatchSink {
  forwardPasses = 0;
  inferenceMs = 0;
  /** Input buffers of one full batch each, reused across batches (at most one per batch in flight). */
  readonly free: Float32Array[] = [];
  /** Buffers that always come back to `free` (the worker's shared slots), whatever else came back first. */
  private readonly pinned = new Set<Float32Array>();
  constructor(private readonly keep: number) {}
  /** Keeps `buffer` for reuse for good: it is never dropped, and `free` hands it out before the others. */
  pin(buffer: Float32Array): void {
    this.pinned.add(buffer);
    this.recycle(buffer);
  }
  recycle(buffer: Float32Array): void {
    if (this.pinned.has(buffer)) this.free.push(buffer);
    else if (this.free.length < this.keep) this.free.unshift(buffer);
  }
  ran(images: number, ms: number): void {
    this.forwardPasses += images;
    this.inferenceMs += ms;
  }
}

/** Runs batches of normalised input tensors: onnxruntime on this thread, or a worker thread. */
interface BatchRunner {
  /** Batches that may be in flight at once: 1 on the main thread; 2 with a worker (the next batch is composed while one runs). */
  readonly depth: number;
  /** Runs the first n images of `data`; hands `data` back to the sink when done with it, and counts the images there. */
  run(data: Float32Array, n: number, signal: AbortSignal | undefined): Promise<BatchOutput>;
  release(): Promise<void>;
}

/** Inference on the calling thread: each batch blocks the event loop while onnxruntime runs it. */
class MainThreadRunner implements BatchRunner {
  readonly depth = 1;
  constructor(private readonly session: ort.InferenceSession, private readonly card: ModelCard, private readonly sink: BatchSink) {}

  async run(data: Float32Array, n: number): Promise<BatchOutput> {
    try {
      const out = await runSessionBatch(this.session, this.card, data, n);
      this.sink.ran(n, out.ms);
      return out;
    } finally {
      this.sink.recycle(data);
    }
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

/** An error as it crosses the thread boundary (structured clone keeps only the standard error names). */
export interface WireError {
  readonly name: string;
  readonly message: string;
}

/** What the worker thread is started with (workerData). */
export interface WorkerInit {
  readonly source: string | Uint8Array;
  readonly card: ModelCard;
  readonly classes: number | undefined;
  readonly sessionOptions: ort.InferenceSession.SessionOptions;
  readonly batchSize: number;
}

/**
 * Messages to the worker thread. A batch's input is one of the shared input slots (`slot`, sent once
 * by "slots") or, for a buffer that is not one, the buffer itself, transferred (`data`).
 */
export type ToWorker =
  | { readonly type: "slots"; readonly slots: readonly SharedArrayBuffer[] }
  | { readonly type: "run"; readonly id: number; readonly n: number; readonly slot?: number; readonly data?: Float32Array }
  | { readonly type: "cancel"; readonly id: number }
  | { readonly type: "dispose" };

/** Messages from the worker thread. */
export type FromWorker =
  | { readonly type: "ready"; readonly numClasses: number; readonly batchSize: number }
  | { readonly type: "failed"; readonly error: WireError }
  | { readonly type: "result"; readonly id: number; readonly n: number; readonly slot?: number; readonly data?: Float32Array; readonly out?: BatchOutput; readonly error?: WireError }
  | { readonly type: "disposed" };

/** An error as a plain object for postMessage. */
export function toWire(error: unknown): WireError {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: "Error", message: String(error) };
}

function fromWire(error: WireError): Error {
  const make = error.name === "ModelError" ? ModelError : error.name === "RangeError" ? RangeError : error.name === "TypeError" ? TypeError : Error;
  const e = new make(error.message);
  if (make === Error && error.name !== "Error") e.name = error.name;
  return e;
}

/** The worker's entry file: onnx-worker.js beside this file (onnx-worker.ts when run from the sources under a TypeScript loader). */
const WORKER_ENTRY = path.join(__dirname, `onnx-worker${path.extname(__filename)}`);

interface Pending {
  readonly resolve: (out: BatchOutput) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Inference in a worker thread that owns the session. The input buffers are two slots on
 * SharedArrayBuffers, shared with the worker once: a batch names its slot, the worker copies it
 * into an input buffer of its own (onnxruntime-node refuses tensors on shared memory; the copy is
 * about 1.5 ms for 32 images at 224×224) and hands the slot back with the outputs. Nothing of
 * 19 MB crosses the threads per batch: transferring the buffers instead made V8 count each
 * arrival as new external memory and run a full garbage collection about once a batch
 * (bench/results/speed.md). A buffer that is not a slot is transferred and comes back. The
 * worker is unref'd while nothing is in flight: an undisposed model never keeps a process alive.
 * If the worker dies, every pending and later run rejects with a ModelError saying so.
 */
class WorkerRunner implements BatchRunner {
  readonly depth = 2;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | undefined;
  private released = false;
  private onDisposed: (() => void) | undefined;
  /** The shared input slots (views of one full batch each). */
  private slots: Float32Array[] = [];

  private constructor(private readonly worker: Worker, private readonly name: string, private readonly sink: BatchSink) {}

  /** Starts the worker, which opens and checks the session; resolves once it is ready, rejects with its error. */
  static open(init: WorkerInit, sink: BatchSink): Promise<{ runner: WorkerRunner; numClasses: number; batchSize: number }> {
    const worker = new Worker(WORKER_ENTRY, { workerData: init });
    const runner = new WorkerRunner(worker, init.card.name, sink);
    return new Promise((resolve, reject) => {
      let opened = false;
      worker.on("message", (m: FromWorker) => {
        if (m.type === "ready") {
          opened = true;
          worker.unref();
          runner.shareSlots(m.batchSize * 3 * init.card.size[0] * init.card.size[1]);
          resolve({ runner, numClasses: m.numClasses, batchSize: m.batchSize });
        } else if (m.type === "failed") {
          void worker.terminate();
          reject(fromWire(m.error));
        } else runner.onMessage(m);
      });
      worker.on("error", (error) => {
        const e = new ModelError(`the inference worker of model ${init.card.name} crashed: ${error.message}`);
        if (opened) runner.fail(e);
        else reject(e);
      });
      worker.on("exit", (code) => {
        const e = new ModelError(`the inference worker of model ${init.card.name} exited (code ${code})${opened ? " while the model was in use" : " before the model was open"}`);
        if (opened) runner.fail(e);
        else reject(e);
      });
    });
  }

  /** Allocates the input slots (one per batch in flight, `floats` each), gives them to the worker and to the sink's free list. */
  private shareSlots(floats: number): void {
    this.slots = Array.from({ length: this.depth }, () => new Float32Array(new SharedArrayBuffer(floats * Float32Array.BYTES_PER_ELEMENT)));
    this.worker.postMessage({ type: "slots", slots: this.slots.map((v) => v.buffer as SharedArrayBuffer) } satisfies ToWorker);
    for (const slot of this.slots) this.sink.pin(slot);
  }

  run(data: Float32Array, n: number, signal: AbortSignal | undefined): Promise<BatchOutput> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.released) return Promise.reject(new ModelError(`model ${this.name} was disposed`));
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const id = ++this.nextId;
    return new Promise<BatchOutput>((resolve, reject) => {
      const onAbort = () => {
        // The worker skips the batch if it has not started it; its buffer still comes back.
        if (this.pending.delete(id)) this.worker.postMessage({ type: "cancel", id } satisfies ToWorker);
        this.unrefWhenIdle();
        reject(abortReason(signal!));
      };
      const done = () => signal?.removeEventListener("abort", onAbort);
      this.pending.set(id, { resolve: (out) => (done(), resolve(out)), reject: (e) => (done(), reject(e)) });
      signal?.addEventListener("abort", onAbort, { once: true });
      if (this.pending.size === 1) this.worker.ref();
      const slot = this.slots.indexOf(data);
      if (slot >= 0) this.worker.postMessage({ type: "run", id, n, slot } satisfies ToWorker);
      else this.worker.postMessage({ type: "run", id, n, data } satisfies ToWorker, [data.buffer as ArrayBuffer]);
    });
  }

  private unrefWhenIdle(): void {
    if (this.pending.size === 0 && !this.released) this.worker.unref();
  }

  private onMessage(m: FromWorker): void {
    if (m.type === "disposed") {
      this.onDisposed?.();
      return;
    }
    if (m.type !== "result") return;
    const input = m.slot !== undefined ? this.slots[m.slot] : m.data;
    if (input) this.sink.recycle(input);
    if (m.out) this.sink.ran(m.n, m.out.ms);
    const waiting = this.pending.get(m.id);
    this.pending.delete(m.id);
    this.unrefWhenIdle();
    if (!waiting) return;
    if (m.out) waiting.resolve(m.out);
    else waiting.reject(fromWire(m.error ?? { name: "ModelError", message: `the inference worker of model ${this.name} returned nothing for a batch` }));
  }

  private fail(error: Error): void {
    if (this.released || this.failure) return;
    this.failure = error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const disposed = new ModelError(`model ${this.name} was disposed`);
    for (const p of this.pending.values()) p.reject(disposed);
    this.pending.clear();
    if (!this.failure) {
      // Let the worker release the session between batches, then stop it (at most 10 s later if it does not answer).
      this.worker.ref();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 10_000);
        this.onDisposed = () => (clearTimeout(timer), resolve());
        this.worker.once("exit", () => (clearTimeout(timer), resolve()));
        this.worker.postMessage({ type: "dispose" } satisfies ToWorker);
      });
    }
    await this.worker.terminate();
  }
}

/** An onnxruntime session (on this thread or in a worker) wrapped as a {@link BlackBoxModel}. */
class OnnxModel implements BlackBoxModel {
  readonly inputSize: { width: number; height: number };
  private disposed = false;
  private outputsChecked = false;

  constructor(
    private readonly runner: BatchRunner,
    private readonly sink: BatchSink,
    readonly card: ModelCard,
    readonly labels: readonly string[],
    readonly classes: readonly ClassLabel[],
    readonly numClasses: number,
    readonly batchSize: number,
    readonly device: Device,
    readonly inference: InferenceMode,
  ) {
    this.inputSize = { width: card.size[1], height: card.size[0] };
  }

  get name(): string {
    return this.card.name;
  }
  get forwardPasses(): number {
    return this.sink.forwardPasses;
  }
  get inferenceMs(): number {
    return this.sink.inferenceMs;
  }

  /**
   * Runs the images in batches, outputs in input order. The signal is checked between batches;
   * with a worker, the next batch is composed while the current one runs, and an abort rejects
   * at once (the worker finishes the batch it is inside and skips the queued one).
   */
  async run(images: readonly RgbImage[], control: RunControl = {}): Promise<ModelOutput[]> {
    return this.runAll(images, (batch, buffer) => toTensorData(batch, this.card, buffer), control);
  }

  readonly tensorInput: TensorInput = {
    normalise: (image) => toTensorData([image], this.card),
    runTensors: (tensors, control) => runTensorsWritten(this.tensorInput, this, tensors, (m) => new ModelError(m), control),
    runWritten: (count, write, control = {}) => {
      const size = 3 * this.card.size[0] * this.card.size[1];
      const indices = Array.from({ length: count }, (_, i) => i);
      return this.runAll(indices, (batch, buffer) => batch.forEach((index, i) => write(index, buffer.subarray(i * size, (i + 1) * size))), control);
    },
  };

  /**
   * Runs `items` in batches, `fill` writing each batch into the input buffer; outputs in input
   * order. With a worker, batch k + 1 is filled and sent while batch k runs.
   */
  private async runAll<T>(items: readonly T[], fill: (batch: readonly T[], buffer: Float32Array) => void, control: WrittenRunControl): Promise<ModelOutput[]> {
    if (this.disposed) throw new ModelError(`model ${this.name} was disposed`);
    const outputs: ModelOutput[] = [];
    const inFlight: Promise<ModelOutput[]>[] = [];
    const collect = (batch: ModelOutput[]) => {
      control.onBatch?.(outputs.length, batch);
      outputs.push(...batch);
    };
    try {
      for (let start = 0; start < items.length; start += this.batchSize) {
        if (inFlight.length >= this.runner.depth) collect(await inFlight.shift()!);
        throwIfAborted(control.signal);
        inFlight.push(this.runBatch(items.slice(start, start + this.batchSize), fill, start, control.signal));
      }
      while (inFlight.length > 0) collect(await inFlight.shift()!);
    } finally {
      // A batch still in flight after an error or abort: its result (or error) is not wanted.
      for (const p of inFlight) p.catch(() => undefined);
    }
    return outputs;
  }

  private async runBatch<T>(batch: readonly T[], fill: (batch: readonly T[], buffer: Float32Array) => void, offset: number, signal: AbortSignal | undefined): Promise<ModelOutput[]> {
    const [height, width] = this.card.size;
    const buffer = this.sink.free.pop() ?? new Float32Array(this.batchSize * 3 * height * width);
    try {
      fill(batch, buffer);
    } catch (error) {
      this.sink.recycle(buffer);
      throw error;
    }
    const out = await this.runner.run(buffer, batch.length, signal);
    if (!this.outputsChecked) {
      checkProbabilities(this.card, out.output, batch.length, this.numClasses, (m) => new ModelError(m));
      this.outputsChecked = true;
    }
    return batch.map((_, i) => this.toOutput(out.output, out.features, i, batch.length, offset));
  }

  private toOutput(main: Float32Array, feats: Float32Array | undefined, i: number, n: number, offset: number): ModelOutput {
    const C = this.numClasses;
    const raw = main.slice(i * C, (i + 1) * C);
    const bad = raw.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw new ModelError(`model ${this.name} returned ${raw[bad]} for class ${bad} of image ${offset + i}; outputs must be finite numbers`);
    }
    const logits = this.card.outputKind === "logits" ? raw : undefined;
    const probs = logits ? softmax(logits) : raw;
    const F = feats ? feats.length / n : 0;
    const features = feats ? feats.slice(i * F, (i + 1) * F) : raw;
    return { probs, logits, features };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.runner.release();
  }
}

const GRAPH_LEVELS = ["disabled", "basic", "extended", "all"] as const;

/** The onnxruntime session options for a device (the execution provider, threads, graph level, arena). */
export function sessionOptionsFor(device: Device, options: OnnxModelOptions = {}): ort.InferenceSession.SessionOptions {
  const level = options.graphOptimizationLevel ?? SESSION_DEFAULTS.graphOptimizationLevel;
  if (!GRAPH_LEVELS.includes(level)) throw new RangeError(`graphOptimizationLevel "${level}" is not allowed: use one of ${GRAPH_LEVELS.join(", ")}`);
  if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads >= 1)) {
    throw new RangeError(`threads ${options.threads} is not allowed: use a positive integer`);
  }
  const deviceId = options.deviceId ?? 0;
  if (!(Number.isInteger(deviceId) && deviceId >= 0)) throw new RangeError(`deviceId ${deviceId} is not allowed: use an integer ≥ 0`);
  const provider: ort.InferenceSession.ExecutionProviderConfig = device === "cuda" ? { name: "cuda", deviceId } : "cpu";
  return {
    // CUDA first; onnxruntime places the operators CUDA lacks on the CPU provider.
    executionProviders: device === "cuda" ? [provider, "cpu"] : [provider],
    logSeverityLevel: 3,
    graphOptimizationLevel: level,
    enableCpuMemArena: options.enableCpuMemArena ?? SESSION_DEFAULTS.enableCpuMemArena,
    ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
  };
}

/** The loaded model, with its card and the parsed class list. */
export type LoadedModel = BlackBoxModel & {
  readonly card: ModelCard;
  readonly classes: readonly ClassLabel[];
  readonly device: Device;
  /** Where inference runs (see {@link OnnxModelOptions.inference}). */
  readonly inference: InferenceMode;
};

function outputClasses(card: ModelCard, info: TensorInfo | undefined, names: readonly string[]): number | undefined {
  if (!info) throw new ModelError(`model ${card.name} has no tensor output "${card.output}"; its outputs are: ${names.join(", ")}`);
  const dims = info.shape.slice(1).filter((d) => d !== 1);
  if (dims.length > 1) throw new ModelError(`model ${card.name} output "${card.output}" has shape [${info.shape.join(",")}]; expected [N,C] or [N,C,1,1]`);
  return typeof dims[0] === "number" ? dims[0] : undefined;
}

/**
 * Opens an onnxruntime session and checks it against the card: the input's name, type and shape
 * (and a fixed batch of 1), the output's name, shape and type, the features output, and the
 * number of classes against the labels (`classes`: their count, when the card names labels).
 * Releases the session when a check fails. Runs on the main thread or in the worker alike.
 */
export async function openSession(
  source: string | Uint8Array,
  card: ModelCard,
  classes: number | undefined,
  sessionOptions: ort.InferenceSession.SessionOptions,
  batchSize: number,
): Promise<{ session: ort.InferenceSession; numClasses: number; batchSize: number }> {
  let session: ort.InferenceSession;
  try {
    session = typeof source === "string"
      ? await ort.InferenceSession.create(source, sessionOptions)
      : await ort.InferenceSession.create(source, sessionOptions);
  } catch (error) {
    const where = typeof source === "string" ? source : "the given bytes";
    throw new ModelError(`cannot open ONNX model ${where}: ${(error as Error).message.split("\n")[0]}`);
  }
  try {
    const fixedBatch = checkInput(card, metadataOf(session.inputMetadata, card.input), session.inputNames);
    let C = outputClasses(card, metadataOf(session.outputMetadata, card.output), session.outputNames);
    checkOutputType(card, card.output, metadataOf(session.outputMetadata, card.output)!.type, (m) => new ModelError(m));
    if (card.features && !session.outputNames.includes(card.features)) {
      throw new ModelError(`model ${card.name} has no output "${card.features}" (the card's features); its outputs are: ${session.outputNames.join(", ")}`);
    }
    C ??= classes;
    if (C === undefined) throw new ModelError(`model ${card.name}: the number of classes is dynamic and the card names no labels file`);
    if (classes !== undefined && classes !== C) throw new ModelError(`model ${card.name} has ${C} classes but its labels file has ${classes} lines`);
    return { session, numClasses: C, batchSize: fixedBatch !== undefined ? Math.min(batchSize, fixedBatch) : batchSize };
  } catch (error) {
    await session.release();
    throw error;
  }
}

/**
 * Opens an ONNX model from bytes or a path with its card. Checks the input and output names and
 * shapes against the card, picks the execution provider, detects a fixed batch of 1, and runs
 * inference on this thread or in a worker thread (`options.inference`).
 */
export async function createOnnxModel(
  source: string | Uint8Array,
  card: ModelCard,
  classes: readonly ClassLabel[] | undefined,
  options: OnnxModelOptions = {},
): Promise<LoadedModel> {
  const device = checkDevice(options.device ?? DEVICES[0]);
  const batchSize = options.batchSize ?? SESSION_DEFAULTS.batchSize[device];
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize ${batchSize} is not allowed: use a positive integer`);
  const inference = options.inference ?? SESSION_DEFAULTS.inference;
  if (!(INFERENCE_MODES as readonly string[]).includes(inference)) {
    throw new RangeError(`inference "${inference}" is not allowed: use one of ${INFERENCE_MODES.join(", ")}`);
  }
  const sessionOptions = sessionOptionsFor(device, options);
  // At most one input buffer per batch in flight (two ping-pong with a worker).
  const sink = new BatchSink(2);
  let opened: { runner: BatchRunner; numClasses: number; batchSize: number };
  if (inference === "worker") {
    opened = await WorkerRunner.open({ source, card, classes: classes?.length, sessionOptions, batchSize }, sink);
  } else {
    const o = await openSession(source, card, classes?.length, sessionOptions, batchSize);
    opened = { runner: new MainThreadRunner(o.session, card, sink), numClasses: o.numClasses, batchSize: o.batchSize };
  }
  const list = classes ?? Array.from({ length: opened.numClasses }, (_, i) => ({ label: `class ${i}` }));
  return new OnnxModel(opened.runner, sink, card, list.map((c) => c.label), list, opened.numClasses, opened.batchSize, device, inference);
}

/** Execution providers onnxruntime-node offers on this machine (cuda only when its provider libraries are installed). */
export function availableDevices(): Device[] {
  const names = ort.listSupportedBackends().map((b) => b.name);
  return DEVICES.filter((d) => names.includes(d) && (d !== "cuda" || cudaProblem() === undefined));
}
