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

// Issue 15: each guard of the parser and the validator with its exact message, so a guard that
// goes missing (or lets the wrong shape through) fails here rather than as a retried batch.
describe("parseResults / parseResultsValue: every guard", () => {
  const row = { id: 0, is_anomaly: true, anomaly_score: 1 };

  it("a JSON-encoded string under a JSON content type is parsed again (as CSV here)", () => {
    const body = JSON.stringify("id,is_anomaly,anomaly_score\n0,true,1\n");
    expect(parseResults(body, "application/json; charset=utf-8")).toEqual({
      rows: [{ id: 0, isAnomaly: true, score: 1 }],
    });
  });

  it.each([
    // value, message after "Woodwide results are malformed: "
    [5, "expected an object, got number"],
    [null, "expected an object, got object"],
    [{}, "no id/is_anomaly columns (keys: none)"],
    [{ foo: 1, "bar\uFEFF": 2 }, "no id/is_anomaly columns (keys: foo, bar\uFEFF)"],
    [{ data: null, foo: 1 }, "no id/is_anomaly columns (keys: data, foo)"],
    [{ data: undefined }, "no id/is_anomaly columns (keys: data)"],
    [{ ids: [1] }, "only flagged ids were answered (anomaly_format=per_row not honoured)"],
    [{ id: [0] }, "id, is_anomaly and anomaly_score must all be arrays"],
    [{ is_anomaly: [true] }, "id, is_anomaly and anomaly_score must all be arrays"],
    [{ id: [0], anomaly_score: [1] }, "id, is_anomaly and anomaly_score must all be arrays"],
    [
      { id: 0, is_anomaly: [true], anomaly_score: [1] },
      "id, is_anomaly and anomaly_score must all be arrays",
    ],
    [
      { id: [0], is_anomaly: true, anomaly_score: [1] },
      "id, is_anomaly and anomaly_score must all be arrays",
    ],
    [
      { id: [0], is_anomaly: [true], anomaly_score: 1 },
      "id, is_anomaly and anomaly_score must all be arrays",
    ],
    [
      { id: [0, 1], is_anomaly: [true, false], anomaly_score: [1] },
      "column lengths differ (id 2, is_anomaly 2, anomaly_score 1)",
    ],
    [
      { id: [0], is_anomaly: [true, false], anomaly_score: [1] },
      "column lengths differ (id 1, is_anomaly 2, anomaly_score 1)",
    ],
    [[[0, true, 1]], "row 0 is not an object"],
    [[row, null], "row 1 is not an object"],
    [[{ ...row, id: "x" }], "row 0: id is not an integer"],
    [[{ ...row, id: " " }], "row 0: id is not an integer"],
    [[{ is_anomaly: true, anomaly_score: 1 }], "row 0: id is not an integer"],
    [[{ ...row, anomaly_score: "" }], "row 0: anomaly_score is not a number"],
    [[{ ...row, is_anomaly: "yes" }], "row 0: is_anomaly is not a boolean"],
  ])("%j: %s", (value, message) => {
    const err = catchError(() => parseResultsValue(value));
    expect([err.message, err.kind, err.retryable]).toEqual([
      `Woodwide results are malformed: ${message}`,
      "malformed",
      true,
    ]);
  });

  it("reads padded and upper-case flags and numbers", () => {
    expect(
      parseResultsValue([{ id: " 3 ", is_anomaly: " TRUE ", anomaly_score: " 2.5 " }]),
    ).toEqual({ rows: [{ id: 3, isAnomaly: true, score: 2.5 }] });
    expect(parseResultsValue([{ id: 4, is_anomaly: false, anomaly_score: 0 }])).toEqual({
      rows: [{ id: 4, isAnomaly: false, score: 0 }],
    });
  });

  it.each([
    ["padded cells", "id , is_anomaly , anomaly_score\n 0 , true , 1 \n"],
    ["a blank line inside", "id,is_anomaly,anomaly_score\n0,true,1\n\n1,false,0.5\n"],
  ])("CSV with %s", (_name, body) => {
    const parsed = parseResults(body, "text/csv");
    expect("rows" in parsed ? parsed.rows.map((r) => r.id) : parsed).toEqual(
      body.includes("\n1,") ? [0, 1] : [0],
    );
  });

  it.each([
    ["id,is_anomaly,anomaly_score\n", "CSV lacks id/is_anomaly/anomaly_score columns (has: )"],
    ["id,flag\n0,1\n", "CSV lacks id/is_anomaly/anomaly_score columns (has: id, flag)"],
  ])("CSV %j", (body, message) => {
    expect(catchError(() => parseResults(body, "text/csv")).message).toBe(
      `Woodwide results are malformed: ${message}`,
    );
  });
});

describe("findDownloadUrl", () => {
  it.each([
    [{ result_url: "http://s3.example/a" }, "http://s3.example/a"],
    [{ Download_URI: "/d/1" }, "/d/1"],
    [{ result_url: 5, data: { output_url: "/d/2" } }, "/d/2"],
    [{ result_url_expires: "/d/3" }, undefined], // the key must end in _url / _uri
    [{ link: "https://s3.example/b" }, undefined],
    [{ result_url: "ftp://s3.example/c" }, undefined],
    [{ result_url: "see https://s3.example/d" }, undefined],
    [{ result_url: "s3.example/e" }, undefined],
    [{ data: "https://s3.example/f" }, undefined],
    [null, undefined],
    ["https://s3.example/g", undefined],
  ])("%j -> %s", (value, url) => {
    expect(findDownloadUrl(value)).toBe(url);
  });
});

describe("validateRowIds and scoreDirection: exact answers", () => {
  const rows = (ids: number[]) => ids.map((id) => ({ id, isAnomaly: false, score: id }));

  it.each([
    [[], 10, "Woodwide answered 0 rows for 10 sent: missing ids 0, 1, 2, 3, 4, 5, 6, 7, 8, 9"],
    [[0, 1, 2], 2, "Woodwide answered 3 rows for 2 sent: out of range 2"],
    [[0, 1, 1], 2, "Woodwide answered 3 rows for 2 sent: duplicated 1"],
    [[0, 0.5], 2, "Woodwide answered 2 rows for 2 sent: missing ids 1; out of range 0.5"],
  ])("%j of %i: %s", (ids, n, message) => {
    expect(catchError(() => validateRowIds(rows(ids), n)).message).toBe(message);
  });

  it.each([
    [
      [
        [true, 3],
        [true, 5],
        [false, 1],
        [false, 2],
      ],
      { flaggedMean: 4, unflaggedMean: 1.5, flaggedScoreHigher: true },
    ],
    [
      [
        [true, 1],
        [false, 1],
      ],
      { flaggedMean: 1, unflaggedMean: 1, flaggedScoreHigher: false },
    ],
    [[[true, 3]], { flaggedMean: 3, unflaggedMean: undefined, flaggedScoreHigher: undefined }],
    [[[false, 2]], { flaggedMean: undefined, unflaggedMean: 2, flaggedScoreHigher: undefined }],
  ] as [[boolean, number][], object][])("%j", (pairs, expected) => {
    const r = pairs.map(([isAnomaly, score], id) => ({ id, isAnomaly, score }));
    expect(scoreDirection(r)).toEqual(expected);
  });
});
