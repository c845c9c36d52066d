/** Live widgets: the kernel side of the lima-xai-widgets front-end (widget protocol 2.1). */
export { explore, ExplorerWidget, DEFAULT_SETTINGS, checkSettings, type ExploreOptions, type ExplorerRunRecord } from "./explorer";
export { Widget, WidgetHostError, WIDGET_TARGET, WIDGET_VIEW_MIME, splitBuffers, joinBuffers } from "./widget";
export { LatestWins, type RunOutcome } from "./scheduler";
export * from "./protocol";
