import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BATCH_COLUMNS, MODEL_INPUT_COLUMNS } from "../../src/batch/csv.js";
import { describeBackends } from "../support/backends.js";
import { cliWorld, ROOT } from "../support/cli.js";
import { type FakeWoodwide, startFakeWoodwide } from "../support/fake-woodwide.js";
import { ndjson } from "../support/sessions.js";

let fake: FakeWoodwide | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const baseline = join(ROOT, "fixtures", "baseline", "human-baseline.csv");

describeBackends("model train, then process (built binary, fake Woodwide)", (b) => {
  it("trains on the baseline, saves the model id and a calibration, and process then scores with it", async () => {
    fake = await startFakeWoodwide({ ingestPolls: 2, trainPolls: 3 });
    const w = await cliWorld({ WOODWIDE_API_KEY: fake.apiKey, WOODWIDE_BASE_URL: fake.url }, b);
    const r = await w.run(["model", "train", "--baseline", baseline, "--name", "t1", "--json"]);
    expect(r.stderr).not.toContain(fake.apiKey);
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ calibrated: true, modelId: expect.any(String) });
    expect(out.trainRows + out.calibrationRows).toBeGreaterThan(800);
    expect((await w.run(["config", "get", "woodwide.modelId"])).stdout.trim()).toBe(out.modelId);
    const cal = join(w.env.PLAYPROOF_CONFIG_DIR, "woodwide-calibration.json");
    expect((await stat(cal)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(cal, "utf8")).modelId).toBe(out.modelId);

    // What was uploaded and trained on: the batch columns, trained on the numeric ones only.
    const upload = fake.requests.find((q) => q.endpoint === "upload");
    expect(upload?.csv?.split("\n")[0]).toBe(BATCH_COLUMNS.join(","));
    const train = fake.requests.find((q) => q.endpoint === "train");
    expect((train?.json as { input_columns?: string[] } | undefined)?.input_columns).toEqual([
      ...MODEL_INPUT_COLUMNS,
    ]);
    // Inference waited for the ingest job, never a fixed sleep.
    const ingestDone = fake.requests.findIndex((q) => q.jobStatus === "succeeded");
    expect(fake.requests.findIndex((q) => q.endpoint === "train")).toBeGreaterThan(ingestDone);

    const humans = ndjson(8, { points: 80 }, 0);
    const bots = ndjson(4, { points: 80, bot: true, speed: 40, prefix: "bot" }, 0);
    expect((await w.run(["enqueue"], { input: humans + bots })).exitCode).toBe(0);
    const p = await w.run(["process", "--json"]);
    expect(p.exitCode).toBe(0);
    expect(JSON.parse(p.stdout)).toMatchObject({ engine: "woodwide", scored: 12 });
    const bot = JSON.parse((await w.run(["result", "bot_1", "--json"])).stdout);
    expect(bot.result).toMatchObject({ source: "woodwide", model: { id: out.modelId } });
    expect(bot.result.isAnomaly).toBe(true);
    expect(bot.result.anomalyScore).toBeGreaterThanOrEqual(1);
  });
});

// Training and calibration alone: no queue involved.
describe("model train (built binary, fake Woodwide)", () => {
  it("issue 8, defect 6: a 503 on POST /models/train and a 429 (Retry-After: 2) during calibration are retried in place: calibrated, exit 0", async () => {
    fake = await startFakeWoodwide();
    const w = await cliWorld({ WOODWIDE_API_KEY: fake.apiKey, WOODWIDE_BASE_URL: fake.url });
    fake.setFault({ kind: "server-error", on: "train", times: 1 });
    // Calibration is the only inference `model train` makes.
    fake.setFault({ kind: "rate-limit", retryAfter: "2", on: "infer", times: 1 });
    const r = await w.run([
      "model",
      "train",
      "--baseline",
      baseline,
      "--name",
      "t2",
      "--json",
      "-v",
    ]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ calibrated: true });
    expect(fake.requests.filter((q) => q.endpoint === "train").map((q) => q.status)).toEqual([
      503, 200,
    ]);
    expect(fake.requests.filter((q) => q.endpoint === "infer").map((q) => q.status)).toEqual([
      429, 200,
    ]);
    expect(r.stderr).toMatch(
      /"event":"woodwide.retry","call":"POST \/models\/train","status":"503"/,
    );
    expect(r.stderr).toMatch(/"status":"429","try":1,"delay_ms":2000/);
    const cal = JSON.parse(
      await readFile(join(w.env.PLAYPROOF_CONFIG_DIR, "woodwide-calibration.json"), "utf8"),
    );
    expect(cal.modelId).toBe(JSON.parse(r.stdout).modelId);
  });

  it("issue 8, defect 6: a calibration that keeps failing is no success (exit 69, model not saved); model calibrate finishes it", async () => {
    fake = await startFakeWoodwide();
    const w = await cliWorld({ WOODWIDE_API_KEY: fake.apiKey, WOODWIDE_BASE_URL: fake.url });
    fake.setFault({ kind: "server-error", on: "infer" });
    const r = await w.run(["model", "train", "--baseline", baseline, "--name", "t3", "--json"]);
    expect(r.exitCode).toBe(69);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ calibrated: false, modelId: expect.any(String) });
    expect(r.stderr).toContain(
      `model ${out.modelId} was trained but its calibration failed (Woodwide POST /models/${out.modelId}/infer-batch answered HTTP 503`,
    );
    expect(r.stderr).toContain(`playproof-batch model calibrate --model ${out.modelId} --baseline`);
    expect(r.stderr).not.toContain(fake.apiKey);
    // Never saved as the model process uses, and no calibration stored.
    expect((await w.run(["config", "get", "woodwide.modelId", "--json"])).stdout).not.toContain(
      out.modelId,
    );
    const calPath = join(w.env.PLAYPROOF_CONFIG_DIR, "woodwide-calibration.json");
    await expect(stat(calPath)).rejects.toThrow(/ENOENT/);

    fake.clearFaults();
    const c = await w.run([
      "model",
      "calibrate",
      "--model",
      out.modelId,
      "--baseline",
      baseline,
      "--json",
    ]);
    expect(c.exitCode).toBe(0);
    expect(JSON.parse(c.stdout)).toMatchObject({
      modelId: out.modelId,
      calibrated: true,
      calibrationRows: out.calibrationRows,
    });
    expect((await w.run(["config", "get", "woodwide.modelId"])).stdout.trim()).toBe(out.modelId);
    expect(JSON.parse(await readFile(calPath, "utf8")).modelId).toBe(out.modelId);
  });

  it("--no-calibrate: the model is saved uncalibrated on purpose, exit 0, with a warning", async () => {
    fake = await startFakeWoodwide();
    const w = await cliWorld({ WOODWIDE_API_KEY: fake.apiKey, WOODWIDE_BASE_URL: fake.url });
    const r = await w.run(["model", "train", "--baseline", baseline, "--no-calibrate", "--json"]);
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ calibrated: false });
    expect(r.stderr).toMatch(/warning: model .* is not calibrated \(--no-calibrate\)/);
    expect(fake.requests.filter((q) => q.endpoint === "infer")).toEqual([]);
    expect((await w.run(["config", "get", "woodwide.modelId"])).stdout.trim()).toBe(out.modelId);
  });

  it("model calibrate without a model: a configuration error (exit 78)", async () => {
    const w = await cliWorld({ WOODWIDE_API_KEY: "k" });
    const r = await w.run(["model", "calibrate", "--baseline", baseline]);
    expect(r.exitCode).toBe(78);
    expect(r.stderr).toMatch(/no model to calibrate: pass --model ID/);
  });

  it("without an API key it stops with a clear configuration error (exit 78)", async () => {
    const w = await cliWorld();
    const r = await w.run(["model", "train", "--baseline", baseline]);
    expect(r.exitCode).toBe(78);
    expect(r.stderr).toMatch(/WOODWIDE_API_KEY is not set/);
  });
});
