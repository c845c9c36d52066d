/**
 * The one module that touches onnxruntime-node: sessions, tensors, execution providers.
 */
import * as ort from "onnxruntime-node";
import type { RgbImage, RunControl } from "../types";
import type { ClassLabel, ModelCard } from "./card";
import type { BlackBoxModel, ModelOutput } from "./types";
import { softmax } from "../util/math";
import { throwIfAborted } from "../util/abort";
import { checkOutputType, checkProbabilities } from "./check-output";
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
}

/**
 * Session defaults, chosen by measurement (bench/session.ts; numbers in bench/results/speed.md):
 * on a 2-core CPU, batch 32 vs 8/16/64 and graph level "all" vs "basic" differ by less than the
 * noise of a shared machine, and the memory arena saves allocation time for repeated same-shape
 * batches. On CUDA the default batch is 128, which fills the device better.
 */
export const SESSION_DEFAULTS = {
  batchSize: { cpu: 32, cuda: 128 },
  graphOptimizationLevel: "all",
  enableCpuMemArena: true,
} as const;

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

/** An onnxruntime session wrapped as a {@link BlackBoxModel}. */
class OnnxModel implements BlackBoxModel {
  forwardPasses = 0;
  inferenceMs = 0;
  readonly inputSize: { width: number; height: number };
  private disposed = false;
  /** Input buffers of one full batch each, reused across runs (one per run in flight). */
  private readonly freeBuffers: Float32Array[] = [];
  private outputsChecked = false;

  constructor(
    private readonly session: ort.InferenceSession,
    readonly card: ModelCard,
    readonly labels: readonly string[],
    readonly classes: readonly ClassLabel[],
    readonly numClasses: number,
    readonly batchSize: number,
    readonly device: Device,
  ) {
    this.inputSize = { width: card.size[1], height: card.size[0] };
  }

  get name(): string {
    return this.card.name;
  }

  async run(images: readonly RgbImage[], control: RunControl = {}): Promise<ModelOutput[]> {
    if (this.disposed) throw new ModelError(`model ${this.name} was disposed`);
    const outputs: ModelOutput[] = [];
    for (let start = 0; start < images.length; start += this.batchSize) {
      throwIfAborted(control.signal);
      const batch = images.slice(start, start + this.batchSize);
      outputs.push(...(await this.runBatch(batch, start)));
    }
    return outputs;
  }

  private async runBatch(batch: readonly RgbImage[], offset: number): Promise<ModelOutput[]> {
    const [height, width] = this.card.size;
    const full = this.batchSize * 3 * height * width;
    const buffer = this.freeBuffers.pop() ?? new Float32Array(full);
    try {
      const data = toTensorData(batch, this.card, buffer);
      const view = batch.length === this.batchSize ? data : data.subarray(0, batch.length * 3 * height * width);
      const tensor = new ort.Tensor("float32", view, [batch.length, 3, height, width]);
      const fetches = this.card.features ? [this.card.output, this.card.features] : [this.card.output];
      const t0 = performance.now();
      const result = await this.session.run({ [this.card.input]: tensor }, fetches);
      this.inferenceMs += performance.now() - t0;
      this.forwardPasses += batch.length;
      tensor.dispose();
      const main = result[this.card.output].data as Float32Array;
      const feats = this.card.features ? (result[this.card.features].data as Float32Array) : undefined;
      if (!this.outputsChecked) {
        checkProbabilities(this.card, main, batch.length, this.numClasses, (m) => new ModelError(m));
        this.outputsChecked = true;
      }
      const outputs = batch.map((_, i) => this.toOutput(main, feats, i, batch.length, offset));
      for (const value of Object.values(result)) value.dispose();
      return outputs;
    } finally {
      if (this.freeBuffers.length < 2) this.freeBuffers.push(buffer);
    }
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
    await this.session.release();
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
};

function outputClasses(card: ModelCard, info: TensorInfo | undefined, names: readonly string[]): number | undefined {
  if (!info) throw new ModelError(`model ${card.name} has no tensor output "${card.output}"; its outputs are: ${names.join(", ")}`);
  const dims = info.shape.slice(1).filter((d) => d !== 1);
  if (dims.length > 1) throw new ModelError(`model ${card.name} output "${card.output}" has shape [${info.shape.join(",")}]; expected [N,C] or [N,C,1,1]`);
  return typeof dims[0] === "number" ? dims[0] : undefined;
}

/**
 * Opens an ONNX model from bytes or a path with its card. Checks the input and output names and
 * shapes against the card, picks the execution provider, and detects a fixed batch of 1.
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
  const sessionOptions = sessionOptionsFor(device, options);
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
    C ??= classes?.length;
    if (C === undefined) throw new ModelError(`model ${card.name}: the number of classes is dynamic and the card names no labels file`);
    if (classes && classes.length !== C) throw new ModelError(`model ${card.name} has ${C} classes but its labels file has ${classes.length} lines`);
    const list = classes ?? Array.from({ length: C }, (_, i) => ({ label: `class ${i}` }));
    const batch = fixedBatch !== undefined ? Math.min(batchSize, fixedBatch) : batchSize;
    return new OnnxModel(session, card, list.map((c) => c.label), list, C, batch, device);
  } catch (error) {
    await session.release();
    throw error;
  }
}

/** Execution providers onnxruntime-node offers on this machine (cuda only when its provider libraries are installed). */
export function availableDevices(): Device[] {
  const names = ort.listSupportedBackends().map((b) => b.name);
  return DEVICES.filter((d) => names.includes(d) && (d !== "cuda" || cudaProblem() === undefined));
}
