// Entry of the harness's JupyterLab: first load every prebuilt extension the server lists
// (page config "federated_extensions", from the labextensions folders) and let each join the
// shared module scope, then start the application (index.js).
/* global __webpack_init_sharing__, __webpack_share_scopes__ */

/** The server's page config, read directly: nothing else may load before the shared scope is set up. */
function pageConfig() {
  const el = document.getElementById("jupyter-config-data");
  return el ? JSON.parse(el.textContent || "{}") : {};
}

const config = pageConfig();
// Chunks of this bundle load from LabServerApp's static URL.
// eslint-disable-next-line no-undef
__webpack_public_path__ = `${config.fullStaticUrl}/`;

function addScript(url) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.async = true;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`cannot load ${url}`));
    script.src = url;
    document.head.appendChild(script);
  });
}

/** Loads one prebuilt extension's remoteEntry and initialises its container with the shared scope. */
async function joinSharedScope(ext) {
  await addScript(`${config.fullLabextensionsUrl}/${ext.name}/${ext.load}`);
  await __webpack_init_sharing__("default");
  const container = window._JUPYTERLAB[ext.name];
  if (!container) throw new Error(`${ext.name}: its remoteEntry defined no container window._JUPYTERLAB[${JSON.stringify(ext.name)}]`);
  await container.init(__webpack_share_scopes__.default);
}

void (async () => {
  const federated = config.federated_extensions || [];
  const results = await Promise.allSettled(federated.map(joinSharedScope));
  const failed = results.flatMap((r, i) => (r.status === "rejected" ? [`${federated[i].name}: ${r.reason}`] : []));
  for (const message of failed) console.error(`federated extension failed to load: ${message}`);
  const { start } = await import("./index.js");
  await start(federated, failed);
})();
