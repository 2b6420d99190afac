import { describe, expect, it } from "vitest";
import type { SessionPayload } from "../../src/queue/events.js";
import { compactPayload, expandPayload } from "../../src/queue/redis-payload.js";
import { fakePayload } from "../support/payload.js";

const payload = (): SessionPayload => ({
  features: {
    durationMs: 548,
    avgSpeed: 306.379,
    "playproof-1:avgJerk": 869834,
    tiny: 1e-7,
    neg: -0.5,
  },
  meta: { userId: 'u,"fp":"x', gameType: "bubble-pop", deviceType: "mouse" },
  provisional: fakePayload(2).provisional,
  fp: "9x7+DfgD+v/59fPs6Obe6tLowuPc3ujn3evU8N/v3/Pm/eUD9/8G/BH9EwcVBRoCMBAvGSwbLRk2GSYYMCJEHw==",
  replayOf: "s_1",
});

describe("the Redis queue's compact payload (issue 11)", () => {
  it("from the enqueuer's text (no parse) and from the object: the same bytes", () => {
    const p = payload();
    const fromText = compactPayload(p, JSON.stringify(p));
    const fromObject = compactPayload(p);
    expect(fromText).toEqual(fromObject);
    expect(fromText.names).toBe('["durationMs","avgSpeed","playproof-1:avgJerk","tiny","neg"]');
    expect(fromText.namesId).toMatch(/^[0-9a-f]{16}$/);
    expect(fromText.text).toBe(
      `{"k":"${fromText.namesId}","f":[548,306.379,869834,1e-7,-0.5],"meta":{"userId":"u,\\"fp\\":\\"x","gameType":"bubble-pop","deviceType":"mouse"},"provisional":${JSON.stringify(p.provisional)},"replayOf":"s_1"}`,
    );
  });

  it("expands back to the same payload, fingerprint from its own key; one id per set of names", () => {
    const p = payload();
    const c = compactPayload(p, JSON.stringify(p));
    const names = new Map([[c.namesId, JSON.parse(c.names) as string[]]]);
    const back = expandPayload(c.text, p.fp, (id) => names.get(id)!);
    expect(back).toEqual(p);
    expect(Object.keys(back.features)).toEqual(Object.keys(p.features));
    const { fp: _fp, ...withoutPrint } = p;
    expect(expandPayload(c.text, null, (id) => names.get(id)!)).toEqual(withoutPrint);
    expect(compactPayload(fakePayload(1)).namesId).toBe(compactPayload(fakePayload(7)).namesId);
    expect(compactPayload(fakePayload(1)).namesId).not.toBe(c.namesId);
    expect(Buffer.byteLength(c.text)).toBeLessThan(Buffer.byteLength(JSON.stringify(p)) - 100);
  });
});
