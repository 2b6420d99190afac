import { describe, expect, it } from "vitest";
import type { ServiceError } from "../../src/errors.js";
import { createWoodwideClient } from "../../src/woodwide/client.js";
import { parseResults } from "../../src/woodwide/parse-results.js";
import { failure, ONE_TRY, useFakeWoodwide } from "../support/fake-client.js";
import type { FaultSpec } from "../support/fake-faults.js";
import { startFakeWoodwide } from "../support/fake-woodwide.js";

const CSV = "avgSpeed,maxSpeed\n100,200\n9000,9500\n120,210\n";

const w = useFakeWoodwide(
  { ingestPolls: 0, inferPolls: 0, trainPolls: 0 },
  { resultShape: "inline" },
);

async function inferredJob(): Promise<string> {
  const up = await w.client.uploadDataset({ csv: CSV, fileName: "b.csv", datasetName: "c" });
  await w.client.getJob(up.jobId); // ingestPolls 0: the first look says succeeded
  const { jobId } = await w.client.inferBatch(w.fake.defaultModelId, {
    datasetVersionId: up.versionId,
  });
  await w.client.getJob(jobId);
  return jobId;
}

describe("happy paths", () => {
  it("uploads multipart, first as a new dataset, then as a new version", async () => {
    const first = await w.client.uploadDataset({ csv: CSV, fileName: "b.csv", datasetName: "pp" });
    const second = await w.client.uploadDataset({
      csv: Buffer.from(CSV),
      fileName: "b.csv",
      datasetId: first.datasetId,
    });
    expect(second).toMatchObject({ datasetId: first.datasetId, versionNumber: 2 });
    expect(second.versionId).not.toBe(first.versionId);
    const [a, b] = w.fake.requests;
    expect(a).toMatchObject({
      endpoint: "upload",
      csv: CSV,
      fields: { dataset_name: "pp" },
      hadAuth: true,
    });
    expect(b?.fields).toEqual({ dataset_id: first.datasetId });
    expect(a?.headers.authorization).toBe("[present]");
  });

  it("asks infer-batch for per-row JSON", async () => {
    await inferredJob();
    const infer = w.fake.requests.find((r) => r.endpoint === "infer");
    expect(infer?.json).toMatchObject({ output_type: "json", anomaly_format: "per_row" });
  });

  it.each(["inline", "data", "csv", "url"] as const)("fetches %s results", async (shape) => {
    w.fake.settings.resultShape = shape;
    const body = await w.client.getJobResults(await inferredJob());
    const parsed = parseResults(body.text, body.contentType);
    expect(parsed).toHaveProperty("rows");
    const rows = "rows" in parsed ? [...parsed.rows].sort((x, y) => x.id - y.id) : [];
    expect(rows.map((r) => r.isAnomaly)).toEqual([false, true, false]);
  });

  it("follows a signed URL without the Bearer header", async () => {
    w.fake.settings.resultShape = "url";
    await w.client.getJobResults(await inferredJob());
    const download = w.fake.requests.find((r) => r.endpoint === "download");
    expect(download).toMatchObject({ hadAuth: false, status: 200 });
    expect(download?.headers.authorization).toBeUndefined();
  });

  it("infers directly with per-row JSON", async () => {
    const res = await w.client.inferDirect(w.fake.defaultModelId, { csv: CSV, fileName: "b.csv" });
    expect(res.status).toBe("succeeded");
    expect(res.latencyMs).toBeTypeOf("number");
    expect(parseResults(JSON.stringify(res.data))).toHaveProperty("rows");
    expect(w.fake.requests[0]?.fields).toMatchObject({
      output_type: "json",
      anomaly_format: "per_row",
    });
  });

  it("trains a model with explicit input columns and reads its status", async () => {
    const up = await w.client.uploadDataset({
      csv: CSV,
      fileName: "base.csv",
      datasetName: "base",
    });
    await w.client.getJob(up.jobId);
    const trained = await w.client.trainModel({
      modelName: "m",
      datasetId: up.datasetId,
      inputColumns: ["avgSpeed"],
    });
    expect(w.fake.requests.at(-1)?.json).toMatchObject({
      model_type: "anomaly",
      input_columns: ["avgSpeed"],
    });
    const model = await w.client.getModel(trained.modelId);
    expect(model).toMatchObject({ id: trained.modelId, status: "ready" });
  });
});

describe("every fault is classified", () => {
  it.each<[string, FaultSpec, object]>([
    [
      "5xx",
      { kind: "server-error", status: 502 },
      { kind: "server", retryable: true, status: 502 },
    ],
    [
      "429 seconds",
      { kind: "rate-limit", retryAfter: "7" },
      { kind: "rate-limited", retryable: true, status: 429, retryAfterMs: 7000 },
    ],
    ["401", { kind: "unauthorized" }, { kind: "auth", retryable: false, status: 401 }],
    ["403", { kind: "forbidden" }, { kind: "auth", retryable: false, status: 403 }],
    ["402", { kind: "payment-required" }, { kind: "credits", retryable: false, status: 402 }],
    [
      "400 mentioning credits",
      { kind: "credits-in-body" },
      { kind: "credits", retryable: false, status: 400 },
    ],
    ["400", { kind: "bad-request" }, { kind: "bad-request", retryable: false, status: 400 }],
    ["422", { kind: "unprocessable" }, { kind: "bad-request", retryable: false, status: 422 }],
    ["404", { kind: "not-found" }, { kind: "not-found", retryable: false, status: 404 }],
    ["413", { kind: "too-large" }, { kind: "too-large", retryable: false, status: 413 }],
    ["empty body", { kind: "empty-body" }, { kind: "malformed", retryable: true }],
    ["malformed JSON", { kind: "malformed-json" }, { kind: "malformed", retryable: true }],
    ["connection reset", { kind: "reset" }, { kind: "network", retryable: true }],
  ])("%s on upload", async (_name, spec, expected) => {
    w.fake.setFault({ ...spec, on: "upload", times: 1 });
    const err = await failure(
      w.client.uploadDataset({ csv: CSV, fileName: "b.csv", datasetName: "x" }),
    );
    expect(err).toMatchObject(expected);
    // healthy again after the scripted failure
    await expect(
      w.client.uploadDataset({ csv: CSV, fileName: "b.csv", datasetName: "x" }),
    ).resolves.toBeTruthy();
  });

  it("429 with an HTTP-date Retry-After", async () => {
    const at = new Date(Date.now() + 60_000).toUTCString();
    w.fake.setFault({ kind: "rate-limit", retryAfter: at, on: "job", times: 1 });
    const err = await failure(w.client.getJob("whatever"));
    expect(err.retryAfterMs).toBeGreaterThan(55_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it("422 carries the body's detail", async () => {
    w.fake.setFault({ kind: "unprocessable", on: "infer", times: 1 });
    const err = await failure(
      w.client.inferBatch(w.fake.defaultModelId, { datasetVersionId: "v" }),
    );
    expect(err.message).toContain("body.dataset_version_id: Field required");
    expect(err.cause).toMatchObject({ status: 422 });
  });

  it("a hanging request times out (retryable)", async () => {
    const quick = createWoodwideClient({
      baseUrl: w.fake.url,
      apiKey: w.fake.apiKey,
      timeoutMs: 100,
      retry: ONE_TRY,
    });
    w.fake.setFault({ kind: "hang", on: "job", times: 1 });
    const started = Date.now();
    const err = await failure(quick.getJob("j"));
    expect(err).toMatchObject({ kind: "timeout", retryable: true });
    expect(Date.now() - started).toBeLessThan(1500);
    await quick.close();
  });

  it("a refused connection is an unreachable service, named by host:port", async () => {
    const dead = await startFakeWoodwide();
    await dead.close();
    const c = createWoodwideClient({
      baseUrl: dead.url,
      apiKey: "k",
      timeoutMs: 1000,
      retry: ONE_TRY,
    });
    const err = await failure(c.getJob("j"));
    expect(err).toMatchObject({ kind: "unreachable", retryable: true });
    expect(err.message).toBe(
      `Woodwide GET /jobs/j failed: could not reach ${new URL(dead.url).host} (ECONNREFUSED)`,
    );
    await c.close();
  });

  it("a results 404 before the job is done is not-found (the poller waits on it)", async () => {
    const up = await w.client.uploadDataset({ csv: CSV, fileName: "b.csv", datasetName: "c" });
    await w.client.getJob(up.jobId);
    w.fake.settings.inferPolls = 5;
    const { jobId } = await w.client.inferBatch(w.fake.defaultModelId, {
      datasetVersionId: up.versionId,
    });
    expect(await failure(w.client.getJobResults(jobId))).toMatchObject({
      kind: "not-found",
      status: 404,
    });
    w.fake.settings.inferPolls = 0;
  });

  it("an empty or unparseable results body comes back raw; the parser calls it malformed", async () => {
    const jobId = await inferredJob();
    w.fake.setFault({ kind: "empty-body", on: "results", times: 1 });
    const body = await w.client.getJobResults(jobId);
    expect(() => parseResults(body.text, body.contentType)).toThrow(/empty body/);
  });
});

describe("the API key never leaks", () => {
  it("is absent from errors even when the server echoes it", async () => {
    const key = "sk_live_SUPER_SECRET_123";
    const own = await startFakeWoodwide({ apiKey: key });
    const errors: ServiceError[] = [];
    const wrong = createWoodwideClient({ baseUrl: own.url, apiKey: `${key}_typo`, retry: ONE_TRY });
    errors.push(await failure(wrong.getJob("j")));
    await wrong.close();
    const c = createWoodwideClient({
      baseUrl: own.url,
      apiKey: key,
      timeoutMs: 50,
      retry: ONE_TRY,
    });
    for (const kind of ["unauthorized", "reset", "hang"] as const) {
      own.setFault({ kind, times: 1 });
      errors.push(await failure(c.getJob("j")));
    }
    await c.close();
    await own.close();
    expect(errors.map((e) => e.kind)).toEqual(["auth", "auth", "network", "timeout"]);
    expect(errors[0]?.message).toContain("Invalid API key: Bearer [redacted]");
    for (const err of errors) {
      const dump = [
        String(err),
        err.stack,
        JSON.stringify(err.cause),
        String(err.cause),
        (err.cause as Error)?.stack,
      ];
      for (const text of dump) expect(text ?? "").not.toContain("SUPER_SECRET");
    }
  });
});
