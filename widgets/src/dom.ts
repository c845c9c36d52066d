/** Small DOM builders: every text goes in as a text node, never as HTML. */
import type { ParamSpec } from "../../src/params/types";
import type { ParamValue } from "../../src/widgets/protocol";

export function text(value: string): Text {
  return document.createTextNode(value);
}

export function el(tag: string, attributes: Record<string, string> = {}, children: Node[] = []): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

/**
 * A labelled range input with its value shown; `onCommit` runs on "change" (slider release,
 * or a keyboard step), not on every "input", so one drag is one kernel run.
 */
export function numberSlider(
  key: string,
  label: string,
  range: { readonly min: number; readonly max: number; readonly step: number },
  onCommit: (value: number) => void,
  tooltip = "",
): { row: HTMLElement; input: HTMLInputElement } {
  const input = el("input", { type: "range", "data-setting": key, min: String(range.min), max: String(range.max), step: String(range.step), title: tooltip }) as HTMLInputElement;
  const output = el("output");
  const show = () => (output.textContent = input.value);
  input.addEventListener("input", show);
  input.addEventListener("lima-sync", show);
  input.addEventListener("change", () => {
    show();
    onCommit(Number(input.value));
  });
  show();
  const row = el("label", { class: "lima-slider", title: tooltip }, [text(`${label} `), input, output]);
  return { row: el("div", { class: "lima-row" }, [row]), input };
}

export function select(key: string, options: [string, string][], onChange: (value: string) => void): HTMLSelectElement {
  const node = el("select", { "data-setting": key }, options.map(([v, label]) => el("option", { value: v }, [text(label)]))) as HTMLSelectElement;
  node.addEventListener("change", () => onChange(node.value));
  return node;
}

export function controlRow(label: string, control: HTMLElement, tooltip = ""): HTMLElement {
  return el("label", { class: "lima-row", title: tooltip }, [text(`${label} `), control]);
}

/** A number as a control shows it (no float noise such as 0.30000000000000004). */
export function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}

/** The tooltip of a parameter, from its schema: meaning, allowed values, default, unit. */
export function tooltipOf(spec: ParamSpec): string {
  switch (spec.kind) {
    case "number":
      return `${spec.meaning}\n${spec.integer ? "integer" : "number"} in ${formatNumber(spec.min)}..${formatNumber(spec.max)}${spec.unit ? ` ${spec.unit}` : ""}; default ${formatNumber(spec.default)}`;
    case "choice":
      return `${spec.meaning}\none of ${spec.choices.join(", ")}; default ${spec.default}`;
    case "boolean":
      return `${spec.meaning}\ndefault ${spec.default ? "on" : "off"}`;
  }
}

/** A control built from a schema entry, with a way to show a kernel value without sending it back. */
export interface ParamControl {
  readonly row: HTMLElement;
  /** The element carrying `data-param` (range input, select or checkbox). */
  readonly input: HTMLInputElement | HTMLSelectElement;
  show(value: ParamValue): void;
}

/**
 * The control of one parameter, all of it from its schema: a range input plus an exact number box
 * for numbers (range, step), a select for choices, a checkbox for booleans; the tooltip is
 * {@link tooltipOf}. `onCommit` runs once per change (slider release, Enter, selection).
 */
export function paramControl(key: string, spec: ParamSpec, onCommit: (value: ParamValue) => void): ParamControl {
  const tooltip = tooltipOf(spec);
  const label = el("span", { class: "lima-label" }, [text(spec.label)]);
  switch (spec.kind) {
    case "number": {
      const step = spec.step ?? (spec.integer ? 1 : (spec.max - spec.min) / 100);
      const range = el("input", { type: "range", "data-param": key, min: String(spec.min), max: String(spec.max), step: String(step), title: tooltip }) as HTMLInputElement;
      const box = el("input", { type: "number", "data-param-box": key, min: String(spec.min), max: String(spec.max), step: spec.integer ? "1" : "any", title: tooltip, class: "lima-number" }) as HTMLInputElement;
      range.addEventListener("input", () => (box.value = range.value));
      range.addEventListener("change", () => {
        box.value = range.value;
        onCommit(Number(range.value));
      });
      box.addEventListener("change", () => {
        const v = Number(box.value);
        // Out-of-range or malformed text is clamped, as ipywidgets does, not sent to be refused.
        if (!Number.isFinite(v)) return;
        const clamped = Math.min(spec.max, Math.max(spec.min, spec.integer ? Math.round(v) : v));
        box.value = formatNumber(clamped);
        range.value = String(clamped);
        onCommit(clamped);
      });
      const row = el("label", { class: "lima-row lima-param", title: tooltip }, [label, range, box]);
      return {
        row,
        input: range,
        show: (v) => {
          range.value = String(v);
          box.value = formatNumber(Number(v));
        },
      };
    }
    case "choice": {
      const node = el("select", { "data-param": key, title: tooltip }, spec.choices.map((c) => el("option", { value: c }, [text(c)]))) as HTMLSelectElement;
      node.addEventListener("change", () => onCommit(node.value));
      return { row: el("label", { class: "lima-row lima-param", title: tooltip }, [label, node]), input: node, show: (v) => (node.value = String(v)) };
    }
    case "boolean": {
      const box = el("input", { type: "checkbox", "data-param": key, title: tooltip }) as HTMLInputElement;
      box.addEventListener("change", () => onCommit(box.checked));
      return { row: el("label", { class: "lima-row lima-param", title: tooltip }, [label, box]), input: box, show: (v) => (box.checked = v === true) };
    }
  }
}
