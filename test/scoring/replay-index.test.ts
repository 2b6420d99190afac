/**
 * The replay index's exact work and answers (issue 13, part 3; mutation-tested for issue 15):
 * which session a lookup names, how many fingerprint distances it computes, and the bucket cap.
 */
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../src/scoring/random.js";
import {
  bucketKeys,
  encodeFingerprint,
  fingerprintDistance,
  MATCH_DISTANCE,
  withinDistance,
} from "../../src/scoring/replay-fingerprint.js";
import { createReplayIndex, MAX_BUCKET } from "../../src/scoring/replay-index.js";

function shape(f: (i: number) => number): Int8Array {
  return Int8Array.from({ length: 64 }, (_, i) => Math.round(f(i)));
}

/**
 * `count` fingerprints in exactly the base's buckets (all TABLES of them) but none within
 * MATCH_DISTANCE of the base or of each other: every coordinate moved by ±4 (seeded), so each is
 * at least sqrt(30 * 32) / 30 / 40 = 0.141 from the base.
 */
function sameBucketsApart(base: Int8Array, count: number): Int8Array[] {
  const keys = bucketKeys(base).join(";");
  const rand = seededRandom(15);
  const out: Int8Array[] = [];
  while (out.length < count) {
    const v = Int8Array.from(base, (x) => x + (rand() < 0.5 ? -4 : 4));
    if (bucketKeys(v).join(";") === keys) out.push(v);
  }
  return out;
}

describe("replay index", () => {
  const base = shape((i) => 60 * Math.sin(i / 5));
  // A different gesture that shares no bucket with the base.
  const other = shape((i) => 60 * Math.cos(i / 3));

  it("the test's fingerprints are what they claim", () => {
    const b = bucketKeys(base);
    expect(bucketKeys(other).some((k) => b.includes(k))).toBe(false);
    const apart = sameBucketsApart(base, 3);
    for (const v of apart) expect(fingerprintDistance(v, base)).toBeGreaterThan(MATCH_DISTANCE);
    expect(fingerprintDistance(apart[0]!, apart[1]!)).toBeGreaterThan(MATCH_DISTANCE);
  });

  it("gives back the print of every id it was given, from the first to the last, and no other", () => {
    const index = createReplayIndex();
    index.add("first", encodeFingerprint(base));
    index.addPrint("second", other);
    const later = sameBucketsApart(base, 1)[0]!;
    expect(index.matchThenAdd("third", encodeFingerprint(later))).toBeUndefined();
    expect([index.has("first"), index.has("third"), index.has("fourth")]).toEqual([
      true,
      true,
      false,
    ]);
    expect([index.printOf("first"), index.printOf("second"), index.printOf("third")]).toEqual([
      base,
      other,
      later,
    ]);
    expect(index.printOf("fourth")).toBeUndefined();
  });

  it("ignores undecodable fingerprints, on add and on lookup", () => {
    const index = createReplayIndex();
    index.add("bad", "not-a-fingerprint");
    expect(index.size).toBe(0);
    index.add("a", encodeFingerprint(base));
    expect(index.match("")).toBeUndefined();
    expect(index.comparisons).toBe(0);
    expect(index.size).toBe(1);
    expect(index.matchThenAdd("bad2", "AAAA")).toBeUndefined();
    expect(index.size).toBe(1);
  });

  it("compares a candidate once though it sits in every table's bucket", () => {
    const index = createReplayIndex();
    const [v] = sameBucketsApart(base, 1);
    index.add("v", encodeFingerprint(v!));
    expect(index.match(encodeFingerprint(base))).toBeUndefined();
    expect(index.comparisons).toBe(1);
    expect(index.match(encodeFingerprint(base))).toBeUndefined();
    expect(index.comparisons).toBe(2);
    expect(index.match(encodeFingerprint(other))).toBeUndefined();
    expect(index.comparisons).toBe(2);
  });

  it("stops at the earliest match: later sessions are not compared", () => {
    const index = createReplayIndex();
    const f = encodeFingerprint(base);
    index.add("first", f);
    index.add("second", f);
    index.add("third", f);
    expect(index.match(f)).toBe("first");
    expect(index.comparisons).toBe(1);
  });

  it("a match in a later table still replaces a later session found first", () => {
    // A near copy (every coordinate ±2, distance 0.071) whose table-0 bucket differs from the
    // base's but which shares another table's: found after the exact copy, and earlier than it.
    const keys = bucketKeys(base);
    const rand = seededRandom(13);
    let early: Int8Array;
    for (;;) {
      early = Int8Array.from(base, (x) => x + (rand() < 0.5 ? -2 : 2));
      const k = bucketKeys(early);
      if (k[0] !== keys[0] && k.some((key, t) => key === keys[t])) break;
    }
    expect(fingerprintDistance(early, base)).toBeCloseTo(0.0707107, 6);
    const index = createReplayIndex();
    index.add("early", encodeFingerprint(early));
    index.add("late", encodeFingerprint(base));
    expect(index.match(encodeFingerprint(base))).toBe("early");
    expect(index.comparisons).toBe(2);
  });

  it("stops comparing sessions later than a match already found", () => {
    const index = createReplayIndex();
    const apart = sameBucketsApart(base, 2);
    index.add("far0", encodeFingerprint(apart[0]!));
    index.add("exact", encodeFingerprint(base));
    index.add("far1", encodeFingerprint(apart[1]!));
    expect(index.match(encodeFingerprint(base))).toBe("exact");
    // far0, then exact (a match): far1 comes after it and is skipped.
    expect(index.comparisons).toBe(2);
  });

  it("a full bucket keeps its earliest MAX_BUCKET sessions", () => {
    const index = createReplayIndex();
    for (const [k, v] of sameBucketsApart(base, MAX_BUCKET).entries()) {
      index.add(`far${k}`, encodeFingerprint(v));
    }
    index.add("late", encodeFingerprint(base));
    // "late" is in no bucket (all of its TABLES buckets were full): not found, 64 compared, and
    // not kept at all (issue 10: no lookup could find it).
    expect([index.size, index.has("late"), index.printOf("late")]).toEqual([
      MAX_BUCKET,
      false,
      undefined,
    ]);
    expect(index.match(encodeFingerprint(base))).toBeUndefined();
    expect(index.comparisons).toBe(MAX_BUCKET);
    expect(MAX_BUCKET).toBe(64);
  });

  it("past 1024 sessions, the per-lookup marks grow and still count a candidate once", () => {
    const index = createReplayIndex();
    // 1,024 seeded walks, none in a bucket of the base's, all kept.
    const rand = seededRandom(8);
    const baseKeys = new Set(bucketKeys(base));
    const walks: Int8Array[] = [];
    while (walks.length < 1024) {
      let x = 0;
      const w = shape(() => {
        x += (rand() - 0.5) * 40;
        return Math.max(-120, Math.min(120, x));
      });
      if (!bucketKeys(w).some((k) => baseKeys.has(k))) walks.push(w);
    }
    for (const [k, w] of walks.entries()) index.add(`o${k}`, encodeFingerprint(w));
    expect(index.size).toBe(1024);
    const o = encodeFingerprint(walks[0]!);
    const [v] = sameBucketsApart(base, 1);
    // Session 1024, the first past the initial marks, in all ten of the base's buckets.
    index.add("v", encodeFingerprint(v!));
    expect(index.match(encodeFingerprint(base))).toBeUndefined();
    expect(index.comparisons).toBe(1);
    index.add("b", encodeFingerprint(base));
    expect(index.size).toBe(1026);
    expect(index.match(encodeFingerprint(base))).toBe("b");
    expect(index.comparisons).toBe(3);
    expect(index.match(o)).toBe("o0");
    expect(index.comparisons).toBe(4);
  });

  it("answers and counts exactly as a Map of text-keyed arrays does, over 6,000 seeded sessions", () => {
    // Issue 10: the buckets moved from a Map of arrays to chains in typed arrays. The model is
    // the old structure on the text keys: same earliest match, same candidates compared, past
    // the tables' growth (thousands of keys) and with clusters that fill buckets to the cap.
    const rand = seededRandom(21);
    const walk = () => {
      let x = 0;
      return shape(() => {
        x += (rand() - 0.5) * 40;
        return Math.max(-120, Math.min(120, x));
      });
    };
    const prints: Int8Array[] = [];
    for (let k = 0; k < 6_000; k++) {
      const r = rand();
      if (k > 10 && r < 0.2) {
        // A near copy of an earlier session (a replay) or a far variant of one (a crowd).
        const of = prints[Math.floor(rand() * prints.length)]!;
        const step = r < 0.1 ? 1 : 6;
        prints.push(
          Int8Array.from(of, (x) =>
            Math.max(-127, Math.min(127, x + (rand() < 0.5 ? -step : step))),
          ),
        );
      } else prints.push(walk());
    }
    const model = { buckets: new Map<string, number[]>(), comparisons: 0, kept: [] as string[] };
    const modelMatchThenAdd = (n: number) => {
      const fp = prints[n]!;
      const keys = bucketKeys(fp);
      const looked = new Set<number>();
      let best: number | undefined;
      for (const key of keys) {
        for (const m of model.buckets.get(key) ?? []) {
          if (looked.has(m) || (best !== undefined && m >= best)) continue;
          looked.add(m);
          model.comparisons++;
          if (withinDistance(fp, prints[m]!, MATCH_DISTANCE)) best = m;
        }
      }
      let kept = false;
      for (const key of keys) {
        const list = model.buckets.get(key);
        if (!list) model.buckets.set(key, [n]);
        else if (list.length < MAX_BUCKET) list.push(n);
        else continue;
        kept = true;
      }
      if (kept) model.kept.push(`s${n}`);
      return best === undefined ? undefined : `s${best}`;
    };
    const index = createReplayIndex();
    const got = prints.map((fp, n) => index.matchThenAdd(`s${n}`, encodeFingerprint(fp)));
    const want = prints.map((_, n) => modelMatchThenAdd(n));
    expect(got).toEqual(want);
    expect(index.comparisons).toBe(model.comparisons);
    // The run is the kind it claims: over 1,024 keys (the key table grows at 512 and 1,024),
    // some buckets full, and replays found.
    expect(model.buckets.size).toBeGreaterThan(1_024);
    expect([...model.buckets.values()].some((l) => l.length === MAX_BUCKET)).toBe(true);
    expect(want.filter((m) => m !== undefined).length).toBeGreaterThan(300);
    expect([index.has("s5999"), index.has("s6000"), index.size]).toEqual([
      true,
      false,
      model.kept.length,
    ]);
    // Sessions whose buckets were all full are not kept: some are, in this run (a crowd).
    const dropped = prints.map((_, n) => `s${n}`).filter((id) => !model.kept.includes(id));
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped.every((id) => !index.has(id) && index.printOf(id) === undefined)).toBe(true);
    expect(model.kept.every((id) => index.has(id))).toBe(true);
  });
});
