import { jupyterHost } from "../jupyter/host";
import { loadModel } from "../model/load";
import { DEVICES, type Device } from "../model/onnx";
import { DEVICE } from "../params/lima";
import { ExplorerWidget, type ExplorerSettingsInput, loadPhotos } from "./explorer";
import { withRegionsFrom } from "./photos";
import { PAGE_TARGET } from "./protocol";
import { WidgetHostError } from "./widget";

/**
 * What the stand-alone explorer page asks the kernel for: ONE JSON value (from the page's URL,
 * written by `lima-xai explore`), sent as the data of a comm_open — never pasted into source code.
 */
export interface PageRequest {
  /** Model name or .onnx / card path (resolved as loadModel does). */
  readonly model: string;
  /** Photo files, or one folder of photos. */
  readonly images: readonly string[];
  /** Inference device (default "cpu"). */
  readonly device?: Device;
  /** Initial settings, checked against the schema by the explorer. */
  readonly settings?: ExplorerSettingsInput;
  /** Photo shown first (default 0). */
  readonly photo?: number;
  /**
   * The photos' own regions (`lima-xai explore --regions-from`): one label image for every photo,
   * or a folder with one per photo by name stem; they replace the division controls.
   */
  readonly regionsFrom?: string;
}

/** Checks a page request's shape; every problem at once, in one TypeError. */
export function checkPageRequest(value: unknown): PageRequest {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new TypeError(`the page request must be an object, not ${JSON.stringify(value)}`);
  const v = value as Record<string, unknown>;
  const problems: string[] = [];
  const allowed = ["model", "images", "device", "settings", "photo", "regionsFrom"];
  for (const k of Object.keys(v)) if (!allowed.includes(k)) problems.push(`unknown key ${JSON.stringify(k)} (allowed: ${allowed.join(", ")})`);
  if (typeof v.model !== "string" || v.model === "") problems.push(`model ${JSON.stringify(v.model)} must be a model name or path`);
  if (!Array.isArray(v.images) || v.images.length === 0 || !v.images.every((f) => typeof f === "string" && f !== "")) problems.push(`images ${JSON.stringify(v.images)} must be a non-empty list of files or one folder`);
  if (v.device !== undefined && !(DEVICES as readonly unknown[]).includes(v.device)) problems.push(`device ${JSON.stringify(v.device)} is not allowed: use one of ${DEVICES.join(", ")}`);
  if (v.settings !== undefined && (typeof v.settings !== "object" || v.settings === null || Array.isArray(v.settings))) problems.push(`settings must be an object, not ${JSON.stringify(v.settings)}`);
  if (v.photo !== undefined && !(Number.isInteger(v.photo) && (v.photo as number) >= 0)) problems.push(`photo ${JSON.stringify(v.photo)} must be an index ≥ 0`);
  if (v.regionsFrom !== undefined && (typeof v.regionsFrom !== "string" || v.regionsFrom === "")) problems.push(`regionsFrom ${JSON.stringify(v.regionsFrom)} must be a label image or a folder of them`);
  if (problems.length) throw new TypeError(`bad page request: ${problems.join("; ")}`);
  return v as unknown as PageRequest;
}

/**
 * Makes this kernel serve the explorer page: registers the comm target {@link PAGE_TARGET}. The
 * page opens a comm with `{ request: PageRequest }`; the kernel loads the model and photos,
 * creates the explorer and answers `{ model_id }` (the page then renders that widget), or
 * `{ error }` in words. The page's cell calls this with no arguments: it is the same text every time.
 */
export function serveExplorerPage(): void {
  const host = jupyterHost();
  if (!host) throw new WidgetHostError();
  host.comms.registerTarget(PAGE_TARGET, (comm, data) => {
    void (async () => {
      const request = checkPageRequest(data.request);
      // Inference in a worker thread (the library's default, named here because the page needs it):
      // the kernel keeps answering the page's comm messages while a batch runs.
      const model = await loadModel(request.model, { device: request.device ?? (DEVICE.default as Device), inference: "worker" });
      try {
        const folder = request.images.length === 1 ? request.images[0] : request.images;
        const loaded = await loadPhotos(model, folder);
        const photos = request.regionsFrom === undefined ? loaded : await withRegionsFrom(loaded, request.regionsFrom, model.card);
        const widget = new ExplorerWidget(model, photos, { settings: request.settings, photo: request.photo });
        comm.onClose(() => {
          widget.close();
          void model.dispose();
        });
        widget.rerun();
        comm.send({ model_id: widget.modelId });
      } catch (error) {
        await model.dispose();
        throw error;
      }
    })().catch((error: unknown) => comm.send({ error: error instanceof Error ? error.message : String(error) }));
  });
}
