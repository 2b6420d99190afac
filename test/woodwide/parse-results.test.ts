import { describe, expect, it } from "vitest";
import { ServiceError } from "../../src/errors.js";
import {
  findDownloadUrl,
  parseResults,
  parseResultsValue,
} from "../../src/woodwide/parse-results.js";
import { scoreDirection, validateRowIds } from "../../src/woodwide/validate-rows.js";

const cols = { id: [1, 0], is_anomaly: [true, false], anomaly_score: [3.5, 0.2] };
const expected = [
  { id: 1, isAnomaly: true, score: 3.5 },
  { id: 0, isAnomaly: false, score: 0.2 },
];

describe("parseResults: every shape the doc names", () => {
  it.each([
    ["inline column JSON", JSON.stringify(cols), "application/json"],
    ["column JSON under data", JSON.stringify({ job_id: "j", data: cols }), "application/json"],
    ["JSON without content type", JSON.stringify(cols), undefined],
    [
      "row-oriented JSON",
      JSON.stringify([
        { id: 1, is_anomaly: true, anomaly_score: 3.5 },
        { id: 0, is_anomaly: false, anomaly_score: 0.2 },
      ]),
      undefined,
    ],
    ["CSV true/false", "id,is_anomaly,anomaly_score\n1,true,3.5\n0,false,0.2\n", "text/csv"],
    [
      "CSV 1/0 with BOM and CRLF",
      "\uFEFFid,is_anomaly,anomaly_score\r\n1,1,3.5\r\n0,0,0.2\r\n",
      "text/csv",
    ],
    [
      "CSV pandas True/False, extra index column",
      ",id,is_anomaly,anomaly_score\n0,1,True,3.5\n1,0,False,0.2\n",
      undefined,
    ],
    [
      "numbers as strings",
      JSON.stringify({
        id: ["1", "0"],
        is_anomaly: ["true", "false"],
        anomaly_score: ["3.5", "0.2"],
      }),
      undefined,
    ],
  ])("%s", (_name, body, type) => {
    expect(parseResults(body, type)).toEqual({ rows: expected });
  });

  it.each([
    [{ result_url: "https://s3.example/x?sig=1" }, "https://s3.example/x?sig=1"],
    [{ job_id: "j", data: { download_uri: "https://s3.example/y" } }, "https://s3.example/y"],
    [{ results_url: "/downloads/z" }, "/downloads/z"],
  ])("signed URL %j is returned as a marker", (body, url) => {
    expect(parseResults(JSON.stringify(body))).toEqual({ downloadUrl: url });
    expect(findDownloadUrl(body)).toBe(url);
  });

  it.each([
    ["empty body", "", /empty body/],
    ["whitespace", "  \n", /empty body/],
    ["truncated JSON", '{"id": [0, 1', /not valid JSON/],
    ["ids only", '{"anomalous_ids": [3]}', /per_row not honoured/],
    ["unknown keys", '{"foo": 1}', /keys: foo/],
    ["uneven columns", '{"id":[0,1],"is_anomaly":[true],"anomaly_score":[1,2]}', /lengths differ/],
    [
      "non-integer id",
      '{"id":[0.5],"is_anomaly":[true],"anomaly_score":[1]}',
      /id is not an integer/,
    ],
    ["bad boolean", '{"id":[0],"is_anomaly":["maybe"],"anomaly_score":[1]}', /is_anomaly/],
    ["null score", '{"id":[0],"is_anomaly":[true],"anomaly_score":[null]}', /anomaly_score/],
    ["CSV lacking columns", "id,flag\n0,1\n", /lacks id\/is_anomaly/],
    ["HTML error page", "<html>502</html>", /lacks/],
  ])("%s is malformed (retryable)", (_name, body, message) => {
    const err = catchError(() => parseResults(body));
    expect(err).toMatchObject({ kind: "malformed", retryable: true });
    expect(err.message).toMatch(message);
  });

  it("parses an already-decoded direct-mode data object", () => {
    expect(parseResultsValue(cols)).toEqual({ rows: expected });
  });
});

describe("validateRowIds", () => {
  const row = (id: number) => ({ id, isAnomaly: false, score: id });
  it("sorts a complete answer by id", () => {
    expect(validateRowIds([row(2), row(0), row(1)], 3).map((r) => r.id)).toEqual([0, 1, 2]);
  });
  it("accepts an empty batch", () => {
    expect(validateRowIds([], 0)).toEqual([]);
  });
  it.each([
    ["missing", [0, 1, 2, 4, 5, 6, 8, 9], 10, "missing ids 3, 7"],
    ["duplicated", [0, 1, 2, 3, 4, 5, 5, 6, 7, 8, 9], 10, "duplicated 5"],
    ["out of range", [0, 1, 51], 3, "missing ids 2; out of range 51"],
    ["negative", [-1, 0], 1, "out of range -1"],
    ["empty answer (the seed's bug)", [], 2, "missing ids 0, 1"],
    ["long lists are clipped", [], 15, "missing ids 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 and 5 more"],
  ])("%s", (_name, ids, n, message) => {
    const err = catchError(() => validateRowIds(ids.map(row), n));
    expect(err).toMatchObject({ kind: "id-mismatch", retryable: true });
    expect(err.message).toContain(message);
  });
});

describe("scoreDirection", () => {
  it.each([
    [
      [
        [true, 3],
        [false, 1],
      ],
      true,
    ],
    [
      [
        [true, 0.1],
        [false, 1],
      ],
      false,
    ],
    [[[false, 1]], undefined],
    [[], undefined],
  ] as [[boolean, number][], boolean | undefined][])("%j -> %s", (pairs, higher) => {
    const rows = pairs.map(([isAnomaly, score], id) => ({ id, isAnomaly, score }));
    expect(scoreDirection(rows).flaggedScoreHigher).toBe(higher);
  });
});

function catchError(fn: () => unknown): ServiceError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ServiceError) return err;
    throw err;
  }
  throw new Error("expected a ServiceError");
}
