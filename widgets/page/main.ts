/**
 * The stand-alone explorer page (served by jupyter-server, see kernel/explore-server.ts and
 * `lima-xai explore`): starts a lima-ts kernel over @jupyterlab/services, runs a cell that calls
 * explore(), and renders the widget it displays with @jupyter-widgets/html-manager and our
 * widget module — the pattern of ipywidgets' examples/web3.
 *
 * Query: ?token=…&model=<name|path>&image=<file>[&regions=49][&division=slico|grid][&kernel=lima-ts].
 * Everything the page writes into the document goes through textContent, never innerHTML.
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

  /** Our module from the bundle; anything else (@jupyter-widgets/base, controls, output) as HTMLManager does. */
  protected override async loadClass(className: string, moduleName: string, moduleVersion: string): Promise<typeof base.WidgetModel | typeof base.WidgetView> {
    if (moduleName === explorer.WIDGET_MODULE) {
      const cls = (explorer as unknown as Record<string, typeof base.WidgetModel | typeof base.WidgetView | undefined>)[className];
      if (!cls) throw new Error(`${moduleName}@${explorer.WIDGET_MODULE_VERSION} has no class ${className}`);
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
/** One status line under the title; red for errors. Plain text only. */
function say(text: string, error = false): void {
  log.textContent = text;
  log.classList.toggle("error", error);
}
let failed = false;
function fail(text: string): void {
  failed = true;
  say(text, true);
}
const message = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** What the page was asked to show, checked before a kernel is started. */
interface PageRequest {
  readonly model: string;
  readonly image: string;
  readonly regions: number;
  readonly division: "slico" | "grid";
  readonly kernel: string;
  readonly token: string;
}

function readRequest(params: URLSearchParams): PageRequest {
  const image = params.get("image");
  if (!image) throw new Error("the page needs ?image=<file> (start it with: lima-xai explore --model … --image …)");
  const regionsText = params.get("regions") ?? "49";
  const regions = Number(regionsText);
  if (!Number.isInteger(regions) || regions < 2 || regions > 400) throw new RangeError(`regions=${regionsText} is not allowed: use an integer 2..400`);
  const division = params.get("division") ?? "slico";
  if (division !== "slico" && division !== "grid") throw new RangeError(`division=${division} is not allowed: use one of slico, grid`);
  return { model: params.get("model") ?? "squeezenet1.1-fp32", image, regions, division, kernel: params.get("kernel") ?? "lima-ts", token: params.get("token") ?? "" };
}

/** The cell the page runs: values go in as JSON literals, never pasted as code. */
function cell(request: PageRequest): string {
  const title = request.image.split(/[\\/]/).pop() ?? request.image;
  return [
    `import { explore, loadImage, loadModel } from "lima-xai";`,
    `const model = await loadModel(${JSON.stringify(request.model)});`,
    `const image = await loadImage(${JSON.stringify(request.image)}, model.card);`,
    `explore(model, image, { title: ${JSON.stringify(title)}, settings: { regions: ${request.regions}, division: ${JSON.stringify(request.division)} } });`,
  ].join("\n");
}

/** The server's base URL: jupyter-server serves extra static files under `<base_url>static/`. */
function serverBaseUrl(): string {
  const at = location.pathname.lastIndexOf("/static/");
  return `${location.origin}${at >= 0 ? location.pathname.slice(0, at + 1) : "/"}`;
}

/** Shuts the page's kernel down when the page goes away, so reloads do not pile up kernels (each holds a model). */
function shutdownOnLeave(settings: ServerConnection.ISettings, kernel: Kernel.IKernelConnection): void {
  window.addEventListener("pagehide", () => {
    void fetch(`${settings.baseUrl}api/kernels/${encodeURIComponent(kernel.id)}`, {
      method: "DELETE",
      keepalive: true,
      headers: settings.token ? { Authorization: `token ${settings.token}` } : {},
    }).catch(() => undefined);
  });
}

async function main(): Promise<void> {
  const request = readRequest(new URLSearchParams(location.search));
  document.title = `${request.image.split(/[\\/]/).pop()} · lima-xai explorer`;
  const baseUrl = serverBaseUrl();
  const serverSettings = ServerConnection.makeSettings({ baseUrl, wsUrl: baseUrl.replace(/^http/, "ws"), token: request.token, appendToken: true });
  say(`starting the ${request.kernel} kernel…`);
  const kernel = await new KernelManager({ serverSettings }).startNew({ name: request.kernel });
  (window as unknown as { limaKernel: Kernel.IKernelConnection }).limaKernel = kernel;
  shutdownOnLeave(serverSettings, kernel);
  kernel.statusChanged.connect((_, status) => {
    if (status === "dead" || status === "autorestarting") fail(`the ${request.kernel} kernel died (${status}): reload the page to start a new one`);
  });
  kernel.connectionStatusChanged.connect((_, status) => {
    if (status === "disconnected") fail("lost the connection to the Jupyter server: is `lima-xai explore` still running?");
  });

  const manager = new LiveManager(kernel);
  say(`loading ${request.model} and ${request.image}…`);
  const future = kernel.requestExecute({ code: cell(request), store_history: false });
  future.onIOPub = (msg: KernelMessage.IIOPubMessage) => {
    const type = msg.header.msg_type;
    if (type === "display_data" || type === "execute_result") {
      const data = (msg.content as { data: Record<string, unknown> }).data;
      const view = data[WIDGET_VIEW_MIME] as { model_id: string } | undefined;
      if (view) show(manager, view.model_id).catch((error: unknown) => fail(`cannot show the explorer: ${message(error)}`));
    } else if (type === "error") {
      const content = msg.content as KernelMessage.IErrorMsg["content"];
      fail(`${content.ename}: ${content.evalue}`);
    } else if (type === "stream") {
      const content = msg.content as KernelMessage.IStreamMsg["content"];
      (content.name === "stderr" ? console.warn : console.log)(content.text);
    }
  };
  const reply = await future.done;
  if (reply.content.status !== "ok" && !failed) fail(`the kernel could not run the explorer cell (${reply.content.status})`);
}

async function show(manager: LiveManager, modelId: string): Promise<void> {
  const model = await manager.get_model(modelId);
  const view = await manager.create_view(model);
  await manager.display_view(view, document.getElementById("explorer")!);
  if (!failed) say("");
}

main().catch((error: unknown) => fail(message(error)));
