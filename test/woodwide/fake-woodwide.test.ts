/** The fake must be faithful where the client's correctness depends on it. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeWoodwide, startFakeWoodwide } from "../support/fake-woodwide.js";

let fake: FakeWoodwide;
const auth = () => ({ authorization: `Bearer ${fake.apiKey}` });
const CSV = `avgSpeed\n${Array.from({ length: 30 }, (_, i) => (i === 4 ? 9000 : 100 + i)).join("\n")}\n`;

/** The fields these tests read from the fake's JSON answers. */
interface Body {
  status: string;
  job_id: string;
  dataset: { version_id: string };
  id: number[];
  is_anomaly: boolean[];
  result_url: string;
}

async function call(method: string, path: string, body?: unknown) {
  const init: RequestInit = { method, headers: auth() };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { ...auth(), "content-type": "application/json" };
  }
  const res = await fetch(fake.url + path, init);
  return { status: res.status, body: (await res.json()) as Body };
}

async function upload() {
  const form = new FormData();
  form.append("file", new Blob([CSV]), "b.csv");
  form.append("dataset_name", "d");
  return (await call("POST", "/datasets", form)).body;
}

async function inferBatch(versionId: string) {
  const started = await call("POST", `/models/${fake.defaultModelId}/infer-batch`, {
    dataset_version_id: versionId,
    output_type: "json",
    anomaly_format: "per_row",
  });
  const jobId = started.body.job_id;
  while ((await call("GET", `/jobs/${jobId}`)).body.status !== "succeeded");
  return jobId;
}

beforeAll(async () => {
  fake = await startFakeWoodwide({ ingestPolls: 2 });
});
afterAll(() => fake.close());

describe("fake Woodwide", () => {
  it("enforces Bearer auth", async () => {
    const res = await fetch(`${fake.url}/jobs/x`);
    expect(res.status).toBe(401);
  });

  it("answers rows shuffled, scored by its rule", async () => {
    const up = await upload();
    while ((await call("GET", `/jobs/${up.job_id}`)).body.status !== "succeeded");
    const { body } = await call("GET", `/jobs/${await inferBatch(up.dataset.version_id)}/results`);
    expect(body.id).not.toEqual([...body.id].sort((a, b) => a - b));
    const flagged = body.id.filter((_, i) => body.is_anomaly[i]);
    expect(flagged).toEqual([4]);
  });

  it("reproduces the seed's bug: inferring before ingest finished answers no rows", async () => {
    const up = await upload();
    const { body } = await call("GET", `/jobs/${await inferBatch(up.dataset.version_id)}/results`);
    expect(body.id).toEqual([]);
  });

  it("refuses a signed-URL download that carries an Authorization header", async () => {
    fake.settings.resultShape = "url";
    const up = await upload();
    while ((await call("GET", `/jobs/${up.job_id}`)).body.status !== "succeeded");
    const { body } = await call("GET", `/jobs/${await inferBatch(up.dataset.version_id)}/results`);
    expect((await fetch(body.result_url, { headers: auth() })).status).toBe(400);
    expect((await fetch(body.result_url)).status).toBe(200);
    expect(fake.requests.filter((r) => r.endpoint === "download").map((r) => r.hadAuth)).toEqual([
      true,
      false,
    ]);
    fake.settings.resultShape = "inline";
  });

  it("applies a fault to the next N matching requests only", async () => {
    fake.setFault({ kind: "server-error", on: "job", times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call("GET", "/jobs/none")).status);
    expect(statuses).toEqual([503, 503, 404]);
    expect(fake.faults[0]).toMatchObject({ hits: 2, remaining: 0 });
    fake.clearFaults();
  });
});
