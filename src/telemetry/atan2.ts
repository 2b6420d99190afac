/**
 * Math.atan2(y, x) with the same bits, inlined rather than called (issue 10: V8 lowers Math.atan2
 * to a call into C, ~30 ns here, and a 300-point session makes ~450 of them: a quarter of
 * extractFeatures). V8 computes it with fdlibm's e_atan2.c and s_atan.c (src/base/ieee754.cc);
 * this is the same algorithm in the same IEEE operations, in the same order, for the inputs a
 * path gives (both finite and non-zero, |y / x| between 2^-58 and 2^58). Everything else (NaN,
 * infinities, zeros, extreme quotients: fdlibm's special cases) goes to Math.atan2 itself.
 *
 * fdlibm tests the high word of a double against constants; for a non-negative double that is
 * the same as comparing the double with the constant's value (0x3FDC0000 is 0.4375, and so on),
 * which is what the comparisons below do. fdlibm's k = (iy - ix) >> 20 (the exponents' gap) lies
 * within [-59, 58] for quotients in range, so its branch to atan(|y / x|) is the one taken.
 *
 * test/telemetry/atan2.test.ts pins the equality with this runtime's Math.atan2 on millions of
 * pairs and every branch's edges, and the golden test pins every feature. On a V8 built to fuse
 * multiply-adds (some ARM builds), Math.atan2 may differ from this in the last bit; this code
 * gives the same bits on every platform, as JavaScript arithmetic does.
 */

const PI = Math.PI; // 0x400921FB 54442D18
const PI_LO = 1.2246467991473532e-16; // 0x3CA1A626 33145C07
/** |y / x| outside (2^-58, 2^58) goes to Math.atan2 (fdlibm special-cases beyond 2^±60). */
const RANGE = 2 ** 58;

/**
 * fdlibm's argument reduction, one row per interval of a = |y / x| (issue 10: as branches, each
 * quotient's interval was a coin toss the CPU mispredicted; as a table row picked by counting
 * thresholds, there is no branch). Row k computes t = (P a - Q) / (R + S a) and the result
 * HI - ((t s - LO) - t), s the polynomial below; each row does exactly fdlibm's operations:
 * - a < 0.4375: t = (1 a - 0) / (1 + 0 a) = a, and 0 - ((t s - 0) - t) = t - t s (fdlibm's
 *   x - x s; below 2^-27, where fdlibm returns x itself, t s is under half an ulp of t: also t);
 * - [0.4375, 0.6875): (2 a - 1) / (2 + 1 a), fdlibm's (2x - 1) / (2 + x), and atan(0.5);
 * - [0.6875, 1.1875): (1 a - 1) / (1 + 1 a), fdlibm's (x - 1) / (x + 1), and atan(1);
 * - [1.1875, 2.4375): (1 a - 1.5) / (1 + 1.5 a), fdlibm's, and atan(1.5);
 * - from 2.4375: (0 a - 1) / (0 + 1 a) = -1 / a, fdlibm's, and atan(inf).
 * Multiplying by 1 or adding 0 is exact, so the rows are fdlibm's operations to the bit.
 */
const P = Float64Array.of(1, 2, 1, 1, 0);
const Q = Float64Array.of(0, 1, 1, 1.5, 1);
const R = Float64Array.of(1, 2, 1, 1, 0);
const S = Float64Array.of(0, 1, 1, 1.5, 1);
const HI = Float64Array.of(
  0,
  0.4636476090008061, // atan(0.5) high, 0x3FDDAC67 0561BB4F
  0.7853981633974483, // atan(1) high, 0x3FE921FB 54442D18
  0.982793723247329, // atan(1.5) high, 0x3FEF730B D281F69B
  1.5707963267948966, // atan(inf) high, 0x3FF921FB 54442D18
);
const LO = Float64Array.of(
  0,
  2.2698777452961687e-17, // 0x3C7A2B7F 222F65E2
  3.061616997868383e-17, // 0x3C81A626 33145C07
  1.3903311031230998e-17, // 0x3C700788 7AF0CBBD
  6.123233995736766e-17, // 0x3C91A626 33145C07
);
const T0 = 0.3333333333333293; // fdlibm aT[0], 0x3FD55555 5555550D
const T1 = -0.19999999999876483; // fdlibm aT[1], 0xBFC99999 9998EBC4
const T2 = 0.14285714272503466; // fdlibm aT[2], 0x3FC24924 920083FF
const T3 = -0.11111110405462356; // fdlibm aT[3], 0xBFBC71C6 FE231671
const T4 = 0.09090887133436507; // fdlibm aT[4], 0x3FB745CD C54C206E
const T5 = -0.0769187620504483; // fdlibm aT[5], 0xBFB3B0F2 AF749A6D
const T6 = 0.06661073137387531; // fdlibm aT[6], 0x3FB10D66 A0D03D51
const T7 = -0.058335701337905735; // fdlibm aT[7], 0xBFADDE2D 52DEFD9A
const T8 = 0.049768779946159324; // fdlibm aT[8], 0x3FA97B4B 24760DEB
const T9 = -0.036531572744216916; // fdlibm aT[9], 0xBFA2B444 2C6A6C2F
const T10 = 0.016285820115365782; // fdlibm aT[10], 0x3F90AD3A E322DA11

/** The row of the reduction table for a = |y / x| (see P..LO above). */
function rowOf(a: number): number {
  // Stryker disable next-line EqualityOperator: at a threshold itself both intervals' rows give fdlibm's bits (atan2.test.ts tries each threshold exactly)
  return +(a >= 0.4375) + +(a >= 0.6875) + +(a >= 1.1875) + +(a >= 2.4375);
}

/** fdlibm's reduced argument for a in row k. */
function reduced(a: number, k: number): number {
  return (P[k]! * a - Q[k]!) / (R[k]! + S[k]! * a);
}

/** fdlibm's atan(a) from the reduced argument t of row k, then the quadrant of (y, x). */
function fromReduced(t: number, k: number, y: number, x: number): number {
  const z = t * t;
  const w = z * z;
  const s1 = z * (T0 + w * (T2 + w * (T4 + w * (T6 + w * (T8 + w * T10)))));
  const s2 = w * (T1 + w * (T3 + w * (T5 + w * (T7 + w * T9))));
  const r = HI[k]! - (t * (s1 + s2) - LO[k]! - t);
  // fdlibm: x > 0 gives r or -r; x < 0 gives pi - (r - pi_lo), or (r - pi_lo) - pi, its negation.
  // Picked by arithmetic, not branches: 1 r + 0 v and 0 r + 1 v are r and v exactly (both finite
  // and positive), and multiplying by 1 or -1 is exact.
  // Stryker disable next-line EqualityOperator: x is not 0 here (the guard)
  const right = +(x > 0);
  const base = right * r + (1 - right) * (PI - (r - PI_LO));
  // Stryker disable next-line EqualityOperator: y is not 0 here (the guard)
  return (2 * +(y > 0) - 1) * base;
}

/** False for NaN, an infinity, a zero, or a quotient out of range: fdlibm's special cases. */
// Stryker disable next-line all: Math.atan2 has the same bits for every input (the tests pin it), so the guard only picks which of two equal computations runs
function inRange(ay: number, ax: number): boolean {
  // Stryker disable next-line all: as above
  return ay < ax * RANGE && ax < ay * RANGE;
}

export function atan2(y: number, x: number): number {
  const ax = Math.abs(x);
  const ay = Math.abs(y);
  // Stryker disable next-line all: as inRange's
  if (!inRange(ay, ax)) return Math.atan2(y, x);
  const a = ay / ax;
  const k = rowOf(a);
  return fromReduced(reduced(a, k), k, y, x);
}

/**
 * The reduced arguments and rows of atan2Into's pairs between its passes, a block at a time:
 * fixed arrays the compiler knows (issue 10: a scratch grown on demand, read through a variable,
 * was 25% slower).
 */
const BLOCK = 512;
const blockArgs = new Float64Array(BLOCK);
const blockRows = new Int32Array(BLOCK);

/**
 * out[from + i] = atan2(ys[i], xs[i]) for i < n; `out` must not be `ys` or `xs` (issue 10). One
 * atan2 is a chain of about a hundred cycles (a division, the row, a second division, the
 * polynomial), and a loop that computes one after another keeps only two or three of them in
 * flight: 10.4 ns a pair here. Done a step at a time over a block of pairs (the quotients, then
 * the reduced arguments, then the polynomials), each pass is short independent work the CPU
 * overlaps: 7.5-8 ns. The same operations on every pair: the same bits as atan2, which a pair
 * outside its range (a zero, NaN, an infinity, an extreme quotient) gets from Math.atan2 in a
 * last pass.
 */
export function atan2Into(
  ys: Float64Array,
  xs: Float64Array,
  n: number,
  out: Float64Array,
  from = 0,
): void {
  // Stryker disable next-line EqualityOperator: a last block of no pairs (n a multiple of BLOCK) does nothing
  for (let start = 0; start < n; start += BLOCK) {
    atan2Block(ys, xs, start, Math.min(BLOCK, n - start), out, from + start);
  }
}

/** atan2Into for the pairs start..start+count-1 (count <= BLOCK), written from out[at]. */
function atan2Block(
  ys: Float64Array,
  xs: Float64Array,
  start: number,
  count: number,
  out: Float64Array,
  at: number,
): void {
  let special = 0;
  // The first two passes' bounds: a pass run one pair long writes scratch past the block's pairs,
  // which the third pass and the fix-up never read (and a flag the fix-up pass then runs on).
  // Stryker disable next-line EqualityOperator: see above
  for (let i = 0; i < count; i++) {
    const ax = Math.abs(xs[start + i]!);
    const ay = Math.abs(ys[start + i]!);
    // Stryker disable next-line UnaryOperator: -1 flags a block as 1 does
    special |= +!inRange(ay, ax);
    blockArgs[i] = ay / ax;
  }
  // Stryker disable next-line EqualityOperator: see above
  for (let i = 0; i < count; i++) {
    const a = blockArgs[i]!;
    const row = rowOf(a);
    blockRows[i] = row;
    blockArgs[i] = reduced(a, row);
  }
  for (let i = 0; i < count; i++) {
    const y = ys[start + i]!;
    const x = xs[start + i]!;
    out[at + i] = fromReduced(blockArgs[i]!, blockRows[i]!, y, x);
  }
  // The fix-up gives Math.atan2's value, the same bits as the passes' (the tests pin it): run on a
  // block without special pairs, or on every pair, it changes nothing.
  // Stryker disable next-line ConditionalExpression: see above
  if (special === 0) return;
  for (let i = 0; i < count; i++) {
    const y = ys[start + i]!;
    const x = xs[start + i]!;
    // Stryker disable next-line ConditionalExpression: see above
    if (!inRange(Math.abs(y), Math.abs(x))) out[at + i] = Math.atan2(y, x);
  }
}
