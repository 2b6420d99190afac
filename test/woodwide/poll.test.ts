import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ServiceError } from "../../src/errors.js";
import { createWoodwideClient } from "../../src/woodwide/client.js";
import { waitForJob, waitForModel, waitForResults } from "../../src/woodwide/poll.js";
import type { WoodwideClient } from "../../src/woodwide/types.js";
import { type FakeWoodwide, startFakeWoodwide } from "../support/fake-woodwide.js";

const CSV = "avgSpeed,maxSpeed\n100,200\n110,190\n90,210\n";
let fake: FakeWoodwide;
let client: WoodwideClient;

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

async function failure(p: Promise<unknown>): Promise<ServiceError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err instanceof ServiceError) return err;
  throw new Error(`expected a ServiceError, got ${String(err)}`);
}

const upload = () => client.uploadDataset({ csv: CSV, fileName: "b.csv", datasetName: "d" });

beforeAll(async () => {
  fake = await startFakeWoodwide();
  client = createWoodwideClient({ baseUrl: fake.url, apiKey: fake.apiKey, timeoutMs: 2000 });
});
afterAll(async () => {
  await client.close();
  await fake.close();
});
beforeEach(() => {
  fake.clearFaults();
  Object.assign(fake.settings, { ingestPolls: 1, trainPolls: 1, resultsNotReadyPolls: 0 });
});

describe("waitForJob", () => {
  it("polls a slow ingest with exponential backoff until it succeeds", async () => {
    fake.settings.ingestPolls = 4;
    const { jobId } = await upload();
    const clock = fakeClock();
    const seen: string[] = [];
    const job = await waitForJob(client, jobId, {
      ...clock,
      onProgress: (p) => seen.push(p.status),
    });
    expect(job.status).toBe("succeeded");
    expect(clock.sleeps).toEqual([250, 500, 1000, 2000]);
    expect(seen).toEqual(["running", "running", "running", "running", "succeeded"]);
  });

  it("caps the delay at maxDelayMs", async () => {
    fake.settings.ingestPolls = 6;
    const { jobId } = await upload();
    const clock = fakeClock();
    await waitForJob(client, jobId, { ...clock, initialDelayMs: 100, maxDelayMs: 300 });
    expect(clock.sleeps).toEqual([100, 200, 300, 300, 300, 300]);
  });

  it("a terminal failure is job-failed (retryable) with error_message", async () => {
    const { jobId } = await upload();
    fake.setFault({ kind: "job-failed", on: "job", times: 1, message: "ingest worker OOM" });
    const err = await failure(waitForJob(client, jobId, fakeClock()));
    expect(err).toMatchObject({ kind: "job-failed", retryable: true });
    expect(err.message).toContain("ingest worker OOM");
  });

  it("a job that failed for credits stops the run (not retryable)", async () => {
    const { jobId } = await upload();
    fake.setFault({ kind: "job-failed", on: "job", times: 1, message: "Insufficient credits" });
    expect(await failure(waitForJob(client, jobId, fakeClock()))).toMatchObject({
      kind: "credits",
      retryable: false,
    });
  });

  it("gives up after maxWaitMs with a retryable timeout", async () => {
    fake.settings.ingestPolls = 1000;
    const { jobId } = await upload();
    const clock = fakeClock();
    const err = await failure(waitForJob(client, jobId, { ...clock, maxWaitMs: 5000 }));
    expect(err).toMatchObject({ kind: "timeout", retryable: true });
    expect(clock.now()).toBe(5000);
  });

  it("rides out transient poll errors, honouring Retry-After", async () => {
    const { jobId } = await upload();
    fake.setFault({ kind: "server-error", on: "job", times: 1 });
    fake.setFault({ kind: "rate-limit", on: "job", times: 1, retryAfter: "9" });
    const clock = fakeClock();
    await expect(waitForJob(client, jobId, clock)).resolves.toMatchObject({ status: "succeeded" });
    expect(clock.sleeps).toEqual([250, 9000, 1000]);
  });

  it("stops after maxPollErrors transient errors in a row", async () => {
    const { jobId } = await upload();
    fake.setFault({ kind: "server-error", on: "job", times: 3 });
    const err = await failure(waitForJob(client, jobId, { ...fakeClock(), maxPollErrors: 2 }));
    expect(err).toMatchObject({ kind: "server", retryable: true });
  });

  it("does not retry a non-retryable poll error", async () => {
    fake.setFault({ kind: "unauthorized", on: "job", times: 1 });
    expect(await failure(waitForJob(client, "j", fakeClock()))).toMatchObject({ kind: "auth" });
    expect(fake.faults[0]?.hits).toBe(1);
  });

  it("stops when the signal aborts", async () => {
    fake.settings.ingestPolls = 1000;
    const { jobId } = await upload();
    const ac = new AbortController();
    const sleep = async () => ac.abort(new Error("interrupted"));
    await expect(waitForJob(client, jobId, { sleep, signal: ac.signal })).rejects.toThrow(
      "interrupted",
    );
  });
});

describe("waitForResults", () => {
  it("keeps polling while results answer 404 'not yet available'", async () => {
    fake.settings.resultsNotReadyPolls = 2;
    const up = await upload();
    await waitForJob(client, up.jobId, fakeClock());
    const started = await client.inferBatch(fake.defaultModelId, {
      datasetVersionId: up.versionId,
    });
    await waitForJob(client, started.jobId, fakeClock());
    const clock = fakeClock();
    const body = await waitForResults(client, started.jobId, clock);
    expect(JSON.parse(body.text).id).toHaveLength(3);
    expect(clock.sleeps).toEqual([250, 500]);
  });
});

describe("waitForModel", () => {
  async function train() {
    const up = await upload();
    await waitForJob(client, up.jobId, fakeClock());
    return client.trainModel({
      modelName: "m",
      datasetId: up.datasetId,
      inputColumns: ["avgSpeed"],
    });
  }

  it("polls until the model is ready", async () => {
    fake.settings.trainPolls = 3;
    const trained = await train();
    const clock = fakeClock();
    const model = await waitForModel(client, trained.modelId, {
      ...clock,
      trainJobId: trained.jobId,
    });
    expect(model.status).toBe("ready");
    expect(clock.sleeps.length).toBeGreaterThan(0);
  });

  it("learns of a failed training from the train job (the model status never says)", async () => {
    fake.settings.trainPolls = 5;
    const trained = await train();
    fake.setFault({ kind: "job-failed", on: "model", times: 1, message: "not enough rows" });
    const err = await failure(
      waitForModel(client, trained.modelId, { ...fakeClock(), trainJobId: trained.jobId }),
    );
    expect(err).toMatchObject({ kind: "job-failed" });
    expect(err.message).toContain("not enough rows");
  });
});
