import { type Comm, type CommManager, JUPYTER_DISPLAY, jupyterHost, type MimeBundle } from "../jupyter/host";

/** Comm target of Jupyter widget models (widget protocol 2.1). */
export const WIDGET_TARGET = "jupyter.widget";
/** Comm target the front-end opens on page load to ask for all states at once. */
export const WIDGET_CONTROL_TARGET = "jupyter.widget.control";
export const WIDGET_PROTOCOL_VERSION = "2.1.0";
export const WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json";

/** A state value that travels as a binary comm buffer. */
export type Binary = Uint8Array;
type StateValue = unknown;
export type WidgetState = Record<string, StateValue>;

/**
 * Splits binary values out of a state (widget protocol: `buffer_paths` name the keys whose
 * values travel as extra ZMQ frames). Only top-level keys hold binaries in our widgets.
 */
export function splitBuffers(state: WidgetState): { state: WidgetState; bufferPaths: string[][]; buffers: Uint8Array[] } {
  const json: WidgetState = {};
  const bufferPaths: string[][] = [];
  const buffers: Uint8Array[] = [];
  for (const [key, value] of Object.entries(state)) {
    if (value instanceof Uint8Array) {
      bufferPaths.push([key]);
      buffers.push(value);
    } else json[key] = value;
  }
  return { state: json, bufferPaths, buffers };
}

/** Puts received buffers back into a state at their `buffer_paths` (top-level keys). */
export function joinBuffers(state: WidgetState, bufferPaths: unknown, buffers: readonly ArrayBuffer[]): WidgetState {
  const out = { ...state };
  if (!Array.isArray(bufferPaths)) return out;
  bufferPaths.forEach((p, i) => {
    if (Array.isArray(p) && p.length === 1 && typeof p[0] === "string" && buffers[i]) out[p[0]] = new Uint8Array(buffers[i]);
  });
  return out;
}

/** Thrown when a widget is used without our kernel (no comm manager to talk through). */
export class WidgetHostError extends Error {
  constructor() {
    super("widgets need a Jupyter front-end: run this inside the lima-ts kernel (lima-xai kernel install)");
    this.name = "WidgetHostError";
  }
}

const controlTargetHosts = new WeakSet<object>();

/**
 * The front-end opens `jupyter.widget.control` on page load and waits for `update_states`;
 * closing it at once makes it fall back to one `request_state` per widget (JUPYTER.md item 8).
 */
function registerControlTarget(comms: CommManager): void {
  if (controlTargetHosts.has(comms)) return;
  controlTargetHosts.add(comms);
  comms.registerTarget(WIDGET_CONTROL_TARGET, (c) => c.close());
}

/**
 * A widget model on the kernel side: owns one `jupyter.widget` comm and keeps a state in sync
 * with the front-end by the widget protocol 2.1 — `update` both ways, `echo_update` for changes
 * the front-end sent, `request_state` answered with the full state, `custom` messages.
 * Subclasses react to front-end changes in {@link onChange}.
 */
export abstract class Widget<S extends object> {
  protected readonly comm: Comm;
  private closed = false;
  private displayed = false;

  constructor(
    protected state: S,
    private readonly modelIdentity: WidgetState,
  ) {
    const host = jupyterHost();
    if (!host) throw new WidgetHostError();
    registerControlTarget(host.comms);
    const { state: json, bufferPaths, buffers } = splitBuffers({ ...modelIdentity, ...(state as WidgetState) });
    this.comm = host.comms.open(WIDGET_TARGET, { state: json, buffer_paths: bufferPaths }, { version: WIDGET_PROTOCOL_VERSION }, buffers);
    this.comm.onMsg((data, bufs) => this.receive(data, bufs));
    this.comm.onClose(() => {
      this.closed = true;
      this.onClose();
    });
  }

  /** The comm id, which is the model id of the front-end. */
  get modelId(): string {
    return this.comm.commId;
  }

  /** A snapshot of the synced state. */
  get(): Readonly<S> {
    return this.state;
  }

  /** Shows a view of this widget as output of the running cell (then {@link afterView}). */
  display(): void {
    this.displayed = true;
    jupyterHost()?.display(this.viewBundle());
    this.afterView();
  }

  /**
   * The widget-view bundle, so a widget as a cell's last value renders as the widget; once it
   * was shown by {@link display} (as `explore()` does), only a line of text, not a second view.
   */
  [JUPYTER_DISPLAY](): MimeBundle {
    if (this.displayed) return { "text/plain": `${this.constructor.name} ${this.modelId} (shown above)` };
    this.displayed = true;
    // Here the view is the cell's execute_result, sent after this: what afterView shows comes first.
    this.afterView();
    return this.viewBundle();
  }

  /** Called once the view is shown; a subclass may show more outputs (the explorer's static snapshot). */
  protected afterView(): void {}

  /** Closes the comm; the front-end removes its views. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.comm.close();
    this.onClose();
  }

  /** Changes some keys and sends them to the front-end (`update`). */
  protected set(patch: Partial<S>): void {
    Object.assign(this.state, patch);
    this.send("update", patch as WidgetState);
  }

  /** Sends a `custom` message. */
  protected sendCustom(content: Record<string, unknown>, buffers?: Uint8Array[]): void {
    if (!this.closed) this.comm.send({ method: "custom", content }, undefined, buffers);
  }

  /** Front-end changed `keys` (already applied to the state). */
  protected abstract onChange(keys: readonly (keyof S & string)[]): void;
  /** A `custom` message from the front-end. */
  protected onCustom(_content: Record<string, unknown>): void {}
  protected onClose(): void {}
  /**
   * Keys the front-end may write, or undefined for all. An update that touches any other key is
   * refused as a whole and the kernel's values are sent again (issue 11, item 10).
   */
  protected writableKeys(): readonly string[] | undefined {
    return undefined;
  }
  /** Checks a front-end change before it is applied; returns an error text to reject it. */
  protected validate(_patch: WidgetState): string | undefined {
    return undefined;
  }

  private viewBundle(): MimeBundle {
    return {
      [WIDGET_VIEW_MIME]: { model_id: this.modelId, version_major: 2, version_minor: 1 },
      "text/plain": `${this.constructor.name}: the live view needs the lima-xai-widgets extension (JupyterLab 4; lima-xai kernel install puts it in place)`,
    };
  }

  private send(method: "update" | "echo_update", patch: WidgetState): void {
    if (this.closed) return;
    const { state, bufferPaths, buffers } = splitBuffers(patch);
    this.comm.send({ method, state, buffer_paths: bufferPaths }, undefined, buffers);
  }

  private receive(data: Record<string, unknown>, buffers: ArrayBuffer[]): void {
    switch (data.method) {
      case "update": {
        const raw = typeof data.state === "object" && data.state !== null ? (data.state as WidgetState) : {};
        const patch = joinBuffers(raw, data.buffer_paths, buffers);
        const known = Object.fromEntries(Object.entries(patch).filter(([k]) => k in this.state));
        const writable = this.writableKeys();
        const owned = writable ? Object.keys(known).filter((k) => !writable.includes(k)) : [];
        const problem = owned.length
          ? `${owned.join(", ")} ${owned.length > 1 ? "are" : "is"} read-only: the kernel owns ${owned.length > 1 ? "them" : "it"} (the front-end may set ${writable!.join(", ")})`
          : this.validate(known);
        if (problem !== undefined) {
          // Refused: tell the front-end the kernel's values again, so it shows what is in force.
          this.send("update", Object.fromEntries(Object.keys(known).map((k) => [k, (this.state as WidgetState)[k]])));
          this.rejected(problem);
          return;
        }
        Object.assign(this.state, known);
        this.send("echo_update", known);
        if (Object.keys(known).length) this.onChange(Object.keys(known) as (keyof S & string)[]);
        return;
      }
      case "request_state":
        // The full state includes the model and view names: a front-end restoring widgets after a
        // page reload creates the model from this reply alone (`_model_module` and the rest).
        this.send("update", { ...this.modelIdentity, ...(this.state as WidgetState) });
        return;
      case "custom":
        this.onCustom(typeof data.content === "object" && data.content !== null ? (data.content as Record<string, unknown>) : {});
        return;
      default:
        return; // unknown methods are ignored, as the protocol asks
    }
  }

  /** A front-end change was rejected by {@link validate}. */
  protected rejected(_problem: string): void {}
}
