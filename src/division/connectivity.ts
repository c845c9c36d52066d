/**
 * Connectivity enforcement for superpixels: every 4-connected piece that is not the largest
 * piece of its label, or that is smaller than `minSize`, is merged into the neighbouring piece
 * it shares the longest border with (ties: the piece met first in raster order). Labels are then
 * renumbered 0..count−1 in raster order of first appearance. Every region of the result is one
 * 4-connected piece.
 */
export function enforceConnectivity(labels: Int32Array, width: number, height: number, minSize: number): { labels: Int32Array; count: number } {
  const { comp, sizes, compLabel } = components(labels, width, height);
  const parent = Int32Array.from({ length: sizes.length }, (_, i) => i);
  const find = (c: number): number => {
    while (parent[c] !== c) c = parent[c] = parent[parent[c]];
    return c;
  };
  const size = Float64Array.from(sizes);
  const keep = largestPerLabel(sizes, compLabel);
  const borders = adjacency(comp, width, height, sizes.length);
  let changed = true;
  while (changed) {
    changed = false;
    for (let c = 0; c < sizes.length; c++) {
      if (find(c) !== c || (keep[c] && size[c] >= minSize)) continue;
      const target = bestNeighbour(c, borders, find);
      if (target < 0) continue;
      parent[c] = target;
      size[target] += size[c];
      for (const [n, len] of borders[c]) {
        const root = find(n);
        if (root !== target) borders[target].set(root, (borders[target].get(root) ?? 0) + len);
      }
      borders[target].delete(c);
      keep[target] = 1;
      changed = true;
    }
  }
  return renumber(comp, find);
}

function components(labels: Int32Array, width: number, height: number) {
  const comp = new Int32Array(labels.length).fill(-1);
  const sizes: number[] = [];
  const compLabel: number[] = [];
  const stack = new Int32Array(labels.length);
  for (let start = 0; start < labels.length; start++) {
    if (comp[start] >= 0) continue;
    const id = sizes.length;
    let top = 0, count = 0;
    stack[top++] = start;
    comp[start] = id;
    while (top > 0) {
      const p = stack[--top];
      count++;
      const x = p % width, y = (p - x) / width;
      const visit = (q: number) => {
        if (comp[q] < 0 && labels[q] === labels[start]) {
          comp[q] = id;
          stack[top++] = q;
        }
      };
      if (x > 0) visit(p - 1);
      if (x < width - 1) visit(p + 1);
      if (y > 0) visit(p - width);
      if (y < height - 1) visit(p + width);
    }
    sizes.push(count);
    compLabel.push(labels[start]);
  }
  return { comp, sizes, compLabel };
}

function largestPerLabel(sizes: number[], compLabel: number[]): Uint8Array {
  const best = new Map<number, number>();
  sizes.forEach((s, c) => {
    const b = best.get(compLabel[c]);
    if (b === undefined || s > sizes[b]) best.set(compLabel[c], c);
  });
  const keep = new Uint8Array(sizes.length);
  for (const c of best.values()) keep[c] = 1;
  return keep;
}

function adjacency(comp: Int32Array, width: number, height: number, n: number): Map<number, number>[] {
  const borders = Array.from({ length: n }, () => new Map<number, number>());
  const link = (a: number, b: number) => {
    if (a === b) return;
    borders[a].set(b, (borders[a].get(b) ?? 0) + 1);
    borders[b].set(a, (borders[b].get(a) ?? 0) + 1);
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (x < width - 1) link(comp[p], comp[p + 1]);
      if (y < height - 1) link(comp[p], comp[p + width]);
    }
  }
  return borders;
}

function bestNeighbour(c: number, borders: Map<number, number>[], find: (c: number) => number): number {
  const totals = new Map<number, number>();
  for (const [n, len] of borders[c]) {
    const root = find(n);
    if (root !== c) totals.set(root, (totals.get(root) ?? 0) + len);
  }
  let best = -1, bestLen = -1;
  for (const [root, len] of totals) {
    if (len > bestLen || (len === bestLen && root < best)) {
      best = root;
      bestLen = len;
    }
  }
  return best;
}

function renumber(comp: Int32Array, find: (c: number) => number): { labels: Int32Array; count: number } {
  const ids = new Map<number, number>();
  const labels = new Int32Array(comp.length);
  for (let p = 0; p < comp.length; p++) {
    const root = find(comp[p]);
    let id = ids.get(root);
    if (id === undefined) ids.set(root, (id = ids.size));
    labels[p] = id;
  }
  return { labels, count: ids.size };
}
