/**
 * Connectivity enforcement for superpixels (the SLICO post-processing step of METHOD.md §2).
 *
 * Every 4-connected piece that is not the largest piece of its label, every piece with a
 * negative label (pixels no cluster claimed), and every piece smaller than `minSize` pixels is
 * merged into the adjacent region it shares the most pixel edges with (ties: the region holding
 * the lowest-numbered piece, pieces being numbered in raster order of their first pixel). Merges
 * repeat until nothing changes; the regions are then
 * renumbered 0..count−1 in raster order of first appearance. Each region of the result is one
 * 4-connected piece, and the result covers every pixel. Typed arrays only: O(W·H) per pass.
 */
export function enforceConnectivity(labels: Int32Array, width: number, height: number, minSize: number): { labels: Int32Array; count: number } {
  if (labels.length !== width * height) {
    throw new RangeError(`connectivity: ${labels.length} labels given; a ${width}×${height} image needs ${width * height}`);
  }
  const pieces = findPieces(labels, width, height);
  const merger = new Merger(pieces, width, minSize);
  merger.run();
  return merger.renumber();
}

/** The 4-connected pieces of a label map, with each piece's pixels stored contiguously. */
interface Pieces {
  /** The piece of every pixel. */
  readonly piece: Int32Array;
  /** Pixels grouped by piece: piece i owns order[start[i] .. start[i+1]). */
  readonly order: Int32Array;
  readonly start: Int32Array;
  /** The label of every piece. */
  readonly label: Int32Array;
  readonly count: number;
}

/** Flood-fills the label map into 4-connected pieces, numbered in raster order of their first pixel. */
function findPieces(labels: Int32Array, width: number, height: number): Pieces {
  const n = labels.length;
  const piece = new Int32Array(n).fill(-1);
  const order = new Int32Array(n);
  const start = new Int32Array(n + 1);
  const label = new Int32Array(n);
  let count = 0;
  let end = 0;
  for (let seed = 0; seed < n; seed++) {
    if (piece[seed] >= 0) continue;
    const l = labels[seed];
    start[count] = end;
    label[count] = l;
    piece[seed] = count;
    order[end++] = seed;
    // `order` doubles as the breadth-first queue of the piece being filled.
    for (let head = start[count]; head < end; head++) {
      const p = order[head];
      const x = p % width;
      if (x > 0 && piece[p - 1] < 0 && labels[p - 1] === l) (piece[p - 1] = count), (order[end++] = p - 1);
      if (x < width - 1 && piece[p + 1] < 0 && labels[p + 1] === l) (piece[p + 1] = count), (order[end++] = p + 1);
      if (p >= width && piece[p - width] < 0 && labels[p - width] === l) (piece[p - width] = count), (order[end++] = p - width);
      if (p < n - width && piece[p + width] < 0 && labels[p + width] === l) (piece[p + width] = count), (order[end++] = p + width);
    }
    count++;
  }
  start[count] = end;
  return { piece, order, start, label: label.subarray(0, count), count };
}

/** Union-find over pieces; each root keeps a linked list of its member pieces, its size and whether it holds a "keeper". */
class Merger {
  private readonly parent: Int32Array;
  private readonly size: Int32Array;
  private readonly keep: Uint8Array;
  private readonly next: Int32Array;
  private readonly tail: Int32Array;
  private readonly tally: Int32Array;
  private readonly touched: Int32Array;

  constructor(private readonly pieces: Pieces, private readonly width: number, private readonly minSize: number) {
    const k = pieces.count;
    this.parent = Int32Array.from({ length: k }, (_, i) => i);
    this.size = Int32Array.from({ length: k }, (_, i) => pieces.start[i + 1] - pieces.start[i]);
    this.keep = largestPerLabel(pieces, this.size);
    this.next = new Int32Array(k).fill(-1);
    this.tail = Int32Array.from({ length: k }, (_, i) => i);
    this.tally = new Int32Array(k);
    this.touched = new Int32Array(k);
  }

  private find(c: number): number {
    const parent = this.parent;
    while (parent[c] !== c) c = parent[c] = parent[parent[c]];
    return c;
  }

  /** Merges every root that must go (a stray or a small piece) until none is left. */
  run(): void {
    for (let changed = true; changed; ) {
      changed = false;
      for (let c = 0; c < this.pieces.count; c++) {
        if (this.parent[c] !== c || (this.keep[c] && this.size[c] >= this.minSize)) continue;
        const target = this.longestBorder(c);
        if (target < 0) continue;
        this.parent[c] = target;
        this.size[target] += this.size[c];
        this.keep[target] |= this.keep[c];
        this.next[this.tail[target]] = c;
        this.tail[target] = this.tail[c];
        changed = true;
      }
    }
  }

  /** The adjacent root sharing the most pixel edges with root `c` (ties: lowest root), or −1 if none. */
  private longestBorder(c: number): number {
    const { piece, order, start } = this.pieces;
    const { tally, touched, width } = this;
    const n = piece.length;
    let nTouched = 0;
    const count = (q: number) => {
      const r = this.find(piece[q]);
      if (r === c) return;
      if (tally[r] === 0) touched[nTouched++] = r;
      tally[r]++;
    };
    for (let m = c; m >= 0; m = this.next[m]) {
      for (let i = start[m]; i < start[m + 1]; i++) {
        const p = order[i];
        const x = p % width;
        if (x > 0) count(p - 1);
        if (x < width - 1) count(p + 1);
        if (p >= width) count(p - width);
        if (p < n - width) count(p + width);
      }
    }
    let best = -1;
    for (let i = 0; i < nTouched; i++) {
      const r = touched[i];
      if (best < 0 || tally[r] > tally[best] || (tally[r] === tally[best] && r < best)) best = r;
    }
    for (let i = 0; i < nTouched; i++) tally[touched[i]] = 0;
    return best;
  }

  /** Final labels 0..count−1 in raster order of first appearance. */
  renumber(): { labels: Int32Array; count: number } {
    const { piece } = this.pieces;
    const id = new Int32Array(this.pieces.count).fill(-1);
    const labels = new Int32Array(piece.length);
    let count = 0;
    for (let p = 0; p < piece.length; p++) {
      const r = this.find(piece[p]);
      if (id[r] < 0) id[r] = count++;
      labels[p] = id[r];
    }
    return { labels, count };
  }
}

/** Marks the largest piece of every non-negative label (ties: the first in raster order). */
function largestPerLabel(pieces: Pieces, size: Int32Array): Uint8Array {
  const best = new Map<number, number>();
  for (let c = 0; c < pieces.count; c++) {
    const l = pieces.label[c];
    if (l < 0) continue;
    const b = best.get(l);
    if (b === undefined || size[c] > size[b]) best.set(l, c);
  }
  const keep = new Uint8Array(pieces.count);
  for (const c of best.values()) keep[c] = 1;
  return keep;
}
