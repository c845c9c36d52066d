/**
 * The stand-alone explorer page (served by jupyter-server, see kernel/explore-server.ts): starts
 * a lima-ts kernel over @jupyterlab/services, runs a cell that calls explore(), and renders the
 * widget it displays with @jupyter-widgets/html-manager and our widget module.
 */
import * as base from "@jupyter-widgets/base";
import { HTMLManager } from "@jupyter-widgets/html-manager";
import { type Kernel, type KernelMessage, KernelManager, ServerConnection } from "@jupyterlab/services";
import * as explorer from "../src/index";

const WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json";

/** An HTMLManager whose comms go to a live kernel, and which knows our widget module. */
class LiveManager extends HTMLManager {
  constructor(private readonly kernel: Kernel.IKernelConnection) {
    super();
    kernel.registerCommTarget(this.comm_target_name, async (comm, msg) => {
      await this.handle_comm_open(new base.shims.services.Comm(comm), msg);
    });
  }

  protected override async loadClass(className: string, moduleName: string, moduleVersion: string): Promise<typeof base.WidgetModel | typeof base.WidgetView> {
    if (moduleName === explorer.WIDGET_MODULE) {
      const cls = (explorer as unknown as Record<string, typeof base.WidgetModel | typeof base.WidgetView>)[className];
      if (!cls) throw new Error(`${moduleName} has no class ${className}`);
      return cls;
    }
    return super.loadClass(className, moduleName, moduleVersion);
  }

  override async _create_comm(target: string, modelId?: string, data?: object, metadata?: object, buffers?: ArrayBuffer[] | ArrayBufferView[]): Promise<base.IClassicComm> {
    const comm = this.kernel.createComm(target, modelId);
    if (data || metadata) comm.open(data as never, metadata as never, buffers);
    return new base.shims.services.Comm(comm);
  }

  override async _get_comm_info(): Promise<object> {
    const reply = await this.kernel.requestCommInfo({ target_name: this.comm_target_name });
    return reply.content.status === "ok" ? reply.content.comms : {};
  }
}

const log = document.getElementById("log")!;
function say(text: string, error = false): void {
  log.textContent = text;
  log.classList.toggle("error", error);
}

/** The cell the page runs: values go in as JSON literals, never pasted as code. */
function cell(params: URLSearchParams): string {
  const model = params.get("model") ?? "squeezenet1.1-fp32";
  const image = params.get("image");
  if (!image) throw new Error("the page needs ?image=<file> (lima-xai explore --image …)");
  const regions = Number(params.get("regions") ?? 49);
  const division = params.get("division") === "grid" ? "grid" : "slico";
  const title = image.split(/[\\/]/).pop() ?? image;
  return [
    `import { explore, loadImage, loadModel } from "lima-xai";`,
    `const model = await loadModel(${JSON.stringify(model)});`,
    `const image = await loadImage(${JSON.stringify(image)}, model.card);`,
    `explore(model, image, { title: ${JSON.stringify(title)}, settings: { regions: ${JSON.stringify(regions)}, division: ${JSON.stringify(division)} } });`,
  ].join("\n");
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const serverSettings = ServerConnection.makeSettings({ baseUrl: `${location.origin}/`, wsUrl: `${location.origin.replace(/^http/, "ws")}/`, token: params.get("token") ?? "" });
  const kernels = new KernelManager({ serverSettings });
  const kernel = await kernels.startNew({ name: params.get("kernel") ?? "lima-ts" });
  (window as unknown as { limaKernel: Kernel.IKernelConnection }).limaKernel = kernel;
  const manager = new LiveManager(kernel);
  say("loading the model and the image…");
  const future = kernel.requestExecute({ code: cell(params), store_history: false });
  future.onIOPub = (msg: KernelMessage.IIOPubMessage) => {
    const type = msg.header.msg_type;
    if (type === "display_data" || type === "execute_result") {
      const data = (msg.content as { data: Record<string, unknown> }).data;
      const view = data[WIDGET_VIEW_MIME] as { model_id: string } | undefined;
      if (view) void show(manager, view.model_id);
    } else if (type === "error") {
      const content = msg.content as KernelMessage.IErrorMsg["content"];
      say(`${content.ename}: ${content.evalue}`, true);
    } else if (type === "stream") {
      console.log((msg.content as { text: string }).text);
    }
  };
  await future.done;
}

async function show(manager: LiveManager, modelId: string): Promise<void> {
  const model = await manager.get_model(modelId);
  const view = await manager.create_view(model);
  await manager.display_view(view, document.getElementById("explorer")!);
  say("");
}

main().catch((error: unknown) => say(error instanceof Error ? `${error.name}: ${error.message}` : String(error), true));
