import { atan2 } from "../telemetry/atan2.js";
import { hypot } from "../telemetry/hypot.js";
import { seededRandom } from "./random.js";

/**
 * A compact trajectory fingerprint for cross-session replay detection (issue 13, part 3). The
 * path is sampled at FP_POINTS equally spaced instants between its first and last movement (so
 * time shifts, dropped points and re-sampling move the samples little), centred on its mean and
 * divided by its RMS radius (translation and scale drop out), then rounded to int8: 64 bytes,
 * stored base64 in the queued payload. Paths too small, short or simple to tell people apart by
 * get no fingerprint: a short straight flick is something many humans draw alike.
 */
export const FP_POINTS = 32;
const QUANT = 40; // int8 steps per RMS radius: a resolution of 0.025
const MIN_MOVES = 12;
const MIN_DURATION_MS = 500;
const MIN_RADIUS_PX = 10;
/** Sum of |turn| between samples (radians) below which a path counts as a simple stroke. */
const MIN_TURNING = 2;
/** RMS distance (in RMS radii) within which two fingerprints are the same gesture. */
export const MATCH_DISTANCE = 0.09;

type Move = { x: number; y: number; timestamp: number };

function sampleAtInstants(moves: readonly Move[]): Float64Array {
  const t0 = moves[0]!.timestamp;
  const span = moves.at(-1)!.timestamp - t0;
  const out = new Float64Array(2 * FP_POINTS);
  let j = 0;
  // Stryker disable next-line EqualityOperator: writes past a Float64Array's end are ignored
  for (let k = 0; k < FP_POINTS; k++) {
    const t = t0 + (span * k) / (FP_POINTS - 1);
    while (j + 1 < moves.length - 1 && moves[j + 1]!.timestamp <= t) j++;
    const a = moves[j]!;
    const b = moves[j + 1] ?? a;
    const dt = b.timestamp - a.timestamp;
    const f = dt > 0 ? Math.min(1, Math.max(0, (t - a.timestamp) / dt)) : 0;
    out[2 * k] = a.x + (b.x - a.x) * f;
    out[2 * k + 1] = a.y + (b.y - a.y) * f;
  }
  return out;
}

function turning(v: Float64Array): number {
  let sum = 0;
  let px = 0;
  let py = 0;
  for (let k = 1; k < FP_POINTS; k++) {
    const dx = v[2 * k]! - v[2 * k - 2]!;
    const dy = v[2 * k + 1]! - v[2 * k - 1]!;
    if (hypot(dx, dy) < 0.05) continue; // issue 10: Math.hypot's bits without the runtime call
    // Issue 10: Math.atan2's bits without the runtime call (telemetry/atan2.ts).
    if (px !== 0 || py !== 0) sum += Math.abs(atan2(px * dy - py * dx, px * dx + py * dy));
    px = dx;
    py = dy;
  }
  return sum;
}

/** The fingerprint of a time-ordered path, or undefined when the path is too plain to judge. */
export function fingerprint(moves: readonly Move[]): Int8Array | undefined {
  if (moves.length < MIN_MOVES) return undefined;
  if (moves.at(-1)!.timestamp - moves[0]!.timestamp < MIN_DURATION_MS) return undefined;
  const v = sampleAtInstants(moves);
  let cx = 0;
  let cy = 0;
  for (let k = 0; k < FP_POINTS; k++) {
    cx += v[2 * k]!;
    cy += v[2 * k + 1]!;
  }
  cx /= FP_POINTS;
  cy /= FP_POINTS;
  let r2 = 0;
  for (let k = 0; k < FP_POINTS; k++) r2 += (v[2 * k]! - cx) ** 2 + (v[2 * k + 1]! - cy) ** 2;
  const radius = Math.sqrt(r2 / FP_POINTS);
  if (radius < MIN_RADIUS_PX) return undefined;
  // Stryker disable next-line EqualityOperator: writes past a Float64Array's end are ignored
  for (let k = 0; k < FP_POINTS; k++) {
    v[2 * k] = (v[2 * k]! - cx) / radius;
    v[2 * k + 1] = (v[2 * k + 1]! - cy) / radius;
  }
  if (turning(v) < MIN_TURNING) return undefined;
  // Issue 10: a loop, not Int8Array.from with a callback per value (the same values).
  const fp = new Int8Array(2 * FP_POINTS);
  for (let i = 0; i < fp.length; i++)
    fp[i] = Math.max(-127, Math.min(127, Math.round(v[i]! * QUANT)));
  return fp;
}

/** Sample points left out of the distance: a re-sampled sharp turn may move one or two a lot. */
const TRIM = 2;

/** RMS distance per sample point, in RMS radii, without the TRIM worst points. */
export function fingerprintDistance(a: Int8Array, b: Int8Array): number {
  const worst = new Float64Array(TRIM + 1);
  let sum = 0;
  for (let k = 0; k < FP_POINTS; k++) {
    const d = (a[2 * k]! - b[2 * k]!) ** 2 + (a[2 * k + 1]! - b[2 * k + 1]!) ** 2;
    sum += d;
    // Keep the TRIM largest in worst[1..TRIM], ascending (worst[0] is scratch).
    // Stryker disable next-line EqualityOperator: inserting a value equal to worst[1] keeps the same values
    if (d > worst[1]!) {
      let i = 1;
      // Stryker disable next-line ConditionalExpression,EqualityOperator: worst[TRIM + 1] is undefined (no move); moving an equal value keeps the same values
      while (i < TRIM && worst[i + 1]! < d) {
        worst[i] = worst[i + 1]!;
        i++;
      }
      worst[i] = d;
    }
  }
  for (let i = 1; i <= TRIM; i++) sum -= worst[i]!;
  return Math.sqrt(Math.max(0, sum) / (FP_POINTS - TRIM)) / QUANT;
}

/**
 * fingerprintDistance(a, b) <= limit, answered early: the trimmed sum only grows as points are
 * added (a new point adds itself, or the smaller point it pushes out of the TRIM worst), so once
 * it passes the limit no later point can bring it back. Most candidates are other people's
 * gestures and fail within a few points; this is what keeps replay checks off enqueue's
 * critical path (issue 13: within 10% of enqueue's throughput).
 */
export function withinDistance(a: Int8Array, b: Int8Array, limit: number): boolean {
  return withinDistanceAt(a, b, 0, limit);
}

const MATCH_BOUND = (MATCH_DISTANCE * QUANT) ** 2 * (FP_POINTS - TRIM);

/**
 * True when each of the first three points of `a` and of the print at byte `at` of `b` is
 * farther apart than the whole MATCH_DISTANCE budget: then withinDistanceAt(a, b, at,
 * MATCH_DISTANCE) is false (two points are trimmed, the third alone is over the bound). The
 * replay index asks this first (issue 13): most candidates of a bucket end here.
 */
export function farAtHead(a: Int8Array, b: Int8Array, at: number): boolean {
  for (let k = 0; k < TRIM + 1; k++) {
    const x = a[2 * k]! - b[at + 2 * k]!;
    const y = a[2 * k + 1]! - b[at + 2 * k + 1]!;
    // Stryker disable next-line EqualityOperator: x² + y² is a whole number and MATCH_BOUND (388.8) is not
    if (x * x + y * y <= MATCH_BOUND) return false;
  }
  return true;
}

/** withinDistance(a, the fingerprint at byte `at` of `b`): the replay index packs them all. */
export function withinDistanceAt(a: Int8Array, b: Int8Array, at: number, limit: number): boolean {
  const bound = (limit * QUANT) ** 2 * (FP_POINTS - TRIM);
  let w1 = 0; // the TRIM = 2 largest so far, w1 <= w2
  let w2 = 0;
  let kept = 0; // the sum without them
  for (let k = 0; k < FP_POINTS; k++) {
    const d = (a[2 * k]! - b[at + 2 * k]!) ** 2 + (a[2 * k + 1]! - b[at + 2 * k + 1]!) ** 2;
    if (d > w2) {
      kept += w1;
      w1 = w2;
      w2 = d;
    } else if (d > w1) {
      kept += w1;
      w1 = d;
    } else kept += d;
    if (kept > bound) return false;
  }
  return true;
}

export function encodeFingerprint(fp: Int8Array): string {
  return Buffer.from(fp.buffer, fp.byteOffset, fp.byteLength).toString("base64");
}

export function decodeFingerprint(text: string): Int8Array | undefined {
  const bytes = Buffer.from(text, "base64");
  if (bytes.length !== 2 * FP_POINTS) return undefined;
  return new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length).slice();
}

/**
 * Locality-sensitive hashing (random projections, quantized): a replay lands in at least one of
 * TABLES buckets with its original with high probability, distinct gestures rarely share one; a
 * candidate is confirmed by the exact distance. Fixed seed: every process hashes alike.
 */
const TABLES = 10;
const PROJECTIONS = 4;
const WIDTH = 1.6 * QUANT;

const planes = (() => {
  const rand = seededRandom(0x5eed13);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return Array.from({ length: TABLES * PROJECTIONS }, () => {
    const g = Float64Array.from({ length: 2 * FP_POINTS }, gauss);
    const norm = Math.hypot(...g);
    return { g: g.map((x) => x / norm), offset: rand() * WIDTH };
  });
})();
/** The planes in one block, for the hot loop (issue 13: enqueue's main thread hashes here). */
const PLANE_G = Float64Array.from(planes.flatMap((p) => [...p.g]));
const PLANE_OFFSET = Float64Array.from(planes, (p) => p.offset);

/**
 * The quantized projections of `fp`: TABLES x PROJECTIONS cells, table by table, into `out`.
 * Each is Math.floor((g . fp + offset) / WIDTH), summed in the same order as ever.
 */
export function bucketCells(
  fp: Int8Array,
  out: Int32Array = new Int32Array(TABLES * PROJECTIONS),
): Int32Array {
  const dims = 2 * FP_POINTS;
  // Stryker disable next-line EqualityOperator: one more cell is written past `out`'s 40 and never read
  for (let j = 0; j < TABLES * PROJECTIONS; j++) {
    let dot = 0;
    const base = j * dims;
    for (let i = 0; i < dims; i++) dot += PLANE_G[base + i]! * fp[i]!;
    out[j] = Math.floor((dot + PLANE_OFFSET[j]!) / WIDTH);
  }
  return out;
}

/** The TABLES bucket keys of a fingerprint, as text: `table,cell,cell,cell,cell`. */
export function bucketKeys(fp: Int8Array): string[] {
  const cells = bucketCells(fp);
  const keys: string[] = [];
  for (let t = 0; t < TABLES; t++) {
    let key = `${t}`;
    for (let p = 0; p < PROJECTIONS; p++) key += `,${cells[t * PROJECTIONS + p]!}`;
    keys.push(key);
  }
  return keys;
}

/**
 * The same keys as numbers, written into `out`: one Map lookup by number instead of building and
 * hashing a string per table. A cell is within +-17 (|g . fp| <= |g| |fp| <= 127 x 8 = 1016, and
 * 1016 / WIDTH < 16), so each packs into 6 bits with no two keys alike.
 */
const CELL_SPAN = 64;
export function bucketKeyNumbers(fp: Int8Array, cells: Int32Array, out: number[]): number[] {
  bucketCells(fp, cells);
  for (let t = 0; t < TABLES; t++) {
    let key = 0;
    for (let p = 0; p < PROJECTIONS; p++)
      key = key * CELL_SPAN + cells[t * PROJECTIONS + p]! + CELL_SPAN / 2;
    out[t] = key * TABLES + t;
  }
  return out;
}
