import { describe, expect, it } from "vitest";
import { ServiceError } from "../../src/errors.js";
import {
  parseJob,
  parseModel,
  pickNumber,
  pickObject,
  pickString,
} from "../../src/woodwide/responses.js";

// Issue 15: the defensive readers of Woodwide's JSON answers, pure, field by field. A missing
// required field is "malformed" and retryable, never mistaken for a result.

function thrown(fn: () => unknown): ServiceError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ServiceError) return err;
    throw err;
  }
  throw new Error("expected a ServiceError");
}

describe("pick*", () => {
  it("pickObject takes a plain object only", () => {
    expect(pickObject({ a: { b: 1 } }, "a", "GET /x")).toEqual({ b: 1 });
    for (const v of [null, [1], "s", 3, undefined]) {
      const err = thrown(() => pickObject({ a: v }, "a", "GET /x"));
      expect([err.message, err.kind, err.retryable]).toEqual([
        'Woodwide GET /x answered no "a" object',
        "malformed",
        true,
      ]);
    }
  });

  it.each([
    [{ k: "abc" }, "abc"],
    [{ k: 42 }, "42"], // numeric ids are accepted as strings
    [{ k: 0 }, "0"],
  ])("pickString(%j) = %s", (body, expected) => {
    expect(pickString(body, "k", "POST /y")).toBe(expected);
  });

  it.each([[{ k: "" }], [{ k: null }], [{}], [{ k: true }]])(
    "pickString(%j) is malformed",
    (body) => {
      expect(thrown(() => pickString(body, "k", "POST /y")).message).toBe(
        'Woodwide POST /y answered no "k"',
      );
    },
  );

  it.each([
    [{ n: 3 }, 3],
    [{ n: "2.5" }, 2.5],
    [{ n: " 7 " }, 7],
    [{ n: "" }, undefined],
    [{ n: "  " }, undefined],
    [{ n: "x" }, undefined],
    [{ n: Number.NaN }, undefined],
    [{ n: Number.POSITIVE_INFINITY }, undefined],
    [{ n: null }, undefined],
    [{}, undefined],
  ])("pickNumber(%j) = %s", (body, expected) => {
    expect(pickNumber(body, "n")).toBe(expected);
  });
});

describe("parseJob", () => {
  it("reads every field it knows, lower-casing the status", () => {
    expect(
      parseJob(
        {
          job_id: "j-2",
          type: "inference",
          status: "COMPLETED",
          progress: "0.5",
          error_message: "none",
          credits_consumed: 3,
        },
        "j-1",
      ),
    ).toEqual({
      jobId: "j-2",
      type: "inference",
      status: "completed",
      progress: 0.5,
      errorMessage: "none",
      creditsConsumed: 3,
    });
  });

  it("falls back to the id asked for and leaves absent fields out", () => {
    expect(parseJob({ status: "running", job_id: 7, type: 1, error_message: "" }, "j-1")).toEqual({
      jobId: "j-1",
      status: "running",
    });
  });

  it("needs a status", () => {
    expect(thrown(() => parseJob({ job_id: "j" }, "j-9")).message).toBe(
      'Woodwide GET /jobs/j-9 answered no "status"',
    );
  });
});

describe("parseModel", () => {
  it.each([
    ["the model itself", { id: "m1", status: "READY", version_id: "v1", version_number: 2 }],
    [
      "wrapped in model",
      { model: { id: "m1", status: "ready", version_id: "v1", version_number: "2" } },
    ],
    [
      "the old training_status",
      { id: "m1", training_status: "Ready", version_id: "v1", version_number: 2 },
    ],
    [
      "status outside the wrapper",
      { status: "ready", model: { id: "m1", version_id: "v1", version_number: 2 } },
    ],
  ])("%s", (_name, raw) => {
    expect(parseModel(raw, "m1")).toEqual({
      id: "m1",
      status: "ready",
      versionId: "v1",
      versionNumber: 2,
    });
  });

  it("takes model_id when id is not a string, and says unknown without a status", () => {
    expect(parseModel({ id: 5, model_id: "m7", version_id: 3 }, "")).toEqual({
      id: "m7",
      status: "unknown",
    });
    expect(parseModel({ model: null, id: "m8", status: 4 }, "m8")).toEqual({
      id: "m8",
      status: "unknown",
    });
  });

  it.each([
    [null, "m1", "Woodwide model m1 answered no model object"],
    ["ready", "m1", "Woodwide model m1 answered no model object"],
    [{ status: "ready" }, "", 'Woodwide model (new) answered no "model_id"'],
  ])("%j is malformed", (raw, id, message) => {
    const err = thrown(() => parseModel(raw, id));
    expect([err.message, err.kind, err.retryable]).toEqual([message, "malformed", true]);
  });
});
