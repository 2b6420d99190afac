import { beforeEach, describe, expect, it } from "vitest";
import { type InferOptions, inferWithWoodwide } from "../../src/woodwide/infer.js";
import { waitForJob, waitForModel } from "../../src/woodwide/poll.js";
import { failure, useFakeWoodwide } from "../support/fake-client.js";

const HEADER = "durationMs,avgSpeed,maxSpeed,clickAccuracy";

/** n feature rows; rows in `bots` move at 9000 px/s, which the fake's default rule flags. */
function batchCsv(n: number, bots: number[]): string {
  const rows = Array.from({ length: n }, (_, i) => {
    const speed = bots.includes(i) ? 9000 : 400 + ((i * 37) % 200);
    return `${8000 + i * 10},${speed},${speed * 2},${0.7 + (i % 3) / 10}`;
  });
  return `${HEADER}\n${rows.join("\n")}\n`;
}

let savedId: string | undefined;
let events: Record<string, unknown>[];

function run(over: Partial<InferOptions> & { csv: string; rowCount: number }) {
  return inferWithWoodwide({
    client: w.client,
    modelId: w.fake.defaultModelId,
    mode: "dataset",
    dataset: {
      getId: () => savedId,
      saveId: (id) => {
        savedId = id;
      },
      name: "playproof-batches",
    },
    sleep: async () => {},
    log: (e) => events.push(e),
    ...over,
  });
}

const w = useFakeWoodwide({}, { ingestPolls: 1, inferPolls: 1, resultShape: "inline" });
beforeEach(() => {
  savedId = undefined;
  events = [];
});

const BOTS = [3, 17, 41, 49];
const flaggedIds = (rows: { id: number; isAnomaly: boolean }[]) =>
  rows.filter((r) => r.isAnomaly).map((r) => r.id);

describe.each(["dataset", "direct"] as const)("%s mode", (mode) => {
  it("maps the shuffled answer by id: exactly the bot rows are flagged", async () => {
    const res = await run({ mode, csv: batchCsv(50, BOTS), rowCount: 50 });
    expect(res.rows.map((r) => r.id)).toEqual([...Array(50).keys()]);
    expect(flaggedIds(res.rows)).toEqual(BOTS);
    expect(res.jobId).toBeTruthy();
    expect(res.modelVersionId).toBe(w.fake.models.get(w.fake.defaultModelId)?.versionId);
    expect(events.at(-1)).toMatchObject({
      event: "woodwide.inferred",
      job_id: res.jobId,
      latency_ms: expect.any(Number),
      // the direct answer documents no credits_consumed; the batch job reports it
      credits_consumed: mode === "dataset" ? 0.5 : undefined,
      flagged: 4,
      flagged_score_higher: true,
    });
  });

  it.each(["missing-id", "duplicate-id", "unknown-id"] as const)(
    "%s in the answer is a retryable id-mismatch",
    async (kind) => {
      w.fake.setFault({ kind, on: mode === "direct" ? "infer" : "results", times: 1 });
      const err = await failure(run({ mode, csv: batchCsv(10, []), rowCount: 10 }));
      expect(err).toMatchObject({ kind: "id-mismatch", retryable: true });
      expect(events.at(-1)).toMatchObject({
        event: "woodwide.answer_rejected",
        job_id: expect.any(String),
        reason: err.message,
      });
    },
  );

  it("413 is too-large (the batch code splits)", async () => {
    w.fake.setFault({ kind: "too-large", on: mode === "direct" ? "infer" : "upload", times: 1 });
    expect(await failure(run({ mode, csv: batchCsv(5, []), rowCount: 5 }))).toMatchObject({
      kind: "too-large",
      status: 413,
    });
  });

  it("a failed infer job is job-failed (retryable)", async () => {
    w.fake.setFault({ kind: "job-failed", on: "infer", times: 1, message: "GPU lost" });
    const err = await failure(run({ mode, csv: batchCsv(5, []), rowCount: 5 }));
    expect(err).toMatchObject({ kind: "job-failed", retryable: true });
    expect(err.message).toContain("GPU lost");
  });

  it("uploads the CSV it was given, header and all", async () => {
    const csv = batchCsv(3, []);
    await run({ mode, csv, rowCount: 3 });
    const sent = w.fake.requests.filter((r) => r.csv !== undefined);
    expect(sent.map((r) => r.csv)).toEqual([csv]);
    expect(sent[0]?.csv?.split("\n")[0]).toBe(HEADER);
  });
});

describe("dataset mode", () => {
  it("creates one persistent dataset, then adds a version per batch", async () => {
    await run({ csv: batchCsv(4, []), rowCount: 4 });
    const first = savedId;
    await run({ csv: batchCsv(6, [5]), rowCount: 6 });
    const uploads = w.fake.requests.filter((r) => r.endpoint === "upload");
    expect(uploads.map((r) => r.fields)).toEqual([
      { dataset_name: "playproof-batches" },
      { dataset_id: first },
    ]);
    expect(savedId).toBe(first);
    expect(
      events.filter((e) => e.event === "woodwide.uploaded").map((e) => e.version_number),
    ).toEqual([1, 2]);
  });

  it("waits for a slow ingest by polling: infer only after the job said succeeded", async () => {
    w.fake.settings.ingestPolls = 5;
    const sleeps: number[] = [];
    const res = await run({
      csv: batchCsv(20, [7]),
      rowCount: 20,
      sleep: async (ms) => void sleeps.push(ms),
    });
    expect(flaggedIds(res.rows)).toEqual([7]);
    const log = w.fake.requests;
    const inferAt = log.findIndex((r) => r.endpoint === "infer");
    const ingestPolls = log.slice(0, inferAt).filter((r) => r.endpoint === "job");
    expect(ingestPolls.map((r) => r.jobStatus)).toEqual([...Array(5).fill("running"), "succeeded"]);
    expect(sleeps.slice(0, 5)).toEqual([250, 500, 1000, 2000, 4000]);
  });

  it.each(["inline", "data", "csv", "url"] as const)("reads %s results", async (shape) => {
    w.fake.settings.resultShape = shape;
    const res = await run({ csv: batchCsv(12, [0, 11]), rowCount: 12 });
    expect(flaggedIds(res.rows)).toEqual([0, 11]);
    if (shape === "url") {
      expect(w.fake.requests.find((r) => r.endpoint === "download")?.hadAuth).toBe(false);
    }
  });

  it("works on the real clock and timers (no injected sleep)", async () => {
    w.fake.settings.ingestPolls = 3;
    const res = await run({
      csv: batchCsv(5, [2]),
      rowCount: 5,
      sleep: undefined,
      poll: { initialDelayMs: 5, maxDelayMs: 20 },
    });
    expect(flaggedIds(res.rows)).toEqual([2]);
    expect(res.latencyMs).toBeGreaterThanOrEqual(15);
  });

  it("starts a new dataset when the saved one is gone", async () => {
    savedId = "deleted-dataset";
    const res = await run({ csv: batchCsv(3, []), rowCount: 3 });
    expect(res.rows).toHaveLength(3);
    expect(savedId).not.toBe("deleted-dataset");
    expect(events.some((e) => e.event === "woodwide.dataset_missing")).toBe(true);
  });

  it("fail twice, then succeed: each failure is retryable, nothing half-recorded", async () => {
    w.fake.setFault({ kind: "server-error", on: "upload", times: 2 });
    for (let i = 0; i < 2; i++) {
      expect(await failure(run({ csv: batchCsv(3, [1]), rowCount: 3 }))).toMatchObject({
        kind: "server",
        retryable: true,
      });
    }
    expect(savedId).toBeUndefined();
    expect(flaggedIds((await run({ csv: batchCsv(3, [1]), rowCount: 3 })).rows)).toEqual([1]);
  });
});

describe("with a model trained on a human baseline (mean/std z-scores)", () => {
  it("flags exactly the rows far from the baseline", async () => {
    const baseline = batchCsv(200, []);
    const up = await w.client.uploadDataset({
      csv: baseline,
      fileName: "baseline.csv",
      datasetName: "humans",
    });
    await waitForJob(w.client, up.jobId, { sleep: async () => {} });
    const columns = HEADER.split(",");
    const trained = await w.client.trainModel({
      modelName: "pp",
      datasetId: up.datasetId,
      inputColumns: columns,
    });
    await waitForModel(w.client, trained.modelId, {
      sleep: async () => {},
      trainJobId: trained.jobId,
    });
    const res = await run({ modelId: trained.modelId, csv: batchCsv(30, [2, 29]), rowCount: 30 });
    expect(flaggedIds(res.rows)).toEqual([2, 29]);
    const human = res.rows.filter((r) => !r.isAnomaly).map((r) => r.score);
    expect(Math.max(...human)).toBeLessThan(3);
  });
});
