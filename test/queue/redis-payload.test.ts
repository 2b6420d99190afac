import { describe, expect, it } from "vitest";
import type { SessionPayload } from "../../src/queue/events.js";
import { compactPayload, expandPayload } from "../../src/queue/redis-payload.js";
import { fakePayload } from "../support/payload.js";

const payload = (): SessionPayload => ({
  features: {
    durationMs: 548,
    avgSpeed: 306.379,
    "playproof-1:avgJerk": 869834,
    jerkStd: 1652880,
    tiny: 1e-7,
    neg: -0.5,
  },
  meta: { userId: 'u,"fp":"x', gameType: "bubble-pop", deviceType: "mouse" },
  provisional: fakePayload(2).provisional,
  fp: "9x7+DfgD+v/59fPs6Obe6tLowuPc3ujn3evU8N/v3/Pm/eUD9/8G/BH9EwcVBRoCMBAvGSwbLRk2GSYYMCJEHw==",
  replayOf: "s_1",
});

function roundTrip(p: SessionPayload, text?: string) {
  const c = compactPayload(p, text);
  const names = new Map([[c.namesId, JSON.parse(c.names) as string[]]]);
  return { c, back: expandPayload(c.text, p.fp, (id) => names.get(id)!) };
}

describe("the Redis queue's compact payload (issue 11)", () => {
  it("from the enqueuer's text and from the object: the same bytes, and back to the same payload", () => {
    const p = payload();
    const fromText = compactPayload(p, JSON.stringify(p));
    expect(fromText).toEqual(compactPayload(p));
    expect(fromText.names).toBe(
      '["durationMs","avgSpeed","playproof-1:avgJerk","jerkStd","tiny","neg"]',
    );
    expect(fromText.namesId).toMatch(/^[0-9a-f]{16}$/);
    const stored = JSON.parse(fromText.text) as Record<string, unknown>;
    // Float32 features, metadata and provisional result as arrays, no fingerprint (own key).
    expect(Object.keys(stored)).toEqual(["k", "b", "m", "p", "replayOf"]);
    expect(stored.m).toEqual([p.meta.userId, null, "bubble-pop", "mouse"]);
    expect(Buffer.from(stored.b as string, "base64")).toHaveLength(6 * 4);
    const { back } = roundTrip(p, JSON.stringify(p));
    expect(JSON.stringify(back.features)).toBe(JSON.stringify(p.features));
    expect(back).toEqual(p);
    expect(JSON.stringify(back.provisional)).toBe(JSON.stringify(p.provisional));
    const { fp: _fp, ...withoutPrint } = p;
    const names = new Map([[fromText.namesId, JSON.parse(fromText.names) as string[]]]);
    expect(expandPayload(fromText.text, null, (id) => names.get(id)!)).toEqual(withoutPrint);
  });

  it("keeps as they are what would not come back exactly", () => {
    const p = payload();
    // Seven significant digits: float32 cannot hold it, the values stay JSON numbers.
    p.features.avgSpeed = 306.3791;
    p.meta = { ...p.meta, extra: "x" } as SessionPayload["meta"];
    p.provisional = { ...p.provisional, rawScore: 0.25 };
    const { c, back } = roundTrip(p);
    const stored = JSON.parse(c.text) as Record<string, unknown>;
    expect(Object.keys(stored)).toEqual(["k", "f", "meta", "provisional", "replayOf"]);
    expect(stored.f).toEqual([548, 306.3791, 869834, 1652880, 1e-7, -0.5]);
    expect(back).toEqual(p);
  });

  it("every value roundFeature gives comes back, and the payload shrinks by more than half", () => {
    const values = [0, 1, -1, 999999, 1e6, 1.23457e6, 0.0689655, 3.83501, 1.7976931348623157e308];
    const p = { ...payload(), features: Object.fromEntries(values.map((v, i) => [`v${i}`, v])) };
    // MAX_VALUE (roundFeature's Infinity) is no float32: that payload keeps JSON numbers.
    expect(Object.keys(JSON.parse(compactPayload(p).text))).toContain("f");
    p.features.v8 = 42;
    const { c, back } = roundTrip(p);
    expect(Object.keys(JSON.parse(c.text))).toContain("b");
    expect(back.features).toEqual(p.features);
    // A session's 60-odd features under their names, as enqueue stores them.
    const full = {
      ...payload(),
      features: Object.fromEntries(
        Array.from({ length: 60 }, (_, i) => [`featureName${i}`, 1000 + i * 1.5]),
      ),
    };
    const { fp: _fp, ...stored } = full;
    expect(Buffer.byteLength(compactPayload(full).text)).toBeLessThan(
      Buffer.byteLength(JSON.stringify(stored)) / 2,
    );
    expect(compactPayload(fakePayload(1)).namesId).toBe(compactPayload(fakePayload(7)).namesId);
  });
});
