import type { Point } from "./features-path.js";
import { type Series, series, sized } from "./series.js";

/**
 * A time-ordered path as three columns of numbers (issue 10): the extractor walks the points five
 * or six times (steps and turns, strokes, two or three time grids), and each walk over objects
 * loaded every coordinate through a pointer to a boxed number. Copied once, the walks read plain
 * doubles. The same values: a Float64Array holds every JS number exactly, -0 included. Reused
 * buffers, valid until the next call.
 */
export interface PointColumns {
  x: Float64Array;
  y: Float64Array;
  t: Float64Array;
  n: number;
  /** No timestamp below the one before it: what inTimeOrder checks, found while copying. */
  ordered: boolean;
  /**
   * Every timestamp a whole number of magnitude below 2^52, found while copying: then every
   * time a grid adds up from them is exact (grid-sampling.ts, sampleGridPair).
   */
  wholeTimes: boolean;
}

const xs: Series = series();
const ys: Series = series();
const ts: Series = series();
const columns: PointColumns = {
  x: xs.data,
  y: ys.data,
  t: ts.data,
  n: 0,
  ordered: true,
  wholeTimes: true,
};

/** Whole timestamps below this size keep every grid time exact (see wholeTimes). */
const EXACT_TIME = 2 ** 52;

export function pointColumns(points: readonly Point[]): PointColumns {
  const n = points.length;
  const x = sized(xs, n);
  const y = sized(ys, n);
  const t = sized(ts, n);
  // Stryker disable next-line BooleanLiteral: an ordered path taken for unordered is sorted again, as it is (inTimeOrder keeps a sorted array)
  let ordered = true;
  let whole = 1;
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    const time = p.timestamp;
    x[i] = p.x;
    y[i] = p.y;
    t[i] = time;
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: an ordered path taken for unordered is sorted again, as it is (the stable sort keeps equal times in order); the reverse (an unordered one taken for ordered) features-fresh-buffers.test.ts's reversed path shows
    if (i > 0 && time < t[i - 1]!) ordered = false;
    // Stryker disable next-line UnaryOperator: -1 & 1 and -0 & 1 are 1 and 0 as well
    whole &= +(Math.floor(time) === time) & +(Math.abs(time) < EXACT_TIME);
  }
  columns.ordered = ordered;
  columns.wholeTimes = whole === 1;
  columns.x = x;
  columns.y = y;
  columns.t = t;
  columns.n = n;
  return columns;
}
