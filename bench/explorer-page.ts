/**
 * Latency of the live explorer as a user sees it: headless Chromium on our explorer page,
 * jupyter-server and the lima-ts kernel. From slider release to the first redraw of the curve
 * (the first partial insertion curve of the new run) and to the final result, with the cache hit
 * rate of each re-run (the first redraw is the first finished curve: runs stream progress, not partial curves). squeezenet1.1-fp32, pelican.jpeg, SLICO |V| = 49 by default.
 *
 *   npm run bench:explorer [-- --regions 49 --photo pelican.jpeg]
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { startExploreServer } from "../kernel/explore-server";
import { NP, REGIONS } from "../src/params/lima";
import { launchChromium, slide, snapshot, waitForRun } from "../test/support/browser";

const shared = process.env.LIMA_XAI_SHARED ?? path.resolve(process.cwd(), "../shared");

function counts(metrics: string): { passes: number; hits: number } {
  const passes = Number(/forward passes\s+(\d+)/.exec(metrics)?.[1]);
  const hits = Number(/cache hits\s+(\d+)/.exec(metrics)?.[1]);
  return { passes, hits };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { regions: { type: "string", default: String(REGIONS.default) }, photo: { type: "string", default: "pelican.jpeg" }, model: { type: "string", default: "squeezenet1.1-fp32" } } });
  const regions = Number(values.regions);
  process.env.LIMA_XAI_MODELS ??= path.join(shared, "data/models");
  const server = await startExploreServer({ request: { model: values.model!, images: [path.join(shared, "data/images/photos", values.photo!)], settings: { division: { regions } } } });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const t0 = performance.now();
    await page.goto(server.url);
    await waitForRun(page, 0, "done", 600_000);
    console.log(`page open to first result: ${((performance.now() - t0) / 1000).toFixed(1)} s (kernel start, model load, first run)`);
    console.log(`explorer latency in Chromium: ${values.model}, ${values.photo}, SLICO, bidirectional (ms from slider release)`);
    console.log("| change | first redraw (ms) | final result (ms) | forward passes | cache hits | hit rate |");
    console.log("|---|---|---|---|---|---|");
    const steps: [string, string, string, number][] = [
      ["λ_cons 20 → 5", "lima", "cons", 5],
      ["λ_cons 5 → 6 (a small move)", "lima", "cons", 6],
      [`n_p ${NP.default} → 4`, "lima", "np", 4],
      [`|V| ${regions} → 36`, "division", "regions", 36],
      [`|V| 36 → ${regions} (back)`, "division", "regions", regions],
    ];
    for (const [label, owner, key, value] of steps) {
      const run = await slide(page, owner, key, value);
      await waitForRun(page, run, "done", 600_000);
      const s = await snapshot(page);
      const { passes, hits } = counts(s.metrics);
      console.log(`| ${label} | ${s.latencyFirst} | ${s.latencyFinal} | ${passes} | ${hits} | ${((100 * hits) / (hits + passes)).toFixed(1)} % |`);
    }
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
