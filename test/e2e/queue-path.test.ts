/**
 * Issue 9, item 13: a --queue path that does not exist showed an all-zero `stats` with exit 0,
 * so a crontab typo went unnoticed; a directory gave a bare EISDIR. Read-only commands now warn
 * "no queue at PATH yet"; a directory stops every command with exit 74 and a path to use.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliWorld } from "../support/cli.js";
import { logLines } from "../support/log-lines.js";
import { ndjson } from "../support/sessions.js";

describe("a queue path that does not exist (built binary)", () => {
  it("stats warns on stderr, still prints its zeros and exits 0", async () => {
    const w = await cliWorld();
    const typo = join(w.dir, "qeueu.jsonl");
    const r = await w.run(["stats", "--json", "--queue", typo]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ sessions: 0, due: 0, scored: 0 });
    expect(logLines(r.stderr)).toEqual([
      `warning: no queue at ${typo} yet (nothing was enqueued there: a typo in --queue?)`,
    ]);
  });

  it("result (exit 3 as for any unknown id), results and quarantine list warn too; names the setting used", async () => {
    const w = await cliWorld();
    const warning = `warning: no queue at ${w.queue} yet (nothing was enqueued there: a typo in PLAYPROOF_QUEUE?)`;
    const result = await w.run(["result", "s_1"]);
    expect(result.exitCode).toBe(3);
    expect(logLines(result.stderr)[0]).toBe(warning);
    for (const args of [["results"], ["quarantine", "list"]]) {
      const r = await w.run(args);
      expect(r.exitCode).toBe(0);
      expect(logLines(r.stderr)[0]).toBe(warning);
    }
  });

  it("no warning once the queue exists, nor for commands that create it", async () => {
    const w = await cliWorld();
    const enqueue = await w.run(["enqueue"], { input: ndjson(2) });
    expect(enqueue).toMatchObject({ exitCode: 0, stderr: expect.not.stringContaining("no queue") });
    const stats = await w.run(["stats", "--json"]);
    expect(stats).toMatchObject({ exitCode: 0, stderr: "" });
    expect(JSON.parse(stats.stdout)).toMatchObject({ sessions: 2, due: 2 });
  });
});

describe("a directory as the queue path (built binary)", () => {
  it.each([[["stats"]], [["result", "s_1"]], [["enqueue"]], [["process", "--engine", "local"]]])(
    "%j: exit 74, the path and the file to give instead",
    async (args) => {
      const w = await cliWorld();
      const dir = join(w.dir, "queues");
      await mkdir(dir);
      const r = await w.run([...args, "--queue", dir], { input: ndjson(1) });
      expect(r.exitCode).toBe(74);
      expect(r.stdout).toBe("");
      expect(logLines(r.stderr)).toEqual([
        `playproof-batch: ${dir} is a directory: --queue takes a file path, e.g. ${join(dir, "queue.jsonl")}`,
      ]);
    },
  );

  it("from PLAYPROOF_QUEUE, the message names the variable", async () => {
    const w = await cliWorld();
    await mkdir(join(w.dir, "q"));
    const r = await (await cliWorld({ PLAYPROOF_QUEUE: join(w.dir, "q") })).run(["stats"]);
    expect(r.exitCode).toBe(74);
    expect(logLines(r.stderr)).toEqual([
      `playproof-batch: ${join(w.dir, "q")} is a directory: PLAYPROOF_QUEUE takes a file path, e.g. ${join(w.dir, "q", "queue.jsonl")}`,
    ]);
  });
});
