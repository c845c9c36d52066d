/** The JupyterLab 4 plugin: registers lima-xai-widgets with the widget manager. */
import { IJupyterWidgetRegistry } from "@jupyter-widgets/base";
import { WIDGET_MODULE, WIDGET_MODULE_VERSION } from "../../src/widgets/protocol";
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
  },
};

export default plugin;
