import { DOMWidgetModel, DOMWidgetView, type ISerializers } from "@jupyter-widgets/base";
import Plotly from "plotly.js-dist-min";
import {
  DOM,
  EXPLORER_MODEL,
  EXPLORER_VIEW,
  type ExplorerSettings,
  type ExplorerStateData,
  WIDGET_MODULE,
  WIDGET_MODULE_VERSION,
} from "../../src/widgets/protocol";
import { decodeLabels, decodePng, drawOverlay, drawReveal } from "./images";
import { controlRow, el, numberSlider, select, text } from "./dom";

const binary = { deserialize: (v: unknown) => (v instanceof DataView ? v : null) };

/** The explorer's model: state synced with the kernel's ExplorerWidget (src/widgets/explorer.ts). */
export class ExplorerModel extends DOMWidgetModel {
  static override serializers: ISerializers = {
    ...DOMWidgetModel.serializers,
    image_png: binary,
    map_png: binary,
    labels: binary,
  };

  override defaults(): Backbone.ObjectHash {
    return {
      ...super.defaults(),
      _model_name: EXPLORER_MODEL,
      _model_module: WIDGET_MODULE,
      _model_module_version: WIDGET_MODULE_VERSION,
      _view_name: EXPLORER_VIEW,
      _view_module: WIDGET_MODULE,
      _view_module_version: WIDGET_MODULE_VERSION,
    };
  }
}

type Key<K extends keyof ExplorerStateData> = ExplorerStateData[K];

/** λ slider ranges: wide enough to switch a term off or let it dominate (LIMA defaults 20, 5, 0.05, 0.01). */
const LAMBDA_RANGES = {
  lambda_cons: { min: 0, max: 50, step: 0.5, label: "λ cons" },
  lambda_colla: { min: 0, max: 20, step: 0.25, label: "λ colla" },
  lambda_conf: { min: 0, max: 1, step: 0.01, label: "λ conf" },
  lambda_eff: { min: 0, max: 0.2, step: 0.005, label: "λ eff" },
} as const;

/**
 * The explorer's view: image with the importance map overlaid, the image revealed up to a step,
 * insertion/deletion curves (click a point to select its step), metrics, and the controls that
 * re-run LIMA in the kernel. Kernel text (labels, titles, errors) is only ever set as textContent.
 */
export class ExplorerView extends DOMWidgetView {
  private image?: ImageData;
  private map?: ImageData;
  private labels?: Uint16Array;
  private sliders = new Map<string, HTMLInputElement>();
  private selects = new Map<string, HTMLSelectElement>();
  private statusText!: HTMLElement;
  private errorText!: HTMLElement;
  private progressBar!: HTMLProgressElement;
  private stopButton!: HTMLButtonElement;
  private mapCanvas!: HTMLCanvasElement;
  private revealCanvas!: HTMLCanvasElement;
  private curves!: HTMLElement;
  private metricsTable!: HTMLTableElement;
  private targetName!: HTMLInputElement;
  private titleText!: HTMLElement;
  /** performance.now() of the last slider release, for the latency numbers on the root element. */
  private changedAt: number | undefined;
  private changedRun = -1;

  override render(): void {
    this.el.classList.add(DOM.root.slice(1));
    const left = el("div", { class: "lima-left" }, [this.pictures(), this.controls()]);
    this.el.replaceChildren(this.header(), el("div", { class: "lima-body" }, [left, this.chart()]));
    this.applyStyle();
    const m = this.model;
    this.listenTo(m, "change:status change:progress change:error change:run", () => this.renderStatus());
    this.listenTo(m, "change:image_png", () => void this.loadImage());
    this.listenTo(m, "change:map_png change:labels", () => void this.loadMap());
    this.listenTo(m, "change:opacity", () => {
      this.setSlider("opacity", this.get("opacity"));
      this.drawMap();
    });
    this.listenTo(m, "change:step change:order", () => {
      this.el.dataset.order = (this.get("order") ?? []).join(",");
      this.setSlider("step", this.get("step"));
      this.drawReveal();
    });
    this.listenTo(m, "change:insertion change:deletion change:partial change:step", () => this.renderCurves());
    this.listenTo(m, "change:metrics", () => this.renderMetrics());
    this.listenTo(m, "change:settings change:metrics", () => this.renderSettings());
    this.listenTo(m, "change:top5 change:target_label change:classes", () => this.renderTargets());
    this.listenTo(m, "change:title change:model_name", () => this.renderTitle());
    this.renderTitle();
    this.renderStatus();
    this.renderSettings();
    this.renderTargets();
    this.renderMetrics();
    this.renderCurves();
    void this.loadImage().then(() => this.loadMap());
  }

  override remove(): void {
    if (this.curves) Plotly.purge(this.curves);
    return super.remove();
  }

  private get<K extends keyof ExplorerStateData>(key: K): Key<K> {
    return this.model.get(key) as Key<K>;
  }

  // ---- layout -------------------------------------------------------------------------------

  private header(): HTMLElement {
    this.titleText = el("span", { class: "lima-title" });
    this.statusText = el("span", { "data-role": "status", class: "lima-status" });
    this.progressBar = el("progress", { "data-role": "progress", max: "1", value: "0" }) as HTMLProgressElement;
    this.stopButton = el("button", { "data-action": "stop", type: "button", title: "Stop the running search" }, [text("Stop")]) as HTMLButtonElement;
    this.stopButton.addEventListener("click", () => this.model.send({ type: "stop" }, {}));
    this.errorText = el("div", { class: "lima-error", role: "alert" });
    return el("div", { class: "lima-header" }, [this.titleText, this.statusText, this.progressBar, this.stopButton, this.errorText]);
  }

  private pictures(): HTMLElement {
    this.mapCanvas = el("canvas", { "data-role": "map", class: "lima-canvas" }) as HTMLCanvasElement;
    this.revealCanvas = el("canvas", { "data-role": "reveal", class: "lima-canvas" }) as HTMLCanvasElement;
    const opacity = numberSlider("opacity", "map opacity", { min: 0, max: 1, step: 0.05 }, (v) => this.setLocal("opacity", v));
    const step = numberSlider("step", "regions shown", { min: 0, max: 49, step: 1 }, (v) => this.setLocal("step", v));
    this.sliders.set("opacity", opacity.input);
    this.sliders.set("step", step.input);
    return el("div", { class: "lima-pictures" }, [
      el("figure", {}, [this.mapCanvas, el("figcaption", {}, [text("importance map (LIMA eq. 11)")]), opacity.row]),
      el("figure", {}, [this.revealCanvas, el("figcaption", {}, [text("image revealed in search order")]), step.row]),
    ]);
  }

  private chart(): HTMLElement {
    this.curves = el("div", { "data-role": "curves", class: "lima-curves" });
    this.metricsTable = el("table", { "data-role": "metrics", class: "lima-metrics" }) as HTMLTableElement;
    return el("div", { class: "lima-chart" }, [this.curves, this.metricsTable]);
  }

  private controls(): HTMLElement {
    const rows: HTMLElement[] = [];
    for (const [key, r] of Object.entries(LAMBDA_RANGES)) {
      const s = numberSlider(key, r.label, r, (v) => this.setSetting({ [key]: v }));
      this.sliders.set(key, s.input);
      rows.push(s.row);
    }
    const np = numberSlider("np", "n_p", { min: 1, max: 49, step: 1 }, (v) => this.setSetting({ np: v }));
    const regions = numberSlider("regions", "|V| regions", { min: 4, max: 100, step: 1 }, (v) => this.setSetting({ regions: v }));
    this.sliders.set("np", np.input);
    this.sliders.set("regions", regions.input);
    rows.push(np.row, regions.row);
    const division = select("division", [["slico", "SLICO superpixels"], ["grid", "grid"]], (v) => this.setSetting({ division: v as ExplorerSettings["division"] }));
    const search = select("search", [["bidirectional", "bidirectional (LIMA)"], ["greedy", "greedy (SMDL)"]], (v) => this.setSetting({ search: v as ExplorerSettings["search"] }));
    const target = select("target", [["-1", "predicted class"]], (v) => this.setSetting({ target: Number(v) }));
    this.selects.set("division", division);
    this.selects.set("search", search);
    this.selects.set("target", target);
    this.targetName = el("input", { "data-setting": "target_name", type: "text", placeholder: "any class by name, Enter", list: `${this.cid}-classes` }) as HTMLInputElement;
    this.targetName.addEventListener("keydown", (e) => {
      if (e.key === "Enter") this.targetByName(this.targetName.value);
    });
    rows.push(controlRow("division", division), controlRow("search", search), controlRow("target", target), controlRow("class name", this.targetName));
    rows.push(el("datalist", { id: `${this.cid}-classes` }));
    return el("div", { class: "lima-controls" }, rows);
  }

  // ---- front-end → kernel -------------------------------------------------------------------

  private setSetting(patch: Partial<ExplorerSettings>): void {
    const settings = { ...this.get("settings"), ...patch };
    this.changedAt = performance.now();
    this.changedRun = this.get("run");
    delete this.el.dataset.latencyFirst;
    delete this.el.dataset.latencyFinal;
    this.model.set("settings", settings);
    this.model.save_changes();
  }

  private setLocal(key: "opacity" | "step", value: number): void {
    this.model.set(key, value);
    this.model.save_changes();
  }

  private targetByName(name: string): void {
    const wanted = name.trim().toLowerCase();
    const classes = this.get("classes") ?? [];
    let index = classes.findIndex((c) => c.toLowerCase() === wanted);
    if (index < 0) {
      const partial = classes.map((c, i) => [c.toLowerCase(), i] as const).filter(([c]) => wanted && c.includes(wanted));
      if (partial.length === 1) index = partial[0][1];
      else {
        this.errorText.textContent = partial.length ? `"${name}" matches ${partial.length} classes; type more of the name` : `no class named "${name}"`;
        return;
      }
    }
    this.errorText.textContent = "";
    this.setSetting({ target: index });
  }

  // ---- kernel → front-end -------------------------------------------------------------------

  private renderTitle(): void {
    this.titleText.textContent = `${this.get("title")} · ${this.get("model_name")}`;
  }

  private renderStatus(): void {
    const status = this.get("status");
    const progress = this.get("progress");
    this.el.dataset.status = status;
    this.el.dataset.run = String(this.get("run"));
    const counts = progress ? ` · step ${progress.step}/${progress.total_steps} · ${progress.forward_passes} passes, ${progress.cache_hits} cached` : "";
    this.statusText.textContent = `${status}${counts}`;
    this.progressBar.value = progress && progress.total_steps > 0 ? progress.step / progress.total_steps : status === "done" ? 1 : 0;
    this.stopButton.disabled = status !== "running";
    this.errorText.textContent = this.get("error") ?? "";
    if (status === "done" && this.changedAt !== undefined && this.get("run") > this.changedRun) {
      this.el.dataset.latencyFinal = (performance.now() - this.changedAt).toFixed(0);
      this.changedAt = undefined;
    }
  }

  private renderSettings(): void {
    const s = this.get("settings");
    const regions = this.get("metrics")?.regions ?? s.regions;
    this.sliders.get("np")!.max = String(Math.max(1, regions));
    this.sliders.get("step")!.max = String(regions);
    for (const key of ["lambda_cons", "lambda_colla", "lambda_conf", "lambda_eff", "np", "regions"] as const) this.setSlider(key, s[key]);
    this.selects.get("division")!.value = s.division;
    this.selects.get("search")!.value = s.search;
    this.renderTargets();
    this.setSlider("opacity", this.get("opacity"));
    this.setSlider("step", this.get("step"));
  }

  /** Shows a kernel value on a slider (and its number) without telling the kernel back. */
  private setSlider(key: string, value: number): void {
    const input = this.sliders.get(key)!;
    input.value = String(value);
    input.dispatchEvent(new Event("lima-sync"));
  }

  private renderTargets(): void {
    const select = this.selects.get("target")!;
    const s = this.get("settings");
    const classes = this.get("classes") ?? [];
    const options: [string, string][] = [["-1", "predicted class"]];
    for (const c of this.get("top5") ?? []) options.push([String(c.index), `${c.label} (${c.score.toFixed(3)})`]);
    if (s.target >= 0 && !options.some(([v]) => v === String(s.target))) options.push([String(s.target), classes[s.target] ?? `class ${s.target}`]);
    select.replaceChildren(...options.map(([v, label]) => el("option", { value: v }, [text(label)])));
    select.value = String(s.target);
    const list = this.el.querySelector("datalist");
    if (list && list.childElementCount !== classes.length) list.replaceChildren(...classes.map((c) => el("option", { value: c })));
  }

  private renderMetrics(): void {
    const m = this.get("metrics");
    const f = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : "–");
    const rows: [string, string][] = m
      ? [
          ["explained class", this.get("target_label")],
          ["insertion AUC ↑", f(m.insertion_auc)],
          ["deletion AUC ↓", f(m.deletion_auc)],
          ...["25", "50", "75", "100"].map((p, i): [string, string] => [`highest confidence ≤${p} %`, f(m.highest_confidence[i])]),
          ["|V|", String(m.regions)],
          ["forward passes", String(m.forward_passes)],
          ["cache hits", `${m.cache_hits} (${((100 * m.cache_hits) / Math.max(1, m.cache_hits + m.forward_passes)).toFixed(0)} %)`],
          ["time", `${(m.ms / 1000).toFixed(2)} s`],
        ]
      : [["status", "no result yet"]];
    this.metricsTable.replaceChildren(...rows.map(([k, v]) => el("tr", {}, [el("th", {}, [text(k)]), el("td", {}, [text(v)])])));
  }

  private renderCurves(): void {
    const ins = this.get("insertion");
    const del = this.get("deletion");
    const partial = this.get("partial");
    const status = this.get("status");
    const step = this.get("step");
    const live = status === "running" && partial;
    const insX = live ? partial.x : ins?.x ?? [];
    const insY = live ? partial.y : ins?.y ?? [];
    const traces: object[] = [
      { type: "scatter", mode: "lines+markers", name: live ? "insertion (so far)" : "insertion", x: insX, y: insY, line: { color: "#d62728" }, marker: { size: 4 } },
      { type: "scatter", mode: "lines+markers", name: "deletion", x: live ? [] : del?.x ?? [], y: live ? [] : del?.y ?? [], line: { color: "#1f77b4" }, marker: { size: 4 } },
    ];
    const best = this.get("metrics")?.best_step;
    if (!live && ins && best !== undefined) {
      traces.push({ type: "scatter", mode: "markers", name: "highest confidence", x: [ins.x[best]], y: [ins.y[best]], marker: { size: 12, symbol: "star", color: "#ff7f0e" } });
    }
    if (!live && ins && step < ins.x.length) {
      traces.push({ type: "scatter", mode: "markers", name: `step ${step}`, x: [ins.x[step]], y: [ins.y[step]], marker: { size: 11, symbol: "circle-open", color: "#000" }, hoverinfo: "skip" });
    }
    const layout = {
      margin: { l: 48, r: 8, t: 36, b: 40 },
      height: 300,
      xaxis: { title: { text: "fraction of the image revealed" }, range: [0, 1] },
      yaxis: { title: { text: "target class score" }, range: [0, 1.05] },
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
    };
    void Plotly.react(this.curves, traces as Plotly.Data[], layout as Partial<Plotly.Layout>, { displayModeBar: false, responsive: true }).then(() => this.hookClicks());
    if (this.changedAt !== undefined && this.get("run") > this.changedRun && this.el.dataset.latencyFirst === undefined && (live || status === "done")) {
      this.el.dataset.latencyFirst = (performance.now() - this.changedAt).toFixed(0);
    }
  }

  private clicksHooked = false;
  private hookClicks(): void {
    if (this.clicksHooked) return;
    this.clicksHooked = true;
    (this.curves as unknown as Plotly.PlotlyHTMLElement).on("plotly_click", (event: Plotly.PlotMouseEvent) => {
      const point = event.points[0];
      if (point && (point.curveNumber === 0 || point.curveNumber === 1)) this.setLocal("step", point.pointIndex);
    });
  }

  private async loadImage(): Promise<void> {
    this.image = await decodePng(this.get("image_png" as keyof ExplorerStateData) as unknown as DataView);
    this.drawMap();
    this.drawReveal();
  }

  private async loadMap(): Promise<void> {
    this.map = await decodePng(this.model.get("map_png") as DataView | null);
    this.labels = decodeLabels(this.model.get("labels") as DataView | null);
    this.drawMap();
    this.drawReveal();
    // The map is decoded asynchronously: say which run's map is on the canvas.
    if (this.map) this.el.dataset.mapRun = String(this.get("run"));
  }

  private drawMap(): void {
    if (this.image) drawOverlay(this.mapCanvas, this.image, this.map, this.get("opacity"));
  }

  private drawReveal(): void {
    if (this.image) drawReveal(this.revealCanvas, this.image, this.labels, this.get("order") ?? [], this.get("step"));
  }

  private applyStyle(): void {
    if (document.getElementById("lima-explorer-style")) return;
    const style = document.createElement("style");
    style.id = "lima-explorer-style";
    style.textContent = STYLE;
    document.head.appendChild(style);
  }
}

const STYLE = `
.lima-explorer { font: 13px/1.4 system-ui, sans-serif; display: flex; flex-direction: column; gap: 8px; }
.lima-explorer .lima-header { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
.lima-explorer .lima-title { font-weight: 600; }
.lima-explorer .lima-error { color: #b00020; flex-basis: 100%; }
.lima-explorer .lima-error:empty { display: none; }
.lima-explorer .lima-body { display: flex; gap: 16px; flex-wrap: wrap; align-items: flex-start; }
.lima-explorer .lima-left { display: flex; flex-direction: column; gap: 12px; }
.lima-explorer .lima-pictures { display: flex; gap: 8px; }
.lima-explorer figure { margin: 0; display: flex; flex-direction: column; gap: 4px; }
.lima-explorer .lima-canvas { width: 224px; height: 224px; image-rendering: pixelated; border: 1px solid #ccc; }
.lima-explorer figcaption { color: #555; font-size: 12px; }
.lima-explorer .lima-chart { width: 420px; }
.lima-explorer .lima-metrics th { text-align: left; font-weight: normal; color: #555; padding-right: 12px; }
.lima-explorer .lima-controls { display: grid; grid-template-columns: auto auto; gap: 4px 8px; align-items: center; }
.lima-explorer .lima-controls label, .lima-explorer figure label { white-space: nowrap; }
.lima-explorer output { min-width: 3em; display: inline-block; font-variant-numeric: tabular-nums; }
`;
