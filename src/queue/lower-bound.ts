/** The first index in [0, size) of increasing `a` whose value is not below `x` (size if none). */
export function lowerBound(a: ArrayLike<number>, x: number, size = a.length): number {
  let lo = 0;
  let hi = size;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
