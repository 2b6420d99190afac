/**
 * A growable Float64Array with a length (issue 10): feature extraction fills a handful of these
 * per session; reusing them instead of allocating number[]s and typed arrays per session removed
 * most of extractFeatures' fixed cost. Extraction is synchronous and never re-entered, so each
 * module keeps its own and resets it (`n = 0`) at the start of every use; nothing is returned
 * that outlives the call.
 */
export interface Series {
  data: Float64Array;
  n: number;
}

export function series(capacity = 64): Series {
  return { data: new Float64Array(capacity), n: 0 };
}

export function push(s: Series, v: number): void {
  if (s.n === s.data.length) {
    const bigger = new Float64Array(2 * s.data.length);
    bigger.set(s.data);
    s.data = bigger;
  }
  s.data[s.n++] = v;
}

/** Makes room for `n` values and sets the length to `n` (the caller fills them). */
export function sized(s: Series, n: number): Float64Array {
  if (s.data.length < n) s.data = new Float64Array(Math.max(n, 2 * s.data.length));
  s.n = n;
  return s.data;
}

/** Makes room for `n` values keeping the first `s.n` (push's growth, ahead of time). */
export function reserve(s: Series, n: number): Float64Array {
  if (s.data.length < n) {
    const bigger = new Float64Array(Math.max(n, 2 * s.data.length));
    bigger.set(s.data.subarray(0, s.n));
    s.data = bigger;
  }
  return s.data;
}
