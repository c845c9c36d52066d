/**
 * The fast search against bidirectional (issue 12): per photo, the passes ratio and the region
 * insertion ratio (fast / bidirectional) at |V| = 49 (or --regions), on the shared ImageNet photos.
 *
 *   node dist/bench/fast.js [--models squeezenet1.1-fp32,mobilenetv2-12-int8] [--photos 8 | --photos all]
 *        [--every 5] [--regions 49] [--variants '{"name": {…FastSearchOptions}}'] [--json out.json]
 *        [--bidi bench/results/bidirectional-49.json] [--memo DIR] [--cached-only] [--bidi-only] [--curves]
 *
 * Bidirectional results (passes, region insertion AUC, order) are cached in the --bidi JSON file
 * (default bench/results/bidirectional-49.json) and computed only for photos not in it. --memo
 * keeps every model output on disk by a SHA-1 of the input image, so development runs of other
 * variants do not run the model again for images already seen; pass counts are unaffected (they
 * count the images the explainer sends to the model). --cached-only skips photos without a cached
 * bidirectional result, --bidi-only only fills the cache, --curves prints both insertion curves
 * (×99) and orders. Photos: the sorted imagenet folder, every
 * `--every`-th (default 5 for 8 photos, 1 for all) from the first.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, appendFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Explainer, loadImage, loadModel } from "../src";
import type { BlackBoxModel, ModelOutput } from "../src/model/types";
import type { FastSearchOptions } from "../src/search/fast";
import { NP as NP_PARAM, REGIONS as REGIONS_PARAM } from "../src/params/lima";
import type { RgbImage, RunControl } from "../src/types";

const shared = process.env.LIMA_XAI_SHARED ?? path.resolve(process.cwd(), "../shared");
/** |V| and n_p: the schema's defaults (src/params/lima.ts), the setting of bench/results/*-49.json. */
const REGIONS = REGIONS_PARAM.default;
const NP = NP_PARAM.default;

interface BidiEntry { passes: number; insertion: number; order: number[] }

/** A model whose outputs are memoised on disk by the SHA-1 of the input image (development only). */
class MemoModel implements BlackBoxModel {
  private readonly memo = new Map<string, ModelOutput>();
  private file = "";
  constructor(private readonly inner: BlackBoxModel, private readonly dir: string) {}
  get name() { return this.inner.name; }
  get inputSize() { return this.inner.inputSize; }
  get numClasses() { return this.inner.numClasses; }
  get labels() { return this.inner.labels; }
  get batchSize() { return this.inner.batchSize; }
  get forwardPasses() { return this.inner.forwardPasses; }
  get inferenceMs() { return this.inner.inferenceMs; }
  dispose() { return this.inner.dispose(); }

  /** Loads the memo of one photo (one file per model and photo). */
  open(photo: string): void {
    this.memo.clear();
    mkdirSync(path.join(this.dir, this.inner.name), { recursive: true });
    this.file = path.join(this.dir, this.inner.name, `${photo}.bin`);
    if (!existsSync(this.file)) return;
    const buf = readFileSync(this.file);
    let at = 0;
    const floats = (n: number) => {
      const out = new Float32Array(n);
      new Uint8Array(out.buffer).set(buf.subarray(at, at + 4 * n));
      at += 4 * n;
      return out;
    };
    while (at + 32 <= buf.length) {
      const key = buf.subarray(at, at + 20).toString("hex");
      const [np, nf, nl] = [buf.readUInt32LE(at + 20), buf.readUInt32LE(at + 24), buf.readUInt32LE(at + 28)];
      at += 32;
      const probs = floats(np), features = floats(nf), logits = nl > 0 ? floats(nl) : undefined;
      this.memo.set(key, { probs, features, ...(logits ? { logits } : {}) });
    }
  }

  async run(images: readonly RgbImage[], control?: RunControl): Promise<ModelOutput[]> {
    const keys = images.map((im) => createHash("sha1").update(new Uint8Array(im.data.buffer, im.data.byteOffset, im.data.byteLength)).digest("hex"));
    const missing: number[] = [];
    keys.forEach((k, i) => { if (!this.memo.has(k) && !missing.some((j) => keys[j] === k)) missing.push(i); });
    if (missing.length > 0) {
      const outs = await this.inner.run(missing.map((i) => images[i]), control);
      const parts: Buffer[] = [];
      outs.forEach((o, n) => {
        const key = keys[missing[n]];
        this.memo.set(key, o);
        const head = Buffer.alloc(32);
        Buffer.from(key, "hex").copy(head, 0);
        head.writeUInt32LE(o.probs.length, 20);
        head.writeUInt32LE(o.features.length, 24);
        head.writeUInt32LE(o.logits?.length ?? 0, 28);
        parts.push(head, Buffer.from(o.probs.buffer, o.probs.byteOffset, o.probs.byteLength), Buffer.from(o.features.buffer, o.features.byteOffset, o.features.byteLength));
        if (o.logits) parts.push(Buffer.from(o.logits.buffer, o.logits.byteOffset, o.logits.byteLength));
      });
      appendFileSync(this.file, Buffer.concat(parts));
    }
    return keys.map((k) => this.memo.get(k)!);
  }
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const load = () => os.loadavg().map((v) => v.toFixed(2)).join(" ");

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      models: { type: "string", default: "squeezenet1.1-fp32" },
      photos: { type: "string", default: "8" },
      every: { type: "string" },
      regions: { type: "string" },
      start: { type: "string", default: "0" },
      variants: { type: "string" },
      json: { type: "string" },
      bidi: { type: "string", default: "bench/results/bidirectional-49.json" },
      memo: { type: "string" },
      "bidi-only": { type: "boolean", default: false },
      curves: { type: "boolean", default: false },
      "cached-only": { type: "boolean", default: false },
    },
  });
  const regions = Number(values.regions ?? REGIONS);
  if (!Number.isInteger(regions) || regions < 2) throw new RangeError(`--regions ${values.regions} is not allowed: use an integer ≥ 2`);
  const all = values.photos === "all";
  const every = Number(values.every ?? (all ? 1 : 5));
  const photoDir = path.join(shared, "data/images/imagenet");
  const photos = readdirSync(photoDir).sort().filter((_, i) => i % every === 0).slice(Number(values.start), all ? undefined : Number(values.start) + Number(values.photos));
  const variants: Record<string, FastSearchOptions> = values.variants ? JSON.parse(values.variants) : { default: {} };
  const bidi: Record<string, BidiEntry> = existsSync(values.bidi!) ? JSON.parse(readFileSync(values.bidi!, "utf8")) : {};
  const cachedOnly = values["cached-only"]!;
  const modelsDir = path.join(shared, "data/models");
  const started = performance.now();
  process.stderr.write(`load ${load()} (1/5/15 min), ${os.cpus().length} cores, ${photos.length} photos\n`);
  const rows: { model: string; variant: string; photo: string; passesRatio: number; insertionRatio: number; bidirectional: number; fast: number; fastPasses: number; bidiPasses: number; exceeded?: number }[] = [];
  for (const name of values.models!.split(",")) {
    const inner = await loadModel(name, { searchPaths: [modelsDir] });
    const memo = values.memo ? new MemoModel(inner, values.memo) : undefined;
    const model: BlackBoxModel = memo ?? inner;
    for (const photo of photos) {
      const key = `${name}|${photo}|${regions}|np${NP}`;
      if (cachedOnly && !bidi[key]) continue;
      memo?.open(photo);
      const image: RgbImage = await loadImage(path.join(photoDir, photo), inner.card);
      if (!bidi[key]) {
        const r = await new Explainer(model, { search: "bidirectional", np: NP, division: { method: "slico", regions } }).explain(image);
        bidi[key] = { passes: r.forwardPasses, insertion: r.insertion.auc, order: [...r.order] };
        writeFileSync(values.bidi!, JSON.stringify(bidi, null, 1));
        process.stderr.write(`  bidirectional ${name} ${photo}: ${r.forwardPasses} passes, insertion ${r.insertion.auc.toFixed(3)} (${(r.ms / 1000).toFixed(1)} s, load ${load()})\n`);
      }
      if (values["bidi-only"]) continue;
      const b = bidi[key];
      const curve = (y: readonly number[]) => y.map((v) => Math.round(v * 99).toString().padStart(2)).join("");
      if (values.curves) {
        const r = await new Explainer(model, { search: "bidirectional", np: NP, division: { method: "slico", regions } }).explain(image);
        process.stderr.write(`  curve bidirectional ${curve(r.insertion.y)} ${r.order.join(",")}\n`);
      }
      for (const [variant, fast] of Object.entries(variants)) {
        const r = await new Explainer(model, { search: "fast", fast, division: { method: "slico", regions } }).explain(image);
        const row = {
          model: name, variant, photo, passesRatio: r.forwardPasses / b.passes, insertionRatio: r.insertion.auc / b.insertion,
          bidirectional: b.insertion, fast: r.insertion.auc, fastPasses: r.forwardPasses, bidiPasses: b.passes,
        };
        rows.push(row);
        if (values.curves) process.stderr.write(`  curve ${variant.padEnd(13)} ${curve(r.insertion.y)} ${r.order.join(",")}\n`);
        process.stderr.write(`  ${variant} ${name} ${photo}: ${row.passesRatio.toFixed(3)} / ${row.insertionRatio.toFixed(3)} (${b.insertion.toFixed(3)} → ${r.insertion.auc.toFixed(3)}, ${r.forwardPasses} passes)\n`);
      }
    }
    await inner.dispose();
  }
  for (const name of values.models!.split(",")) {
    for (const variant of Object.keys(variants)) {
      const rs = rows.filter((r) => r.model === name && r.variant === variant);
      if (rs.length === 0) continue;
      console.log(`\n${name}, variant ${variant} ${JSON.stringify(variants[variant])}, |V| = ${regions}, ${rs.length} photos`);
      console.log(`| photo | passes ratio | insertion ratio | bidirectional → fast |`);
      console.log(`|---|---|---|---|`);
      for (const r of rs) console.log(`| ${r.photo.replace(/^n\d+_|\.JPEG$/g, "").replace(/_/g, " ")} | ${r.passesRatio.toFixed(3)} | ${r.insertionRatio.toFixed(3)} | ${r.bidirectional.toFixed(3)} → ${r.fast.toFixed(3)} |`);
      const worst = Math.min(...rs.map((r) => r.insertionRatio));
      console.log(`| **mean** | **${mean(rs.map((r) => r.passesRatio)).toFixed(3)}** | **${mean(rs.map((r) => r.insertionRatio)).toFixed(3)}** | ${mean(rs.map((r) => r.bidirectional)).toFixed(3)} → ${mean(rs.map((r) => r.fast)).toFixed(3)} (worst ratio ${worst.toFixed(3)}) |`);
    }
  }
  const summary = { load: os.loadavg(), seconds: (performance.now() - started) / 1000, photos: photos.length };
  if (values.json) writeFileSync(values.json, JSON.stringify({ ...summary, regions, variants, rows }, null, 1));
  console.log(JSON.stringify(summary));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
