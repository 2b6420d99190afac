import { describe, expect, it } from "vitest";
import {
  closestKey,
  editDistance,
  looksLikeUrl,
  parseConfigValue,
  redactUrl,
  shownValue,
} from "../src/config-keys.js";

// Issue 9, item 12: typo suggestions, URL checks, URL passwords never shown.
describe("editDistance (optimal string alignment)", () => {
  it.each([
    ["", "", 0],
    ["abc", "", 3],
    ["", "abc", 3],
    ["abc", "abc", 0],
    ["kitten", "sitting", 3],
    ["ab", "ba", 1], // one swap of neighbours
    ["abcd", "acbd", 1],
    ["flaw", "lawn", 2],
    ["woodwide.apikey", "woodwide.apiKey", 1],
    ["process.batchsize", "process.batchSize", 1],
    ["ca", "abc", 3], // OSA, not full Damerau (which says 2)
  ])("%j → %j: %i", (a, b, want) => {
    expect(editDistance(a, b)).toBe(want);
    expect(editDistance(b, a)).toBe(want);
  });
});

describe("closestKey", () => {
  it.each([
    ["woodwide.apikey", "woodwide.apiKey"], // case only
    ["woodwide.apiKye", "woodwide.apiKey"], // swapped letters
    ["woodwide.baseURL", "woodwide.baseUrl"],
    ["woodwide.baseurl ", "woodwide.baseUrl"],
    ["wodwide.modelId", "woodwide.modelId"],
    ["process.batchsize", "process.batchSize"],
    ["process.batch-size", "process.batchSize"],
    ["proces.atempts", "process.attempts"], // 2 edits in a long name
    ["apiKey", "woodwide.apiKey"], // a bare last segment
    ["batchsize", "process.batchSize"],
    ["fail", "scoring.fail"],
    ["queue.pth", "queue.path"],
    ["watch.maxwait", "watch.maxWait"],
  ])("%j → %s", (typo, want) => {
    expect(closestKey(typo)).toBe(want);
  });

  it.each(["no.such", "colour", "x", "woodwide.secret", ""])("%j → nothing close", (name) => {
    expect(closestKey(name)).toBeUndefined();
  });
});

describe("parseConfigValue: URLs", () => {
  const HTTP = "expected an http:// or https:// URL, such as https://api.woodwide.ai";
  it.each([
    ["https://api.woodwide.ai", undefined],
    ["http://127.0.0.1:8080/v1/", undefined],
    ["ftp://api.woodwide.ai", HTTP],
    ["api.woodwide.ai", HTTP],
    ["https://", HTTP],
    ["redis://localhost:6379", HTTP],
    ["", "must not be empty"],
  ])("woodwide.baseUrl %j", (raw, error) => {
    expect(parseConfigValue("woodwide.baseUrl", raw)).toEqual(
      error === undefined ? { value: raw } : { error },
    );
  });

  const QUEUE =
    "expected a file path, or a redis:// or rediss:// URL (redis://[user:pass@]host:port[/db])";
  it.each([
    ["/var/lib/playproof/queue.jsonl", undefined],
    ["queue.jsonl", undefined],
    ["./my:odd:name.jsonl", undefined], // a colon inside a path is still a path
    ["redis://localhost:6379", undefined],
    ["redis://user:pw@10.0.0.5:6380/2", undefined],
    ["rediss://cache.example.com", undefined],
    ["REDIS://localhost", undefined],
    ["http://localhost:6379", QUEUE],
    ["file:///var/lib/queue.jsonl", QUEUE],
    ["redis:localhost:6379", QUEUE],
    ["redis://", QUEUE],
    ["redis://localhost:6379/queue", QUEUE],
    ["redis://localhost:99999", QUEUE],
  ])("queue.path %j", (raw, error) => {
    expect(parseConfigValue("queue.path", raw)).toEqual(
      error === undefined ? { value: raw } : { error },
    );
  });

  it("integers count things: 0 is refused, as resolving settings always did", () => {
    expect(parseConfigValue("process.batchSize", "0")).toEqual({
      error: "expected a whole number >= 1",
    });
    expect(parseConfigValue("process.batchSize", "7")).toEqual({ value: 7 });
    expect(parseConfigValue("scoring.review", "0")).toEqual({ value: 0 });
  });
});

describe("URLs in output", () => {
  it.each([
    ["redis://user:s3cret@host:6379/0", "redis://user:****@host:6379/0"],
    ["rediss://:s3cret@host", "rediss://:****@host"],
    ["https://u:p@w.example/x@y", "https://u:****@w.example/x@y"],
    ["redis://host:6379", "redis://host:6379"],
    ["/var/lib/a:b@c", "/var/lib/a:b@c"],
  ])("redactUrl(%j) = %j", (raw, want) => {
    expect(redactUrl(raw)).toBe(want);
  });

  it("shownValue: secrets redacted, URL passwords redacted, the rest as is", () => {
    expect(shownValue("woodwide.apiKey", "ww_live_0123456789abcdef")).toBe("****cdef");
    expect(shownValue("queue.path", "redis://u:pw@h:1")).toBe("redis://u:****@h:1");
    expect(shownValue("woodwide.baseUrl", "https://k:pw@h")).toBe("https://k:****@h");
    expect(shownValue("process.batchSize", 5)).toBe(5);
  });

  it.each([
    ["redis://h", true],
    ["rediss:h", true],
    ["https://h", true],
    ["a+b.c-d://h", true],
    ["/abs/path", false],
    ["rel/path:x", false],
    ["C:\\queue.jsonl", false],
  ])("looksLikeUrl(%j) = %s", (v, want) => {
    expect(looksLikeUrl(v)).toBe(want);
  });
});
