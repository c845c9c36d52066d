/** A subset of regions as a sorted list of region indices. */
export type Subset = readonly number[];

/** A stable cache key for a subset of an m-region division: its membership bits in hex. */
export function subsetKey(subset: Subset, m: number): string {
  const words = new Uint32Array(Math.ceil(m / 32) || 1);
  for (const r of subset) words[r >>> 5] |= 1 << (r & 31);
  let key = "";
  for (const w of words) key += w.toString(16).padStart(8, "0");
  return key;
}

/** V \ S for an m-region division, sorted. */
export function complement(subset: Subset, m: number): number[] {
  const inside = new Uint8Array(m);
  for (const r of subset) inside[r] = 1;
  const out: number[] = [];
  for (let r = 0; r < m; r++) if (!inside[r]) out.push(r);
  return out;
}

/** S ∪ {α}, sorted. */
export function withRegion(subset: Subset, region: number): number[] {
  return [...subset, region].sort((a, b) => a - b);
}
