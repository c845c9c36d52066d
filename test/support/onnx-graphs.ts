/**
 * Small ONNX graphs whose answers are known exactly, built with onnx-proto at test time, and
 * written with a model card so that `loadModel` opens them like any other model.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { onnx } from "onnx-proto";

type Node = onnx.INodeProto;
type Tensor = onnx.ITensorProto;

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

function floatTensor(name: string, dims: number[], values: ArrayLike<number>): Tensor {
  const data = Float32Array.from(values);
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer) };
}

function int64Tensor(name: string, values: number[]): Tensor {
  return { name, dims: [values.length], dataType: INT64, int64Data: values };
}

function node(opType: string, inputs: string[], outputs: string[], attributes: onnx.IAttributeProto[] = []): Node {
  return { opType, input: inputs, output: outputs, attribute: attributes, name: outputs[0] };
}

function valueInfo(name: string, dims: (number | string)[], elemType: number = FLOAT): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) } } },
  };
}

/** Serialises a graph with input "x" [N|1,3,H,W] and output "y" [N,C] at opset 13. */
function encode(nodes: Node[], initializers: Tensor[], height: number, width: number, classes: number, batch: number | "N", extraOutputs: [string, number][] = [], outputType: number = FLOAT): Uint8Array {
  const model: onnx.IModelProto = {
    irVersion: 7,
    producerName: "lima-xai-tests",
    opsetImport: [{ domain: "", version: 13 }],
    graph: {
      name: "test",
      node: nodes,
      initializer: initializers,
      input: [valueInfo("x", [batch, 3, height, width])],
      output: [valueInfo("y", [batch, classes], outputType), ...extraOutputs.map(([n, d]) => valueInfo(n, [batch, d]))],
    },
  };
  return onnx.ModelProto.encode(model).finish();
}

/** Nodes computing the mean of the input over a pixel mask: x → [N,1]. */
function maskMean(prefix: string, mask: Uint8Array, height: number, width: number): { nodes: Node[]; inits: Tensor[]; out: string } {
  const area = mask.reduce((s, v) => s + v, 0);
  const weights = Array.from(mask, (v) => v / (3 * area));
  return {
    inits: [floatTensor(`${prefix}_w`, [1, 1, height, width], weights)],
    nodes: [
      node("Mul", ["x", `${prefix}_w`], [`${prefix}_xw`]),
      node("ReduceSum", [`${prefix}_xw`, "axes_123"], [`${prefix}_sum`], [{ name: "keepdims", type: onnx.AttributeProto.AttributeType.INT, i: 1 }]),
      node("Reshape", [`${prefix}_sum`, "shape_n1"], [`${prefix}_mean`]),
    ],
    out: `${prefix}_mean`,
  };
}

/** Options of {@link interactionModel}. */
export interface InteractionModelOptions {
  readonly width: number;
  readonly height: number;
  /** Two pixel masks (1 = inside), each width·height. */
  readonly masks: readonly [Uint8Array, Uint8Array];
  /** "and": logit = gain·min(a, b); "or": logit = gain·max(a, b); a, b = mean input over each mask. */
  readonly combine: "and" | "or";
  readonly gain: number;
  /** Fixed batch of 1 instead of a dynamic batch. */
  readonly fixedBatch?: boolean;
}

/**
 * A two-class model: class 0's logit is gain·min(a, b) (AND) or gain·max(a, b) (OR) of the mean
 * input over two regions, class 1's logit is 0. With input scaled to 0..1, a white image and a
 * black baseline, class 0's probability is σ(gain) exactly when the interaction holds, ½ when not.
 */
export function interactionModel(o: InteractionModelOptions): Uint8Array {
  const a = maskMean("a", o.masks[0], o.height, o.width);
  const b = maskMean("b", o.masks[1], o.height, o.width);
  const nodes = [
    ...a.nodes,
    ...b.nodes,
    node(o.combine === "and" ? "Min" : "Max", [a.out, b.out], ["ab"]),
    node("Mul", ["ab", "gain"], ["logit0"]),
    node("Sub", ["logit0", "logit0"], ["logit1"]),
    node("Concat", ["logit0", "logit1"], ["y"], [{ name: "axis", type: onnx.AttributeProto.AttributeType.INT, i: 1 }]),
  ];
  const inits = [...a.inits, ...b.inits, int64Tensor("axes_123", [1, 2, 3]), int64Tensor("shape_n1", [-1, 1]), floatTensor("gain", [1], [o.gain])];
  return encode(nodes, inits, o.height, o.width, 2, o.fixedBatch ? 1 : "N");
}

/**
 * A linear classifier: logits = W·flatten(x) + bias, with W given per class as C arrays of
 * 3·H·W weights in NCHW order. `nan` makes every logit NaN, `int64` casts the logits to int64
 * (both for error tests).
 */
export function linearModel(o: { width: number; height: number; weights: readonly Float32Array[]; bias?: readonly number[]; fixedBatch?: boolean; nan?: boolean; int64?: boolean }): Uint8Array {
  const n = 3 * o.width * o.height;
  const C = o.weights.length;
  const w = new Float32Array(n * C);
  o.weights.forEach((row, c) => row.forEach((v, i) => (w[i * C + c] = v)));
  const bias = o.bias ?? new Array<number>(C).fill(0);
  const nodes = [
    node("Reshape", ["x", "shape_flat"], ["flat"]),
    node("MatMul", ["flat", "W"], ["xw"]),
    node("Add", ["xw", "bias"], o.nan || o.int64 ? ["pre"] : ["y"]),
    ...(o.nan ? [node("Mul", ["pre", "nan"], ["y"])] : []),
    ...(o.int64 ? [node("Cast", ["pre"], ["y"], [{ name: "to", type: onnx.AttributeProto.AttributeType.INT, i: INT64 }])] : []),
  ];
  const inits = [int64Tensor("shape_flat", [-1, n]), floatTensor("W", [n, C], w), floatTensor("bias", [C], bias), ...(o.nan ? [floatTensor("nan", [1], [NaN])] : [])];
  return encode(nodes, inits, o.height, o.width, C, o.fixedBatch ? 1 : "N", [], o.int64 ? INT64 : FLOAT);
}

/** Card fields a test may override. */
export interface TestCard {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly classes: readonly string[];
  readonly outputKind?: "logits" | "probabilities";
  /** Multiply 0..255 first (default 1/255, so a white pixel is 1). */
  readonly scale?: number;
  readonly input?: string;
}

let tempRoot: string | undefined;

/** A fresh folder under one per-process temporary root, removed when the process exits. */
export function tempDir(prefix = "model-"): string {
  if (!tempRoot) {
    const root = mkdtempSync(path.join(os.tmpdir(), "lima-xai-test-"));
    tempRoot = root;
    process.on("exit", () => rmSync(root, { recursive: true, force: true }));
  }
  return mkdtempSync(path.join(tempRoot, prefix));
}

/**
 * Writes `<name>.onnx`, `<name>.json` (card) and `<name>.labels.txt` into a fresh temporary folder
 * (or `dir`) and returns the card's path, ready for `loadModel`.
 */
export function writeTestModel(bytes: Uint8Array, card: TestCard, dir?: string): string {
  const folder = dir ?? tempDir();
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, `${card.name}.onnx`), bytes);
  writeFileSync(path.join(folder, `${card.name}.labels.txt`), `${card.classes.join("\n")}\n`);
  const json = {
    name: card.name,
    file: `${card.name}.onnx`,
    input: card.input ?? "x",
    size: [card.height, card.width],
    resize: "stretch",
    channels: "RGB",
    scale: card.scale ?? 1 / 255,
    mean: [0, 0, 0],
    std: [1, 1, 1],
    output: "y",
    outputKind: card.outputKind ?? "logits",
    labels: `${card.name}.labels.txt`,
  };
  const file = path.join(folder, `${card.name}.json`);
  writeFileSync(file, JSON.stringify(json, null, 2));
  return file;
}

/** A mask of the axis-aligned rectangle [x0, x1) × [y0, y1). */
export function rectMask(width: number, height: number, x0: number, y0: number, x1: number, y1: number): Uint8Array {
  const m = new Uint8Array(width * height);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[y * width + x] = 1;
  return m;
}
