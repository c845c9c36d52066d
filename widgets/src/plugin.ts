/** The JupyterLab 4 plugin: registers lima-xai-widgets with the widget manager. */
import { IJupyterWidgetRegistry } from "@jupyter-widgets/base";
import { SNAPSHOT_CLASS, WIDGET_MODULE, WIDGET_MODULE_VERSION } from "../../src/widgets/protocol";
import * as widgets from "./index";

/** The plugin shape JupyterLab loads (typed here so the build needs no @jupyterlab/application). */
interface LabPlugin {
  readonly id: string;
  readonly description: string;
  readonly autoStart: boolean;
  readonly requires: readonly unknown[];
  activate(app: unknown, registry: IJupyterWidgetRegistry): void;
}

const plugin: LabPlugin = {
  id: `${WIDGET_MODULE}:plugin`,
  description: "Live LIMA attribution explorer widgets",
  autoStart: true,
  requires: [IJupyterWidgetRegistry],
  activate(_app, registry) {
    registry.registerWidget({ name: WIDGET_MODULE, version: WIDGET_MODULE_VERSION, exports: { ExplorerModel: widgets.ExplorerModel, ExplorerView: widgets.ExplorerView } });
    hideSnapshots();
  },
};

/**
 * Where this extension runs, the live explorer renders, so the static snapshot the kernel shows
 * after it (for viewers without the extension) is hidden: the user sees one explorer.
 */
const SNAPSHOT_CSS = `.jp-OutputArea-child:has(.${SNAPSHOT_CLASS}) { display: none; }`;

function hideSnapshots(): void {
  const id = "lima-xai-snapshot-style";
  if (document.getElementById(id)) return;
  const style = document.createElement("style");
  style.id = id;
  style.textContent = SNAPSHOT_CSS;
  document.head.appendChild(style);
}

export default plugin;
