/** Live widgets: the kernel side of the lima-xai-widgets front-end (widget protocol 2.1). */
export {
  explore,
  loadPhotos,
  ExplorerWidget,
  defaultSettings,
  resolveSettings,
  type ExploreOptions,
  type ExploreSource,
  type ExplorerRunRecord,
  type ExplorerSettingsInput,
} from "./explorer";
export { serveExplorerPage, checkPageRequest, type PageRequest } from "./page-host";
export { CachedModel } from "./cached-model";
export { EXPLORER_DIVISION_PARAMS, methodOptions, applyPreset } from "./schema";
export { regionCurves, regionOrderFromMap, type RegionCurves } from "./curves";
export { listPhotos, trueLabel, thumbnailPng, PHOTO_EXTENSIONS, type NamedPhoto } from "./photos";
export { Widget, WidgetHostError, WIDGET_TARGET, WIDGET_VIEW_MIME, splitBuffers, joinBuffers } from "./widget";
export { LatestWins, type RunOutcome } from "./scheduler";
export * from "./protocol";
