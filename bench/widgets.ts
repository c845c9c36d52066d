/**
 * Benchmark of the live explorer on the kernel side: from a settings message (a front-end `update`)
 * to the first progress update and to the final result, with the cache hit rate of each re-run.
 * squeezenet1.1-fp32, pelican.jpeg, SLICO |V| = 49 by default; LIMA, then LIMA compared with RISE.
 * A one-step λ move is timed twice: after the idle-time prefetch has finished, and right after.
 *
 *   npm run bench:widgets [-- --regions 49 --photo pelican.jpeg --search bidirectional|greedy|fast]
 *
 * The browser's own part (decode PNG, plotly redraw) is measured by the Chromium test
 * (`data-latency-first` / `data-latency-final` on the explorer's root element).
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { loadImage, loadModel } from "../src";
import { setJupyterHost } from "../src/jupyter/host";
import { NP, REGIONS } from "../src/params/lima";
import { PREFETCH_STEPS } from "../src/search/prefetch";
import { explore, type ExplorerWidget } from "../src/widgets/explorer";
import type { ExplorerSettingsInput } from "../src/widgets/explorer";
import { type FakeComm, FakeHost } from "../test/support/fake-host";

const shared = process.env.LIMA_XAI_SHARED ?? path.resolve(process.cwd(), "../shared");

interface Row {
  change: string;
  firstRedrawMs: number;
  finalMs: number;
  forwardPasses: number;
  cacheHits: number;
  hitRate: number;
}

/** Sends a settings change as the front-end would and times the kernel's answers. */
async function measure(label: string, widget: ExplorerWidget, comm: FakeComm, patch: ExplorerSettingsInput): Promise<Row> {
  const t0 = performance.now();
  let first = NaN;
  const send = comm.send.bind(comm);
  comm.send = (data, metadata, buffers) => {
    const state = data.state as Record<string, unknown> | undefined;
    if (Number.isNaN(first) && data.method === "update" && ((state?.progress as { fraction?: number } | null)?.fraction ?? 0) > 0) first = performance.now() - t0;
    send(data, metadata, buffers);
  };
  const s = widget.settings;
  const params = Object.fromEntries(Object.entries(s.params).map(([k, v]) => [k, { ...v, ...patch.params?.[k] }]));
  comm.deliver({ method: "update", state: { settings: { ...s, ...patch, params, division: { ...s.division, ...patch.division } } }, buffer_paths: [] });
  await widget.whenIdle();
  const finalMs = performance.now() - t0;
  comm.send = send;
  const run = widget.history.at(-1)!;
  if (run.outcome !== "done") throw new Error(`${label}: run ended ${run.outcome}: ${widget.get().error}`);
  return { change: label, firstRedrawMs: first, finalMs, forwardPasses: run.forwardPasses, cacheHits: run.cacheHits, hitRate: run.cacheHits / (run.cacheHits + run.forwardPasses) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { regions: { type: "string", default: String(REGIONS.default) }, photo: { type: "string", default: "pelican.jpeg" }, model: { type: "string", default: "squeezenet1.1-fp32" }, search: { type: "string", default: "bidirectional" } } });
  const regions = Number(values.regions);
  const host = new FakeHost();
  setJupyterHost(host);
  const model = await loadModel(values.model!, { searchPaths: [path.join(shared, "data/models")] });
  const image = await loadImage(path.join(shared, "data/images/photos", values.photo!), model.card);
  const t0 = performance.now();
  const search = values.search as "bidirectional" | "greedy" | "fast";
  const widget = explore(model, { image, title: values.photo! }, { settings: { division: { regions }, params: { lima: { search } } } });
  await widget.whenIdle();
  const initial = widget.history[0];
  const comm = host.opened[0].comm;
  const rows: Row[] = [
    { change: `first run (|V| = ${regions})`, firstRedrawMs: initial.firstUpdateMs, finalMs: performance.now() - t0, forwardPasses: initial.forwardPasses, cacheHits: initial.cacheHits, hitRate: initial.cacheHits / (initial.cacheHits + initial.forwardPasses) },
  ];
  rows.push(await measure("λ_cons 20 → 5", widget, comm, { params: { lima: { cons: 5 } } }));
  // Issue 12: the user pauses; the kernel prefetches the moved control's next step (and its step back).
  const idle0 = performance.now();
  await widget.whenPrefetched();
  const prefetchMs = performance.now() - idle0;
  const step = PREFETCH_STEPS.cons;
  rows.push(await measure(`λ_cons 5 → ${5 - step} (one step, after the idle prefetch)`, widget, comm, { params: { lima: { cons: 5 - step } } }));
  rows.push(await measure(`λ_cons ${5 - step} → ${5 - 2 * step} (one step, no pause)`, widget, comm, { params: { lima: { cons: 5 - 2 * step } } }));
  rows.push(await measure(`λ_cons ${5 - 2 * step} → 6`, widget, comm, { params: { lima: { cons: 6 } } }));
  rows.push(await measure("λ_colla 5 → 10", widget, comm, { params: { lima: { colla: 10 } } }));
  rows.push(await measure(`n_p ${NP.default} → 4`, widget, comm, { params: { lima: { np: 4 } } }));
  rows.push(await measure(`|V| ${regions} → 36`, widget, comm, { division: { regions: 36 } }));
  rows.push(await measure(`|V| 36 → ${regions} (back)`, widget, comm, { division: { regions } }));
  rows.push(await measure("compare with RISE (1000 masks)", widget, comm, { compare: "rise", params: { rise: { masks: 1000 } } }));
  rows.push(await measure("compare again, λ_cons 6 → 5", widget, comm, { params: { lima: { cons: 5 } } }));
  console.log(`explorer latency, kernel side: ${model.name}, ${values.photo}, SLICO, ${search} (ms from the settings message)`);
  console.log("| change | first progress (ms) | final result (ms) | forward passes | cache hits | hit rate |");
  console.log("|---|---|---|---|---|---|");
  for (const r of rows) {
    console.log(`| ${r.change} | ${r.firstRedrawMs.toFixed(0)} | ${r.finalMs.toFixed(0)} | ${r.forwardPasses} | ${r.cacheHits} | ${(100 * r.hitRate).toFixed(1)} % |`);
  }
  console.log(`idle prefetch after λ_cons 20 → 5: ${prefetchMs.toFixed(0)} ms (${JSON.stringify(widget.lastPrefetch ?? null)})`);
  const cache = widget.cached.cache;
  console.log(`cache: ${cache.size} outputs, ${(cache.bytes / 2 ** 20).toFixed(1)} MiB of ${(cache.maxBytes / 2 ** 20).toFixed(0)} MiB, ${cache.evictions} evictions`);
  widget.close();
  await model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
