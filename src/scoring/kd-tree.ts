/**
 * A k-d tree over the kNN's reference rows (issue 10: ordering the rows by one coordinate pruned
 * little in 7 dimensions). Each node keeps its rows' bounding box; a query skips a node when the
 * squared distance from the query to the box already reaches the k-th distance found so far.
 * Exact, not approximate: for a row r in the box, |z_j - r_j| >= the box's gap in coordinate j,
 * and rounding (a subtraction, a square, a sum in the same order of coordinates) is monotone, so
 * the computed box distance never exceeds the computed row distance; a skipped row could never
 * have entered the k nearest. The k distances, and so every bit of the mean, are a full scan's.
 */
export interface KdTree {
  /** Row-major values, rows in tree order (each node's rows are contiguous). */
  flat: Float64Array;
  /** Index in the reference of each row in tree order. */
  original: Int32Array;
  /** Per node: first row, end row, left and right child (-1 on a leaf). */
  start: Int32Array;
  end: Int32Array;
  left: Int32Array;
  right: Int32Array;
  /** Per node: the split coordinate and value (the left child's rows are <= it). */
  axis: Int32Array;
  split: Float64Array;
  /** Per node and coordinate: the rows' minimum and maximum (node * dims + j). */
  lo: Float64Array;
  hi: Float64Array;
}

const LEAF_ROWS = 8;

/** Builds the tree; the reference rows must all be finite (knn.ts scans every row otherwise). */
export function buildKdTree(reference: readonly Float64Array[], dims: number): KdTree {
  const order = Array.from({ length: reference.length }, (_, i) => i);
  const nodes: { start: number; end: number; left: number; right: number; axis: number }[] = [];
  const splits: number[] = [];
  const build = (start: number, end: number): number => {
    const id = nodes.length;
    nodes.push({ start, end, left: -1, right: -1, axis: -1 });
    splits.push(0);
    if (end - start <= LEAF_ROWS) return id;
    const axis = widestAxis(reference, order, start, end, dims);
    const part = order
      .slice(start, end)
      .sort((a, b) => reference[a]![axis]! - reference[b]![axis]! || a - b);
    order.splice(start, part.length, ...part);
    const mid = (start + end) >>> 1;
    nodes[id]!.axis = axis;
    splits[id] = reference[order[mid - 1]!]![axis]!;
    nodes[id]!.left = build(start, mid);
    nodes[id]!.right = build(mid, end);
    return id;
  };
  if (reference.length > 0) build(0, reference.length);
  return flatten(reference, dims, order, nodes, splits);
}

function widestAxis(
  reference: readonly Float64Array[],
  order: readonly number[],
  start: number,
  end: number,
  dims: number,
): number {
  let best = 0;
  let bestSpread = -1;
  for (let j = 0; j < dims; j++) {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = start; i < end; i++) {
      const v = reference[order[i]!]![j]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (max - min > bestSpread) [best, bestSpread] = [j, max - min];
  }
  return best;
}

function flatten(
  reference: readonly Float64Array[],
  dims: number,
  order: readonly number[],
  nodes: readonly { start: number; end: number; left: number; right: number; axis: number }[],
  splits: readonly number[],
): KdTree {
  const flat = new Float64Array(order.length * dims);
  order.forEach((i, r) => {
    flat.set(reference[i]!, r * dims);
  });
  const lo = new Float64Array(nodes.length * dims).fill(Number.POSITIVE_INFINITY);
  const hi = new Float64Array(nodes.length * dims).fill(Number.NEGATIVE_INFINITY);
  nodes.forEach((node, id) => {
    for (let r = node.start; r < node.end; r++) {
      for (let j = 0; j < dims; j++) {
        const v = flat[r * dims + j]!;
        if (v < lo[id * dims + j]!) lo[id * dims + j] = v;
        if (v > hi[id * dims + j]!) hi[id * dims + j] = v;
      }
    }
  });
  return {
    flat,
    original: Int32Array.from(order),
    start: Int32Array.from(nodes, (n) => n.start),
    end: Int32Array.from(nodes, (n) => n.end),
    left: Int32Array.from(nodes, (n) => n.left),
    right: Int32Array.from(nodes, (n) => n.right),
    axis: Int32Array.from(nodes, (n) => n.axis),
    split: Float64Array.from(splits),
    lo,
    hi,
  };
}

/**
 * Squared distance from z to node's box, summed over coordinates in order as a row's distance is
 * (see the file comment), or a partial sum once it reaches `bound`.
 */
export function boxDistance(
  t: KdTree,
  node: number,
  dims: number,
  z: Float64Array,
  bound: number,
): number {
  let d2 = 0;
  for (let j = 0, o = node * dims; j < dims; j++, o++) {
    const below = t.lo[o]! - z[j]!;
    const above = z[j]! - t.hi[o]!;
    if (below > 0) d2 += below * below;
    else if (above > 0) d2 += above * above;
    if (d2 >= bound) return d2;
  }
  return d2;
}
