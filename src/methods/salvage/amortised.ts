/**
 * Amortised SALVAGE (§4.1 "training an explainer model", §4.3): an explainer that predicts φ⁺,
 * φ⁻ of every region and class from one forward pass of a frozen backbone, trained on a folder
 * of images by the same JS objective (eq. 5) on masked images, and usable as a classifier via
 * u(N) = softmax(Σ_i φ⁺_i) (eq. 6).
 *
 * Backbone (our choice, see docs/SALVAGE.md): the classifier's own spatial class-evidence map
 * F[c, cell] (for SqueezeNet 1.1 the tensor "conv10_2", [1000, 13, 13], whose spatial mean is the
 * logit vector), exposed as an extra ONNX output with {@link exposeFeatureOutput}. Per region i
 * and class c: cam_{i,c} = (1/|cells|) Σ_cell a_{i,cell} F[c, cell], with a_{i,cell} the share of
 * the cell's pixels in region i, so Σ_i cam_{i,c} = logit_c of the unmasked image.
 * Head (shared over classes, so it applies to classes never seen in training): a one-hidden-layer
 * tanh MLP on x_{i,c} = (cam_{i,c}, area_i·L_c, area_i) with two outputs, and
 * φ⁺_{i,c} = cam_{i,c} + o₁, φ⁻_{i,c} = o₂. Its output layer starts at zero, so the untrained
 * explainer is the "CAM surrogate" u(S) = softmax(Σ_{i∈S} cam_i), which reproduces the model on the
 * unmasked image exactly.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { onnx } from "onnx-proto";
import { divide, regionPixels } from "../../division";
import { compositeRegions, resolveBaseline } from "../../image/baseline";
import type { BlackBoxModel } from "../../model/types";
import { BASELINE, SEED } from "../../params/lima";
import { REGIONS } from "../../params/regions";
import { guidedSubsets, shapleyKernelSubsets } from "../../sampling";
import type { Division, RgbImage, RunControl } from "../../types";
import { throwIfAborted } from "../../util/abort";
import { createRandom, type Random } from "../../util/random";
import { jsLogitGradient } from "./distribution";

/**
 * Writes a copy of a model (ONNX file + card) whose graph also outputs the intermediate tensor
 * `tensor`, with the card's `features` naming it; returns the new card's path.
 */
export function exposeFeatureOutput(cardPath: string, tensor: string, dir: string): string {
  const card = JSON.parse(readFileSync(cardPath, "utf8")) as Record<string, unknown>;
  const folder = path.dirname(cardPath);
  const model = onnx.ModelProto.decode(readFileSync(path.resolve(folder, String(card.file))));
  const graph = model.graph!;
  const produced = new Set((graph.node ?? []).flatMap((n) => n.output ?? []));
  if (!produced.has(tensor)) throw new RangeError(`tensor ${JSON.stringify(tensor)} is not produced by ${String(card.file)}; e.g. ${[...produced].slice(-5).join(", ")}`);
  graph.output = [...(graph.output ?? []), { name: tensor, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } }];
  mkdirSync(dir, { recursive: true });
  const name = `${String(card.name)}-features`;
  writeFileSync(path.join(dir, `${name}.onnx`), onnx.ModelProto.encode(model).finish());
  // The labels file is copied beside the new card (cards may only name files in their own folder).
  if (card.labels) copyFileSync(path.resolve(folder, String(card.labels)), path.join(dir, `${name}.labels.txt`));
  const out = { ...card, name, file: `${name}.onnx`, features: tensor, sha256: undefined, ...(card.labels ? { labels: `${name}.labels.txt` } : {}) };
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(out, null, 2));
  return file;
}

/** Per-region class evidence of one image: cam[i·C + c] and the region areas. */
export interface RegionEvidence {
  readonly division: Division;
  readonly cam: Float64Array;
  readonly area: Float64Array;
  /** Σ_i cam_{i,c}: the backbone's logit vector. */
  readonly logits: Float64Array;
  readonly classes: number;
}

/** cam_{i,c} from a spatial map F [C, h, w] (flattened, channel-major) over a division. */
export function regionEvidence(features: Float32Array, classes: number, division: Division): RegionEvidence {
  const cells = features.length / classes;
  const side = Math.round(Math.sqrt(cells));
  if (!Number.isInteger(cells) || side * side !== cells) throw new RangeError(`features of length ${features.length} are not a square spatial map of ${classes} classes`);
  const { width, height, count } = division;
  // a[i·cells + cell]: share of the cell's pixels in region i.
  const a = new Float64Array(count * cells), inCell = new Float64Array(cells), area = new Float64Array(count);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const cell = Math.min(side - 1, Math.floor((y * side) / height)) * side + Math.min(side - 1, Math.floor((x * side) / width));
      const r = division.labels[y * width + x];
      a[r * cells + cell]++;
      inCell[cell]++;
      area[r]++;
    }
  }
  for (let i = 0; i < count; i++) {
    area[i] /= width * height;
    for (let k = 0; k < cells; k++) a[i * cells + k] /= inCell[k] * cells;
  }
  const cam = new Float64Array(count * classes), logits = new Float64Array(classes);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < cells; k++) {
      const w = a[i * cells + k];
      if (w === 0) continue;
      for (let c = 0; c < classes; c++) cam[i * classes + c] += w * features[c * cells + k];
    }
  }
  for (let i = 0; i < count; i++) for (let c = 0; c < classes; c++) logits[c] += cam[i * classes + c];
  return { division, cam, area, logits, classes };
}

/** The head's weights: W1 [hidden × 3], b1 [hidden], W2 [2 × hidden], b2 [2]. */
export interface AmortisedHead {
  readonly hidden: number;
  readonly params: Float64Array;
}

const INPUTS = 3;

function headSize(hidden: number): number {
  return hidden * INPUTS + hidden + 2 * hidden + 2;
}

function newHead(hidden: number, random: Random): AmortisedHead {
  const params = new Float64Array(headSize(hidden));
  for (let j = 0; j < hidden * INPUTS; j++) params[j] = (random.next() * 2 - 1) / Math.sqrt(INPUTS);
  return { hidden, params }; // hidden biases and the output layer start at 0
}

/** φ⁺, φ⁻ of every region for the given classes (all when omitted); with `cache` the hidden activations are kept for backprop. */
function headForward(h: AmortisedHead, ev: RegionEvidence, classes: readonly number[], cache?: Float64Array[]): { plus: Float64Array; minus: Float64Array } {
  const H = h.hidden, p = h.params;
  const W2 = H * INPUTS + H, b2 = W2 + 2 * H;
  const K = classes.length, R = ev.division.count;
  const plus = new Float64Array(R * K), minus = new Float64Array(R * K);
  const x = new Float64Array(INPUTS);
  for (let i = 0; i < R; i++) {
    for (let k = 0; k < K; k++) {
      const c = classes[k];
      const cam = ev.cam[i * ev.classes + c];
      x[0] = cam;
      x[1] = ev.area[i] * ev.logits[c];
      x[2] = ev.area[i];
      const act = new Float64Array(H);
      let o1 = p[b2], o2 = p[b2 + 1];
      for (let j = 0; j < H; j++) {
        let s = p[H * INPUTS + j];
        for (let q = 0; q < INPUTS; q++) s += p[j * INPUTS + q] * x[q];
        act[j] = Math.tanh(s);
        o1 += p[W2 + j] * act[j];
        o2 += p[W2 + H + j] * act[j];
      }
      if (cache) cache[i * K + k] = act;
      plus[i * K + k] = cam + o1;
      minus[i * K + k] = o2;
    }
  }
  return { plus, minus };
}

/** Accumulates ∂L/∂params from ∂L/∂φ⁺, ∂L/∂φ⁻ (same layout as headForward). */
function headBackward(h: AmortisedHead, ev: RegionEvidence, classes: readonly number[], cache: Float64Array[], gPlus: Float64Array, gMinus: Float64Array, grad: Float64Array): void {
  const H = h.hidden, p = h.params;
  const W2 = H * INPUTS + H, b2 = W2 + 2 * H;
  const K = classes.length, R = ev.division.count;
  const x = new Float64Array(INPUTS);
  for (let i = 0; i < R; i++) {
    for (let k = 0; k < K; k++) {
      const gp = gPlus[i * K + k], gm = gMinus[i * K + k];
      if (gp === 0 && gm === 0) continue;
      const c = classes[k];
      x[0] = ev.cam[i * ev.classes + c];
      x[1] = ev.area[i] * ev.logits[c];
      x[2] = ev.area[i];
      const act = cache[i * K + k];
      grad[b2] += gp;
      grad[b2 + 1] += gm;
      for (let j = 0; j < H; j++) {
        grad[W2 + j] += gp * act[j];
        grad[W2 + H + j] += gm * act[j];
        const ga = (gp * p[W2 + j] + gm * p[W2 + H + j]) * (1 - act[j] * act[j]);
        grad[H * INPUTS + j] += ga;
        for (let q = 0; q < INPUTS; q++) grad[j * INPUTS + q] += ga * x[q];
      }
    }
  }
}

/** Options of {@link trainAmortised}. */
export interface AmortisedOptions extends RunControl {
  /** Masked images per training image (default 100): half Shapley kernel, half guided by the untrained (CAM) explainer's φ. */
  readonly masks?: number;
  /** Classes with their own bucket in the loss (top-k of each image; the rest pooled; default 10). */
  readonly topk?: number;
  readonly epochs?: number;
  readonly hidden?: number;
  readonly learningRate?: number;
  /** SLICO regions per image (default REGIONS.default). */
  readonly regions?: number;
  readonly baseline?: number;
  readonly seed?: number;
  readonly onProgress?: (fraction: number) => void;
}

export const AMORTISED_DEFAULTS = Object.freeze({ masks: 100, topk: 10, epochs: 60, hidden: 8, learningRate: 0.01, regions: REGIONS.default, baseline: BASELINE.default, seed: SEED.default });

interface TrainingImage {
  readonly ev: RegionEvidence;
  readonly classes: number[];
  readonly coalitions: Uint8Array[];
  readonly targets: Float64Array[];
}

/** One backbone pass: the image's region evidence on its own SLICO division (or the one given). */
export async function evidenceOf(backbone: BlackBoxModel, image: RgbImage, division: Division | undefined, regions: number, control: RunControl = {}): Promise<{ ev: RegionEvidence; probs: Float32Array }> {
  const [out] = await backbone.run([image], control);
  const d = division ?? divide(image, { method: "slico", regions });
  return { ev: regionEvidence(out.features, backbone.numClasses, d), probs: out.probs };
}

/** A trained amortised explainer. */
export class AmortisedSalvage {
  constructor(
    readonly backbone: BlackBoxModel,
    readonly head: AmortisedHead,
    readonly regions: number,
    /** Mean JS loss per epoch. */
    readonly losses: readonly number[],
  ) {}

  /** φ = φ⁺ − φ⁻ of `target` per region from one backbone pass (target: the explainer's own prediction when omitted). */
  async explain(image: RgbImage, options: RunControl & { readonly target?: number; readonly division?: Division } = {}): Promise<{ phi: Float64Array; division: Division; target: number; predicted: number }> {
    const { ev } = await evidenceOf(this.backbone, image, options.division, this.regions, options);
    const predicted = this.predictFrom(ev).predicted;
    const target = options.target ?? predicted;
    const { plus, minus } = headForward(this.head, ev, [target]);
    return { phi: plus.map((v, i) => v - minus[i]), division: ev.division, target, predicted };
  }

  /** The explainer as a classifier (eq. 6): u(N) = softmax(Σ_i φ⁺_i) over every class. */
  predictFrom(ev: RegionEvidence): { predicted: number; probs: Float64Array } {
    const all = Array.from({ length: ev.classes }, (_, c) => c);
    const { plus } = headForward(this.head, ev, all);
    const z = new Float64Array(ev.classes);
    for (let i = 0; i < ev.division.count; i++) for (let c = 0; c < ev.classes; c++) z[c] += plus[i * ev.classes + c];
    let max = -Infinity, arg = 0;
    z.forEach((v, c) => v > max && ((max = v), (arg = c)));
    let s = 0;
    const probs = z.map((v) => (s += Math.exp(v - max), Math.exp(v - max)));
    return { predicted: arg, probs: probs.map((v) => v / s) };
  }
}

/**
 * Trains the amortised explainer on `images` (forward passes: 1 backbone pass + `masks` black-box
 * passes per image). The loss is eq. 5 on each image's top-k + other buckets, where u's "other"
 * is the sum of the full-class softmax over the classes left out; Adam on the head's weights.
 */
export async function trainAmortised(model: BlackBoxModel, backbone: BlackBoxModel, images: readonly RgbImage[], options: AmortisedOptions = {}): Promise<AmortisedSalvage> {
  const o = { ...AMORTISED_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof AMORTISED_DEFAULTS & AmortisedOptions;
  if (images.length < 1) throw new RangeError("trainAmortised needs at least 1 image");
  for (const [k, lo] of [["masks", 2], ["topk", 1], ["epochs", 1], ["hidden", 1], ["regions", 2]] as const) {
    if (!Number.isInteger(o[k]) || o[k] < lo) throw new RangeError(`${k} ${o[k]} is not allowed: use an integer ≥ ${lo}`);
  }
  const random = createRandom(o.seed);
  const head = newHead(o.hidden, random);
  const data: TrainingImage[] = [];
  let done = 0;
  for (const image of images) {
    throwIfAborted(o.signal);
    const { ev, probs } = await evidenceOf(backbone, image, undefined, o.regions, o);
    const C = ev.classes;
    const classes = Array.from({ length: C }, (_, c) => c).sort((a, b) => probs[b] - probs[a] || a - b).slice(0, o.topk);
    const m = ev.division.count;
    const { plus, minus } = headForward(head, ev, [classes[0]]);
    const phi0 = plus.map((v, i) => v - minus[i]);
    const half = Math.floor(o.masks / 2);
    const coalitions = [...shapleyKernelSubsets(m, o.masks - half, random), ...guidedSubsets(phi0, half, random).coalitions];
    const pixels = regionPixels(ev.division);
    const base = await resolveBaseline(image, o.baseline);
    const targets: Float64Array[] = [];
    for (let s = 0; s < coalitions.length; s += Math.max(1, model.batchSize)) {
      const part = coalitions.slice(s, s + Math.max(1, model.batchSize));
      const outs = await model.run(part.map((z) => compositeRegions(image, base, pixels, [...z.keys()].filter((r) => z[r]))), o);
      for (const out of outs) {
        const t = new Float64Array(classes.length + 1);
        let sum = 0;
        classes.forEach((c, k) => (sum += t[k] = out.probs[c]));
        t[classes.length] = Math.max(0, 1 - sum);
        targets.push(t);
      }
    }
    data.push({ ev, classes, coalitions, targets });
    o.onProgress?.((++done / images.length) * 0.5);
  }
  // Adam over the head's weights; one step per image per epoch.
  const P = head.params.length;
  const mom = new Float64Array(P), vel = new Float64Array(P), grad = new Float64Array(P);
  let step = 0;
  const losses: number[] = [];
  const all = (C: number) => Array.from({ length: C }, (_, c) => c);
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    throwIfAborted(o.signal);
    let total = 0, count = 0;
    const order = data.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const idx of order) {
      const { ev, classes, coalitions, targets } = data[idx];
      const C = ev.classes, R = ev.division.count;
      const cache: Float64Array[] = [];
      const { plus, minus } = headForward(head, ev, all(C), cache);
      const gPlus = new Float64Array(R * C), gMinus = new Float64Array(R * C);
      const inTop = new Int32Array(C).fill(-1);
      classes.forEach((c, k) => (inTop[c] = k));
      const K = classes.length + 1;
      const bucketLogits = new Float64Array(K), gb = new Float64Array(K);
      for (let s = 0; s < coalitions.length; s++) {
        const z = coalitions[s];
        const l = new Float64Array(C);
        for (let i = 0; i < R; i++) {
          const src = z[i] ? plus : minus;
          for (let c = 0; c < C; c++) l[c] += src[i * C + c];
        }
        // Buckets: top-k logits as they are; "other" = logsumexp of the rest (so its softmax mass is their sum).
        let max = -Infinity;
        for (let c = 0; c < C; c++) if (inTop[c] < 0) max = Math.max(max, l[c]);
        let se = 0;
        for (let c = 0; c < C; c++) if (inTop[c] < 0) se += Math.exp(l[c] - max);
        classes.forEach((c, k) => (bucketLogits[k] = l[c]));
        bucketLogits[K - 1] = max + Math.log(se);
        total += jsLogitGradient(bucketLogits, targets[s], gb);
        count++;
        // ∂/∂l_c: top-k directly; the rest share the other bucket's gradient by their softmax share within it.
        const gl = new Float64Array(C);
        classes.forEach((c, k) => (gl[c] = gb[k]));
        for (let c = 0; c < C; c++) if (inTop[c] < 0) gl[c] = (gb[K - 1] * Math.exp(l[c] - max)) / se;
        for (let i = 0; i < R; i++) {
          const dst = z[i] ? gPlus : gMinus;
          for (let c = 0; c < C; c++) dst[i * C + c] += gl[c] / coalitions.length;
        }
      }
      grad.fill(0);
      headBackward(head, ev, all(C), cache, gPlus, gMinus, grad);
      step++;
      const c1 = 1 - 0.9 ** step, c2 = 1 - 0.999 ** step;
      for (let p = 0; p < P; p++) {
        mom[p] = 0.9 * mom[p] + 0.1 * grad[p];
        vel[p] = 0.999 * vel[p] + 0.001 * grad[p] * grad[p];
        head.params[p] -= (o.learningRate * (mom[p] / c1)) / (Math.sqrt(vel[p] / c2) + 1e-8);
      }
    }
    losses.push(total / Math.max(1, count));
    o.onProgress?.(0.5 + (0.5 * (epoch + 1)) / o.epochs);
  }
  return new AmortisedSalvage(backbone, head, o.regions, losses);
}

/** The untrained explainer (output layer zero: the CAM surrogate), for comparison. */
export function untrainedAmortised(backbone: BlackBoxModel, options: { readonly hidden?: number; readonly regions?: number; readonly seed?: number } = {}): AmortisedSalvage {
  return new AmortisedSalvage(backbone, newHead(options.hidden ?? AMORTISED_DEFAULTS.hidden, createRandom(options.seed ?? 0)), options.regions ?? AMORTISED_DEFAULTS.regions, []);
}
