import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { describeBackends } from "../support/backends.js";
import { BIN, cliWorld, ROOT } from "../support/cli.js";
import { ndjson } from "../support/sessions.js";

describeBackends("enqueue, stats, result (built binary)", (b) => {
  // The shipped dev-set sample (issue 8: a fresh clone has no ../shared/eval): 200 real and
  // generated sessions from all seven files, piped as one NDJSON stream.
  it("queues the 200 dev-set sample sessions once; a second pipe reports 200 duplicates; stats agrees", async () => {
    const w = await cliWorld({}, b);
    const input = await sampleNdjson();
    const first = await w.run(["enqueue"], { input });
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toBe("");
    expect(first.stderr).toMatch(/200 accepted, 0 duplicates \(ignored\), 0 rejected/);
    const again = await w.run(["enqueue"], { input });
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toMatch(/0 accepted, 200 duplicates \(ignored\), 0 rejected/);
    const stats = await w.run(["stats", "--json"]);
    expect(stats.exitCode).toBe(0);
    const s = JSON.parse(stats.stdout);
    expect(s).toMatchObject({ backend: b.kind, sessions: 200, due: 200, scored: 0, dead: 0 });
    if (b.kind === "file") {
      // The journal itself: one enqueue line per session, none for the duplicates.
      const lines = (await readFile(w.queue, "utf8")).trim().split("\n");
      expect(lines).toHaveLength(200);
    }
  });

  // Issue 8: a gzip file gave 9 "invalid JSON" errors. Gzip is told by its magic bytes, so a
  // file of any name and a pipe both work.
  it("reads gzip input transparently, from a file and from stdin", async () => {
    const w = await cliWorld({}, b);
    const gz = join(ROOT, "fixtures", "eval-sample", "human-webbot.ndjson.gz");
    const fromFile = await w.run(["enqueue", gz]);
    expect(fromFile.exitCode).toBe(0);
    expect(fromFile.stderr).toMatch(/50 accepted, 0 duplicates \(ignored\), 0 rejected/);
    const bots = await readFile(join(ROOT, "fixtures", "eval-sample", "bot-webbot.ndjson.gz"));
    const piped = await execa("node", [BIN, "enqueue"], { env: w.env, input: bots, reject: false });
    expect(piped.exitCode).toBe(0);
    expect(piped.stderr).toMatch(/20 accepted, 0 duplicates \(ignored\), 0 rejected/);
    const stats = JSON.parse((await w.run(["stats", "--json"])).stdout);
    expect(stats.sessions).toBe(70);
  });

  it("--json prints one line per accepted session with its provisional result", async () => {
    const w = await cliWorld({}, b);
    const r = await w.run(["enqueue", "--json"], { input: ndjson(3) });
    expect(r.exitCode).toBe(0);
    const rows = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rows.map((x) => x.sessionId)).toEqual(["s_0", "s_1", "s_2"]);
    expect(rows[0]).toMatchObject({
      source: "heuristic",
      decision: expect.stringMatching(/pass|review|fail/),
    });
  });

  it("result: provisional while queued, exit 3 for an unknown session", async () => {
    const w = await cliWorld({}, b);
    await w.run(["enqueue"], { input: ndjson(2) });
    const r = await w.run(["result", "s_1", "--json"]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      sessionId: "s_1",
      status: "queued",
      provisional: true,
      result: { source: "heuristic" },
    });
    const unknown = await w.run(["result", "s_404"]);
    expect(unknown.exitCode).toBe(3);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toMatch(/unknown session: s_404/);
  });

  it("clear refuses without a terminal unless --yes, and --processed keeps queued sessions", async () => {
    const w = await cliWorld({}, b);
    await w.run(["enqueue"], { input: ndjson(5) });
    await w.run(["process", "--engine", "local", "--max-batches", "1", "--batch-size", "2"]);
    const refused = await w.run(["clear"]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/--yes/);
    const cleared = await w.run(["clear", "--processed", "--yes", "--json"]);
    expect(cleared.exitCode).toBe(0);
    expect(JSON.parse(cleared.stdout)).toEqual({ removed: 2, archived: 2, remaining: 3 });
    const all = await w.run(["clear", "--yes"]);
    expect(all.exitCode).toBe(0);
    expect(JSON.parse((await w.run(["stats", "--json"])).stdout).sessions).toBe(0);
  });

  it("usage errors exit 2; a cron-style run with nothing to do prints nothing and exits 0", async () => {
    const w = await cliWorld({}, b);
    expect((await w.run(["enqueue", "--bogus"])).exitCode).toBe(2);
    expect((await w.run(["clear", "--older-than", "soon", "--yes"])).exitCode).toBe(2);
    const idle = await w.run(["process", "--engine", "local"]);
    expect(idle).toMatchObject({ exitCode: 0, stdout: "", stderr: "" });
  });
});

// The config file alone: no queue involved, so one backend is enough.
describe("config (built binary)", () => {
  it("config: secrets are redacted and the file is mode 0600", async () => {
    const w = await cliWorld();
    const key = "ww_live_0123456789abcdefSECRET";
    expect((await w.run(["config", "set", "woodwide.apiKey", key])).exitCode).toBe(0);
    const get = await w.run(["config", "get", "woodwide.apiKey"]);
    const list = await w.run(["config", "list"]);
    for (const out of [get.stdout, get.stderr, list.stdout, list.stderr])
      expect(out).not.toContain(key);
    expect(get.stdout.trim()).toBe("****CRET");
    const file = join(w.env.PLAYPROOF_CONFIG_DIR, "config.json");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await w.run(["config", "set", "process.batchSize", "many"])).exitCode).toBe(2);
    expect((await w.run(["config", "set", "no.such", "1"])).exitCode).toBe(2);
  });
});

async function sampleNdjson(): Promise<string> {
  const dir = join(ROOT, "fixtures", "eval-sample");
  const files = (await readdir(dir)).filter((f) => f.endsWith(".ndjson.gz")).sort();
  expect(files).toHaveLength(7);
  const texts = await Promise.all(files.map(async (f) => gunzipSync(await readFile(join(dir, f)))));
  return texts.map((t) => t.toString("utf8")).join("");
}
