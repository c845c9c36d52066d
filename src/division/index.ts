// TEMPORARY (lead): minimal grid-only stand-in so the engine compiles; the division engineer replaces this file.
import type { Division, RgbImage, SaliencyMap } from "../types";
export type DivisionOptions =
  | { method: "grid"; regions?: number }
  | { method: "slico"; regions?: number }
  | { method: "prior"; map: SaliencyMap; n?: number; m?: number }
  | { method: "masks"; masks: Uint8Array[]; delta?: number };
export function divide(image: RgbImage, options: DivisionOptions): Division {
  const n = Math.round(Math.sqrt(options.method === "grid" || options.method === "slico" ? options.regions ?? 49 : 49));
  const labels = new Int32Array(image.width * image.height);
  for (let y = 0; y < image.height; y++) for (let x = 0; x < image.width; x++) labels[y * image.width + x] = Math.floor((y * n) / image.height) * n + Math.floor((x * n) / image.width);
  return { width: image.width, height: image.height, labels, count: n * n, method: "grid" };
}
export function regionPixels(d: Division): Int32Array[] {
  const lists: number[][] = Array.from({ length: d.count }, () => []);
  d.labels.forEach((l, p) => lists[l].push(p));
  return lists.map((l) => Int32Array.from(l));
}
export function regionAreas(d: Division): Float64Array {
  const a = new Float64Array(d.count);
  d.labels.forEach((l) => a[l]++);
  return a.map((v) => v / d.labels.length);
}
export function divisionKey(d: Division): string {
  let h = 0x811c9dc5;
  for (const l of d.labels) { h ^= l; h = Math.imul(h, 0x01000193); }
  return `${d.method}${d.count}:${(h >>> 0).toString(16)}`;
}
