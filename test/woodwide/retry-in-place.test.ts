/**
 * Issue 14, against the fake Woodwide: which calls the client retries in place, how long it
 * waits (injected sleep and randomness: nothing really waits), and which it never repeats.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createWoodwideClient } from "../../src/woodwide/client.js";
import type { RetriedCall } from "../../src/woodwide/retrying.js";
import type { WoodwideClient } from "../../src/woodwide/types.js";
import { failure, useFakeServer } from "../support/fake-client.js";
import type { FakeEndpoint } from "../support/fake-faults.js";
import { startFakeWoodwide } from "../support/fake-woodwide.js";

const CSV = "avgSpeed,maxSpeed\n100,200\n9000,9500\n120,210\n";
const server = useFakeServer({ ingestPolls: 0, inferPolls: 0 });

let sleeps: number[];
let retried: RetriedCall[];
let client: WoodwideClient;
const T0 = 1_700_000_000_000;
const hooks = {
  random: () => 0.5,
  now: () => T0,
  sleep: async (ms: number) => {
    sleeps.push(ms);
  },
};

beforeAll(() => {
  client = createWoodwideClient({
    baseUrl: server.fake.url,
    apiKey: server.fake.apiKey,
    timeoutMs: 300,
    retry: hooks,
    onRetry: (r) => retried.push(r),
  });
});
afterAll(() => client.close());
beforeEach(() => {
  sleeps = [];
  retried = [];
});

const sent = (endpoint: FakeEndpoint) =>
  server.fake.requests.filter((q) => q.endpoint === endpoint).length;
const upload = () => client.uploadDataset({ csv: CSV, fileName: "b.csv", datasetName: "r" });
async function ingested() {
  const up = await upload();
  await client.getJob(up.jobId);
  server.fake.requests.length = 0;
  return up;
}

describe("retried in place: the answer says the request was not processed", () => {
  it("503 twice, then the upload succeeds: 3 tries, full-jitter waits of 125 then 250 ms", async () => {
    server.fake.setFault({ kind: "server-error", on: "upload", times: 2 });
    await expect(upload()).resolves.toMatchObject({ versionNumber: 1 });
    expect(sent("upload")).toBe(3);
    expect(sleeps).toEqual([125, 250]);
    expect(retried.map((r) => [r.call, r.status, r.try])).toEqual([
      ["POST /datasets", "503", 1],
      ["POST /datasets", "503", 2],
    ]);
  });

  it("at most 3 tries: a third 503 fails the call (the batch then spends an attempt)", async () => {
    server.fake.setFault({ kind: "server-error", on: "upload", times: 3 });
    expect(await failure(upload())).toMatchObject({ kind: "server", status: 503 });
    expect(sent("upload")).toBe(3);
    expect(sleeps).toEqual([125, 250]);
  });

  it("429's Retry-After is honoured in place, on infer-batch too (it was refused, not run)", async () => {
    const up = await ingested();
    server.fake.setFault({ kind: "rate-limit", retryAfter: "20", on: "infer", times: 1 });
    const started = await client.inferBatch(server.fake.defaultModelId, {
      datasetVersionId: up.versionId,
    });
    expect(started.jobId).toEqual(expect.any(String));
    expect(sent("infer")).toBe(2);
    expect(sleeps).toEqual([20_000]);
    expect(retried.map((r) => r.status)).toEqual(["429"]);
  });

  it("a Retry-After as an HTTP date is measured on the injected clock", async () => {
    const at = new Date(T0 + 12_000).toUTCString();
    server.fake.setFault({ kind: "server-error", retryAfter: at, on: "train", times: 1 });
    const model = await client.trainModel({
      modelName: "m",
      datasetVersionId: (await ingested()).versionId,
      inputColumns: ["avgSpeed"],
    });
    expect(model.modelId).toEqual(expect.any(String));
    expect(sleeps).toEqual([12_000]);
  });

  it("a Retry-After beyond 30 s is not waited out in place: the error carries it to the batch", async () => {
    server.fake.setFault({ kind: "rate-limit", retryAfter: "45", on: "upload", times: 1 });
    expect(await failure(upload())).toMatchObject({ kind: "rate-limited", retryAfterMs: 45_000 });
    expect(sent("upload")).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it("no in-place wait may end past the attempt's deadline", async () => {
    server.fake.setFault({ kind: "rate-limit", retryAfter: "5", on: "upload", times: 1 });
    const err = await failure(
      client.uploadDataset(
        { csv: CSV, fileName: "b.csv", datasetName: "r" },
        { deadline: T0 + 4_000 },
      ),
    );
    expect(err).toMatchObject({ kind: "rate-limited" });
    expect(sent("upload")).toBe(1);
  });

  it("a refused connection (nothing was sent) is retried, even for a POST that starts a job", async () => {
    const dead = await startFakeWoodwide();
    await dead.close();
    const c = createWoodwideClient({ baseUrl: dead.url, apiKey: "k", retry: hooks });
    const seen: string[] = [];
    const err = await failure(
      c.inferBatch("m", { datasetVersionId: "v" }, { onRetry: (r) => seen.push(r.status) }),
    );
    expect(err).toMatchObject({ kind: "unreachable", retryable: true });
    expect(err.message).toContain(`could not reach ${new URL(dead.url).host} (ECONNREFUSED)`);
    expect(seen).toEqual(["network", "network"]);
    await c.close();
  });

  it("a per-call hook sees the call's retries only", async () => {
    server.fake.setFault({ kind: "server-error", status: 502, on: "upload", times: 1 });
    const mine: string[] = [];
    await client.uploadDataset(
      { csv: CSV, fileName: "b.csv", datasetName: "r" },
      { onRetry: (r) => mine.push(r.status) },
    );
    await client.uploadDataset({ csv: CSV, fileName: "b.csv", datasetName: "r" });
    expect(mine).toEqual(["502"]);
  });

  it("aborting during the wait stops at once with the abort's reason", async () => {
    const ac = new AbortController();
    const c = createWoodwideClient({
      baseUrl: server.fake.url,
      apiKey: server.fake.apiKey,
      retry: { sleep: async () => ac.abort(new Error("interrupted")) },
    });
    server.fake.setFault({ kind: "server-error", on: "upload", times: 1 });
    const p = c.uploadDataset(
      { csv: CSV, fileName: "b.csv", datasetName: "r" },
      { signal: ac.signal },
    );
    await expect(p).rejects.toThrow("interrupted");
    expect(sent("upload")).toBe(1);
    await c.close();
  });
});

describe("never repeated blindly: a POST whose outcome is unknown", () => {
  it("infer-batch that timed out after its body was sent: one request, the attempt fails", async () => {
    const up = await ingested();
    server.fake.setFault({ kind: "hang", on: "infer", times: 1 });
    const err = await failure(
      client.inferBatch(server.fake.defaultModelId, { datasetVersionId: up.versionId }),
    );
    expect(err).toMatchObject({ kind: "timeout", retryable: true });
    expect(sent("infer")).toBe(1);
    expect(retried).toEqual([]);
  });

  it("infer-batch reset mid-response: one request", async () => {
    const up = await ingested();
    server.fake.setFault({ kind: "reset", on: "infer", times: 1 });
    const err = await failure(
      client.inferBatch(server.fake.defaultModelId, { datasetVersionId: up.versionId }),
    );
    expect(err).toMatchObject({ kind: "network" });
    expect(sent("infer")).toBe(1);
  });

  it("direct infer and train, reset after sending: one request each", async () => {
    server.fake.setFault({ kind: "reset", on: "infer", times: 1 });
    const direct = client.inferDirect(server.fake.defaultModelId, { csv: CSV, fileName: "b.csv" });
    expect(await failure(direct)).toMatchObject({ kind: "network" });
    server.fake.setFault({ kind: "reset", on: "train", times: 1 });
    const train = client.trainModel({ modelName: "m", datasetId: "d", inputColumns: ["a"] });
    expect(await failure(train)).toMatchObject({ kind: "network" });
    expect([sent("infer"), sent("train")]).toEqual([1, 1]);
  });

  it("a 504 on infer-batch (the gateway gave up waiting; the job may exist): one request", async () => {
    const up = await ingested();
    server.fake.setFault({ kind: "server-error", status: 504, on: "infer", times: 1 });
    const err = await failure(
      client.inferBatch(server.fake.defaultModelId, { datasetVersionId: up.versionId }),
    );
    expect(err).toMatchObject({ kind: "server", status: 504 });
    expect(sent("infer")).toBe(1);
  });
});

describe("harmless to repeat: GETs and uploads, whatever the outcome", () => {
  it("an upload reset after sending is sent again (a second version is unused)", async () => {
    server.fake.setFault({ kind: "reset", on: "upload", times: 1 });
    await expect(upload()).resolves.toMatchObject({ versionNumber: 1 });
    expect(sent("upload")).toBe(2);
    expect(retried.map((r) => r.status)).toEqual(["network"]);
  });

  it("a job poll that timed out and a 504 on it are asked again", async () => {
    const up = await upload();
    server.fake.setFault({ kind: "hang", on: "job", times: 1 });
    server.fake.setFault({ kind: "server-error", status: 504, on: "job", times: 1 });
    await expect(client.getJob(up.jobId)).resolves.toMatchObject({ status: "succeeded" });
    expect(retried.map((r) => r.status)).toEqual(["timeout", "504"]);
  });
});
