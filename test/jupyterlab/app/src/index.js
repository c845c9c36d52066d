// Starts JupyterLab with the extensions built into this bundle plus the prebuilt ones, as
// JupyterLab's own entry point does (disabled/deferred plugins from the page config honoured).
import { JupyterLab } from "@jupyterlab/application";
import { PageConfig } from "@jupyterlab/coreutils";
import { mimeModules, pluginModules } from "lima-jl-generated/extensions.js";
import "lima-jl-generated/style.js";

/** The plugins a module exports (ES default export or CommonJS), minus the disabled ones. */
function plugins(module) {
  const exported = Object.prototype.hasOwnProperty.call(module, "__esModule") ? module.default : module;
  return (Array.isArray(exported) ? exported : [exported]).filter((p) => !PageConfig.Extension.isDisabled(p.id));
}

async function federatedModule(ext, key) {
  const factory = await window._JUPYTERLAB[ext.name].get(ext[key]);
  return factory();
}

/**
 * Creates and starts the application. `window.limaLab` exposes it and how the start went, so the
 * test can wait for it and report load errors in JupyterLab's own words.
 */
export async function start(federated, failedToLoad) {
  const status = { failedToLoad, failedToActivate: [], federatedPlugins: [], started: false };
  window.limaLab = { status };
  const mimeExtensions = [];
  const register = [];
  for (const m of mimeModules) mimeExtensions.push(...plugins(await m.load()));
  for (const m of pluginModules) register.push(...plugins(await m.load()));
  for (const ext of federated) {
    for (const [key, list] of [["mimeExtension", mimeExtensions], ["extension", register]]) {
      if (!ext[key] || failedToLoad.some((f) => f.startsWith(`${ext.name}:`))) continue;
      try {
        const found = plugins(await federatedModule(ext, key));
        list.push(...found);
        status.federatedPlugins.push(...found.map((p) => p.id));
      } catch (e) {
        status.failedToLoad.push(`${ext.name} ${key}: ${e}`);
      }
    }
  }
  const lab = new JupyterLab({
    mimeExtensions,
    disabled: { matches: [], patterns: PageConfig.Extension.disabled.map((d) => d.raw) },
    deferred: { matches: [], patterns: PageConfig.Extension.deferred.map((d) => d.raw) },
  });
  lab.registerPlugins(register);
  window.limaLab.app = lab;
  try {
    await lab.start();
  } catch (e) {
    status.failedToActivate.push(String(e));
  }
  await lab.restored;
  status.activated = lab.listPlugins().filter((id) => lab.isPluginActivated(id));
  status.started = true;
}
