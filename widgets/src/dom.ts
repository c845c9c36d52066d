/** Small DOM builders: every text goes in as a text node, never as HTML. */

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
): { row: HTMLElement; input: HTMLInputElement } {
  const input = el("input", { type: "range", "data-setting": key, min: String(range.min), max: String(range.max), step: String(range.step) }) as HTMLInputElement;
  const output = el("output");
  const show = () => (output.textContent = input.value);
  input.addEventListener("input", show);
  input.addEventListener("lima-sync", show);
  input.addEventListener("change", () => {
    show();
    onCommit(Number(input.value));
  });
  show();
  const row = el("label", { class: "lima-slider" }, [text(`${label} `), input, output]);
  return { row: el("div", { class: "lima-row" }, [row]), input };
}

export function select(key: string, options: [string, string][], onChange: (value: string) => void): HTMLSelectElement {
  const node = el("select", { "data-setting": key }, options.map(([v, label]) => el("option", { value: v }, [text(label)]))) as HTMLSelectElement;
  node.addEventListener("change", () => onChange(node.value));
  return node;
}

export function controlRow(label: string, control: HTMLElement): HTMLElement {
  return el("label", { class: "lima-row" }, [text(`${label} `), control]);
}
