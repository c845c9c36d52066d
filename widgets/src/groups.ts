/**
 * The explorer's group viewer: a grouped result's groups (Sum-of-Parts Definition 2; LIMA's
 * ordered prefixes) ranked by score, one highlighted at a time — its mask outlined over the
 * photo, the rest of the photo dimmed, the other groups of the list dimmed. The highlight is
 * front-end state only (nothing goes to the kernel). Scores and labels are set as text only.
 */
import type { GroupInfo } from "../../src/widgets/protocol";
import { el, text } from "./dom";
import { decodePng } from "./images";

/** Outline colours: a group that raises the score, one that lowers it. */
const POSITIVE: readonly [number, number, number] = [255, 214, 0];
const NEGATIVE: readonly [number, number, number] = [0, 200, 255];
/** How much of the photo's brightness stays outside the highlighted group. */
const DIM = 0.35;

/** A score with its sign always shown (U+2212 for minus), 3 significant digits. */
export function signedScore(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const s = Math.abs(v).toPrecision(3);
  return v < 0 ? `−${s}` : `+${s}`;
}

/**
 * The pixels of `mask` (0/1, row-major) with a 4-neighbour of a different value: `value` picks
 * the mask's edge pixels (value 1) or the outside pixels touching the mask (value 0).
 */
function edgeOf(mask: Uint8Array, width: number, height: number, value: number): Uint8Array {
  const edge = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (mask[p] !== value) continue;
      if ((x > 0 && mask[p - 1] !== value) || (x < width - 1 && mask[p + 1] !== value) || (y > 0 && mask[p - width] !== value) || (y < height - 1 && mask[p + width] !== value)) edge[p] = 1;
    }
  }
  return edge;
}

/**
 * Draws the photo with pixels outside `mask` dimmed and the mask's outline, 3 px wide: the mask's
 * two outermost pixel rings in the sign's colour, the outside ring touching it in black (so that
 * the line shows on any photo). Returns the number of coloured outline pixels.
 */
export function drawGroup(canvas: HTMLCanvasElement, image: ImageData, mask: Uint8Array | undefined, positive: boolean): number {
  if (canvas.width !== image.width) canvas.width = image.width;
  if (canvas.height !== image.height) canvas.height = image.height;
  const ctx = canvas.getContext("2d")!;
  const { width, height } = image;
  if (!mask || mask.length !== width * height) {
    ctx.putImageData(image, 0, 0);
    return 0;
  }
  const outer = edgeOf(mask, width, height, 1);
  // The second ring: mask pixels next to the first ring once it is taken off the mask.
  const inner = edgeOf(mask.map((v, p) => (outer[p] ? 0 : v)), width, height, 1);
  const halo = edgeOf(mask, width, height, 0);
  const out = ctx.createImageData(width, height);
  const colour = positive ? POSITIVE : NEGATIVE;
  let outline = 0;
  for (let p = 0; p < mask.length; p++) {
    const i = p * 4;
    if (outer[p] || inner[p]) {
      out.data[i] = colour[0];
      out.data[i + 1] = colour[1];
      out.data[i + 2] = colour[2];
      outline++;
    } else if (halo[p]) {
      out.data[i] = out.data[i + 1] = out.data[i + 2] = 0;
    } else {
      const k = mask[p] ? 1 : DIM;
      out.data[i] = k * image.data[i];
      out.data[i + 1] = k * image.data[i + 1];
      out.data[i + 2] = k * image.data[i + 2];
    }
    out.data[i + 3] = 255;
  }
  ctx.putImageData(out, 0, 0);
  return outline;
}

/** The group viewer panel; the explorer view feeds it the shown result's groups, the photo and the label map. */
export class GroupViewer {
  readonly root: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly caption: HTMLElement;
  private readonly slider: HTMLInputElement;
  private readonly list: HTMLElement;
  private groups: readonly GroupInfo[] = [];
  private total = 0;
  private highlight = 0;
  private image?: ImageData;
  private labels?: Uint16Array;
  /** Decoded masks of groups sent as PNGs, by rank. */
  private pngMasks: (Uint8Array | undefined)[] = [];
  /** Bumped at every new group list: a slower decode of an older list is dropped. */
  private generation = 0;

  constructor() {
    this.canvas = el("canvas", { "data-role": "group-canvas", class: "lima-canvas" }) as HTMLCanvasElement;
    this.caption = el("figcaption", { "data-role": "group-caption" });
    this.slider = el("input", { type: "range", "data-setting": "group", min: "0", max: "0", step: "1", title: "which group is highlighted (highest score first)" }) as HTMLInputElement;
    this.slider.addEventListener("input", () => this.select(Number(this.slider.value)));
    this.list = el("ol", { "data-role": "group-list", class: "lima-group-list", role: "listbox", tabindex: "0", "aria-label": "groups, highest score first" });
    this.list.addEventListener("keydown", (e) => {
      const moves: Record<string, number> = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1, PageDown: 10, PageUp: -10 };
      let next: number | undefined;
      if (e.key in moves) next = this.highlight + moves[e.key];
      else if (e.key === "Home") next = 0;
      else if (e.key === "End") next = this.groups.length - 1;
      if (next === undefined) return;
      e.preventDefault();
      this.select(next);
    });
    const title = el("div", { class: "lima-group-title" }, [text("Groups")]);
    const figure = el("figure", {}, [this.canvas, this.caption, el("label", { class: "lima-row" }, [text("group "), this.slider])]);
    this.root = el("div", { "data-role": "groups", class: "lima-groups", hidden: "" }, [title, el("div", { class: "lima-group-body" }, [figure, this.list])]);
  }

  /** A new result's groups (none: the panel hides); the highlight goes back to the highest score. */
  setGroups(groups: readonly GroupInfo[] | undefined, total: number, masksPng: DataView | null): void {
    this.groups = groups ?? [];
    this.total = total;
    this.highlight = 0;
    this.pngMasks = [];
    const generation = ++this.generation;
    this.root.hidden = this.groups.length === 0;
    this.root.dataset.count = String(this.groups.length);
    this.slider.max = String(Math.max(0, this.groups.length - 1));
    this.list.replaceChildren(
      ...this.groups.map((g, rank) => {
        const size = g.regions ? `${g.regions.length} region${g.regions.length === 1 ? "" : "s"}` : `${g.pixels} px`;
        const item = el("li", { "data-group": String(rank), role: "option", class: `lima-group ${g.score < 0 ? "lima-negative" : "lima-positive"}`, title: `group ${g.index} of the method's list` }, [
          el("span", { class: "lima-group-score" }, [text(signedScore(g.score))]),
          text(" "),
          el("span", { class: "lima-group-size" }, [text(size)]),
        ]);
        item.addEventListener("click", () => {
          this.select(rank);
          this.list.focus();
        });
        return item;
      }),
    );
    const pending = this.groups.map(async (g, rank) => {
      if (!g.mask || !masksPng) return;
      const bytes = new DataView(masksPng.buffer, masksPng.byteOffset + g.mask[0], g.mask[1]);
      const image = await decodePng(bytes);
      if (!image || generation !== this.generation) return;
      const mask = new Uint8Array(image.width * image.height);
      for (let p = 0; p < mask.length; p++) mask[p] = image.data[p * 4] > 127 ? 1 : 0;
      this.pngMasks[rank] = mask;
    });
    this.select(0);
    void Promise.all(pending).then(() => {
      if (generation === this.generation) this.draw();
    });
  }

  /** The photo and the division's label map (region lists are drawn through it). */
  setPicture(image: ImageData | undefined, labels: Uint16Array | undefined): void {
    this.image = image;
    this.labels = labels;
    this.draw();
  }

  /** Highlights the group at `rank` (clamped to the list). */
  select(rank: number): void {
    this.highlight = Math.max(0, Math.min(this.groups.length - 1, Math.round(rank)));
    if (this.groups.length === 0) this.highlight = 0;
    this.slider.value = String(this.highlight);
    for (const item of this.list.children) {
      const selected = Number((item as HTMLElement).dataset.group) === this.highlight;
      item.setAttribute("aria-selected", String(selected));
      if (selected) (item as HTMLElement).scrollIntoView?.({ block: "nearest" });
    }
    this.root.dataset.highlight = String(this.highlight);
    const g = this.groups[this.highlight];
    if (g) {
      this.root.dataset.groupIndex = String(g.index);
      const size = g.regions ? `${g.regions.length} region${g.regions.length === 1 ? "" : "s"}` : `${g.pixels} px`;
      const shown = this.total > this.groups.length ? ` (top ${this.groups.length} of ${this.total} shown)` : "";
      this.caption.textContent = `group ${this.highlight + 1} of ${this.groups.length}${shown} · score ${signedScore(g.score)} · ${size}`;
    } else {
      delete this.root.dataset.groupIndex;
      this.caption.textContent = "";
    }
    this.draw();
  }

  private maskOf(rank: number): Uint8Array | undefined {
    const g = this.groups[rank];
    if (!g) return undefined;
    if (!g.regions) return this.pngMasks[rank];
    const labels = this.labels;
    if (!labels) return undefined;
    const inGroup = new Uint8Array(Math.max(0, ...g.regions) + 1);
    for (const r of g.regions) inGroup[r] = 1;
    const mask = new Uint8Array(labels.length);
    for (let p = 0; p < labels.length; p++) mask[p] = labels[p] < inGroup.length ? inGroup[labels[p]] : 0;
    return mask;
  }

  private draw(): void {
    if (this.root.hidden || !this.image) return;
    const g = this.groups[this.highlight];
    const mask = this.maskOf(this.highlight);
    this.root.dataset.outline = String(drawGroup(this.canvas, this.image, mask, !g || g.score >= 0));
  }
}

export const GROUP_STYLE = `
.lima-explorer .lima-groups { display: flex; flex-direction: column; gap: 4px; flex-basis: 100%; }
.lima-explorer .lima-group-title { font-weight: 600; }
.lima-explorer .lima-group-body { display: flex; gap: 8px; align-items: flex-start; }
.lima-explorer .lima-group-list { list-style: none; margin: 0; padding: 2px; max-height: 260px; overflow-y: auto; min-width: 180px; border: 1px solid #ddd; counter-reset: group; }
.lima-explorer .lima-group-list:focus { outline: 2px solid #1f77b4; }
.lima-explorer .lima-group { display: flex; gap: 8px; padding: 1px 6px; cursor: pointer; opacity: 0.5; font-variant-numeric: tabular-nums; counter-increment: group; }
.lima-explorer .lima-group::before { content: counter(group) "."; min-width: 2em; color: #555; }
.lima-explorer .lima-group[aria-selected="true"] { opacity: 1; background: #fff3c4; font-weight: 600; }
.lima-explorer .lima-group-score { min-width: 5em; }
.lima-explorer .lima-negative .lima-group-score { color: #0060a0; }
.lima-explorer .lima-positive .lima-group-score { color: #8a5a00; }
.lima-explorer .lima-group-size { color: #555; }
`;
