/**
 * The contract between a Jupyter kernel host and library code running inside it.
 *
 * The kernel (kernel/) installs a {@link JupyterHost} on `globalThis` under
 * {@link JUPYTER_HOST_KEY} before running any cell. Library code (widgets, rich display)
 * reaches the front-end only through it, so the library never imports the kernel.
 */

/** Where the kernel host is published on globalThis. */
export const JUPYTER_HOST_KEY = Symbol.for("lima-xai.jupyter-host");

/** A value with this method shows itself as rich output when it is a cell's last expression. */
export const JUPYTER_DISPLAY = Symbol.for("Jupyter.display");

/** A Jupyter mime bundle, e.g. `{"image/png": base64, "text/plain": "..."}`. */
export type MimeBundle = Record<string, unknown>;

/** Binary buffers travel as extra ZMQ frames next to a comm message. */
export type Buffers = ReadonlyArray<ArrayBuffer | ArrayBufferView>;

/** One end of a Jupyter comm (the kernel side). */
export interface Comm {
  readonly commId: string;
  readonly targetName: string;
  /** Sends comm_msg with `data` (and optional metadata and binary buffers) to the front-end. */
  send(data: Record<string, unknown>, metadata?: Record<string, unknown>, buffers?: Buffers): void;
  /** Sends comm_close and forgets the comm. */
  close(data?: Record<string, unknown>): void;
  /** Called for every comm_msg from the front-end. Replies sent from inside carry its parent header. */
  onMsg(handler: (data: Record<string, unknown>, buffers: ArrayBuffer[]) => void): void;
  /** Called when the front-end closes the comm. */
  onClose(handler: (data: Record<string, unknown>) => void): void;
}

/** The kernel's comm manager as seen from library code. */
export interface CommManager {
  /** Opens a comm from the kernel: sends comm_open on iopub. */
  open(
    targetName: string,
    data: Record<string, unknown>,
    metadata?: Record<string, unknown>,
    buffers?: Buffers,
  ): Comm;
  /** Registers a handler for comm_open requests from the front-end for `targetName`. */
  registerTarget(
    targetName: string,
    handler: (comm: Comm, data: Record<string, unknown>, buffers: ArrayBuffer[]) => void,
  ): void;
}

/** Output of the current cell. */
export interface DisplayOptions {
  /** A display_id: later calls with `update: true` replace that output (update_display_data). */
  readonly displayId?: string;
  readonly update?: boolean;
  readonly metadata?: Record<string, unknown>;
  /**
   * Send under the execute request running now (the last one when none runs) instead of the one
   * in whose async context the caller runs. For an update_display_data made by background work
   * that an earlier cell started: clients that follow only the running cell's messages (nbclient,
   * which `nbconvert --execute` uses) then apply it to the display, whichever cell holds it.
   * Default false.
   */
  readonly toRunningCell?: boolean;
}

/** What a kernel host offers to library code. */
export interface JupyterHost {
  readonly comms: CommManager;
  /** Sends display_data (or update_display_data) with the given bundle. */
  display(bundle: MimeBundle, options?: DisplayOptions): void;
}

/** The kernel host, or undefined when the code does not run inside our kernel. */
export function jupyterHost(): JupyterHost | undefined {
  return (globalThis as Record<symbol, unknown>)[JUPYTER_HOST_KEY] as JupyterHost | undefined;
}

/** Installs a host (called by the kernel at start-up, or by tests with a fake host). */
export function setJupyterHost(host: JupyterHost | undefined): void {
  (globalThis as Record<symbol, unknown>)[JUPYTER_HOST_KEY] = host;
}
