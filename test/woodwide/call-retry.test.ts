/** Issue 14's retry policy, issue 8's body cap and key forms: pure functions, table tests. */
import { describe, expect, it } from "vitest";
import { responseBodyCap } from "../../src/woodwide/body-cap.js";
import {
  type CallFacts,
  callRetryDecision,
  DEFAULT_CALL_RETRY,
} from "../../src/woodwide/call-retry.js";
import { redact, secretForms } from "../../src/woodwide/classify.js";

const facts = (over: Partial<CallFacts>): CallFacts => ({
  outcome: { status: 503 },
  repeatable: false,
  tries: 1,
  draw: 0.5,
  ...over,
});

describe("callRetryDecision", () => {
  it.each<[string, Partial<CallFacts>, ReturnType<typeof callRetryDecision>]>([
    ["2xx is done", { outcome: { status: 200 } }, { retry: false, why: "done" }],
    ["503 on a POST", {}, { retry: true, delayMs: 125, label: "503" }],
    ["502", { outcome: { status: 502 } }, { retry: true, delayMs: 125, label: "502" }],
    [
      "429 without Retry-After",
      { outcome: { status: 429 } },
      { retry: true, delayMs: 125, label: "429" },
    ],
    [
      "429 honours Retry-After",
      { outcome: { status: 429, retryAfterMs: 9_000 } },
      { retry: true, delayMs: 9_000, label: "429" },
    ],
    [
      "a Retry-After over 30 s is left to the batch",
      { outcome: { status: 429, retryAfterMs: 30_001 } },
      { retry: false, why: "wait" },
    ],
    [
      "second retry: the cap doubles",
      { tries: 2, draw: 0.999 },
      { retry: true, delayMs: 499, label: "503" },
    ],
    ["three tries at most", { tries: 3 }, { retry: false, why: "tries" }],
    [
      "500 is processed (a server bug): the attempt fails",
      { outcome: { status: 500 } },
      { retry: false, why: "processed" },
    ],
    ["400 is never retried", { outcome: { status: 400 } }, { retry: false, why: "processed" }],
    [
      "504 on a POST that starts a job: unknown outcome",
      { outcome: { status: 504 } },
      { retry: false, why: "unknown-outcome" },
    ],
    [
      "504 on a GET",
      { outcome: { status: 504 }, repeatable: true },
      { retry: true, delayMs: 125, label: "504" },
    ],
    [
      "refused before sending, on a POST",
      { outcome: { failure: "not-sent", kind: "network" } },
      { retry: true, delayMs: 125, label: "network" },
    ],
    [
      "timeout after sending a POST",
      { outcome: { failure: "unknown", kind: "timeout" } },
      { retry: false, why: "unknown-outcome" },
    ],
    [
      "reset mid-response on a POST",
      { outcome: { failure: "unknown", kind: "network" } },
      { retry: false, why: "unknown-outcome" },
    ],
    [
      "timeout on a GET",
      { outcome: { failure: "unknown", kind: "timeout" }, repeatable: true },
      { retry: true, delayMs: 125, label: "timeout" },
    ],
    [
      "the wait would pass the attempt's deadline",
      { outcome: { status: 429, retryAfterMs: 2_000 }, msLeft: 1_500 },
      { retry: false, why: "deadline" },
    ],
    [
      "the wait ends before the deadline",
      { outcome: { status: 429, retryAfterMs: 2_000 }, msLeft: 2_001 },
      { retry: true, delayMs: 2_000, label: "429" },
    ],
  ])("%s", (_name, over, expected) => {
    expect(callRetryDecision(facts(over))).toEqual(expected);
  });

  it("full jitter: draws 0 and just below 1 span [0, cap)", () => {
    const o = DEFAULT_CALL_RETRY;
    expect(callRetryDecision(facts({ draw: 0 }), o)).toMatchObject({ delayMs: 0 });
    expect(callRetryDecision(facts({ draw: 0.9999 }), o)).toMatchObject({ delayMs: 249 });
  });

  it("the jitter cap stops at maxDelayMs (2 s)", () => {
    const o = { ...DEFAULT_CALL_RETRY, maxTries: 10 };
    expect(callRetryDecision(facts({ tries: 5, draw: 0.999 }), o)).toMatchObject({
      delayMs: 1_998,
    });
  });
});

describe("responseBodyCap", () => {
  it.each([
    [undefined, 1_048_576],
    [0, 1_048_576],
    [6, 1_073_152],
    [50, 1_253_376],
  ])("%s rows -> %d bytes", (rows, cap) => {
    expect(responseBodyCap(rows)).toBe(cap);
  });
});

describe("redact: the key and its encoded forms (issue 8, defect 8)", () => {
  const key = "k+y/=&?% x";
  const forms = [
    key,
    "k%2By%2F%3D%26%3F%25%20x", // encodeURIComponent
    "k%2by%2f%3d%26%3f%25%20x", // the same, lower-case hex
    "k+y/=&?%25%20x", // encodeURI
    "k%2By%2F%3D%26%3F%25+x", // form encoding
    "k%252By%252F%253D%2526%253F%2525%2520x", // encoded twice
    "k%252by%252f%253d%2526%253f%2525%2520x",
    "ayt5Lz0mPyUgeA==", // base64
    "ayt5Lz0mPyUgeA", // base64url, unpadded
    "k+y\\/=&?% x", // JSON with escaped slashes
  ];
  it.each(forms)("%s", (form) => {
    expect(redact(`before ${form} after`, key)).toBe("before [redacted] after");
  });

  it("lists the forms longest first, so a longer form is replaced whole", () => {
    const lengths = secretForms(key).map((f) => f.length);
    expect(lengths).toEqual([...lengths].sort((a, b) => b - a));
  });

  it("leaves text without the key alone, and an empty secret redacts nothing", () => {
    expect(redact("k y and %2F", key)).toBe("k y and %2F");
    expect(redact("anything", "")).toBe("anything");
  });
});
