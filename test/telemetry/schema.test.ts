import { describe, expect, it } from "vitest";
import { formatPath, LIMITS, parseSession, sessionIdHint } from "../../src/telemetry/schema.js";

const pt = (timestamp: number, x = 1, y = 2) => ({ x, y, timestamp });
const base = { sessionId: "s_1", movements: [pt(0), pt(16)] };
const withField = (patch: Record<string, unknown>) => ({ ...base, ...patch });
const movementsWith = (i: number, point: unknown) => {
  const movements: unknown[] = [pt(0), pt(1), pt(2), pt(3), pt(4)];
  movements[i] = point;
  return withField({ movements });
};

describe("parseSession: accepted records are normalized", () => {
  const cases: { name: string; input: unknown; want: Record<string, unknown> }[] = [
    {
      name: "minimal record gets every default",
      input: { sessionId: "s_1", movements: [] },
      want: {
        sessionId: "s_1",
        gameType: "unknown",
        deviceType: "unknown",
        durationMs: 0,
        movements: [],
        clicks: [],
        hits: 0,
        misses: 0,
      },
    },
    {
      name: "design.md example, kept as given",
      input: {
        sessionId: "s_123",
        userId: "u_9",
        deploymentId: "d_1",
        gameType: "bubble-pop",
        deviceType: "mouse",
        durationMs: 9800,
        movements: [{ x: 10.5, y: 20, timestamp: 0, isTrusted: true }],
        clicks: [{ x: 40, y: 60, timestamp: 812, targetHit: true }],
        hits: 5,
        misses: 1,
      },
      want: {
        sessionId: "s_123",
        userId: "u_9",
        deploymentId: "d_1",
        gameType: "bubble-pop",
        deviceType: "mouse",
        durationMs: 9800,
        movements: [{ x: 10.5, y: 20, timestamp: 0, isTrusted: true }],
        clicks: [{ x: 40, y: 60, timestamp: 812, targetHit: true }],
        hits: 5,
        misses: 1,
      },
    },
    {
      name: "durationMs, hits and misses derived; unknown fields stripped at every level",
      input: {
        sessionId: "s_2",
        extra: { deep: 1 },
        gameType: "",
        userId: null,
        movements: [
          { x: 0, y: 0, timestamp: 500, pressure: 0.5 },
          { x: 1, y: 1, timestamp: 100, isTrusted: null },
        ],
        clicks: [
          { x: 0, y: 0, timestamp: 900, targetHit: true },
          { x: 0, y: 0, timestamp: 950, targetHit: false },
          { x: 0, y: 0, timestamp: 980, targetHit: true },
          { x: 0, y: 0, timestamp: 990 },
        ],
      },
      want: {
        sessionId: "s_2",
        gameType: "unknown",
        deviceType: "unknown",
        durationMs: 890,
        movements: [
          { x: 0, y: 0, timestamp: 500 },
          { x: 1, y: 1, timestamp: 100 },
        ],
        clicks: [
          { x: 0, y: 0, timestamp: 900, targetHit: true },
          { x: 0, y: 0, timestamp: 950, targetHit: false },
          { x: 0, y: 0, timestamp: 980, targetHit: true },
          { x: 0, y: 0, timestamp: 990 },
        ],
        hits: 2,
        misses: 1,
      },
    },
    {
      name: "negative coordinates and fractional timestamps are fine",
      input: { sessionId: "é 😀 id", movements: [pt(0.5, -3, -4)], clicks: null, durationMs: 0 },
      want: {
        sessionId: "é 😀 id",
        gameType: "unknown",
        deviceType: "unknown",
        durationMs: 0,
        movements: [{ x: -3, y: -4, timestamp: 0.5 }],
        clicks: [],
        hits: 0,
        misses: 0,
      },
    },
    {
      name: "sessionId of exactly 128 characters (code points)",
      input: { sessionId: "😀".repeat(128), movements: [] },
      want: expect.objectContaining({ sessionId: "😀".repeat(128) }),
    },
    {
      name: "labels are counted in code points too, and may be empty (issue 8: one rule)",
      input: { sessionId: "s", userId: "😀".repeat(256), deploymentId: "", movements: [] },
      want: expect.objectContaining({ userId: "😀".repeat(256), deploymentId: "" }),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(parseSession(c.input)).toEqual({ ok: true, session: c.want });
    });
  }
});

describe("parseSession: rejections name the first bad field", () => {
  const cases: [string, unknown, string][] = [
    ["array record", [1], "(record): expected a JSON object, got array"],
    ["null record", null, "(record): expected a JSON object, got null"],
    ["number record", 42, "(record): expected a JSON object, got 42"],
    ["string record", "s", '(record): expected a JSON object, got string "s"'],
    ["missing sessionId", { movements: [] }, "sessionId: missing (expected a string)"],
    ["numeric sessionId", withField({ sessionId: 12 }), "sessionId: expected a string, got 12"],
    [
      "empty sessionId",
      withField({ sessionId: "" }),
      "sessionId: must be 1-128 printable characters (got an empty string)",
    ],
    [
      "long sessionId",
      withField({ sessionId: "a".repeat(129) }),
      "sessionId: must be 1-128 printable characters (got 129)",
    ],
    [
      "control char",
      withField({ sessionId: "s\u0007x" }),
      "sessionId: must be 1-128 printable characters (got U+0007 at index 1)",
    ],
    [
      "newline",
      withField({ sessionId: "s\n" }),
      "sessionId: must be 1-128 printable characters (got U+000A at index 1)",
    ],
    [
      "bidi override",
      withField({ sessionId: "s\u202e" }),
      "sessionId: must be 1-128 printable characters (got U+202E at index 1)",
    ],
    ["missing movements", { sessionId: "s" }, "movements: missing (expected an array)"],
    ["movements object", withField({ movements: {} }), "movements: expected an array, got object"],
    ["clicks string", withField({ clicks: "[]" }), 'clicks: expected an array, got string "[]"'],
    [
      "numeric string",
      movementsWith(3, { x: 1, y: 2, timestamp: "12" }),
      'movements[3].timestamp: expected a number, got string "12"',
    ],
    [
      "NaN string",
      movementsWith(1, { x: "NaN", y: 2, timestamp: 1 }),
      'movements[1].x: expected a number, got string "NaN"',
    ],
    [
      "Infinity (1e999)",
      movementsWith(2, { x: 1, y: Number.POSITIVE_INFINITY, timestamp: 2 }),
      "movements[2].y: expected a finite number, got Infinity",
    ],
    [
      "NaN number",
      movementsWith(0, { x: Number.NaN, y: 1, timestamp: 0 }),
      "movements[0].x: expected a finite number, got NaN",
    ],
    [
      "missing timestamp",
      movementsWith(4, { x: 1, y: 2 }),
      "movements[4].timestamp: missing (expected a number)",
    ],
    [
      "negative timestamp",
      movementsWith(3, pt(-5)),
      "movements[3].timestamp: must be >= 0, got -5",
    ],
    [
      "point is null",
      movementsWith(2, null),
      "movements[2]: expected an object {x, y, timestamp}, got null",
    ],
    [
      "point is array",
      movementsWith(2, [1, 2, 3]),
      "movements[2]: expected an object {x, y, timestamp}, got array",
    ],
    [
      "isTrusted string",
      movementsWith(1, { ...pt(1), isTrusted: "yes" }),
      'movements[1].isTrusted: expected a boolean, got string "yes"',
    ],
    [
      "click targetHit number",
      withField({ clicks: [pt(1), { ...pt(2), targetHit: 1 }] }),
      "clicks[1].targetHit: expected a boolean, got 1",
    ],
    [
      "click negative timestamp",
      withField({ clicks: [pt(-1)] }),
      "clicks[0].timestamp: must be >= 0, got -1",
    ],
    ["durationMs negative", withField({ durationMs: -1 }), "durationMs: must be >= 0, got -1"],
    [
      "durationMs numeric string",
      withField({ durationMs: "9800" }),
      'durationMs: expected a number, got string "9800"',
    ],
    [
      "durationMs Infinity",
      withField({ durationMs: Number.POSITIVE_INFINITY }),
      "durationMs: expected a finite number, got Infinity",
    ],
    ["hits fractional", withField({ hits: 1.5 }), "hits: expected an integer, got 1.5"],
    ["misses negative", withField({ misses: -2 }), "misses: must be >= 0, got -2"],
    ["gameType number", withField({ gameType: 3 }), "gameType: expected a string, got 3"],
    [
      "deviceType huge",
      withField({ deviceType: "m".repeat(257) }),
      "deviceType: must be at most 256 printable characters (got 257)",
    ],
    // Issue 8: one label rule; control characters were refused in sessionId only.
    [
      "userId control char",
      withField({ userId: "u\u0007" }),
      "userId: must be at most 256 printable characters (got U+0007 at index 1)",
    ],
    [
      "deploymentId newline",
      withField({ deploymentId: "d_1\nFAKE LOG LINE" }),
      "deploymentId: must be at most 256 printable characters (got U+000A at index 3)",
    ],
    [
      "gameType escape sequence",
      withField({ gameType: "\u001b[31mred" }),
      "gameType: must be at most 256 printable characters (got U+001B at index 0)",
    ],
    [
      "deviceType bidi override",
      withField({ deviceType: "mouse\u202e" }),
      "deviceType: must be at most 256 printable characters (got U+202E at index 5)",
    ],
    [
      "userId of 257 code points",
      withField({ userId: "😀".repeat(257) }),
      "userId: must be at most 256 printable characters (got 257)",
    ],
    [
      "long string value is not echoed",
      withField({ userId: 1, gameType: "x" }),
      "userId: expected a string, got 1",
    ],
    [
      "envelope before points",
      withField({ hits: -1, movements: [pt(-1)] }),
      "hits: must be >= 0, got -1",
    ],
    [
      "movements before clicks",
      withField({ clicks: [pt(-2)], movements: [pt(-1)] }),
      "movements[0].timestamp: must be >= 0, got -1",
    ],
  ];
  it.each(cases)("%s", (_name, input, error) => {
    expect(parseSession(input)).toEqual({ ok: false, error });
  });

  it("does not quote long strings", () => {
    const r = parseSession(withField({ durationMs: "x".repeat(1000) }));
    expect(r).toEqual({ ok: false, error: "durationMs: expected a number, got string" });
  });

  it("caps movements and clicks before looking at the points", () => {
    const over = (n: number) => Array.from({ length: n + 1 }, () => "not a point");
    expect(parseSession(withField({ movements: over(LIMITS.maxMovements) }))).toEqual({
      ok: false,
      error: "movements: more than 200000 entries",
    });
    expect(parseSession(withField({ clicks: over(LIMITS.maxClicks) }))).toEqual({
      ok: false,
      error: "clicks: more than 20000 entries",
    });
  });

  it("accepts exactly the movement cap", () => {
    const movements = Array.from({ length: LIMITS.maxMovements }, (_, i) => pt(i));
    const r = parseSession(withField({ movements }));
    expect(r.ok && r.session.movements.length).toBe(LIMITS.maxMovements);
    expect(r.ok && r.session.durationMs).toBe(LIMITS.maxMovements - 1);
  });
});

describe("helpers", () => {
  it.each([
    [[], "(record)"],
    [["sessionId"], "sessionId"],
    [["movements", 3, "timestamp"], "movements[3].timestamp"],
  ])("formatPath(%j) = %s", (path, want) => {
    expect(formatPath(path)).toBe(want);
  });

  it.each([
    [{ sessionId: "s_1" }, "s_1"],
    [{ sessionId: "bad\u0001" }, undefined],
    [{ sessionId: 5 }, undefined],
    [[{ sessionId: "s" }], undefined],
    [null, undefined],
  ])("sessionIdHint(%j) = %s", (value, want) => {
    expect(sessionIdHint(value)).toBe(want);
  });
});
