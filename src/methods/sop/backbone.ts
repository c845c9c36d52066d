/**
 * A Sum-of-Parts backbone (SOP §3): the ONNX classifier with its penultimate embedding exposed as
 * an extra output, and its final linear layer (the GroupSelect value weights C, "initialised from
 * the linear classifier of a pretrained model") read from the ONNX initialisers.
 *
 * Three classifier heads are recognised:
 * - MatMul (+ Add) or Gemm on a float embedding (any exported PyTorch/Keras linear head): exact;
 * - QLinearMatMul + QLinearAdd on a quantised embedding (the int8 MobileNetV2 of the ONNX Model
 *   Zoo): the embedding is dequantised by a DequantizeLinear node we add, weights and bias are
 *   dequantised here; exact up to the model's own output requantisation;
 * - a 1×1 Conv → (Relu) → GlobalAveragePool head (SqueezeNet): the embedding is the global average
 *   of the Conv's input (a node we add) and C is the 1×1 kernel; an approximation, since the model
 *   averages after the ReLU (the GroupSelect training absorbs part of the difference).
 */
import { onnx } from "onnx-proto";
import { ModelError } from "../../model/onnx";

/** The classifier's last layer: logits = W·z + b, W row-major classes × h. */
export interface ClassifierHead {
  readonly classes: number;
  /** Embedding size h. */
  readonly h: number;
  readonly W: Float32Array;
  readonly b: Float32Array;
  /** Which head pattern was found ("gemm", "matmul", "qlinear", "conv-gap"). */
  readonly kind: string;
  /** Whether W·z + b equals the model's logits (false for the conv-gap approximation). */
  readonly exact: boolean;
}

/** The rewritten model bytes, the name of the added embedding output, and the head. */
export interface ExposedBackbone {
  readonly bytes: Uint8Array;
  readonly featureOutput: string;
  readonly head: ClassifierHead;
}

const FEATURES = "sop_embedding";

type Graph = onnx.IGraphProto;
type Tensor = onnx.ITensorProto;

function initializer(graph: Graph, name: string): Tensor | undefined {
  return graph.initializer?.find((t) => t.name === name);
}

/** The values of an initialiser as numbers (float, int8, uint8, int32 and int64 storage). */
export function tensorValues(t: Tensor): Float64Array {
  const T = onnx.TensorProto.DataType;
  const raw = t.rawData && t.rawData.length ? t.rawData : undefined;
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  const count = (t.dims ?? []).reduce((a: number, d) => a * Number(d), 1);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    switch (t.dataType) {
      case T.FLOAT: out[i] = view ? view.getFloat32(4 * i, true) : t.floatData![i]; break;
      case T.INT8: out[i] = view ? view.getInt8(i) : t.int32Data![i]; break;
      case T.UINT8: out[i] = view ? view.getUint8(i) : t.int32Data![i]; break;
      case T.INT32: out[i] = view ? view.getInt32(4 * i, true) : t.int32Data![i]; break;
      case T.INT64: out[i] = view ? Number(view.getBigInt64(8 * i, true)) : Number(t.int64Data![i]); break;
      default: throw new ModelError(`initialiser ${t.name} has data type ${t.dataType}; the SOP head reader handles float, int8, uint8, int32, int64`);
    }
  }
  return out;
}

function scalar(graph: Graph, name: string): number {
  const t = initializer(graph, name);
  if (!t) throw new ModelError(`the classifier head needs initialiser ${name}, which the model does not have`);
  return tensorValues(t)[0];
}

/** A quantisation parameter broadcast to one value per column. */
function perColumn(graph: Graph, name: string, columns: number): Float64Array {
  const t = initializer(graph, name);
  if (!t) throw new ModelError(`the classifier head needs initialiser ${name}, which the model does not have`);
  const v = tensorValues(t);
  if (v.length === columns) return v;
  if (v.length === 1) return new Float64Array(columns).fill(v[0]);
  throw new ModelError(`initialiser ${name} has ${v.length} values; expected 1 or ${columns}`);
}

function dims(t: Tensor): number[] {
  return (t.dims ?? []).map(Number);
}

/** W (classes × h) from a weight stored as h × classes (MatMul) or classes × h (Gemm transB). */
function rows(values: ArrayLike<number>, h: number, classes: number, transposed: boolean): Float32Array {
  const W = new Float32Array(classes * h);
  for (let k = 0; k < classes; k++) for (let j = 0; j < h; j++) W[k * h + j] = transposed ? values[k * h + j] : values[j * classes + k];
  return W;
}

function producer(graph: Graph, output: string): onnx.INodeProto | undefined {
  return graph.node?.find((n) => n.output?.includes(output));
}

/** Walks back from the model output through shape-only and activation-free nodes to the head. */
function headNode(graph: Graph, output: string): onnx.INodeProto {
  let n = producer(graph, output);
  const passThrough = new Set(["Softmax", "DequantizeLinear", "Flatten", "Reshape", "Squeeze", "Identity"]);
  while (n && passThrough.has(n.opType ?? "")) n = producer(graph, n.input![0]);
  if (!n) throw new ModelError(`cannot find the node that computes ${output}`);
  return n;
}

function gemmHead(graph: Graph, n: onnx.INodeProto): { feature: string; head: ClassifierHead } {
  const w = initializer(graph, n.input![1]);
  if (!w) throw new ModelError(`Gemm ${n.name} has no weight initialiser`);
  const transB = n.attribute?.find((a) => a.name === "transB")?.i;
  const [r, c] = dims(w);
  const [classes, h] = Number(transB) === 1 ? [r, c] : [c, r];
  const bias = n.input![2] ? initializer(graph, n.input![2]) : undefined;
  return {
    feature: n.input![0],
    head: { classes, h, W: rows(tensorValues(w), h, classes, Number(transB) === 1), b: bias ? Float32Array.from(tensorValues(bias)) : new Float32Array(classes), kind: "gemm", exact: true },
  };
}

function matmulHead(graph: Graph, add: onnx.INodeProto | undefined, mm: onnx.INodeProto): { feature: string; head: ClassifierHead } {
  const w = initializer(graph, mm.input![1]);
  if (!w) throw new ModelError(`MatMul ${mm.name} has no weight initialiser`);
  const [h, classes] = dims(w);
  const biasName = add?.input?.find((i) => i !== mm.output![0]);
  const bias = biasName ? initializer(graph, biasName) : undefined;
  return {
    feature: mm.input![0],
    head: { classes, h, W: rows(tensorValues(w), h, classes, false), b: bias ? Float32Array.from(tensorValues(bias)) : new Float32Array(classes), kind: "matmul", exact: true },
  };
}

function qlinearHead(graph: Graph, add: onnx.INodeProto | undefined, mm: onnx.INodeProto): { feature: string; nodes: onnx.INodeProto[]; head: ClassifierHead } {
  const [aq, aScale, aZero, wq, wScale, wZero] = mm.input!;
  const w = initializer(graph, wq);
  if (!w) throw new ModelError(`QLinearMatMul ${mm.name} has no weight initialiser`);
  const [h, classes] = dims(w);
  // Per-tensor or per-column (one scale and zero point per class) weight quantisation.
  const ws = perColumn(graph, wScale, classes);
  const wz = perColumn(graph, wZero, classes);
  const W = rows(Array.from(tensorValues(w), (v, i) => (v - wz[i % classes]) * ws[i % classes]), h, classes, false);
  let b = new Float32Array(classes);
  if (add) {
    const [, , , bq, bScale, bZero] = add.input!;
    const bt = initializer(graph, bq);
    if (bt) {
      const bs = scalar(graph, bScale);
      const bz = scalar(graph, bZero);
      b = Float32Array.from(tensorValues(bt), (v) => (v - bz) * bs);
    }
  }
  const nodes = [{ opType: "DequantizeLinear", input: [aq, aScale, aZero], output: [FEATURES], name: FEATURES }];
  return { feature: FEATURES, nodes, head: { classes, h, W, b, kind: "qlinear", exact: true } };
}

function convGapHead(graph: Graph, conv: onnx.INodeProto): { feature: string; nodes: onnx.INodeProto[]; head: ClassifierHead } {
  const w = initializer(graph, conv.input![1]);
  if (!w) throw new ModelError(`Conv ${conv.name} has no weight initialiser`);
  const [classes, h, kh, kw] = dims(w);
  if (kh !== 1 || kw !== 1) throw new ModelError(`the classifier Conv ${conv.name} has a ${kh}×${kw} kernel; only 1×1 heads are supported`);
  const bias = conv.input![2] ? initializer(graph, conv.input![2]) : undefined;
  const nodes = [
    { opType: "GlobalAveragePool", input: [conv.input![0]], output: [`${FEATURES}_pool`], name: `${FEATURES}_pool` },
    { opType: "Flatten", input: [`${FEATURES}_pool`], output: [FEATURES], name: FEATURES },
  ];
  return { feature: FEATURES, nodes, head: { classes, h, W: rows(tensorValues(w), h, classes, true), b: bias ? Float32Array.from(tensorValues(bias)) : new Float32Array(classes), kind: "conv-gap", exact: false } };
}

/**
 * Finds the classifier head behind `output`, adds the embedding as a graph output, and returns
 * the new model bytes with the head's weights. Throws a ModelError naming what was found when
 * the head is none of the recognised patterns.
 */
export function exposeBackbone(modelBytes: Uint8Array, output: string): ExposedBackbone {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph;
  if (!graph) throw new ModelError("the ONNX model has no graph");
  let n = headNode(graph, output);
  let found: { feature: string; nodes?: onnx.INodeProto[]; head: ClassifierHead };
  if (n.opType === "GlobalAveragePool" || n.opType === "Relu") {
    while (n && (n.opType === "GlobalAveragePool" || n.opType === "Relu")) n = producer(graph, n.input![0])!;
    if (!n || n.opType !== "Conv") throw new ModelError(`the head before ${output} is ${n?.opType ?? "nothing"}; expected a 1×1 Conv before the pooling`);
    found = convGapHead(graph, n);
  } else if (n.opType === "Gemm") {
    found = gemmHead(graph, n);
  } else if (n.opType === "Add" || n.opType === "MatMul") {
    const mm = n.opType === "MatMul" ? n : n.input!.map((i) => producer(graph, i)).find((p) => p?.opType === "MatMul");
    if (!mm) throw new ModelError(`the Add before ${output} has no MatMul input`);
    found = matmulHead(graph, n.opType === "Add" ? n : undefined, mm);
  } else if (n.opType === "QLinearAdd" || n.opType === "QLinearMatMul") {
    const mm = n.opType === "QLinearMatMul" ? n : producer(graph, n.input![0]);
    if (!mm || mm.opType !== "QLinearMatMul") throw new ModelError(`the QLinearAdd before ${output} has no QLinearMatMul input`);
    found = qlinearHead(graph, n.opType === "QLinearAdd" ? n : undefined, mm);
  } else {
    throw new ModelError(`the classifier head of ${output} is a ${n.opType} node; SOP reads Gemm, MatMul(+Add), QLinearMatMul(+QLinearAdd) or 1×1 Conv + GlobalAveragePool heads`);
  }
  graph.node = [...(graph.node ?? []), ...(found.nodes ?? [])];
  graph.output = [...(graph.output ?? []), { name: found.feature, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } }];
  return { bytes: onnx.ModelProto.encode(model).finish(), featureOutput: found.feature, head: found.head };
}
