import { DOMWidgetModel, DOMWidgetView, type ISerializers } from "@jupyter-widgets/base";
import Plotly from "plotly.js-dist-min";
import type { ParamSpec } from "../../src/params/types";
import {
  DOM,
  EXPLORER_MODEL,
  EXPLORER_VIEW,
  type ExplorerSettings,
  type ExplorerStateData,
  LOW_PROBABILITY,
  type MethodResult,
  type ParamValue,
  WIDGET_MODULE,
  WIDGET_MODULE_VERSION,
} from "../../src/widgets/protocol";
import { controlRow, el, formatNumber, numberSlider, type ParamControl, paramControl, select, text } from "./dom";
import { GROUP_STYLE, GroupViewer } from "./groups";
import { decodeLabels, decodePng, drawOverlay, drawReveal } from "./images";

const binary = { deserialize: (v: unknown) => (v instanceof DataView ? v : null) };

/** The explorer's model: state synced with the kernel's ExplorerWidget (src/widgets/explorer.ts). */
export class ExplorerModel extends DOMWidgetModel {
  static override serializers: ISerializers = {
    ...DOMWidgetModel.serializers,
    image_png: binary,
    map_png: binary,
    compare_map_png: binary,
    labels: binary,
    thumbs_png: binary,
    group_masks_png: binary,
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

/** Line colours of the method and the compared one. */
const COLOURS = ["#d62728", "#1f77b4"] as const;

/**
 * The explorer's view. Everything parameter-shaped is built from the schema the kernel sends
 * (`methods[i].params`, `division_params`): ranges, steps, defaults, labels and tooltips; nothing
 * of it is written here. Shows the photo strip, one or two maps with their colour bars, the image
 * revealed in the method's order, both methods' insertion/deletion curves on one chart and their
 * metrics side by side. Kernel text (labels, titles, errors) is only ever set as textContent.
 */
export class ExplorerView extends DOMWidgetView {
  private image?: ImageData;
  private maps: (ImageData | undefined)[] = [];
  private labels?: Uint16Array;
  private thumbUrls: string[] = [];
  private sliders = new Map<string, HTMLInputElement>();
  private controls = new Map<string, ParamControl>();
  private methodSelect!: HTMLSelectElement;
  private compareSelect!: HTMLSelectElement;
  private targetSelect!: HTMLSelectElement;
  private paramsBox!: HTMLElement;
  private divisionBox!: HTMLElement;
  private statusText!: HTMLElement;
  private staleText!: HTMLElement;
  private errorText!: HTMLElement;
  private warningText!: HTMLElement;
  private progressBar!: HTMLProgressElement;
  private stopButton!: HTMLButtonElement;
  private strip!: HTMLElement;
  private mapFigures!: HTMLElement;
  private mapCanvases: HTMLCanvasElement[] = [];
  private colorbars: HTMLElement[] = [];
  private mapCaptions: HTMLElement[] = [];
  private revealCanvas!: HTMLCanvasElement;
  private readonly groupViewer = new GroupViewer();
  private results!: HTMLElement;
  private curves!: HTMLElement;
  private metricsTable!: HTMLTableElement;
  private targetName!: HTMLInputElement;
  private titleText!: HTMLElement;
  private yFit!: HTMLInputElement;
  /** The method names whose controls are built now (rebuilt when the method or comparison changes). */
  private builtFor = "";
  /** performance.now() of the last change, for the latency numbers on the root element. */
  private changedAt: number | undefined;
  private changedRun = -1;

  override render(): void {
    this.el.classList.add(DOM.root.slice(1));
    this.results = el("div", { class: "lima-results" }, [this.pictures(), this.chart()]);
    this.el.replaceChildren(this.header(), this.photoStrip(), el("div", { class: "lima-body" }, [this.controlPanel(), this.results]));
    this.applyStyle();
    const m = this.model;
    this.listenTo(m, "change:status change:progress change:error change:run change:results", () => this.renderStatus());
    this.listenTo(m, "change:image_png", () => void this.loadImage());
    this.listenTo(m, "change:map_png change:compare_map_png change:labels", () => void this.loadMaps());
    this.listenTo(m, "change:opacity", () => {
      this.setSlider("opacity", this.get("opacity"));
      this.drawMaps();
    });
    this.listenTo(m, "change:step change:results", () => {
      this.el.dataset.order = (this.get("results")[0]?.order ?? []).join(",");
      this.setSlider("step", this.get("step"));
      this.drawReveal();
    });
    this.listenTo(m, "change:results change:step change:y_fit", () => this.renderCurves());
    this.listenTo(m, "change:results change:target_label", () => this.renderMetrics());
    this.listenTo(m, "change:results", () => this.renderColorbars());
    this.listenTo(m, "change:results change:group_masks_png", () => this.renderGroups());
    this.listenTo(m, "change:settings change:regions change:methods change:division_params", () => this.renderSettings());
    this.listenTo(m, "change:top5 change:target_label change:classes change:settings", () => this.renderTargets());
    this.listenTo(m, "change:target_probability change:target_label", () => this.renderWarning());
    this.listenTo(m, "change:photos change:photo change:thumbs_png", () => this.renderStrip());
    this.listenTo(m, "change:title change:model_name", () => this.renderTitle());
    this.renderTitle();
    this.renderStrip();
    this.renderSettings();
    this.renderTargets();
    this.renderStatus();
    this.renderWarning();
    this.renderMetrics();
    this.renderColorbars();
    this.renderCurves();
    this.renderGroups();
    this.el.dataset.order = (this.get("results")[0]?.order ?? []).join(",");
    void this.loadImage().then(() => this.loadMaps());
  }

  override remove(): void {
    if (this.curves) Plotly.purge(this.curves);
    this.thumbUrls.forEach((u) => URL.revokeObjectURL(u));
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
    this.staleText = el("span", { "data-role": "stale", class: "lima-stale", hidden: "" }, [text("results below are from the previous settings: recomputing…")]);
    this.stopButton = el("button", { "data-action": "stop", type: "button", title: "Stop the running search" }, [text("Stop")]) as HTMLButtonElement;
    this.stopButton.addEventListener("click", () => this.model.send({ type: "stop" }, {}));
    const reset = el("button", { "data-action": "reset", type: "button", title: "Put every setting back to its default (from the parameter schema)" }, [text("Reset to defaults")]);
    reset.addEventListener("click", () => {
      this.markChange();
      this.model.send({ type: "reset" }, {});
    });
    this.errorText = el("div", { class: "lima-error", role: "alert" });
    this.warningText = el("div", { "data-role": "warning", class: "lima-warning", role: "alert", hidden: "" });
    return el("div", { class: "lima-header" }, [this.titleText, this.statusText, this.progressBar, this.staleText, this.stopButton, reset, this.errorText, this.warningText]);
  }

  private photoStrip(): HTMLElement {
    this.strip = el("div", { "data-role": "photos", class: "lima-photos" });
    return this.strip;
  }

  private pictures(): HTMLElement {
    this.mapFigures = el("div", { class: "lima-maps" });
    for (let slot = 0; slot < 2; slot++) {
      const canvas = el("canvas", { "data-role": "map", "data-slot": String(slot), class: "lima-canvas" }) as HTMLCanvasElement;
      const caption = el("figcaption");
      const bar = el("div", { "data-role": "colorbar", "data-slot": String(slot), class: "lima-colorbar" });
      this.mapCanvases.push(canvas);
      this.mapCaptions.push(caption);
      this.colorbars.push(bar);
      this.mapFigures.append(el("figure", { class: "lima-map", "data-slot": String(slot) }, [canvas, bar, caption]));
    }
    this.revealCanvas = el("canvas", { "data-role": "reveal", class: "lima-canvas" }) as HTMLCanvasElement;
    const opacity = numberSlider("opacity", "map opacity", { min: 0, max: 1, step: 0.05 }, (v) => this.setLocal("opacity", v), "opacity of the maps over the photo");
    const step = numberSlider("step", "regions shown", { min: 0, max: 1, step: 1 }, (v) => this.setLocal("step", v), "how many regions of the method's order the right picture reveals");
    this.sliders.set("opacity", opacity.input);
    this.sliders.set("step", step.input);
    const reveal = el("figure", {}, [this.revealCanvas, el("figcaption", {}, [text("photo revealed in the method's order")]), step.row]);
    return el("div", { class: "lima-pictures" }, [this.mapFigures, reveal, opacity.row, this.groupViewer.root]);
  }

  private chart(): HTMLElement {
    this.curves = el("div", { "data-role": "curves", class: "lima-curves" });
    this.yFit = el("input", { type: "checkbox", "data-setting": "y_fit" }) as HTMLInputElement;
    this.yFit.addEventListener("change", () => {
      this.model.set("y_fit", this.yFit.checked);
      this.model.save_changes();
    });
    const fit = controlRow("y axis follows the data", this.yFit, "off: 0..1, so curves of different classes compare; on: zoom to the data, so a class at 5 % does not look flat");
    this.metricsTable = el("table", { "data-role": "metrics", class: "lima-metrics" }) as HTMLTableElement;
    return el("div", { class: "lima-chart" }, [this.curves, fit, this.metricsTable]);
  }

  private controlPanel(): HTMLElement {
    this.methodSelect = select("method", [], (v) => this.setSetting({ method: v, compare: this.get("settings").compare === v ? "" : this.get("settings").compare }));
    this.compareSelect = select("compare", [], (v) => this.setSetting({ compare: v }));
    this.targetSelect = select("target", [["-1", "predicted class"]], (v) => this.setSetting({ target: Number(v) }));
    this.targetName = el("input", { "data-setting": "target_name", type: "text", placeholder: "any class by name, Enter", list: `${this.cid}-classes` }) as HTMLInputElement;
    this.targetName.addEventListener("keydown", (e) => {
      if (e.key === "Enter") this.targetByName(this.targetName.value);
    });
    this.divisionBox = el("fieldset", { class: "lima-fieldset" });
    this.paramsBox = el("div", { class: "lima-params" });
    return el("div", { class: "lima-controls" }, [
      controlRow("method", this.methodSelect, "the attribution method shown (from the method registry)"),
      controlRow("compare with", this.compareSelect, "a second method run on the same photo and regions; its map, curves and metrics appear beside the first"),
      controlRow("explain", this.targetSelect, "the class whose attribution is shown"),
      controlRow("class name", this.targetName, "type any class of the model and press Enter"),
      el("datalist", { id: `${this.cid}-classes` }),
      this.divisionBox,
      this.paramsBox,
    ]);
  }

  // ---- front-end → kernel -------------------------------------------------------------------

  private markChange(): void {
    this.changedAt = performance.now();
    this.changedRun = this.get("run");
    delete this.el.dataset.latencyFirst;
    delete this.el.dataset.latencyFinal;
  }

  /** Sends the whole settings value with a change (the kernel checks it against the schema). */
  private setSetting(patch: Partial<ExplorerSettings>): void {
    this.markChange();
    this.model.set("settings", { ...this.get("settings"), ...patch });
    this.model.save_changes();
  }

  private setParam(owner: string, name: string, value: ParamValue): void {
    const s = this.get("settings");
    if (owner === "division") this.setSetting({ division: { ...s.division, [name]: value } });
    else this.setSetting({ params: { ...s.params, [owner]: { ...s.params[owner], [name]: value } } });
  }

  private setLocal(key: "opacity" | "step" | "photo", value: number): void {
    if (key === "photo") this.markChange();
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

  private renderStrip(): void {
    const photos = this.get("photos") ?? [];
    const current = this.get("photo");
    const bytes = this.model.get("thumbs_png") as DataView | null;
    if (this.thumbUrls.length !== photos.length && bytes) {
      this.thumbUrls.forEach((u) => URL.revokeObjectURL(u));
      this.thumbUrls = photos.map((p) => URL.createObjectURL(new Blob([new Uint8Array(bytes.buffer, bytes.byteOffset + p.thumb[0], p.thumb[1]).slice()], { type: "image/png" })));
    }
    this.strip.hidden = photos.length < 2;
    this.strip.replaceChildren(
      ...photos.map((p, i) => {
        const predicted = p.predicted ? `${p.predicted} (${p.predicted_score.toFixed(2)})` : "…";
        const wrong = p.truth !== "" && p.predicted !== "" && p.truth !== p.predicted;
        const button = el("button", { type: "button", "data-photo": String(i), "aria-pressed": String(i === current), class: "lima-thumb", title: p.title }, [
          el("img", { src: this.thumbUrls[i] ?? "", alt: "" }),
          el("span", { class: "lima-caption" }, [text(p.title)]),
          el("span", { class: "lima-caption" }, [text(`predicted: ${predicted}`)]),
          el("span", { class: `lima-caption${wrong ? " lima-wrong" : ""}` }, [text(`true: ${p.truth || "unknown"}`)]),
        ]);
        button.addEventListener("click", () => {
          if (i !== this.get("photo")) this.setLocal("photo", i);
        });
        return button;
      }),
    );
  }

  private renderStatus(): void {
    const status = this.get("status");
    const progress = this.get("progress");
    const results = this.get("results") ?? [];
    const run = this.get("run");
    this.el.dataset.status = status;
    this.el.dataset.run = String(run);
    const stale = status === "running" && results.length > 0 && results[0].run < run;
    this.el.dataset.stale = String(stale);
    this.staleText.hidden = !stale;
    this.results.classList.toggle("lima-is-stale", stale);
    this.statusText.textContent = progress ? `${status} · ${progress.phase} · ${(100 * progress.fraction).toFixed(0)} %` : status;
    this.progressBar.value = progress ? progress.fraction : status === "done" ? 1 : 0;
    this.stopButton.disabled = status !== "running";
    this.errorText.textContent = this.get("error") ?? "";
    if (status === "done" && this.changedAt !== undefined && run > this.changedRun) {
      this.el.dataset.latencyFinal = (performance.now() - this.changedAt).toFixed(0);
      this.changedAt = undefined;
    }
  }

  private renderWarning(): void {
    const p = this.get("target_probability");
    const low = typeof p === "number" && Number.isFinite(p) && p < LOW_PROBABILITY;
    this.warningText.hidden = !low;
    this.warningText.textContent = low
      ? `Warning: the model gives "${this.get("target_label")}" a probability of ${(100 * p).toFixed(2)} % on the full photo. Its map explains a class the model does not see here and is mostly noise.`
      : "";
  }

  private methodTitle(name: string): string {
    return this.get("methods").find((m) => m.name === name)?.title ?? name;
  }

  /** Builds the controls of the method(s) and the division from the schema (once per method pair), then shows the values. */
  private renderSettings(): void {
    const s = this.get("settings");
    const methods = this.get("methods") ?? [];
    this.methodSelect.replaceChildren(...methods.map((m) => el("option", { value: m.name, title: m.paper }, [text(m.title)])));
    this.methodSelect.value = s.method;
    this.compareSelect.replaceChildren(el("option", { value: "" }, [text("none")]), ...methods.filter((m) => m.name !== s.method).map((m) => el("option", { value: m.name, title: m.paper }, [text(m.title)])));
    this.compareSelect.value = s.compare;
    const key = `${s.method}|${s.compare}`;
    if (key !== this.builtFor) {
      this.builtFor = key;
      this.controls.clear();
      const group = (owner: string, title: string, specs: readonly ParamSpec[]) => {
        const rows = specs.map((spec) => {
          const c = paramControl(`${owner}.${spec.name}`, spec, (v) => this.setParam(owner, spec.name, v));
          this.controls.set(`${owner}.${spec.name}`, c);
          return c.row;
        });
        return el("fieldset", { class: "lima-fieldset", "data-owner": owner }, [el("legend", {}, [text(title)]), ...rows]);
      };
      const divisionGroup = group("division", "regions (shared by both methods and the curves)", this.get("division_params") ?? []);
      this.divisionBox.replaceWith(divisionGroup);
      this.divisionBox = divisionGroup;
      this.divisionBox.append(el("span", { "data-role": "regions-produced", class: "lima-produced", title: "|V| the division actually produced (SLICO may give fewer regions than asked; felzenszwalb's follows from its scale)" }));
      const names = [s.method, ...(s.compare ? [s.compare] : [])];
      this.paramsBox.replaceChildren(...names.map((n) => group(n, this.methodTitle(n), methods.find((m) => m.name === n)?.params ?? [])));
    }
    const specs = new Map((this.get("division_params") ?? []).map((p) => [`division.${p.name}`, p]));
    for (const [key, control] of this.controls) {
      const [owner, name] = key.split(".");
      const value = owner === "division" ? s.division[name] : s.params[owner]?.[name];
      if (value !== undefined) control.show(value);
      // A division parameter shows only under the strategies it applies to (the schema's `when`).
      const when = specs.get(key)?.when;
      if (when) control.row.hidden = !Object.entries(when).every(([k, allowed]) => allowed.includes(String(s.division[k])));
    }
    const regions = this.get("regions");
    const produced = this.el.querySelector(DOM.regionsProduced);
    // The produced |V| sits beside the first division control shown after the strategy (|V|, or felzenszwalb's scale).
    const beside = [...this.controls].find(([k, c]) => k.startsWith("division.") && k !== "division.division" && !c.row.hidden)?.[1].row;
    if (produced && beside && produced.parentElement !== beside) beside.append(produced);
    if (produced) produced.textContent = regions > 0 ? `→ ${regions}` : "";
    const step = this.sliders.get("step")!;
    step.max = String(Math.max(1, regions));
    this.setSlider("opacity", this.get("opacity"));
    this.setSlider("step", this.get("step"));
    this.yFit.checked = this.get("y_fit") === true;
  }

  /** Shows a kernel value on a slider (and its number) without telling the kernel back. */
  private setSlider(key: string, value: number): void {
    const input = this.sliders.get(key)!;
    input.value = String(value);
    input.dispatchEvent(new Event("lima-sync"));
  }

  private renderTargets(): void {
    const s = this.get("settings");
    const classes = this.get("classes") ?? [];
    const options: [string, string][] = [["-1", "predicted class"]];
    for (const c of this.get("top5") ?? []) options.push([String(c.index), `${c.label} (${c.score.toFixed(3)})`]);
    if (s.target >= 0 && !options.some(([v]) => v === String(s.target))) options.push([String(s.target), classes[s.target] ?? `class ${s.target}`]);
    this.targetSelect.replaceChildren(...options.map(([v, label]) => el("option", { value: v }, [text(label)])));
    this.targetSelect.value = String(s.target);
    const list = this.el.querySelector("datalist");
    if (list && list.childElementCount !== classes.length) list.replaceChildren(...classes.map((c) => el("option", { value: c })));
  }

  private renderColorbars(): void {
    const results = this.get("results") ?? [];
    const stops = (this.get("colormap") ?? []).map(([r, g, b], i, all) => `rgb(${r}, ${g}, ${b}) ${((100 * i) / Math.max(1, all.length - 1)).toFixed(0)}%`);
    for (let slot = 0; slot < 2; slot++) {
      const r: MethodResult | undefined = results[slot];
      const figure = this.mapCanvases[slot].parentElement!;
      figure.hidden = slot > 0 && !r;
      const bar = this.colorbars[slot];
      if (!r) {
        bar.replaceChildren();
        this.mapCaptions[slot].textContent = slot === 0 ? "map" : "";
        delete bar.dataset.min;
        delete bar.dataset.max;
        continue;
      }
      const [min, max] = r.map_range;
      bar.dataset.min = String(min);
      bar.dataset.max = String(max);
      const gradient = el("div", { class: "lima-gradient", title: "colour scale of the map: its smallest value on the left, its largest on the right" });
      gradient.style.background = `linear-gradient(to right, ${stops.join(", ")})`;
      bar.replaceChildren(gradient, el("div", { class: "lima-scale" }, [el("span", {}, [text(formatNumber(Number(min.toPrecision(3))))]), el("span", {}, [text(formatNumber(Number(max.toPrecision(3))))])]));
      this.mapCaptions[slot].textContent = r.title;
    }
  }

  private renderMetrics(): void {
    const results = this.get("results") ?? [];
    const f = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : "–");
    if (results.length === 0) {
      this.metricsTable.replaceChildren(el("tr", {}, [el("th", {}, [text("status")]), el("td", {}, [text("no result yet")])]));
      return;
    }
    const rows: [string, (r: MethodResult) => string][] = [
      ["insertion AUC ↑", (r) => f(r.metrics.insertion_auc)],
      ["deletion AUC ↓", (r) => f(r.metrics.deletion_auc)],
      ...["25", "50", "75", "100"].map((p, i): [string, (r: MethodResult) => string] => [`highest confidence ≤${p} %`, (r) => f(r.metrics.highest_confidence[i])]),
      ["best step", (r) => String(r.metrics.best_step)],
      ["forward passes", (r) => String(r.metrics.forward_passes)],
      ["cache hits", (r) => `${r.metrics.cache_hits} (${((100 * r.metrics.cache_hits) / Math.max(1, r.metrics.cache_hits + r.metrics.forward_passes)).toFixed(0)} %)`],
      ["time", (r) => `${(r.metrics.ms / 1000).toFixed(2)} s`],
    ];
    // The results' own class and |V|: while a newer run goes they may differ from the current ones.
    const head = el("tr", {}, [el("th", {}, [text(`explaining ${results[0].target_label} · |V| ${results[0].order.length}`)]), ...results.map((r) => el("th", { "data-method": r.method }, [text(r.title)]))]);
    this.metricsTable.replaceChildren(head, ...rows.map(([k, value]) => el("tr", {}, [el("th", {}, [text(k)]), ...results.map((r) => el("td", {}, [text(value(r))]))])));
  }

  private renderCurves(): void {
    const results = this.get("results") ?? [];
    const step = this.get("step");
    const traces: object[] = [];
    results.forEach((r, i) => {
      const colour = COLOURS[i % COLOURS.length];
      for (const kind of ["insertion", "deletion"] as const) {
        const c = r[kind];
        const verb = kind === "insertion" ? "revealed" : "removed";
        traces.push({
          type: "scatter",
          mode: "lines+markers",
          name: `${r.method} ${kind}`,
          x: c.x,
          y: c.y,
          customdata: c.x.map((_, k) => k),
          hovertemplate: `${r.method} ${kind}<br>step %{customdata}: %{customdata} of ${c.x.length - 1} regions ${verb}<br>%{x:.0%} of the photo ${verb}<br>p = %{y:.4f}<extra></extra>`,
          line: { color: colour, dash: kind === "insertion" ? "solid" : "dot" },
          marker: { size: 4 },
          meta: { method: r.method, kind },
        });
      }
    });
    const first = results[0];
    if (first && step < first.insertion.x.length) {
      traces.push({ type: "scatter", mode: "markers", name: `step ${step}`, x: [first.insertion.x[step]], y: [first.insertion.y[step]], marker: { size: 11, symbol: "circle-open", color: "#000" }, hoverinfo: "skip", showlegend: false });
    }
    const fit = this.get("y_fit") === true;
    const layout = {
      margin: { l: 56, r: 8, t: 48, b: 40 },
      height: 320,
      hovermode: "closest",
      xaxis: { title: { text: "fraction of the photo revealed / removed" }, range: [0, 1] },
      yaxis: fit ? { title: { text: "probability of the explained class" }, autorange: true, rangemode: "normal" } : { title: { text: "probability of the explained class" }, range: [0, 1.05] },
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
    };
    void Plotly.react(this.curves, traces as Plotly.Data[], layout as Partial<Plotly.Layout>, { displayModeBar: false, responsive: true }).then(() => this.hookClicks());
    if (this.changedAt !== undefined && this.get("run") > this.changedRun && this.el.dataset.latencyFirst === undefined && this.get("status") === "done") {
      this.el.dataset.latencyFirst = (performance.now() - this.changedAt).toFixed(0);
    }
  }

  private clicksHooked = false;
  private hookClicks(): void {
    if (this.clicksHooked) return;
    this.clicksHooked = true;
    (this.curves as unknown as Plotly.PlotlyHTMLElement).on("plotly_click", (event: Plotly.PlotMouseEvent) => {
      const point = event.points[0];
      if (point && point.curveNumber < 2 * (this.get("results") ?? []).length) this.setLocal("step", point.pointIndex);
    });
  }

  /** The shown result's groups in the group viewer (hidden when it has none). */
  private renderGroups(): void {
    const first = (this.get("results") ?? [])[0];
    this.groupViewer.setGroups(first?.groups, first?.groups_total ?? 0, this.model.get("group_masks_png") as DataView | null);
  }

  private async loadImage(): Promise<void> {
    this.image = await decodePng(this.model.get("image_png") as DataView | null);
    this.groupViewer.setPicture(this.image, this.labels);
    this.drawMaps();
    this.drawReveal();
  }

  private async loadMaps(): Promise<void> {
    const run = (this.get("results") ?? [])[0]?.run;
    this.maps = await Promise.all([decodePng(this.model.get("map_png") as DataView | null), decodePng(this.model.get("compare_map_png") as DataView | null)]);
    this.labels = decodeLabels(this.model.get("labels") as DataView | null);
    this.groupViewer.setPicture(this.image, this.labels);
    this.drawMaps();
    this.drawReveal();
    // The maps are decoded asynchronously: say which run's map is on the canvas.
    if (this.maps[0] && run !== undefined) this.el.dataset.mapRun = String(run);
    else delete this.el.dataset.mapRun;
  }

  private drawMaps(): void {
    if (!this.image) return;
    this.mapCanvases.forEach((canvas, slot) => drawOverlay(canvas, this.image!, this.maps[slot], this.get("opacity")));
  }

  private drawReveal(): void {
    if (this.image) drawReveal(this.revealCanvas, this.image, this.labels, this.get("results")[0]?.order ?? [], this.get("step"));
  }

  private applyStyle(): void {
    if (document.getElementById("lima-explorer-style")) return;
    const style = document.createElement("style");
    style.id = "lima-explorer-style";
    style.textContent = STYLE + GROUP_STYLE;
    document.head.appendChild(style);
  }
}

const STYLE = `
.lima-explorer { font: 13px/1.4 system-ui, sans-serif; display: flex; flex-direction: column; gap: 8px; }
.lima-explorer [hidden] { display: none !important; }
.lima-explorer .lima-header { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
.lima-explorer .lima-title { font-weight: 600; }
.lima-explorer .lima-error { color: #b00020; flex-basis: 100%; }
.lima-explorer .lima-error:empty { display: none; }
.lima-explorer .lima-warning { flex-basis: 100%; background: #fff4e5; border: 1px solid #f0a020; color: #6b3d00; padding: 4px 8px; border-radius: 4px; }
.lima-explorer .lima-stale { background: #fff3c4; color: #6b5300; padding: 1px 8px; border-radius: 10px; font-weight: 600; }
.lima-explorer .lima-results { display: flex; gap: 16px; flex-wrap: wrap; align-items: flex-start; transition: opacity 0.2s; }
.lima-explorer .lima-results.lima-is-stale { opacity: 0.45; filter: grayscale(0.6); }
.lima-explorer .lima-photos { display: flex; gap: 6px; overflow-x: auto; padding-bottom: 4px; }
.lima-explorer .lima-thumb { display: flex; flex-direction: column; align-items: center; width: 112px; padding: 4px; border: 2px solid transparent; background: #f6f6f6; cursor: pointer; font: inherit; }
.lima-explorer .lima-thumb[aria-pressed="true"] { border-color: #d62728; background: #fff; }
.lima-explorer .lima-thumb img { width: 64px; height: 64px; image-rendering: pixelated; }
.lima-explorer .lima-caption { font-size: 11px; max-width: 104px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.lima-explorer .lima-wrong { color: #b00020; }
.lima-explorer .lima-body { display: flex; gap: 16px; flex-wrap: wrap; align-items: flex-start; }
.lima-explorer .lima-pictures { display: flex; gap: 8px; flex-wrap: wrap; align-items: flex-start; max-width: 760px; }
.lima-explorer .lima-maps { display: flex; gap: 8px; }
.lima-explorer figure { margin: 0; display: flex; flex-direction: column; gap: 4px; }
.lima-explorer .lima-canvas { width: 224px; height: 224px; image-rendering: pixelated; border: 1px solid #ccc; }
.lima-explorer .lima-colorbar { width: 224px; }
.lima-explorer .lima-gradient { height: 10px; border: 1px solid #aaa; }
.lima-explorer .lima-scale { display: flex; justify-content: space-between; font-size: 11px; color: #555; font-variant-numeric: tabular-nums; }
.lima-explorer figcaption { color: #555; font-size: 12px; }
.lima-explorer .lima-chart { width: 460px; }
.lima-explorer .lima-metrics th { text-align: left; font-weight: normal; color: #555; padding-right: 12px; }
.lima-explorer .lima-metrics td { padding-right: 12px; font-variant-numeric: tabular-nums; }
.lima-explorer .lima-controls { display: flex; flex-direction: column; gap: 4px; min-width: 300px; }
.lima-explorer .lima-fieldset { border: 1px solid #ddd; padding: 4px 8px; display: flex; flex-direction: column; gap: 2px; }
.lima-explorer .lima-row { white-space: nowrap; display: flex; gap: 6px; align-items: center; }
.lima-explorer .lima-label { min-width: 5.5em; display: inline-block; }
.lima-explorer .lima-number { width: 5.5em; }
.lima-explorer .lima-produced { color: #555; font-variant-numeric: tabular-nums; }
.lima-explorer output { min-width: 3em; display: inline-block; font-variant-numeric: tabular-nums; }
`;
