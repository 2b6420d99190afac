import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterEach, expect, it } from "vitest";
import { BATCH_COLUMNS } from "../../src/batch/csv.js";
import { featureKey } from "../../src/telemetry/feature-sets.js";
import { extractFeatures, FEATURE_COLUMNS } from "../../src/telemetry/features.js";
import { extractPlayProof1 } from "../../src/telemetry/features-playproof1.js";
import { parseSession } from "../../src/telemetry/schema.js";
import { describeBackends } from "../support/backends.js";
import { cliWorld, ROOT } from "../support/cli.js";
import { type FakeWoodwide, startFakeWoodwide } from "../support/fake-woodwide.js";
import { makeSession } from "../support/sessions.js";

let fake: FakeWoodwide | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const baseline = join(ROOT, "fixtures", "baseline", "human-baseline.csv");
type Cells = Record<string, string>;
type Column = (typeof FEATURE_COLUMNS)[number];
const csvRows = (text: string | undefined): Cells[] => parse(text ?? "", { columns: true });
const numbers = (row: Record<string, string | number>, key: (c: Column) => string) =>
  FEATURE_COLUMNS.map((c) => Number(row[key(c)])).join(",");

describeBackends("feature set playproof-1 end to end (built binary, fake Woodwide)", (b) => {
  it("model train uploads PlayProof's definitions, records the set, and process sends the same", async () => {
    fake = await startFakeWoodwide();
    const w = await cliWorld({ WOODWIDE_API_KEY: fake.apiKey, WOODWIDE_BASE_URL: fake.url }, b);
    const r = await w.run(["model", "train", "--baseline", baseline, "--json"]);
    expect(r.stderr).not.toMatch(/playproof-batch:/);
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.featureSet).toBe("playproof-1");
    const records = join(w.env.PLAYPROOF_CONFIG_DIR, "woodwide-models.json");
    expect(JSON.parse(await readFile(records, "utf8"))).toEqual({
      [out.modelId]: { featureSet: "playproof-1" },
    });

    // The training upload: PlayProof's header, and every row is one baseline row's playproof-1
    // columns (written by build-baseline.mjs from extractPlayProof1), never our definitions.
    const uploads = fake.requests.filter((q) => q.endpoint === "upload");
    expect(uploads[0]?.csv?.split("\n")[0]).toBe(BATCH_COLUMNS.join(","));
    const base = parse(await readFile(baseline, "utf8"), { columns: true }) as Cells[];
    const pp1Rows = new Set(base.map((b) => numbers(b, (c) => featureKey("playproof-1", c))));
    const trained = csvRows(uploads[0]?.csv);
    expect(trained).toHaveLength(out.trainRows);
    for (const row of trained) expect(pp1Rows.has(numbers(row, (c) => c))).toBe(true);
    // PlayProof writes 0 for these two; our definitions do not.
    expect(trained.every((row) => row.avgClickDistance === "0")).toBe(true);
    expect(trained.every((row) => row.curvatureVariance === "0")).toBe(true);

    // process: the batch upload holds extractPlayProof1 of each enqueued session.
    const sessions = Array.from({ length: 6 }, (_, i) => makeSession(i, { points: 60 }));
    const input = sessions.map((s) => JSON.stringify(s)).join("\n");
    expect((await w.run(["enqueue"], { input })).exitCode).toBe(0);
    const before = fake.requests.length;
    const p = await w.run(["process", "--json"]);
    expect(p.exitCode).toBe(0);
    expect(JSON.parse(p.stdout)).toMatchObject({ engine: "woodwide", scored: 6 });
    const batch = fake.requests.slice(before).find((q) => q.endpoint === "upload");
    const sent = csvRows(batch?.csv).map((row) => numbers(row, (c) => c));
    const parsed = sessions.map((s) => {
      const ok = parseSession(s);
      if (!ok.ok) throw new Error(ok.error);
      return ok.session;
    });
    const expected = parsed.map((s) => numbers(extractPlayProof1(s), (c) => c));
    expect([...sent].sort()).toEqual([...expected].sort());
    // ... which are not what our own definitions give.
    const ours = parsed.map((s) => numbers(extractFeatures(s), (c) => c));
    expect(sent.some((row) => ours.includes(row))).toBe(false);
  });

  it("woodwide.featureSet covers a model trained elsewhere: process sends that set", async () => {
    fake = await startFakeWoodwide();
    const w = await cliWorld({ WOODWIDE_API_KEY: fake.apiKey, WOODWIDE_BASE_URL: fake.url }, b);
    const r = await w.run(["model", "train", "--baseline", baseline, "--json"]);
    const modelId = JSON.parse(r.stdout).modelId as string;
    // Forget the record: the model now looks trained elsewhere.
    await w.run(["config", "set", "woodwide.featureSet", "playproof-batch-1"]);
    const records = join(w.env.PLAYPROOF_CONFIG_DIR, "woodwide-models.json");
    const { writeFile } = await import("node:fs/promises");
    await writeFile(records, "{}\n");
    const session = makeSession(3, { points: 60 });
    expect((await w.run(["enqueue"], { input: JSON.stringify(session) })).exitCode).toBe(0);
    const before = fake.requests.length;
    expect((await w.run(["process", "--json"])).exitCode).toBe(0);
    const batch = fake.requests.slice(before).find((q) => q.endpoint === "upload");
    const ok = parseSession(session);
    if (!ok.ok) throw new Error(ok.error);
    expect(csvRows(batch?.csv).map((row) => numbers(row, (c) => c))).toEqual([
      numbers(extractFeatures(ok.session), (c) => c),
    ]);
    expect(modelId).toEqual(expect.any(String));
  });
});
