import { describe, expect, it } from "vitest";
import { waitForJob, waitForModel, waitForResults } from "../../src/woodwide/poll.js";
import { failure, useFakeWoodwide } from "../support/fake-client.js";

const CSV = "avgSpeed,maxSpeed\n100,200\n110,190\n90,210\n";

/** A clock that only moves when the poller sleeps: no real waiting. */
function fakeClock() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

const upload = () => w.client.uploadDataset({ csv: CSV, fileName: "b.csv", datasetName: "d" });

const w = useFakeWoodwide({}, { ingestPolls: 1, trainPolls: 1, resultsNotReadyPolls: 0 });

describe("waitForJob", () => {
  it("polls a slow ingest with exponential backoff until it succeeds", async () => {
    w.fake.settings.ingestPolls = 4;
    const { jobId } = await upload();
    const clock = fakeClock();
    const seen: string[] = [];
    const job = await waitForJob(w.client, jobId, {
      ...clock,
      onProgress: (p) => seen.push(p.status),
    });
    expect(job.status).toBe("succeeded");
    expect(clock.sleeps).toEqual([250, 500, 1000, 2000]);
    expect(seen).toEqual(["running", "running", "running", "running", "succeeded"]);
  });

  it("caps the delay at maxDelayMs", async () => {
    w.fake.settings.ingestPolls = 6;
    const { jobId } = await upload();
    const clock = fakeClock();
    await waitForJob(w.client, jobId, { ...clock, initialDelayMs: 100, maxDelayMs: 300 });
    expect(clock.sleeps).toEqual([100, 200, 300, 300, 300, 300]);
  });

  it("a terminal failure is job-failed (retryable) with error_message", async () => {
    const { jobId } = await upload();
    w.fake.setFault({ kind: "job-failed", on: "job", times: 1, message: "ingest worker OOM" });
    const err = await failure(waitForJob(w.client, jobId, fakeClock()));
    expect(err).toMatchObject({ kind: "job-failed", retryable: true });
    expect(err.message).toContain("ingest worker OOM");
  });

  it("a job that failed for credits stops the run (not retryable)", async () => {
    const { jobId } = await upload();
    w.fake.setFault({ kind: "job-failed", on: "job", times: 1, message: "Insufficient credits" });
    expect(await failure(waitForJob(w.client, jobId, fakeClock()))).toMatchObject({
      kind: "credits",
      retryable: false,
    });
  });

  it("gives up after maxWaitMs with a retryable timeout", async () => {
    w.fake.settings.ingestPolls = 1000;
    const { jobId } = await upload();
    const clock = fakeClock();
    const err = await failure(waitForJob(w.client, jobId, { ...clock, maxWaitMs: 5000 }));
    expect(err).toMatchObject({ kind: "timeout", retryable: true });
    expect(clock.now()).toBe(5000);
  });

  it("rides out transient poll errors, honouring Retry-After", async () => {
    const { jobId } = await upload();
    w.fake.setFault({ kind: "server-error", on: "job", times: 1 });
    w.fake.setFault({ kind: "rate-limit", on: "job", times: 1, retryAfter: "9" });
    const clock = fakeClock();
    await expect(waitForJob(w.client, jobId, clock)).resolves.toMatchObject({
      status: "succeeded",
    });
    expect(clock.sleeps).toEqual([250, 9000, 1000]);
  });

  it("stops after maxPollErrors transient errors in a row", async () => {
    const { jobId } = await upload();
    w.fake.setFault({ kind: "server-error", on: "job", times: 3 });
    const err = await failure(waitForJob(w.client, jobId, { ...fakeClock(), maxPollErrors: 2 }));
    expect(err).toMatchObject({ kind: "server", retryable: true });
  });

  it("does not retry a non-retryable poll error", async () => {
    w.fake.setFault({ kind: "unauthorized", on: "job", times: 1 });
    expect(await failure(waitForJob(w.client, "j", fakeClock()))).toMatchObject({ kind: "auth" });
    expect(w.fake.faults[0]?.hits).toBe(1);
  });

  it("stops when the signal aborts", async () => {
    w.fake.settings.ingestPolls = 1000;
    const { jobId } = await upload();
    const ac = new AbortController();
    const sleep = async () => ac.abort(new Error("interrupted"));
    await expect(waitForJob(w.client, jobId, { sleep, signal: ac.signal })).rejects.toThrow(
      "interrupted",
    );
  });
});

describe("waitForResults", () => {
  it("keeps polling while results answer 404 'not yet available'", async () => {
    w.fake.settings.resultsNotReadyPolls = 2;
    const up = await upload();
    await waitForJob(w.client, up.jobId, fakeClock());
    const started = await w.client.inferBatch(w.fake.defaultModelId, {
      datasetVersionId: up.versionId,
    });
    await waitForJob(w.client, started.jobId, fakeClock());
    const clock = fakeClock();
    const body = await waitForResults(w.client, started.jobId, clock);
    expect(JSON.parse(body.text).id).toHaveLength(3);
    expect(clock.sleeps).toEqual([250, 500]);
  });
});

describe("waitForModel", () => {
  async function train() {
    const up = await upload();
    await waitForJob(w.client, up.jobId, fakeClock());
    return w.client.trainModel({
      modelName: "m",
      datasetId: up.datasetId,
      inputColumns: ["avgSpeed"],
    });
  }

  it("polls until the model is ready", async () => {
    w.fake.settings.trainPolls = 3;
    const trained = await train();
    const clock = fakeClock();
    const model = await waitForModel(w.client, trained.modelId, {
      ...clock,
      trainJobId: trained.jobId,
    });
    expect(model.status).toBe("ready");
    expect(clock.sleeps.length).toBeGreaterThan(0);
  });

  it("learns of a failed training from the train job (the model status never says)", async () => {
    w.fake.settings.trainPolls = 5;
    const trained = await train();
    w.fake.setFault({ kind: "job-failed", on: "model", times: 1, message: "not enough rows" });
    const err = await failure(
      waitForModel(w.client, trained.modelId, { ...fakeClock(), trainJobId: trained.jobId }),
    );
    expect(err).toMatchObject({ kind: "job-failed" });
    expect(err.message).toContain("not enough rows");
  });
});
