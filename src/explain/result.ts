import { overlay } from "../image/colormap";
import { encodePng } from "../image/png";
import { JUPYTER_DISPLAY, type MimeBundle } from "../jupyter/host";
import { curvesFigure } from "../plot/figures";
import { figureSvg, svgImgHtml } from "../plot/svg";
import type { Division, RgbImage, SaliencyMap } from "../types";
import type { Curve, HighestConfidence } from "../metrics/curves";
import type { ResolvedOptions } from "./options";
import type { SearchStep } from "../search/types";

/** A class with its score. */
export interface ClassScore {
  readonly index: number;
  readonly label: string;
  readonly score: number;
}

/** Everything an explanation holds; see {@link Explanation}. */
export interface ExplanationData {
  readonly model: string;
  readonly target: { readonly index: number; readonly label: string };
  /** The model's five best classes on the full image. */
  readonly top5: readonly ClassScore[];
  readonly image: RgbImage;
  readonly division: Division;
  /** Region indices, most important first. */
  readonly order: readonly number[];
  /** steps[i] placed order[i]: direction and F terms. */
  readonly steps: readonly SearchStep[];
  /** LIMA eq. 11 importance map, values in [0, 1]. */
  readonly importanceMap: SaliencyMap;
  /** SMDL rank map: region at position i (1-based) gets |V| − i. */
  readonly rankMap: SaliencyMap;
  /** Region insertion curve (METHOD.md §6), |V| + 1 points. */
  readonly insertion: Curve;
  /** Region deletion curve, |V| + 1 points. */
  readonly deletion: Curve;
  readonly highestConfidence: Readonly<Record<string, HighestConfidence>>;
  /** Images the model ran for this explanation. */
  readonly forwardPasses: number;
  /** Requested subset images served from the cache. */
  readonly cacheHits: number;
  /** Wall time of explain() in milliseconds. */
  readonly ms: number;
  /** Of which inside the inference runtime. */
  readonly inferenceMs: number;
  readonly options: ResolvedOptions;
}

/** The result of an explanation: data, JSON form, and rich display in a notebook. */
export class Explanation implements ExplanationData {
  readonly model!: string;
  readonly target!: { readonly index: number; readonly label: string };
  readonly top5!: readonly ClassScore[];
  readonly image!: RgbImage;
  readonly division!: Division;
  readonly order!: readonly number[];
  readonly steps!: readonly SearchStep[];
  readonly importanceMap!: SaliencyMap;
  readonly rankMap!: SaliencyMap;
  readonly insertion!: Curve;
  readonly deletion!: Curve;
  readonly highestConfidence!: Readonly<Record<string, HighestConfidence>>;
  readonly forwardPasses!: number;
  readonly cacheHits!: number;
  readonly ms!: number;
  readonly inferenceMs!: number;
  readonly options!: ResolvedOptions;

  constructor(data: ExplanationData) {
    Object.assign(this, data);
  }

  /** |V|, the number of regions. */
  get regions(): number {
    return this.division.count;
  }

  /** The importance map over the image as a PNG (8-bit, model resolution). */
  overlayPng(opacity = 0.5): Buffer {
    return encodePng(overlay(this.image, this.importanceMap, opacity), this.image.width, this.image.height);
  }

  /** The JSON form printed by `lima-xai explain --json` (maps and pixels left out). */
  toJSON(): Record<string, unknown> {
    const highestConfidence = Object.fromEntries(Object.entries(this.highestConfidence));
    return {
      model: this.model,
      target: this.target,
      top5: this.top5,
      regions: this.regions,
      division: this.division.method,
      search: this.options.search,
      np: this.options.np,
      lambdas: this.options.lambdas,
      order: this.order,
      steps: this.steps.map((s) => ({ region: s.region, direction: s.direction, ...s.terms })),
      insertion: this.insertion,
      deletion: this.deletion,
      highestConfidence,
      forwardPasses: this.forwardPasses,
      cacheHits: this.cacheHits,
      ms: Math.round(this.ms),
      inferenceMs: Math.round(this.inferenceMs),
    };
  }

  /** A one-paragraph summary. */
  toString(): string {
    const hc = this.highestConfidence["0.25"];
    return [
      `Explanation of ${this.target.label} (class ${this.target.index}) by ${this.model}`,
      `|V| = ${this.regions} (${this.division.method}), ${this.options.search} search`,
      `insertion AUC ${this.insertion.auc.toFixed(3)}, deletion AUC ${this.deletion.auc.toFixed(3)}, highest confidence (≤25%) ${hc ? hc.score.toFixed(3) : "n/a"}`,
      `${this.forwardPasses} forward passes, ${this.cacheHits} cache hits, ${(this.ms / 1000).toFixed(2)} s`,
    ].join("\n");
  }

  /**
   * Rich output in our Jupyter kernel, readable without a kernel or a plotly renderer: text/html
   * holds the map (PNG) and the curves (static SVG, src/plot/svg.ts) as <img> elements beside the
   * summary; image/png is the map, image/svg+xml the curves. One output shows one of these types,
   * so the bundle carries no plotly form: it would win over text/html in JupyterLab and hide the
   * map. For interactive curves display `curvesFigure(result)` (a figure's own bundle has both).
   */
  [JUPYTER_DISPLAY](): MimeBundle {
    const png = this.overlayPng().toString("base64");
    const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    const svg = figureSvg(curvesFigure(this), { width: 560, height: Math.max(300, this.image.height) });
    const map = `<img src="data:image/png;base64,${png}" width="${this.image.width}" height="${this.image.height}" alt="importance map of ${escape(this.target.label)}"/>`;
    return {
      "text/plain": this.toString(),
      "image/png": png,
      "image/svg+xml": svg,
      "text/html": `<div class="lima-xai-explanation"><div style="display:flex;gap:12px;flex-wrap:wrap;align-items:flex-start">${map}${svgImgHtml(svg, `insertion and deletion curves of ${this.target.label}`)}</div><pre>${escape(this.toString())}</pre></div>`,
    };
  }
}
