import { describe, expect, it } from "vitest";
import { pollDelay } from "../../src/woodwide/backoff.js";
import {
  classifyStatus,
  extractDetail,
  parseRetryAfter,
  redact,
} from "../../src/woodwide/classify.js";

describe("pollDelay", () => {
  it.each([
    [0, 250],
    [1, 500],
    [2, 1000],
    [4, 4000],
    [5, 5000],
    [50, 5000],
    [5000, 5000],
  ])("attempt %i waits %i ms", (attempt, ms) => {
    expect(pollDelay(attempt, { initialDelayMs: 250, maxDelayMs: 5000 })).toBe(ms);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");
  it.each([
    ["7", 7000],
    ["0", 0],
    ["1.5", 1500],
    ["Wed, 01 Jan 2025 00:00:30 GMT", 30_000],
    ["Tue, 31 Dec 2024 23:00:00 GMT", 0],
    ["soon", undefined],
    [undefined, undefined],
  ])("%s -> %s", (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });
});

describe("classifyStatus", () => {
  const ctx = { label: "POST /datasets", now: 0, secret: "sk_secret" };
  it.each([
    [400, '{"detail":"bad"}', "bad-request", false],
    [422, '{"detail":[{"loc":["body","file"],"msg":"Field required"}]}', "bad-request", false],
    [401, '{"detail":"Invalid API key"}', "auth", false],
    [403, "", "auth", false],
    [402, "", "credits", false],
    [400, '{"detail":"Not enough credits"}', "credits", false],
    [404, "", "not-found", false],
    [408, "", "timeout", true],
    [413, "", "too-large", false],
    [429, "", "rate-limited", true],
    [500, "oops", "server", true],
    [503, '{"detail":"credit service down"}', "server", true],
  ])("HTTP %i %s -> %s (retryable %s)", (status, body, kind, retryable) => {
    const err = classifyStatus(status, body, ctx);
    expect([err.kind, err.retryable, err.status]).toEqual([kind, retryable, status]);
  });

  it("reports the FastAPI detail and redacts the key", () => {
    const err = classifyStatus(422, '{"detail":[{"loc":["body","x"],"msg":"sk_secret bad"}]}', ctx);
    expect(err.message).toContain("body.x: [redacted] bad");
    expect(err.message).not.toContain("sk_secret");
  });

  it("carries Retry-After on 429 and 503", () => {
    expect(classifyStatus(429, "", { ...ctx, retryAfter: "3" }).retryAfterMs).toBe(3000);
    expect(classifyStatus(503, "", { ...ctx, retryAfter: "1" }).retryAfterMs).toBe(1000);
  });
});

describe("extractDetail / redact", () => {
  it.each([
    ['{"detail":"x"}', "x"],
    ['{"message":"y"}', "y"],
    ['{"detail":{"a":1}}', '{"a":1}'],
    ["<html>boom</html>", "<html>boom</html>"],
    ["", ""],
  ])("%s -> %s", (body, detail) => {
    expect(extractDetail(body)).toBe(detail);
  });
  it("clips long bodies", () => {
    expect(extractDetail("x".repeat(1000)).length).toBeLessThan(310);
  });
  it("redacts every occurrence", () => {
    expect(redact("k k", "k")).toBe("[redacted] [redacted]");
  });
});
