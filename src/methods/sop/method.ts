/**
 * Sum-of-Parts as a registered method: the trained GroupSelect of the model (see
 * `lima-xai sop-train`) explains a photo with the groups it actually used. The map is
 * Σ_i c_{target,i}·1[S_i] (how much GroupSelect relies on each pixel's groups); the grouped
 * attribution {(S_i, c_{target,i}·y_{target,i})} is in `groups` and sums to SOP's own logit.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { defaultCacheDir } from "../../model/load";
import { ModelError } from "../../model/onnx";
import type { BlackBoxModel } from "../../model/types";
import type { ParamSpec } from "../../params/types";
import { resolveParamTree } from "../../params/types";
import type { Division, RgbImage } from "../../types";
import { requestDivision } from "../common";
import type { AttributionMethod, AttributionRequest, AttributionResult, Attributor } from "../types";
import { parseGroupSelect, type GroupSelectWeights } from "./group-select";
import { DEFAULT_SOP_RADII, encodePhoto, loadSopBackbone, predictSop, type SopBackbone } from "./index";

/** Where trained GroupSelect weights live: $LIMA_XAI_SOP_DIR, else `sop/` beside the model cache. */
export function sopWeightsDir(): string {
  return process.env.LIMA_XAI_SOP_DIR ?? path.join(path.dirname(defaultCacheDir()), "sop");
}

/** The weights file of a model name. */
export function sopWeightsFile(model: string): string {
  return path.join(sopWeightsDir(), `${model}.groupselect.json`);
}

/** SOP's own options. */
export const SOP_PARAMS: readonly ParamSpec[] = [
  { kind: "number", name: "baseline", label: "group baseline", flag: "sop-baseline", default: 0, min: 0, max: 255, unit: "pixel value", meaning: "value of the pixels outside a group when the backbone encodes it" },
];

function loadWeights(model: string, h: number): GroupSelectWeights & { meta: Record<string, unknown> } {
  const file = sopWeightsFile(model);
  if (!existsSync(file)) {
    throw new ModelError(`no trained SOP GroupSelect for model ${model} in ${sopWeightsDir()}: train one with \`lima-xai sop-train --model ${model} --images <folder of photos>\` (or set LIMA_XAI_SOP_DIR)`);
  }
  const w = parseGroupSelect(readFileSync(file, "utf8"), file);
  if (w.h !== h) throw new ModelError(`${file} was trained for an embedding of ${w.h} values; model ${model} has ${h}`);
  return w;
}

/** The group radii the weights were trained with (their `radii` metadata; the default radii when absent). */
function groupRadii(w: GroupSelectWeights & { meta?: Record<string, unknown> }): number[] {
  const r = w.meta?.radii;
  return Array.isArray(r) && r.every((v) => Number.isInteger(v) && v >= 0) ? (r as number[]) : [...DEFAULT_SOP_RADII];
}

class SopAttributor implements Attributor {
  private state?: Promise<{ backbone: SopBackbone; weights: GroupSelectWeights & { meta?: Record<string, unknown> } }>;
  constructor(private readonly model: BlackBoxModel, private readonly baseline: number) {}

  private load(): Promise<{ backbone: SopBackbone; weights: GroupSelectWeights & { meta?: Record<string, unknown> } }> {
    this.state ??= (async () => {
      const backbone = await loadSopBackbone(this.model.name);
      try {
        return { backbone, weights: loadWeights(this.model.name, backbone.head.h) };
      } catch (error) {
        await backbone.dispose();
        throw error;
      }
    })();
    return this.state;
  }

  async attribute(image: RgbImage, request: AttributionRequest): Promise<AttributionResult> {
    const t0 = performance.now();
    const { backbone, weights } = await this.load();
    const passes0 = backbone.model.forwardPasses;
    const division: Division = requestDivision(image, request);
    const photo = await encodePhoto(backbone, image, { division, baseline: this.baseline, radii: groupRadii(weights), signal: request.signal });
    const r = predictSop(backbone.head, weights, photo, request.target);
    const data = new Float32Array(image.width * image.height);
    r.weights.forEach((c, i) => {
      if (c > 0) photo.masks[i].forEach((m, p) => (data[p] += m ? c : 0));
    });
    request.onProgress?.(1);
    return {
      method: "sop",
      map: { width: image.width, height: image.height, data },
      division,
      groups: r.groups,
      forwardPasses: backbone.model.forwardPasses - passes0,
      ms: performance.now() - t0,
      details: { sopPredicted: r.predicted, sopLogit: r.logits[request.target], backbonePredicted: photo.predicted, activeGroups: r.groups.length, head: backbone.head.kind },
    };
  }

  async dispose(): Promise<void> {
    if (!this.state) return;
    const s = await this.state.catch(() => undefined);
    await s?.backbone.dispose();
  }
}

/** Sum-of-Parts (Li et al.): the trained GroupSelect's groups, faithful by construction. */
export const SOP: AttributionMethod = {
  name: "sop",
  title: "Sum-of-Parts (grouped attributions, faithful by construction)",
  paper: "Sum-of-Parts Models, §3 eqs. 2–3 (fixed GroupGen, see docs/SOP.md)",
  params: SOP_PARAMS,
  usesDivision: true,
  needs: "an ONNX classifier whose linear head SOP can read, and a GroupSelect trained for it by `lima-xai sop-train`",
  create(model: BlackBoxModel, options: Readonly<Record<string, unknown>> = {}): Attributor {
    const o = resolveParamTree(SOP_PARAMS, options);
    return new SopAttributor(model, Number(o.baseline));
  },
};
