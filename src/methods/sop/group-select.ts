/**
 * GroupSelect (SOP eq. 3): scores for groups from their backbone embeddings z_1..z_G, with class
 * queries projected from the classifier's own weights:
 *
 *   a_{k,i} = (W_q C_k) · (W_k z_i) / √d,   c_k = sparsemax(a_k),   y_{k,i} = C_k · z_i + b_k,
 *   logit_k = Σ_i c_{k,i} · y_{k,i}.
 *
 * C and b are the classifier's last layer (kept fixed, so every partial logit y_{k,i} is exactly
 * what the classifier says of group i alone); W_q and W_k (d × h) are learned. The prediction is
 * the weighted sum of the groups' partial logits, so the grouped attribution {(S_i, c_{k,i}·y_{k,i})}
 * sums to the logit: faithful by construction.
 */
import { createRandom } from "../../util/random";
import type { ClassifierHead } from "./backbone";
import { sparsemax, sparsemaxBackward } from "./sparsemax";

/** The learned part of GroupSelect. */
export interface GroupSelectWeights {
  /** Projection size d. */
  readonly d: number;
  readonly h: number;
  /** d × h, row-major. */
  readonly Wq: Float32Array;
  readonly Wk: Float32Array;
}

/** What GroupSelect computes for one image's groups. */
export interface GroupSelectOutput {
  /** classes × G group scores (each row on the simplex, sparse). */
  readonly c: Float64Array;
  /** classes × G partial logits. */
  readonly y: Float64Array;
  /** Σ_i c_{k,i} y_{k,i} per class. */
  readonly logits: Float64Array;
  readonly groups: number;
}

/**
 * Starting W_q, W_k (seeded). "shared" (default): one random projection P with entries N(0, 1/d)
 * for both, so that W_qᵀW_k ≈ I and a_{k,i} ≈ C_k·z_i/√d — GroupSelect starts by attending to the
 * groups with the most evidence for each class (the classifier's own reading), and training
 * refines that. "independent": two projections with entries N(0, 1/h), which start near-uniform.
 */
export function initGroupSelect(h: number, d = 64, seed = 0, mode: "shared" | "independent" = "shared"): GroupSelectWeights {
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`projection size d ${d} is not allowed: use an integer ≥ 1`);
  const random = createRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
  if (mode === "shared") {
    const P = Float32Array.from({ length: d * h }, () => gauss() / Math.sqrt(d));
    return { d, h, Wq: P, Wk: Float32Array.from(P) };
  }
  const make = () => Float32Array.from({ length: d * h }, () => gauss() / Math.sqrt(h));
  return { d, h, Wq: make(), Wk: make() };
}

/** P (rows × d) = M (rows × h) · Wᵀ for W (d × h). */
function project(M: ArrayLike<number>, rows: number, W: Float32Array, d: number, h: number): Float64Array {
  const out = new Float64Array(rows * d);
  for (let r = 0; r < rows; r++) {
    const mo = r * h;
    for (let a = 0; a < d; a++) {
      const wo = a * h;
      let s = 0;
      for (let j = 0; j < h; j++) s += M[mo + j] * W[wo + j];
      out[r * d + a] = s;
    }
  }
  return out;
}

/** Class queries W_q C_k for every class (classes × d); shared by every image of a step. */
export function classQueries(head: ClassifierHead, w: GroupSelectWeights): Float64Array {
  return project(head.W, head.classes, w.Wq, w.d, w.h);
}

/** Partial logits y_{k,i} = C_k · z_i + b_k (classes × G) of the groups' embeddings (G × h). */
export function partialLogits(head: ClassifierHead, z: Float32Array, groups: number): Float64Array {
  const { classes, h, W, b } = head;
  const y = new Float64Array(classes * groups);
  for (let k = 0; k < classes; k++) {
    for (let i = 0; i < groups; i++) {
      let s = b[k];
      for (let j = 0; j < h; j++) s += W[k * h + j] * z[i * h + j];
      y[k * groups + i] = s;
    }
  }
  return y;
}

/** GroupSelect forward for one image: z is G × h, y its partial logits, Q the class queries. */
export function groupSelect(z: Float32Array, y: Float64Array, groups: number, Q: Float64Array, w: GroupSelectWeights): GroupSelectOutput & { keys: Float64Array } {
  const classes = y.length / groups;
  const keys = project(z, groups, w.Wk, w.d, w.h);
  const scale = 1 / Math.sqrt(w.d);
  const c = new Float64Array(classes * groups);
  const logits = new Float64Array(classes);
  const a = new Float64Array(groups);
  const row = new Float64Array(groups);
  for (let k = 0; k < classes; k++) {
    for (let i = 0; i < groups; i++) {
      let s = 0;
      for (let t = 0; t < w.d; t++) s += Q[k * w.d + t] * keys[i * w.d + t];
      a[i] = s * scale;
    }
    sparsemax(a, row);
    let l = 0;
    for (let i = 0; i < groups; i++) {
      c[k * groups + i] = row[i];
      l += row[i] * y[k * groups + i];
    }
    logits[k] = l;
  }
  return { c, y, logits, groups, keys };
}

/** One training example: a photo's group embeddings, their partial logits, and the class to predict. */
export interface GroupSelectExample {
  readonly z: Float32Array;
  readonly y: Float64Array;
  readonly groups: number;
  readonly label: number;
}

/** Options of {@link trainGroupSelect}. */
export interface GroupSelectTraining {
  /** Passes over the examples (default 3: on the shared photos more epochs overfit the training photos, docs/SOP.md). */
  readonly epochs?: number;
  /** Adam step size (default 0.005). */
  readonly learningRate?: number;
  /** Examples per step (default 8). */
  readonly batch?: number;
  /** Shuffling seed (default 0). */
  readonly seed?: number;
  /**
   * Classes in each step's softmax (default 64): the examples' labels and, per example, the classes
   * its groups' partial logits favour most, filled up to this many (a sampled softmax: computing all
   * 1000 class queries each step is what makes training slow). 0 = every class.
   */
  readonly classesPerStep?: number;
  readonly onEpoch?: (epoch: number, loss: number, accuracy: number) => void;
}

/**
 * The classes of one training step (a sampled softmax): every example's label, then, round-robin
 * over the examples, the classes with the largest partial logit in any of its groups, up to
 * `limit` classes (0 or ≥ all: every class). Returns the reduced head and each example restricted
 * to those classes, its label re-indexed.
 */
function stepClasses(head: ClassifierHead, batch: readonly GroupSelectExample[], limit: number): { head: ClassifierHead; examples: Map<GroupSelectExample, GroupSelectExample> } {
  if (limit <= 0 || limit >= head.classes) return { head, examples: new Map(batch.map((e) => [e, e])) };
  const chosen = new Set(batch.map((e) => e.label));
  const ranked = batch.map((e) => {
    const best = new Float64Array(head.classes).fill(-Infinity);
    for (let k = 0; k < head.classes; k++) for (let i = 0; i < e.groups; i++) best[k] = Math.max(best[k], e.y[k * e.groups + i]);
    return Array.from(best.keys()).sort((a, b) => best[b] - best[a] || a - b);
  });
  for (let r = 0; chosen.size < limit && r < head.classes; r++) for (const list of ranked) if (chosen.size < limit) chosen.add(list[r]);
  const ks = [...chosen].sort((a, b) => a - b);
  const { h } = head;
  const W = new Float32Array(ks.length * h);
  ks.forEach((k, r) => W.set(head.W.subarray(k * h, (k + 1) * h), r * h));
  const sub: ClassifierHead = { ...head, classes: ks.length, W, b: Float32Array.from(ks, (k) => head.b[k]) };
  const examples = new Map(batch.map((e) => {
    const y = new Float64Array(ks.length * e.groups);
    ks.forEach((k, r) => y.set(e.y.subarray(k * e.groups, (k + 1) * e.groups), r * e.groups));
    return [e, { z: e.z, y, groups: e.groups, label: ks.indexOf(e.label) }] as const;
  }));
  return { head: sub, examples };
}

function softmaxCrossEntropy(logits: Float64Array, label: number): { loss: number; grad: Float64Array } {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  let sum = 0;
  const grad = new Float64Array(logits.length);
  for (let k = 0; k < logits.length; k++) sum += (grad[k] = Math.exp(logits[k] - max));
  for (let k = 0; k < logits.length; k++) grad[k] /= sum;
  const loss = -Math.log(Math.max(grad[label], 1e-300));
  grad[label] -= 1;
  return { loss, grad };
}

/**
 * Trains W_q and W_k by Adam on the cross-entropy of GroupSelect's logits (SOP trains GroupSelect
 * with the task loss; the backbone and C stay frozen here). Returns new weights and the loss per epoch.
 */
export function trainGroupSelect(head: ClassifierHead, start: GroupSelectWeights, examples: readonly GroupSelectExample[], options: GroupSelectTraining = {}): { weights: GroupSelectWeights; losses: number[] } {
  const epochs = options.epochs ?? 3;
  const lr = options.learningRate ?? 0.005;
  const batch = options.batch ?? 8;
  if (examples.length === 0) throw new RangeError("GroupSelect training needs at least one example; got none");
  const { d, h } = start;
  const Wq = Float32Array.from(start.Wq);
  const Wk = Float32Array.from(start.Wk);
  const w: GroupSelectWeights = { d, h, Wq, Wk };
  const params = [Wq, Wk];
  const m = params.map((p) => new Float64Array(p.length));
  const v = params.map((p) => new Float64Array(p.length));
  let adamStep = 0;
  const random = createRandom(options.seed ?? 0);
  const losses: number[] = [];
  const scale = 1 / Math.sqrt(d);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = examples.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    let epochLoss = 0;
    let correct = 0;
    for (let s = 0; s < order.length; s += batch) {
      const ids = order.slice(s, s + batch);
      const step = stepClasses(head, ids.map((id) => examples[id]), options.classesPerStep ?? 64);
      const Q = classQueries(step.head, w);
      const dQ = new Float64Array(step.head.classes * d);
      const dWk = new Float64Array(d * h);
      for (const id of ids) {
        const ex = step.examples.get(examples[id])!;
        const G = ex.groups;
        const out = groupSelect(ex.z, ex.y, G, Q, w);
        const { loss, grad } = softmaxCrossEntropy(out.logits, ex.label);
        epochLoss += loss;
        let best = 0;
        for (let k = 1; k < step.head.classes; k++) if (out.logits[k] > out.logits[best]) best = k;
        if (best === ex.label) correct++;
        const dKeys = new Float64Array(G * d);
        const dc = new Float64Array(G);
        const da = new Float64Array(G);
        for (let k = 0; k < step.head.classes; k++) {
          if (grad[k] === 0) continue;
          for (let i = 0; i < G; i++) dc[i] = (grad[k] * ex.y[k * G + i]) / ids.length;
          sparsemaxBackward(out.c.subarray(k * G, (k + 1) * G), dc, da);
          for (let i = 0; i < G; i++) {
            if (da[i] === 0) continue;
            const g = da[i] * scale;
            for (let t = 0; t < d; t++) {
              dQ[k * d + t] += g * out.keys[i * d + t];
              dKeys[i * d + t] += g * Q[k * d + t];
            }
          }
        }
        // dW_k += dKeys (G × d)ᵀ · z (G × h)
        for (let i = 0; i < G; i++) for (let t = 0; t < d; t++) {
          const g = dKeys[i * d + t];
          if (g === 0) continue;
          for (let j = 0; j < h; j++) dWk[t * h + j] += g * ex.z[i * h + j];
        }
      }
      // dW_q = dQᵀ (d × classes) · C (classes × h)
      const dWq = new Float64Array(d * h);
      for (let k = 0; k < step.head.classes; k++) for (let t = 0; t < d; t++) {
        const g = dQ[k * d + t];
        if (g === 0) continue;
        for (let j = 0; j < h; j++) dWq[t * h + j] += g * step.head.W[k * h + j];
      }
      adamStep++;
      [dWq, dWk].forEach((g, p) => adam(params[p], g, m[p], v[p], adamStep, lr));
    }
    losses.push(epochLoss / examples.length);
    options.onEpoch?.(epoch, epochLoss / examples.length, correct / examples.length);
  }
  return { weights: w, losses };
}

function adam(p: Float32Array, g: Float64Array, m: Float64Array, v: Float64Array, t: number, lr: number): void {
  const b1 = 0.9, b2 = 0.999, eps = 1e-8;
  const c1 = 1 - b1 ** t, c2 = 1 - b2 ** t;
  for (let i = 0; i < p.length; i++) {
    m[i] = b1 * m[i] + (1 - b1) * g[i];
    v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
    p[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
  }
}

/** Weights as JSON (base64 float32), for saving a trained GroupSelect. */
export function serialiseGroupSelect(w: GroupSelectWeights, meta: Record<string, unknown> = {}): string {
  const b64 = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
  return JSON.stringify({ format: "lima-xai-sop-groupselect/1", ...meta, d: w.d, h: w.h, Wq: b64(w.Wq), Wk: b64(w.Wk) });
}

/** Reads weights written by {@link serialiseGroupSelect}; checks sizes. */
export function parseGroupSelect(text: string, where = "GroupSelect weights"): GroupSelectWeights & { meta: Record<string, unknown> } {
  const raw = JSON.parse(text) as Record<string, unknown>;
  if (raw.format !== "lima-xai-sop-groupselect/1") throw new RangeError(`${where}: format ${JSON.stringify(raw.format)} is not allowed: expected "lima-xai-sop-groupselect/1"`);
  const d = Number(raw.d), h = Number(raw.h);
  const f32 = (s: unknown, name: string) => {
    const buf = Buffer.from(String(s), "base64");
    const a = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    if (a.length !== d * h) throw new RangeError(`${where}: ${name} has ${a.length} values; d × h = ${d * h}`);
    return a;
  };
  const { Wq, Wk, ...meta } = raw;
  return { d, h, Wq: f32(Wq, "Wq"), Wk: f32(Wk, "Wk"), meta };
}
