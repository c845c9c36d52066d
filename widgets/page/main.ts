/**
 * The stand-alone explorer page (served by jupyter-server, see kernel/explore-server.ts and
 * `lima-xai explore`): starts a lima-ts kernel over @jupyterlab/services, runs one constant cell
 * (serveExplorerPage), opens a comm carrying the request, and renders the explorer widget it names with @jupyter-widgets/html-manager and our
 * widget module — the pattern of ipywidgets' examples/web3.
 *
 * Query: ?token=…&request=<JSON PageRequest: model, images, device, settings, photo>[&kernel=lima-ts].
 * The request goes to the kernel as the data of one comm_open, never as code; the kernel checks it.
 * Everything the page writes into the document goes through textContent, never innerHTML.
 */
import * as base from "@jupyter-widgets/base";
import { HTMLManager } from "@jupyter-widgets/html-manager";
import { type Kernel, type KernelMessage, KernelManager, ServerConnection } from "@jupyterlab/services";
import { PAGE_TARGET } from "../../src/widgets/protocol";
import * as explorer from "../src/index";


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

/** What the page was asked to show: the kernel name, the token, and ONE JSON value for the kernel. */
interface PageQuery {
  /** The request as sent to the kernel (a PageRequest, src/widgets/page-host.ts): the kernel checks it. */
  readonly request: Record<string, unknown>;
  readonly kernel: string;
  readonly token: string;
}

function readQuery(params: URLSearchParams): PageQuery {
  const raw = params.get("request");
  if (!raw) throw new Error("the page needs ?request=<JSON> (start it with: lima-xai explore --model … --image …)");
  let request: unknown;
  try {
    request = JSON.parse(raw);
  } catch (error) {
    throw new SyntaxError(`request= is not JSON (${message(error)})`);
  }
  if (typeof request !== "object" || request === null || Array.isArray(request)) throw new TypeError("request= must be a JSON object");
  return { request: request as Record<string, unknown>, kernel: params.get("kernel") ?? "lima-ts", token: params.get("token") ?? "" };
}

/**
 * The one cell the page runs, the same text every time: it makes the kernel answer the page's
 * comm. The page's settings never become source code; they travel as the comm's JSON data.
 */
const CELL = `import { serveExplorerPage } from "lima-xai";\nserveExplorerPage();`;

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
  const request = readQuery(new URLSearchParams(location.search));
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
  say("starting the explorer in the kernel…");
  const future = kernel.requestExecute({ code: CELL, store_history: false });
  future.onIOPub = (msg: KernelMessage.IIOPubMessage) => {
    if (msg.header.msg_type === "error") {
      const content = msg.content as KernelMessage.IErrorMsg["content"];
      fail(`${content.ename}: ${content.evalue}`);
    } else if (msg.header.msg_type === "stream") {
      const content = msg.content as KernelMessage.IStreamMsg["content"];
      (content.name === "stderr" ? console.warn : console.log)(content.text);
    }
  };
  const reply = await future.done;
  if (reply.content.status !== "ok") {
    if (!failed) fail(`the kernel could not run the explorer cell (${reply.content.status})`);
    return;
  }
  const images = request.request.images;
  say(`loading ${String(request.request.model)} and ${Array.isArray(images) ? images.length : 0} photo source(s)…`);
  const comm = kernel.createComm(PAGE_TARGET);
  comm.onMsg = (msg) => {
    const data = msg.content.data as { model_id?: string; error?: string };
    if (data.error !== undefined) fail(data.error);
    else if (data.model_id) show(manager, data.model_id).catch((error: unknown) => fail(`cannot show the explorer: ${message(error)}`));
  };
  comm.open({ request: request.request } as never);
}

async function show(manager: LiveManager, modelId: string): Promise<void> {
  // The widget's comm_open came first on iopub, but the manager registers it asynchronously.
  let model: base.WidgetModel | undefined;
  for (let tries = 0; !model; tries++) {
    try {
      model = await manager.get_model(modelId);
    } catch (error) {
      if (tries >= 50) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const view = await manager.create_view(model);
  await manager.display_view(view, document.getElementById("explorer")!);
  if (!failed) say("");
}

main().catch((error: unknown) => fail(message(error)));
