/** lima-xai-widgets: the front-end of the live explorer (widget protocol 2.1, @jupyter-widgets/base 6). */
export { ExplorerModel, ExplorerView } from "./explorer";
export { WIDGET_MODULE, WIDGET_MODULE_VERSION } from "../../src/widgets/protocol";
